"""The Glue entry scripts: thin, argument-driven, and runnable with spark-submit."""

from __future__ import annotations

import ast
import datetime as dt
import os
import subprocess
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from orderlake.definition import load_definition
from orderlake.generator import GeneratorSettings, write_day
from orderlake.jobs.registry import JOBS, config_for
from orderlake.lake import Lake
from orderlake.storage import LocalStore

ROOT = Path(__file__).resolve().parents[2]
DAY = dt.date(2026, 11, 21)


@pytest.mark.parametrize("job", sorted(JOBS))
def test_entry_script_is_thin_and_guarded(job):
    source = (ROOT / "glue_jobs" / f"{job}.py").read_text()
    tree = ast.parse(source)
    top_level = [n for n in tree.body if not isinstance(n, ast.Import | ast.ImportFrom | ast.Expr)]
    assert len(top_level) == 1 and isinstance(top_level[0], ast.If), "logic must sit under main"
    assert "getResolvedOptions" in source and "glue_job" in source
    assert len(source.splitlines()) <= 20


def test_every_job_in_the_definition_has_an_entry_script():
    for name, job in load_definition().jobs.items():
        assert (ROOT / job.script).is_file(), f"{name}: {job.script} missing"
        assert job.script == f"glue_jobs/{name}.py"


def test_arguments_round_trip_through_the_glue_argument_list(tmp_path):
    from awsglue.utils import getResolvedOptions

    lake = Lake.local(tmp_path)
    for name in load_definition().job_order():
        spec = JOBS[name]
        config = config_for(name, lake, DAY)
        argv = ["script.py", "--JOB_NAME", name, *config.to_arguments()]
        args = getResolvedOptions(argv, ["JOB_NAME", *spec.config_class.arguments()])
        assert spec.config_class.from_arguments(args) == config


def test_clean_orders_runs_under_spark_submit_like_on_glue(tmp_path):
    """One real spark-submit of an entry script (a second JVM; about 15 s)."""
    write_day(LocalStore(tmp_path / "raw"), DAY, GeneratorSettings(rows=200))
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    result = subprocess.run(
        [str(ROOT / "scripts" / "glue_submit.sh"), "clean_orders", DAY.isoformat(), str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    curated = pq.read_table(tmp_path / "curated" / "orders" / f"dt={DAY}")
    assert 150 < curated.num_rows <= 200
    assert "INFO" not in result.stderr + result.stdout


def test_a_day_not_in_the_lake_fails_in_one_line_before_spark_submit(tmp_path):
    """The job's input partition is checked first: one line naming it, no JVM started."""
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ['PATH']}"}
    result = subprocess.run(
        [
            str(ROOT / "scripts" / "glue_submit.sh"),
            "aggregate_products",
            "2026-01-01",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode != 0
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("glue_submit.sh: orderlake: error: job aggregate_products: no orders")
    assert f"{tmp_path}/curated/orders/dt=2026-01-01" in line
    assert "run clean_orders for 2026-01-01 first" in line
