"""docker-compose.yml cannot run here (no Docker engine); check what can be checked from its
text. tests/packaging/test_glue_container.py runs its commands in a stand-in of the image."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import yaml
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
WORKSPACE = "/home/hadoop/workspace"
# What the image brings and a user-site install must never shadow.
GLUE_OWN = {"pyspark", "py4j", "awsglue", "awsgluedataplanepython", "boto3", "botocore"}


def requirement_names(path: Path) -> set[str]:
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    return {re.sub(r"[-_.]+", "-", Requirement(line).name).lower() for line in lines if line}


def test_services_use_the_glue_5_image_as_hadoop_with_the_workspace_mounted():
    assert set(COMPOSE["services"]) == {"glue-spark-submit", "glue-pytest"}
    for service in COMPOSE["services"].values():
        assert service["image"] == "public.ecr.aws/glue/aws-glue-libs:5"
        assert service["user"] == "hadoop"
        assert service["working_dir"] == WORKSPACE
        assert f".:{WORKSPACE}" in service["volumes"]
        assert "~/.aws:/home/hadoop/.aws:ro" in service["volumes"]
        assert service["entrypoint"] == ["/bin/bash", "-lc"]
        env = service["environment"]
        # Passed through only when the host sets it (no value: Compose leaves it unset).
        assert "AWS_PROFILE" in env and env["AWS_PROFILE"] is None
        # The image's PYTHONPATH is added to in the command, never replaced here.
        assert "PYTHONPATH" not in env
        assert 'export PYTHONPATH="$$PWD/src$${PYTHONPATH:+:$$PYTHONPATH}"' in service["command"][0]
        assert env["GLUE_CONTAINER"] == "1"  # glue_submit.sh: never the mounted .venv


def test_the_commands_name_files_that_exist_in_the_repo():
    submit = COMPOSE["services"]["glue-spark-submit"]["command"][0]
    script = next(word for word in shlex.split(submit) if word.startswith("scripts/"))
    assert (ROOT / script).is_file() and (ROOT / script).stat().st_mode & 0o111
    pytest_cmd = COMPOSE["services"]["glue-pytest"]["command"][0]
    requirements = pytest_cmd.split("-r ")[1].split()[0]
    assert (ROOT / requirements).is_file()
    assert "--with-integration" in pytest_cmd  # the image's pytest-integration-mark plugin
    assert (ROOT / "tests").is_dir()


def test_the_container_requirements_never_reinstall_glues_own_packages():
    names = requirement_names(ROOT / "requirements" / "glue-container.txt")
    assert names, "no requirement read"
    assert names & GLUE_OWN == set()


def test_the_container_requirements_hold_what_the_project_needs_beyond_the_image():
    """Every runtime and test dependency of pyproject.toml is in the image or listed (the
    project's dev tools that no test imports are not needed there)."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {
        re.sub(r"[-_.]+", "-", Requirement(spec).name).lower()
        for spec in [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    }
    image = requirement_names(ROOT / "requirements" / "glue-5.0-modules.txt") | GLUE_OWN
    image |= {"pytest"}  # the image's own pytest 8.3.4
    tools = {"ruff", "check-jsonschema"}  # run as programs, not imported by any test
    listed = requirement_names(ROOT / "requirements" / "glue-container.txt")
    assert wanted - image - tools - listed == set()
