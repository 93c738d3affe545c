"""The Glue wheel runs as packaged: installed with --no-deps into a virtualenv that holds only
Glue 5.0's documented Python modules (requirements/glue-5.0-modules.txt), with PySpark, py4j
and awsglue standing in for Glue's own, and each entry script launched by spark-submit.

The virtualenv is built once per module list under build/runtimes/ (about 40 s) and the wheel
is reinstalled into it each session. load_redshift is only import-checked: its one action is
calls to the Redshift Data API, which has no local stand-in, and it writes nothing to the lake.
"""

from __future__ import annotations

import ast
import datetime as dt
import fcntl
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from orderlake.definition import load_definition
from orderlake.generator import GeneratorSettings, write_day
from orderlake.jobs.registry import config_for, job_spec
from orderlake.lake import Lake
from orderlake.storage import LocalStore
from tests.packaging.glue_runtime import (
    STAND_IN_DISTS,
    build_glue_venv,
    glue_requirements,
    site_packages,
)

ROOT = Path(__file__).resolve().parents[2]
# Modules only Glue's runtime has (no PyPI release); orderlake imports them only after
# checking that they are there (orderlake.quality.glue_dq.available).
GLUE_RUNTIME_ONLY = {"awsgluedq"}
DAY = dt.date(2026, 11, 21)
MASTER = "local[1]"
TABLES = ["orders", "quarantine", "dq_results", "product_daily", "top_abandoned_products",
          "customer_top_abandoned"]  # fmt: skip
DIFFERS_BY_RUN = {"run_id", "evaluated_at"}  # a run's id and the time its rules ran


@pytest.fixture(scope="session")
def glue_venv(artifacts: Path) -> Iterator[Path]:
    """The Glue 5.0 venv with this tree's wheel installed --no-deps; held under a lock so that
    another test session does not swap the wheel while this one runs jobs."""
    venv = build_glue_venv(glue_requirements())
    with open(venv.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wheel = artifacts / json.loads((artifacts / "manifest.json").read_text())["wheel"]
        subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet",
                        "--no-deps", "--no-compile", "--force-reinstall", str(wheel)],
                       check=True, capture_output=True)  # fmt: skip
        yield venv


def run_in(venv: Path, code: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "python"), "-c", code, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=outside_env(venv),
        timeout=120,
    )


def outside_env(venv: Path) -> dict[str, str]:
    """The environment without the project's venv or source tree on any path."""
    drop = ("PYTHONPATH", "VIRTUAL_ENV", "SPARK_HOME", "PYSPARK_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    path = [p for p in env["PATH"].split(os.pathsep) if not p.startswith(str(ROOT))]
    env["PATH"] = os.pathsep.join([str(venv / "bin"), *path])
    return env


# --- what the entry scripts import ---------------------------------------------------------


def imported_names(path: Path, package: str) -> list[str]:
    """Every module name an import statement in the file names (module level or in a
    function), with `from a import b` giving both a and a.b (b may be a module)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return names


def job_imports(site: Path, scripts: list[Path]) -> tuple[set[str], set[str]]:
    """The orderlake modules reachable from the entry scripts (as installed), and the
    third-party top-level modules any of them imports."""
    modules: set[str] = set()
    third_party: set[str] = set()
    pending = [(script, "") for script in scripts]
    while pending:
        path, package = pending.pop()
        for name in imported_names(path, package):
            top = name.split(".")[0]
            if top != "orderlake":
                if top not in sys.stdlib_module_names and top != "__future__":
                    third_party.add(top)
                continue
            found = site.joinpath(*name.split("."))
            for candidate, pkg in [(found / "__init__.py", name), (found.with_suffix(".py"),
                                   name.rpartition(".")[0])]:  # fmt: skip
                if candidate.is_file() and name not in modules:
                    modules.add(name)
                    pending.append((candidate, pkg))
    return modules, third_party


IMPORT_CHECK = """
import importlib, importlib.util, json, runpy, sys
modules, third_party, scripts = json.loads(sys.argv[1])
failed = {}
for script in scripts:  # the entry scripts' own imports, without running their main block
    try:
        runpy.run_path(script, run_name="import_check")
    except Exception as exc:
        failed[script] = repr(exc)
for name in modules:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed[name] = repr(exc)
for name in third_party:  # also those imported late, inside a function
    if importlib.util.find_spec(name) is None:
        failed[name] = "not installed"
import orderlake
print(json.dumps({"failed": failed, "orderlake": orderlake.__file__}))
"""


def test_every_module_a_glue_job_imports_is_in_glue_5_0(glue_venv, tmp_path):
    scripts = sorted((ROOT / "glue_jobs").glob("*.py"))
    copies = [shutil.copy(script, tmp_path / script.name) for script in scripts]
    site = site_packages(glue_venv)
    modules, third_party = job_imports(site, [Path(c) for c in copies])
    assert "orderlake.jobs.clean_orders" in modules and "pyspark" in third_party
    wanted = [sorted(modules), sorted(third_party - GLUE_RUNTIME_ONLY), [str(c) for c in copies]]
    result = run_in(glue_venv, IMPORT_CHECK, tmp_path, json.dumps(wanted))
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["failed"] == {}, "imports Glue 5.0 does not satisfy"
    assert report["orderlake"].startswith(str(site)), "orderlake must come from the wheel"


def test_the_glue_venv_holds_only_glue_5_0_modules_and_the_wheel(glue_venv, tmp_path):
    code = (
        "import importlib.metadata as m, json\n"
        "print(json.dumps({d.metadata['Name'].lower(): d.version for d in m.distributions()}))"
    )
    result = run_in(glue_venv, code, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    installed = json.loads(result.stdout)
    glue = dict(pin.lower().split("==") for pin in glue_requirements())
    assert set(installed) == set(glue) | STAND_IN_DISTS | {"orderlake", "pip", "setuptools"}
    assert {name: installed[name] for name in glue} == glue
    assert installed["pyspark"] == "3.5.4"  # Glue 5.0's Spark


# --- the jobs under spark-submit -----------------------------------------------------------


def spark_submit(venv: Path, job: str, lake: Lake, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The entry script copied out of the repo (as Glue copies it from S3), run by spark-submit
    with the Glue venv's Python as the driver's and the job's arguments as Glue passes them."""
    script = Path(shutil.copy(ROOT / "glue_jobs" / f"{job}.py", cwd / f"{job}.py"))
    spark_home = venv / "glue-stand-ins" / "pyspark"
    log_config = site_packages(venv) / "orderlake" / "log4j2.properties"
    python = str(venv / "bin" / "python")
    env = {**outside_env(venv), "SPARK_HOME": str(spark_home), "PYSPARK_PYTHON": python,
           "PYSPARK_DRIVER_PYTHON": python}  # fmt: skip
    arguments = config_for(job, lake, DAY).to_arguments()
    return subprocess.run(
        [str(spark_home / "bin" / "spark-submit"), "--master", MASTER,
         "--driver-java-options", f"-Dlog4j2.configurationFile=file:{log_config}",
         str(script), "--JOB_NAME", job, *arguments],
        capture_output=True, text=True, cwd=cwd, env=env, timeout=600,
    )  # fmt: skip


def rows(root: Path, table: str) -> list[str]:
    """A table's rows, comparable across lakes: without the columns that differ by run, with
    the lake's own folder cut out of file names (source_file and the like), sorted."""
    data = pq.read_table(Lake.local(root).table(table)).to_pylist()
    out = []
    for row in data:
        kept = {
            k: v.replace(str(root.resolve()), "<lake>") if isinstance(v, str) else v
            for k, v in row.items()
            if k not in DIFFERS_BY_RUN
        }
        out.append(json.dumps(kept, sort_keys=True, default=lambda v: str(v)))
    return sorted(out)


@pytest.mark.slow
def test_glue_jobs_run_as_packaged_and_match_a_local_run(glue_venv, spark, tmp_path):
    """Three spark-submits (clean_orders alone is ~50 CPU-s at 300 rows, mostly code
    generation), while the same jobs run in-process in the test session beside them."""
    submitted, local = tmp_path / "submitted", tmp_path / "local"
    for root in (submitted, local):  # the same seeded day in both
        write_day(LocalStore(root / "raw"), DAY, GeneratorSettings(rows=300))
    outside = tmp_path / "cwd"
    outside.mkdir()
    order = load_definition().job_order()
    assert order == ["clean_orders", "aggregate_products", "aggregate_customers"]

    def submit_in_order() -> list[tuple[str, subprocess.CompletedProcess[str]]]:
        results = []
        for job in order:
            results.append((job, spark_submit(glue_venv, job, Lake.local(submitted), outside)))
            if results[-1][1].returncode != 0:
                break
        return results

    with ThreadPoolExecutor(max_workers=1) as pool:
        submits = pool.submit(submit_in_order)
        for job in order:
            job_spec(job).run(spark, config_for(job, Lake.local(local), DAY))
        results = submits.result()
    for job, result in results:
        assert result.returncode == 0, f"{job}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        assert f"orderlake: job {job} on Spark master {MASTER} (app {job})" in result.stdout
    assert [job for job, _ in results] == order
    for table in TABLES:
        expected = rows(local, table)
        assert expected, f"{table}: the local run wrote no rows"
        assert rows(submitted, table) == expected, table
