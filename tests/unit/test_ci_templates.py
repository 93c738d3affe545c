"""The CI templates users adopt (.github/workflows/ci.yml, buildspec.yml): valid for their
service, and every make target they run exists in the Makefile."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
BUILDSPEC = ROOT / "buildspec.yml"
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"


def commands(node: object) -> list[str]:
    """Every shell line in a parsed YAML tree (`run:` steps, buildspec `commands:`)."""
    found: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in {"run", "commands"}:
                items = value if isinstance(value, list) else [value]
                found += [line for item in items for line in str(item).splitlines()]
            else:
                found += commands(value)
    elif isinstance(node, list):
        for item in node:
            found += commands(item)
    return found


def validate_workflow(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_workflow_is_valid_against_githubs_schema():
    done = validate_workflow(WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path):
    broken = yaml.safe_load(WORKFLOW.read_text())
    del broken["jobs"]["test"]["runs-on"]
    path = tmp_path / "ci.yml"
    path.write_text(yaml.safe_dump(broken))
    assert validate_workflow(path).returncode != 0


def test_the_buildspec_has_codebuilds_shape():
    spec = yaml.safe_load(BUILDSPEC.read_text())
    assert spec["version"] == 0.2
    assert set(spec["phases"]) <= {"install", "pre_build", "build", "post_build"}
    for name, phase in spec["phases"].items():
        assert isinstance(phase["commands"], list) and phase["commands"], name
    assert spec["phases"]["install"]["runtime-versions"]["python"] == "3.11"
    assert "make test" in spec["phases"]["build"]["commands"]


@pytest.mark.parametrize("path", [WORKFLOW, BUILDSPEC], ids=lambda p: p.name)
def test_every_make_target_they_run_exists(path, make_targets):
    lines = commands(yaml.safe_load(path.read_text()))
    used = {m for line in lines for m in re.findall(r"\bmake\s+([A-Za-z][\w-]*)", line)}
    assert "test" in used
    assert used <= make_targets, used - make_targets
