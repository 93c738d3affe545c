"""Crash-safe partition writes, recovery of interrupted swaps, and the per-date lock."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from orderlake import io
from orderlake import schema as S
from orderlake.generator import GeneratorSettings
from orderlake.history import ORPHAN_ERROR, RunHistory
from orderlake.lake import Lake
from orderlake.locks import DateLocked
from orderlake.progress import Progress
from orderlake.runner import LocalPipeline

DAY = dt.date(2026, 11, 21)
ROWS = 300


def test_recovery_restores_a_partition_retired_by_a_killed_swap(tmp_path: Path) -> None:
    # Left by a crash between the two renames of the fallback swap: no dt= folder, a retired
    # copy with the previous good files, and a staging copy with the new ones.
    retired = tmp_path / "_retired-dt-2026-11-21-abc"
    retired.mkdir()
    (retired / "part-0.parquet").write_text("previous good")
    (tmp_path / "_staging-dt-2026-11-21-def").mkdir()
    (tmp_path / "_staging-dt=2026-11-21-old").mkdir()  # an earlier version's spelling
    (tmp_path / "_staging-dt=2026-11-20-xyz").mkdir()  # another date's write: not ours to touch
    io.recover_partition(tmp_path, DAY)
    assert (tmp_path / "dt=2026-11-21" / "part-0.parquet").read_text() == "previous good"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "_staging-dt=2026-11-20-xyz",
        "dt=2026-11-21",
    ]


@pytest.mark.parametrize("atomic_exchange", [True, False], ids=["renameat2", "two-renames"])
def test_writing_a_partition_twice_replaces_it(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, atomic_exchange: bool
) -> None:
    if not atomic_exchange:
        monkeypatch.setattr(io, "_exchange", lambda first, second: False)
    table = tmp_path / "orders"
    io.write_partition(spark.range(5).toDF("n"), str(table), DAY)
    io.write_partition(spark.range(3).toDF("n"), str(table), DAY - dt.timedelta(days=1))
    io.write_partition(spark.range(10, 13).toDF("n"), str(table), DAY)
    assert sorted(r.n for r in spark.read.parquet(str(table / "dt=2026-11-21")).collect()) == [
        10,
        11,
        12,
    ]
    assert sorted(p.name for p in table.iterdir()) == ["dt=2026-11-20", "dt=2026-11-21"]


def test_a_swap_that_fails_halfway_puts_the_previous_partition_back(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = tmp_path / "orders"
    io.write_partition(spark.range(5).toDF("n"), str(table), DAY)
    monkeypatch.setattr(io, "_exchange", lambda first, second: False)
    rename = Path.rename

    def staging_cannot_move(self: Path, target: Path) -> Path:
        if self.name.startswith("_staging-"):
            raise OSError(28, "No space left on device")
        return rename(self, target)

    monkeypatch.setattr(Path, "rename", staging_cannot_move)
    with pytest.raises(OSError, match="No space left"):
        io.write_partition(spark.range(10, 13).toDF("n"), str(table), DAY)
    assert sorted(r.n for r in spark.read.parquet(str(table / "dt=2026-11-21")).collect()) == [
        0,
        1,
        2,
        3,
        4,
    ]
    assert [p.name for p in table.iterdir()] == ["dt=2026-11-21"]


def test_a_second_run_of_the_same_date_is_refused(tmp_path: Path, date_lock_holder) -> None:
    date_lock_holder(tmp_path, DAY)
    pipeline = LocalPipeline(tmp_path, progress=Progress(0, enabled=False))
    with pytest.raises(DateLocked, match="2026-11-21 is already being run"):
        pipeline.run_day(DAY, GeneratorSettings(rows=ROWS))
    assert not (tmp_path / "raw").exists()  # refused before touching anything


def clean_orders(lake_root: Path) -> None:
    """clean_orders for DAY in this process, under the date's lock as the runner does."""
    pipeline = LocalPipeline(lake_root, progress=Progress(0, enabled=False))
    with pipeline.claim(DAY):
        pipeline.run_job("clean_orders", DAY)


def generate(lake_root: Path, seed: int) -> None:
    pipeline = LocalPipeline(lake_root, progress=Progress(0, enabled=False))
    shutil.rmtree(pipeline.lake.table_partition("raw_orders", DAY), ignore_errors=True)
    pipeline.generate(DAY, GeneratorSettings(rows=ROWS, seed=seed))


def duckdb_rows(lake: Lake, table: str) -> list[tuple]:
    """The table's rows for DAY as DuckDB (the local Athena) reads the dt=*/ glob."""
    glob = f"{lake.table(table)}/dt=*/*.parquet"
    return duckdb.sql(
        f"select * exclude (dt) from read_parquet('{glob}', hive_partitioning = true) "
        f"where dt = '{DAY.isoformat()}' order by all"
    ).fetchall()


def comparable(df: DataFrame) -> DataFrame:
    """Rows independent of where the lake is: source files by name, not by full path."""
    if S.SOURCE_FILE in df.columns:
        df = df.withColumn(S.SOURCE_FILE, F.regexp_extract(S.SOURCE_FILE, r"[^/]+$", 0))
    return df


@pytest.mark.slow
def test_a_job_killed_mid_write_keeps_the_previous_output_and_a_rerun_matches(
    spark: SparkSession, tmp_path: Path
) -> None:
    crashed, clean = tmp_path / "crashed", tmp_path / "uninterrupted"
    lake = Lake.local(crashed)
    generate(crashed, seed=1)
    clean_orders(crashed)
    good = {t: duckdb_rows(lake, t) for t in ("orders", "quarantine")}
    assert len(good["orders"]) > 0

    # New raw data for the day; the run that would replace the output is killed once its
    # staging copy of `orders` is complete, the moment the most new data is on disk.
    generate(crashed, seed=2)
    marker = tmp_path / "staged"
    env = {
        **os.environ,
        io.PAUSE_AFTER_STAGING_ENV: str(marker),
        io.PAUSE_TABLE_ENV: "orders",
        "ORDERLAKE_SPARK_MASTER": "local[1]",
    }
    script = (
        "import datetime, sys; from pathlib import Path; from orderlake.runner import "
        "LocalPipeline; LocalPipeline(Path(sys.argv[1])).run_day("
        "datetime.date.fromisoformat(sys.argv[2]), None)"
    )
    job = subprocess.Popen(
        [sys.executable, "-c", script, str(crashed), DAY.isoformat()],
        env=env,
        start_new_session=True,  # its own process group: the kill takes Spark's JVM too
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 300
        while not marker.exists():
            assert job.poll() is None, job.stderr.read().decode() if job.stderr else ""
            assert time.monotonic() < deadline, "the job never reached its write"
            time.sleep(0.2)
    finally:
        os.killpg(job.pid, signal.SIGKILL)
        job.wait()

    orders = Path(lake.table("orders"))
    assert any(p.name.startswith("_staging-dt-2026-11-21") for p in orders.iterdir())
    for table, rows in good.items():
        assert duckdb_rows(lake, table) == rows, f"{table} changed by a killed run"
    history = RunHistory.for_lake(crashed)
    assert [r.state for r in history.runs(job="clean_orders")] == ["RUNNING", "SUCCEEDED"]

    # The kernel released the dead run's lock, so the re-run goes ahead, closes the orphaned
    # record and cleans up; its output equals a run that was never interrupted.
    clean_orders(crashed)
    assert not any(p.name.startswith("_") for p in orders.iterdir())
    states = [(r.state, r.error) for r in history.runs(job="clean_orders")]
    assert states[1] == ("FAILED", ORPHAN_ERROR)
    assert [s for s, _ in states] == ["SUCCEEDED", "FAILED", "SUCCEEDED"]
    shutil.copytree(lake.table("raw_orders"), Lake.local(clean).table("raw_orders"))
    clean_orders(clean)
    for table in ("orders", "quarantine"):
        rerun = spark.read.parquet(lake.table_partition(table, DAY))
        expected = spark.read.parquet(Lake.local(clean).table_partition(table, DAY))
        assert rerun.count() == expected.count() > 0
        assert_df_equality(comparable(rerun), comparable(expected), ignore_row_order=True)
        assert duckdb_rows(lake, table) != good[table]


def test_the_object_store_path_stages_commits_and_discards(
    spark: SparkSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The S3 branch of the writes (Spark's dynamic partition overwrite, staging prefix deleted
    through Hadoop's file system), run on local files by treating every path as remote."""
    monkeypatch.setattr(io, "_local_path", lambda path: None)
    table = f"file://{tmp_path}/orders"
    io.write_partition(spark.range(5).toDF("n"), table, DAY)
    io.write_partition(spark.range(3).toDF("n"), table, DAY - dt.timedelta(days=1))
    staged = io.stage_partition(spark.range(10, 13).toDF("n"), table, DAY)
    assert sorted(r.n for r in staged.read().collect()) == [10, 11, 12]
    assert spark.read.parquet(table).count() == 8  # the table reads while a staging exists
    io.discard_partition(staged)  # a failed check: the table is as it was
    assert sorted(
        p.name for p in (tmp_path / "orders").iterdir() if not p.name.startswith(".")
    ) == [
        "dt=2026-11-20",
        "dt=2026-11-21",
    ]
    io.commit_partition(io.stage_partition(spark.range(20, 22).toDF("n"), table, DAY))
    rows = spark.read.parquet(table).collect()
    assert sorted((str(r.dt), r.n) for r in rows) == [
        ("2026-11-20", 0),
        ("2026-11-20", 1),
        ("2026-11-20", 2),
        ("2026-11-21", 20),
        ("2026-11-21", 21),
    ]
    names = {p.name for p in (tmp_path / "orders").iterdir() if not p.name.startswith(".")}
    assert names - {"_SUCCESS"} == {"dt=2026-11-20", "dt=2026-11-21"}  # no staging left
