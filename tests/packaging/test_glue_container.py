"""docker-compose.yml's services, run without Docker in an environment built like the Glue 5
image (public.ecr.aws/glue/aws-glue-libs:5), from what AWS documents of it:

- its Python: Glue 5.0's module list and the image's pytest 8.3.4 with the
  pytest-integration-mark plugin AWS's pytest run shows (glue_runtime.py's venv, with the
  user site on, so `pip3 install --user` goes to ~/.local as in the image); PyPI's PySpark
  3.5.4, py4j and awsglue stand in for Glue's Spark and library, on PYTHONPATH as the image
  puts its Spark's python folder;
- a spark-submit of its own first on PATH, and a spark-defaults.conf that sets the driver's
  Java options (as the image's does);
- a home of its own with an empty ~/.aws, and a login profile that puts the image's tools
  first on PATH (the host's /etc/profile resets PATH);
- the repository's working tree as the mounted workspace, with the host's .venv in it.

Each service is read from the compose file itself (image, user, working dir, environment,
entrypoint, command), its variables interpolated as Compose does, and its command run as the
entrypoint runs it (`/bin/bash -lc`). The stand-in runs as this machine's user, not hadoop.
pip's wheel cache (build/runtimes/pip-cache) is kept between runs; each home starts empty.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from orderlake.generator import GeneratorSettings, write_day
from orderlake.storage import LocalStore
from tests.packaging.glue_runtime import STAND_IN_FOLDER, build_glue_venv, glue_requirements

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
IMAGE = "public.ecr.aws/glue/aws-glue-libs:5"
WORKSPACE = "/home/hadoop/workspace"
# The image's pytest, as AWS's pytest run in it shows ("pytest-8.3.4 ... plugins:
# integration-mark-0.2.0"), with pytest's own dependencies at versions of that time.
IMAGE_PYTEST = ["pytest==8.3.4", "pluggy==1.5.0", "iniconfig==2.0.0",
                "pytest-integration-mark==0.2.0"]  # fmt: skip
# Glue's own packages: a user-site copy of one would shadow the image's.
NEVER_REINSTALLED = {"pyspark", "py4j", "awsglue", "awsgluedataplanepython", "boto3", "botocore"}
DEFAULTS_OPTION = "-Dorderlake.standin.spark_defaults=kept"
DAY = dt.date(2026, 11, 21)
# The suite inside the stand-in: every test module is collected (an import the requirements
# do not satisfy fails the run), and these run: the entry scripts under the image's
# spark-submit (tests/integration, which the image's plugin skips unless asked), a local day
# end to end through the CLI, the schedule (croniter), on-call email through a real SMTP
# server (aiosmtpd), AWS calls through moto, the warehouse (psycopg; its server binaries are
# not in the image, so those tests skip saying so) and Terraform's (skipped: not in the
# image). The whole suite in the stand-in takes many minutes on a 2-core machine: too slow for
# make test, which runs it on the laptop anyway.
SUBSET = (
    "("
    + " or ".join(
        [
            "test_glue_entry_scripts",
            "test_local_day",
            "test_schedule",
            "test_notifications",
            "test_archive",
            "test_athena_engine",
            "test_warehouse_cli",
            "test_definition_terraform",
            "test_docker_compose",
        ]
    )
    + ") and not test_lambda_packages"
)  # the Lambda packages' check: not what the image is for
# pip's note on this machine's own package index configuration (no such index in the image).
MACHINE_INDEX_NOTE = re.compile(r"WARNING: Location 'file://.*' is ignored")
ALLOWED_SKIPS = re.compile(r"terraform not on PATH|PostgreSQL's \w+ is not on PATH")


# --- the compose file, read as Compose reads it ----------------------------------------------


def interpolate(text: str, variables: dict[str, str]) -> str:
    """Compose's variable interpolation: $$ is a $, ${VAR}, ${VAR:-default}, ${VAR-default}."""
    pattern = re.compile(r"\$\$|\$\{(\w+)(?:(:?-)([^}]*))?\}|\$(\w+)")

    def value(match: re.Match[str]) -> str:
        if match[0] == "$$":
            return "$"
        name = match[1] or match[4]
        if match[2] == ":-":
            return variables.get(name) or match[3]
        if match[2] == "-":
            return variables.get(name, match[3])
        return variables.get(name, "")

    return pattern.sub(value, text)


def service_environment(service: dict, variables: dict[str, str]) -> dict[str, str]:
    """The container's environment from the service: a name without a value is passed
    through from the host only when set there."""
    env = {}
    for name, raw in (service.get("environment") or {}).items():
        if raw is None:
            if name in variables:
                env[name] = variables[name]
        else:
            env[name] = interpolate(str(raw), variables)
    return env


def service_argv(service: dict, variables: dict[str, str]) -> list[str]:
    command = service["command"]
    command = command if isinstance(command, list) else [command]
    return [*service["entrypoint"], *(interpolate(part, variables) for part in command)]


# --- the stand-in image ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def image(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The image's Python (cached venv), its spark-submit and its spark-defaults.conf."""
    venv = build_glue_venv([*glue_requirements(), *IMAGE_PYTEST], "glue-5-image", user_site=True)
    root = tmp_path_factory.mktemp("image")
    bin_dir, conf = root / "bin", root / "conf"
    bin_dir.mkdir()
    conf.mkdir()
    spark_home = venv / STAND_IN_FOLDER / "pyspark"
    # The image's spark-submit: notes that it was the one called, then runs the stand-in Spark.
    (bin_dir / "spark-submit").write_text(
        "#!/bin/bash\n"
        f'echo "$*" >> {root}/spark-submit.calls\n'
        f'exec {spark_home}/bin/spark-submit "$@"\n'
    )
    (bin_dir / "spark-submit").chmod(0o755)
    (conf / "spark-defaults.conf").write_text(
        f"spark.driver.extraJavaOptions  -XX:+UseG1GC {DEFAULTS_OPTION}\n"
    )
    return {"venv": venv, "root": root, "bin": bin_dir, "conf": conf, "spark_home": spark_home}


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """What the bind mount shows: the working tree (tracked and new files), the host's .venv
    among them."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout.split("\0")  # fmt: skip
    target = tmp_path / "workspace"
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file() and not name.startswith((".venv/", "build/", ".orderlake/")):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(ROOT / ".venv")
    assert (target / ".venv" / "bin" / "spark-submit").exists()  # the host's, visible
    return target


def host_passthrough() -> dict[str, str]:
    """This machine's network and package-index settings, which Docker would give too."""
    keep = ("PIP_", "SSL_CERT_", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
    env = {k: v for k, v in os.environ.items() if k.startswith(keep) or "PROXY" in k.upper()}
    user_config = Path.home() / ".config" / "pip" / "pip.conf"
    if user_config.is_file() and "PIP_CONFIG_FILE" not in env:
        env["PIP_CONFIG_FILE"] = str(user_config)
    if os.environ.get("JAVA_HOME"):
        env["JAVA_HOME"] = os.environ["JAVA_HOME"]
    return env


def run_service(
    name: str,
    image: dict[str, Path],
    workspace: Path,
    home: Path,
    variables: dict[str, str],
    pythonpath_in: str = "environment",
    timeout: int = 1200,
) -> subprocess.CompletedProcess[str]:
    """The service's command as the container runs it, in the stand-in."""
    service = COMPOSE["services"][name]
    assert service["image"] == IMAGE and service["user"] == "hadoop"
    assert service["working_dir"] == WORKSPACE
    assert f".:{WORKSPACE}" in service["volumes"]
    home.mkdir()
    (home / ".aws").mkdir()  # ~/.aws mounted: empty here
    image_path = f"{image['bin']}:{image['venv'] / 'bin'}"
    image_pythonpath = str(image["venv"] / STAND_IN_FOLDER)
    # The image's login profile, as far as it matters here: PATH its tools and the system's
    # (not /usr/local/bin, where this machine's Terraform and PostgreSQL are, and which the
    # host's /etc/profile puts first), and (one of the two places the image may set it)
    # PYTHONPATH to its Spark's Python.
    profile = f'export PATH="{image_path}:/usr/bin:/bin"\n'
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "USER": "hadoop",
        "LANG": "C.UTF-8",
        "SPARK_HOME": str(image["spark_home"]),
        "SPARK_CONF_DIR": str(image["conf"]),
        "SPARK_PRINT_LAUNCH_COMMAND": "1",
        "PIP_CACHE_DIR": str(ROOT / "build" / "runtimes" / "pip-cache"),
        **host_passthrough(),
    }
    if os.geteuid() == 0:  # the image runs as hadoop: no pip warning about root there
        env["PIP_ROOT_USER_ACTION"] = "ignore"
    if pythonpath_in == "environment":
        env["PYTHONPATH"] = image_pythonpath
    else:
        profile += f'export PYTHONPATH="{image_pythonpath}"\n'
    (home / ".bash_profile").write_text(profile)
    env.update(service_environment(service, variables))
    return subprocess.run(
        service_argv(service, variables),
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def user_site_dists(home: Path) -> set[str]:
    site = home / ".local" / "lib" / "python3.11" / "site-packages"
    names = (p.name.split("-")[0].lower().replace("_", "-") for p in site.glob("*.dist-info"))
    return set(names)


def tree(root: Path) -> set[str]:
    return {
        str(p.relative_to(root))
        for p in root.rglob("*")
        if not str(p.relative_to(root)).startswith(".venv")
    }


# --- the compose file's environment ----------------------------------------------------------


def test_aws_profile_is_passed_only_when_the_host_sets_it():
    for service in COMPOSE["services"].values():
        assert "AWS_PROFILE" not in service_environment(service, {})
        assert service_environment(service, {"AWS_PROFILE": "dev"})["AWS_PROFILE"] == "dev"
        assert "PYTHONPATH" not in service.get("environment", {}), "the image's must be kept"


def test_interpolation_follows_compose():
    variables = {"A": "1", "EMPTY": ""}
    assert interpolate("$$PWD ${A} ${B:-x} ${EMPTY:-y} ${EMPTY-z} $A", variables) == (
        "$PWD 1 x y  1"
    )


def test_botocore_makes_clients_in_the_services_environment(image, tmp_path):
    """With no AWS_PROFILE on the host and an empty ~/.aws, a client is made (fake keys, as
    the moto tests use): no ProfileNotFound."""
    service = COMPOSE["services"]["glue-pytest"]
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    env = {
        "PATH": f"{image['venv'] / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        **service_environment(service, {}),
    }
    code = "import boto3; boto3.client('s3', region_name='us-east-1'); print('ok')"
    result = subprocess.run(["python3", "-c", code], env=env, capture_output=True, text=True)
    assert result.stdout.strip() == "ok", result.stderr[-2000:]


# --- glue-spark-submit -----------------------------------------------------------------------


def test_glue_spark_submit_fails_in_one_line_for_a_day_not_in_the_lake(image, workspace, tmp_path):
    """PYTHONPATH given by the image's login profile this time, not its environment."""
    result = run_service(
        "glue-spark-submit",
        image,
        workspace,
        tmp_path / "home",
        {"RUN_DATE": "2026-01-01"},
        pythonpath_in="login profile",
        timeout=600,
    )
    assert result.returncode != 0
    lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
    lines = [line for line in lines if not MACHINE_INDEX_NOTE.match(line)]
    assert len(lines) == 1, lines
    assert lines[0].startswith("glue_submit.sh: orderlake: error: job clean_orders: no raw_orders")
    assert "dt=2026-01-01" in lines[0] and "generate the day first" in lines[0]
    assert not (image["root"] / "spark-submit.calls").exists()


@pytest.mark.slow
def test_glue_spark_submit_processes_a_day_with_the_images_spark(image, workspace, tmp_path):
    """The raw day generated first on the host (as the container page says), then the service."""
    write_day(LocalStore(workspace / ".orderlake" / "raw"), DAY, GeneratorSettings(rows=200))
    result = run_service(
        "glue-spark-submit", image, workspace, tmp_path / "home", {"RUN_DATE": DAY.isoformat()}
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    curated = pq.read_table(workspace / ".orderlake" / "curated" / "orders" / f"dt={DAY}")
    assert 150 < curated.num_rows <= 200
    # The image's spark-submit ran, not the .venv's the mount shows...
    calls = (image["root"] / "spark-submit.calls").read_text().splitlines()
    assert len(calls) == 1 and "glue_jobs/clean_orders.py" in calls[0]
    # ...with the driver's Java options of spark-defaults.conf kept, the quiet log4j added.
    (launch,) = [line for line in output.splitlines() if line.startswith("Spark Command:")]
    assert DEFAULTS_OPTION in launch and "-Dlog4j2.configurationFile=" in launch
    assert str(ROOT / ".venv") not in launch


# --- glue-pytest -----------------------------------------------------------------------------


@pytest.mark.slow
def test_glue_pytest_fails_when_the_requirements_lack_a_module_a_test_imports(
    image, workspace, tmp_path
):
    """croniter removed from requirements/glue-container.txt: collection must fail (a fresh
    home's pip install of the requirements and a collection: about 80 s)."""
    requirements = workspace / "requirements" / "glue-container.txt"
    lines = requirements.read_text().splitlines()
    requirements.write_text("\n".join(x for x in lines if not x.startswith("croniter")) + "\n")
    result = run_service(
        "glue-pytest",
        image,
        workspace,
        tmp_path / "home",
        {"PYTEST_ARGS": "--collect-only -q tests"},
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "No module named 'croniter'" in output, output[-4000:]


@pytest.mark.slow
def test_glue_pytest_collects_the_suite_and_passes_it(image, workspace, tmp_path):
    report = tmp_path / "report.xml"
    before = tree(workspace)
    args = f"tests -k {shlex.quote(SUBSET)} --junitxml={report}"
    result = run_service("glue-pytest", image, workspace, tmp_path / "home", {"PYTEST_ARGS": args})
    output = result.stdout + result.stderr
    print(result.stdout[-8000:])  # pytest's report inside (pip's notes are on stderr)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-1000:]
    assert "error" not in output.split("collected")[0].lower(), "collection must be clean"
    cases = ET.parse(report).getroot().iter("testcase")
    outcomes: dict[str, str] = {}
    for case in cases:
        skipped = case.find("skipped")
        name = f"{case.get('classname')}.{case.get('name')}"
        outcomes[name] = "passed" if skipped is None else skipped.get("message", "")
    bad_skips = {n: why for n, why in outcomes.items() if why != "passed"}
    bad_skips = {n: why for n, why in bad_skips.items() if not ALLOWED_SKIPS.search(why)}
    assert bad_skips == {}, "skipped for a reason the image does not explain"
    ran = [n for n, why in outcomes.items() if why == "passed"]
    assert any("test_clean_orders_runs_under_spark_submit_like_on_glue" in n for n in ran)
    assert any("test_local_day" in n for n in ran) and any("test_schedule" in n for n in ran)
    assert any("test_notifications" in n for n in ran)
    # Nothing Glue's own was installed over the image's, and nothing written into the mount.
    assert user_site_dists(tmp_path / "home") & NEVER_REINSTALLED == set()
    assert tree(workspace) == before
