"""Backfill of a week with one poisoned date, a re-run that replaces, and --fail-fast.

The week runs the whole pipeline seven times (about 30 s on an idle 2-core machine, minutes
on a busy one), so its tests are marked slow; --fail-fast runs one failing date by default.
"""

from __future__ import annotations

import datetime as dt
import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from chispa import assert_df_equality
from pyspark.sql import DataFrame, SparkSession

from orderlake.backfill import STATE_NOT_RUN, backfill
from orderlake.cli import main
from orderlake.generator import GeneratorSettings
from orderlake.history import RunHistory
from orderlake.lake import Lake
from orderlake.progress import Progress
from orderlake.runner import LocalPipeline

FIRST = dt.date(2026, 11, 1)
DATES = [FIRST + dt.timedelta(days=i) for i in range(7)]
POISONED = dt.date(2026, 11, 4)
ROWS = 200
OUTPUT_TABLES = ["orders", "quarantine", "product_daily", "customer_top_abandoned"]


def poison(lake_root: Path, run_date: dt.date) -> None:
    """A raw partition whose only file is empty: the day has landed, but holds nothing."""
    folder = Path(Lake.local(lake_root).table_partition("raw_orders", run_date))
    folder.mkdir(parents=True)
    (folder / "orders-seed42.csv").write_text("")


@pytest.fixture(scope="module")
def week(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    lake_root = tmp_path_factory.mktemp("backfill") / "lake"
    poison(lake_root, POISONED)
    out = io.StringIO()
    args = ["backfill", "--from", "2026-11-01", "--to", "2026-11-07", "--rows", str(ROWS)]
    with redirect_stdout(out):
        code = main([*args, "--lake", str(lake_root)])
    return lake_root, code, out.getvalue()


def summary(stdout: str) -> dict[str, list[str]]:
    """The summary table's rows by date (columns split on runs of two spaces)."""
    rows = {}
    for line in stdout.splitlines():
        if line.startswith("2026-11-"):
            cells = line.split(None, 6)  # the error (last column) may hold spaces
            rows[cells[0]] = cells
    return rows


@pytest.mark.slow
def test_backfill_reports_six_successes_and_the_poisoned_date(week: tuple[Path, int, str]) -> None:
    lake_root, code, stdout = week
    assert code == 1
    rows = summary(stdout)
    assert sorted(rows) == [d.isoformat() for d in DATES]
    states = {d: cells[1] for d, cells in rows.items()}
    assert [d for d, s in states.items() if s == "SUCCEEDED"] == [
        d.isoformat() for d in DATES if d != POISONED
    ]
    assert states[POISONED.isoformat()] == "FAILED"
    reason = rows[POISONED.isoformat()][-1]
    assert "clean_orders failed for 2026-11-04" in reason, stdout
    for day, cells in rows.items():
        if day == POISONED.isoformat():
            continue
        rows_in, rows_out, quarantined = (int(c) for c in cells[2:5])
        assert rows_in == ROWS
        assert 0 < quarantined < rows_out < rows_in  # curated + quarantined + duplicates = read
    assert "6 of 7 dates succeeded." in stdout
    rerun = stdout.split("Re-run these dates", 1)[1]
    assert "orderlake run --date 2026-11-04 --no-generate" in rerun
    assert "2026-11-03" not in rerun


@pytest.mark.slow
def test_backfill_records_history_and_leaves_no_partition_for_the_failed_date(
    week: tuple[Path, int, str],
) -> None:
    lake_root, _, _ = week
    lake = Lake.local(lake_root)
    jobs = lake.definition.job_order()
    history = RunHistory.for_lake(lake_root)
    failed = history.runs(state="FAILED")
    assert [(r.job, r.run_date) for r in failed] == [("clean_orders", POISONED)]
    assert "2026-11-04" in (failed[0].error or "")
    states = history.day_states(jobs)
    assert states == {d: ("FAILED" if d == POISONED else "SUCCEEDED") for d in DATES}
    assert history.last_successful_date(jobs) == DATES[-1]
    orders = Path(lake.table("orders"))
    assert sorted(p.name for p in orders.iterdir()) == [
        f"dt={d.isoformat()}" for d in DATES if d != POISONED
    ]


def snapshot(spark: SparkSession, lake: Lake, run_date: dt.date) -> dict[str, DataFrame]:
    """Each output table's rows for the date, materialised (not a lazy read of the files)."""
    frames = {}
    for table in OUTPUT_TABLES:
        df = spark.read.parquet(lake.table_partition(table, run_date))
        frames[table] = spark.createDataFrame(df.collect(), df.schema)
    return frames


@pytest.mark.slow
def test_rerunning_a_successful_date_replaces_it_with_the_same_rows(
    spark: SparkSession, week: tuple[Path, int, str]
) -> None:
    lake_root, _, _ = week
    lake = Lake.local(lake_root)
    day = dt.date(2026, 11, 2)
    before = snapshot(spark, lake, day)
    pipeline = LocalPipeline(lake_root, progress=Progress(0, enabled=False))
    pipeline.run_day(day, None)
    after = snapshot(spark, lake, day)
    for table in OUTPUT_TABLES:
        assert after[table].count() == before[table].count() > 0, table
        assert_df_equality(after[table], before[table], ignore_row_order=True)
    assert len(RunHistory.for_lake(lake_root).runs(run_date=day, job="clean_orders")) == 2


def test_fail_fast_stops_after_the_first_failed_date(spark: SparkSession, tmp_path: Path) -> None:
    # A raw partition with no CSV file at all: clean_orders refuses it before reading.
    folder = Path(Lake.local(tmp_path).table_partition("raw_orders", FIRST))
    folder.mkdir(parents=True)
    (folder / "orders.txt").write_text("not a csv")
    pipeline = LocalPipeline(tmp_path, progress=Progress(0, enabled=False))
    outcomes = backfill(pipeline, DATES[:3], GeneratorSettings(rows=ROWS), fail_fast=True)
    assert [o.state for o in outcomes] == ["FAILED", STATE_NOT_RUN, STATE_NOT_RUN]
    assert "holds no .csv files" in (outcomes[0].error or "")
    assert not Path(pipeline.lake.table_partition("raw_orders", DATES[1])).exists()


def test_backfill_command_summarises_a_good_and_a_bad_date(
    spark: SparkSession, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good, bad = DATES[0], DATES[1]
    folder = Path(Lake.local(tmp_path).table_partition("raw_orders", bad))
    folder.mkdir(parents=True)
    (folder / "orders.txt").write_text("not a csv")
    args = ["backfill", "--from", good.isoformat(), "--to", bad.isoformat(), "--rows", str(ROWS)]
    assert main([*args, "--lake", str(tmp_path)]) == 1
    stdout = capsys.readouterr().out
    rows = summary(stdout)
    assert rows[good.isoformat()][1] == "SUCCEEDED"
    assert int(rows[good.isoformat()][2]) == ROWS
    assert rows[bad.isoformat()][1] == "FAILED"
    assert "holds no .csv files" in rows[bad.isoformat()][-1]
    assert "1 of 2 dates succeeded." in stdout
    assert f"orderlake run --date {bad.isoformat()} --no-generate" in stdout
