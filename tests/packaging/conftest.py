"""Fixtures for the packaged-artifact checks: the built artifacts, and package sets that stand
in for what a runtime provides (Lambda's python3.11, Glue 5.0), installed from PyPI once and
cached under build/runtimes/ keyed by their requirements."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / "build"


@pytest.fixture(scope="session")
def artifacts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """scripts/build_artifacts.py run into a folder of its own (what Terraform deploys); the
    layer, the slow part, is reused from build/artifacts as scripts/infra_test.sh does."""
    out = tmp_path_factory.mktemp("artifacts")
    cache = CACHE / "artifacts"
    for layer in cache.glob("deps_layer.*"):
        shutil.copy(layer, out / layer.name)
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_artifacts.py"), str(out)],
                          capture_output=True, text=True)  # fmt: skip
    assert done.returncode == 0, f"build_artifacts.py failed:\n{done.stdout}{done.stderr}"
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "deps_layer.zip").exists():
        for layer in out.glob("deps_layer.*"):
            shutil.copy(layer, cache / layer.name)
    return out


def package_set(name: str, requirements: list[str]) -> Path:
    """A folder holding exactly `requirements` and their dependencies (pip --target), for
    Linux x86_64 CPython 3.11, built once per distinct list and reused."""
    key = hashlib.sha256("\n".join(requirements).encode()).hexdigest()[:12]
    target = CACHE / "runtimes" / f"{name}-{key}"
    if (target / ".complete").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-compile", "--target",
         str(target), *requirements],
        check=True,
    )  # fmt: skip
    (target / ".complete").write_text("\n".join(requirements) + "\n")
    return target
