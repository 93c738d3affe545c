"""docker-compose.yml cannot run here (no Docker engine); check what can be checked."""

from __future__ import annotations

import shlex
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_services_use_the_glue_5_image_as_hadoop_with_the_workspace_mounted():
    assert set(COMPOSE["services"]) == {"glue-spark-submit", "glue-pytest"}
    for service in COMPOSE["services"].values():
        assert service["image"] == "public.ecr.aws/glue/aws-glue-libs:5"
        assert service["user"] == "hadoop"
        assert service["working_dir"] == "/home/hadoop/workspace"
        assert ".:/home/hadoop/workspace" in service["volumes"]
        assert "~/.aws:/home/hadoop/.aws:ro" in service["volumes"]
        assert service["environment"]["AWS_PROFILE"].startswith("${AWS_PROFILE")
        assert service["environment"]["PYTHONPATH"] == "/home/hadoop/workspace/src"


def test_the_commands_name_files_that_exist_in_the_repo():
    submit = shlex.split(COMPOSE["services"]["glue-spark-submit"]["command"][0])
    assert (ROOT / submit[0]).is_file()
    assert (ROOT / submit[0]).stat().st_mode & 0o111
    pytest_cmd = COMPOSE["services"]["glue-pytest"]["command"][0]
    requirements = pytest_cmd.split("-r ")[1].split()[0]
    assert (ROOT / requirements).is_file()
    assert (
        "pyspark"
        not in (ROOT / requirements)
        .read_text()
        .lower()
        .replace("pyspark, awsglue", "")
        .split("must not")[0]
    )
    assert (ROOT / "tests").is_dir()
