"""Run history: recorded, filtered, durable across processes, readable while written."""

from __future__ import annotations

import datetime as dt
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orderlake.cli import main
from orderlake.history import (
    ORPHAN_ERROR,
    HistoryListener,
    RunHistory,
    RunRecord,
    history_path,
)
from orderlake.lake import Lake
from orderlake.locks import DateLocked, date_lock
from orderlake.runner import JobRun

D1, D2 = dt.date(2026, 11, 20), dt.date(2026, 11, 21)
T0 = dt.datetime(2026, 11, 22, 1, 45, tzinfo=dt.UTC)
JOBS = ["clean_orders", "aggregate_products"]


def record(run_id: str, job: str, day: dt.date, state: str, minute: int = 0) -> RunRecord:
    started = T0 + dt.timedelta(minutes=minute)
    return RunRecord(
        id=run_id,
        job=job,
        run_date=day,
        state=state,
        started_at=started,
        ended_at=started + dt.timedelta(seconds=30),
        duration_s=30.0,
        rows_in=200,
        rows_out=190,
        error="boom" if state == "FAILED" else None,
        outputs={"orders": 190, "quarantine": 10},
    )


def test_runs_are_saved_filtered_and_survive_a_new_process(tmp_path: Path) -> None:
    history = RunHistory.for_lake(tmp_path)
    history.save(record("a", "clean_orders", D1, "SUCCEEDED", 0))
    history.save(record("b", "clean_orders", D2, "FAILED", 1))
    history.save(record("c", "aggregate_products", D1, "SUCCEEDED", 2))
    assert [r.id for r in history.runs()] == ["c", "b", "a"]
    assert [r.id for r in history.runs(run_date=D1)] == ["c", "a"]
    assert [r.id for r in history.runs(state="FAILED")] == ["b"]
    assert [r.id for r in history.runs(job="clean_orders", limit=1)] == ["b"]
    assert history.get("b") == record("b", "clean_orders", D2, "FAILED", 1)
    # Another process (a restart) reads the same records from the file.
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from orderlake.history import RunHistory; "
            "print([(r.id, r.state, r.error) for r in RunHistory(sys.argv[1]).runs()])",
            str(history_path(tmp_path)),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert (
        out.strip()
        == "[('c', 'SUCCEEDED', None), ('b', 'FAILED', 'boom'), ('a', 'SUCCEEDED', None)]"
    )


def test_history_uses_wal_so_readers_do_not_block_writers(tmp_path: Path) -> None:
    history = RunHistory.for_lake(tmp_path)
    history.save(record("a", "clean_orders", D1, "RUNNING"))
    reader = sqlite3.connect(history_path(tmp_path), timeout=0.1)
    try:
        assert reader.execute("pragma journal_mode").fetchone() == ("wal",)
        reader.execute("begin")
        assert reader.execute("select count(*) from job_runs").fetchone() == (1,)
        # With a read transaction open, the writer still commits (a rollback journal would
        # wait for the reader here).
        history.save(record("a", "clean_orders", D1, "SUCCEEDED"))
        history.save(record("b", "clean_orders", D2, "SUCCEEDED"))
        assert reader.execute("select count(*) from job_runs").fetchone() == (1,)  # snapshot
        reader.execute("commit")
        assert reader.execute("select state from job_runs where id = 'a'").fetchone() == (
            "SUCCEEDED",
        )
    finally:
        reader.close()


def test_day_is_successful_only_when_the_latest_run_of_every_job_succeeded(
    tmp_path: Path,
) -> None:
    history = RunHistory.for_lake(tmp_path)
    assert history.last_successful_date(JOBS) is None
    history.save(record("1", "clean_orders", D1, "FAILED", 0))
    history.save(record("2", "clean_orders", D1, "SUCCEEDED", 1))  # a successful re-run
    history.save(record("3", "aggregate_products", D1, "SUCCEEDED", 2))
    history.save(record("4", "clean_orders", D2, "SUCCEEDED", 3))
    history.save(record("5", "aggregate_products", D2, "FAILED", 4))
    assert history.day_states(JOBS) == {D1: "SUCCEEDED", D2: "FAILED"}
    assert history.last_successful_date(JOBS) == D1


def test_orphaned_running_rows_are_closed_as_failed(tmp_path: Path) -> None:
    history = RunHistory.for_lake(tmp_path)
    history.save(record("x", "clean_orders", D1, "RUNNING"))
    history.save(record("y", "clean_orders", D2, "RUNNING"))
    assert history.close_orphans(D1) == 1
    assert history.get("x").state == "FAILED"  # type: ignore[union-attr]
    assert history.get("x").error == ORPHAN_ERROR  # type: ignore[union-attr]
    assert history.get("y").state == "RUNNING"  # type: ignore[union-attr]


def test_listener_records_rows_from_the_partitions_the_job_wrote(tmp_path: Path) -> None:
    lake = Lake.local(tmp_path)
    for table, rows in (("orders", 7), ("product_daily", 3), ("top_abandoned_products", 2)):
        folder = Path(lake.table_partition(table, D1))
        folder.mkdir(parents=True)
        pq.write_table(pa.table({"x": list(range(rows))}), folder / "part-0.parquet")
    history = RunHistory.for_lake(tmp_path)
    listener = HistoryListener(lake, history)
    run = JobRun(job_name="aggregate_products", run_date=D1)
    listener.job_started(run)
    assert history.get(run.run_id).state == "RUNNING"  # type: ignore[union-attr]
    run.state, run.ended_at = "SUCCEEDED", run.started_at + dt.timedelta(seconds=2)
    listener.job_finished(run)
    saved = history.get(run.run_id)
    assert saved is not None
    assert (saved.state, saved.rows_in, saved.rows_out, saved.duration_s) == (
        "SUCCEEDED",
        7,
        3,
        2.0,
    )
    assert saved.outputs == {"product_daily": 3, "top_abandoned_products": 2}


def test_runs_command_lists_and_filters(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    history = RunHistory.for_lake(tmp_path)
    history.save(record("jr_ok", "clean_orders", D1, "SUCCEEDED", 0))
    history.save(record("jr_bad", "clean_orders", D2, "FAILED", 1))
    assert main(["runs", "--lake", str(tmp_path), "--state", "failed"]) == 0
    out = capsys.readouterr().out
    assert "jr_bad" in out and "jr_ok" not in out
    assert "jr_bad clean_orders 2026-11-21: boom" in out
    assert main(["runs", "--lake", str(tmp_path), "--date", "2026-11-20"]) == 0
    out = capsys.readouterr().out
    assert "jr_ok" in out and "jr_bad" not in out


def test_a_second_holder_of_a_date_lock_is_refused_until_the_first_dies(
    tmp_path: Path, date_lock_holder
) -> None:
    holder = date_lock_holder(tmp_path, D1)
    with (
        pytest.raises(DateLocked, match=rf"2026-11-20 is already being run \(pid {holder.pid}"),
        date_lock(tmp_path, D1),
    ):
        pass
    with date_lock(tmp_path, D2):  # another date is free
        pass
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    # The kernel released the dead holder's lock: no stale lock to clean up by hand.
    deadline = time.monotonic() + 5
    while True:
        try:
            with date_lock(tmp_path, D1):
                break
        except DateLocked:
            assert time.monotonic() < deadline
            time.sleep(0.05)


def test_a_job_interrupted_without_an_outcome_is_recorded_as_stopped(tmp_path: Path) -> None:
    history = RunHistory.for_lake(tmp_path)
    listener = HistoryListener(Lake.local(tmp_path), history)
    run = JobRun(job_name="clean_orders", run_date=D1)  # Ctrl-C: the state was never set
    listener.job_finished(run)
    saved = history.get(run.run_id)
    assert saved is not None
    assert (saved.state, saved.error) == ("STOPPED", "interrupted before the job finished")
