"""Run history: every local job run, in a SQLite file in the lake.

WAL journaling lets readers (`orderlake runs`) read while a run writes, and each call opens
its own short connection, so several processes can share the file. A run is recorded as
RUNNING when it starts and updated when it ends; a RUNNING row left by a process that died is
closed as FAILED by the next run of that date (see `close_orphans`), which is safe because the
date lock (orderlake.locks) guarantees no other process is running it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from orderlake.dates import partition
from orderlake.lake import Lake

HISTORY_FILE = "run_history.sqlite"
STATE_RUNNING = "RUNNING"
STATE_SUCCEEDED = "SUCCEEDED"
STATE_FAILED = "FAILED"
STATE_STOPPED = "STOPPED"
ORPHAN_ERROR = "the process running this job died before it finished (found by a later run)"

_SCHEMA = """
create table if not exists job_runs (
    id text primary key,
    job text not null,
    run_date text not null,
    state text not null,
    started_at text not null,
    ended_at text,
    duration_s real,
    rows_in integer,
    rows_out integer,
    error text,
    outputs text not null default '{}',
    pid integer
);
create index if not exists job_runs_by_date on job_runs (run_date, job, started_at);
"""


@dataclass
class RunRecord:
    id: str
    job: str
    run_date: dt.date
    state: str
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    duration_s: float | None = None
    rows_in: int | None = None
    rows_out: int | None = None
    error: str | None = None
    # rows written per table, e.g. {"orders": 980, "quarantine": 20}
    outputs: dict[str, int] = field(default_factory=dict)
    pid: int | None = None


def history_path(lake_root: Path | str) -> Path:
    return Path(lake_root) / HISTORY_FILE


class RunHistory:
    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._ready = False

    @classmethod
    def for_lake(cls, lake_root: Path | str) -> RunHistory:
        return cls(history_path(lake_root))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as con:
            if not self._ready:
                con.execute("pragma journal_mode=wal")
                con.executescript(_SCHEMA)
                self._ready = True
            con.execute("pragma busy_timeout=30000")
            yield con

    def save(self, record: RunRecord) -> None:
        """Insert the run, or update it when it is already recorded (same id)."""
        row = _to_row(record)
        columns = ", ".join(row)
        updates = ", ".join(f"{c} = excluded.{c}" for c in row if c != "id")
        with self._connect() as con:
            con.execute(
                f"insert into job_runs ({columns}) values ({', '.join('?' * len(row))}) "
                f"on conflict(id) do update set {updates}",
                list(row.values()),
            )

    def runs(
        self,
        run_date: dt.date | None = None,
        state: str | None = None,
        job: str | None = None,
        limit: int | None = None,
    ) -> list[RunRecord]:
        """Recorded runs, newest first, filtered by date, state and job when given."""
        if not self.path.exists():
            return []
        where, params = [], []
        for column, value in (
            ("run_date", run_date.isoformat() if run_date else None),
            ("state", state),
            ("job", job),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        sql = "select * from job_runs"
        if where:
            sql += " where " + " and ".join(where)
        sql += " order by started_at desc, rowid desc"
        if limit:
            sql += f" limit {int(limit)}"
        with self._connect() as con:
            con.row_factory = sqlite3.Row
            return [_from_row(dict(r)) for r in con.execute(sql, params)]

    def get(self, run_id: str) -> RunRecord | None:
        with self._connect() as con:
            con.row_factory = sqlite3.Row
            row = con.execute("select * from job_runs where id = ?", [run_id]).fetchone()
        return _from_row(dict(row)) if row else None

    def close_orphans(self, run_date: dt.date) -> int:
        """Mark the date's RUNNING rows FAILED: call only while holding the date's lock."""
        now = dt.datetime.now(dt.UTC)
        with self._connect() as con:
            cursor = con.execute(
                "update job_runs set state = ?, error = ?, ended_at = ? "
                "where run_date = ? and state = ?",
                [STATE_FAILED, ORPHAN_ERROR, now.isoformat(), run_date.isoformat(), STATE_RUNNING],
            )
            return cursor.rowcount

    def day_states(self, jobs: list[str]) -> dict[dt.date, str]:
        """Each recorded date's state: SUCCEEDED when the latest run of every job succeeded."""
        if not self.path.exists():
            return {}
        latest: dict[tuple[str, str], str] = {}
        with self._connect() as con:
            for run_date, job, state in con.execute(
                "select run_date, job, state from job_runs order by started_at, rowid"
            ):
                latest[(run_date, job)] = state
        dates = {d for d, _ in latest}
        return {
            dt.date.fromisoformat(d): (
                STATE_SUCCEEDED
                if all(latest.get((d, j)) == STATE_SUCCEEDED for j in jobs)
                else STATE_FAILED
            )
            for d in dates
        }

    def last_successful_date(self, jobs: list[str]) -> dt.date | None:
        done = [d for d, s in self.day_states(jobs).items() if s == STATE_SUCCEEDED]
        return max(done, default=None)


class HistoryListener:
    """Records each job run of a LocalPipeline (a JobRunListener) with its row counts."""

    def __init__(self, lake: Lake, history: RunHistory) -> None:
        self.lake = lake
        self.history = history

    def job_started(self, run: Any) -> None:
        self.history.save(
            RunRecord(
                id=run.run_id,
                job=run.job_name,
                run_date=run.run_date,
                state=STATE_RUNNING,
                started_at=run.started_at,
                pid=os.getpid(),
            )
        )

    def job_finished(self, run: Any) -> None:
        self.history.save(self.record_for(run))

    def record_for(self, run: Any) -> RunRecord:
        job = self.lake.definition.jobs.get(run.job_name)
        record = RunRecord(
            id=run.run_id,
            job=run.job_name,
            run_date=run.run_date,
            state=run.state,
            started_at=run.started_at,
            ended_at=run.ended_at,
            duration_s=round(run.duration_seconds, 3),
            error=run.error,
            pid=os.getpid(),
        )
        if record.state == STATE_RUNNING:  # finished without an outcome: Ctrl-C or SIGTERM
            record.state = STATE_STOPPED
            record.error = record.error or "interrupted before the job finished"
        if job is None:
            return record
        record.rows_in = getattr(run.result, "rows_read", None)
        if record.rows_in is None:
            counts = [self.partition_rows(t, run.run_date) for t in job.reads]
            if counts and all(c is not None for c in counts):
                record.rows_in = sum(c for c in counts if c is not None)
        if run.state == STATE_SUCCEEDED:
            # The partitions the job just replaced: their Parquet footers hold the row counts.
            for table in job.writes:
                rows = self.partition_rows(table, run.run_date)
                if rows is not None:
                    record.outputs[table] = rows
            if job.writes:
                record.rows_out = record.outputs.get(job.writes[0])
        return record

    def partition_rows(self, table: str, run_date: dt.date) -> int | None:
        """Rows in a local Parquet partition, or None when it is not a local Parquet table."""
        spec = self.lake.definition.tables.get(table)
        if spec is None or spec.zone == "raw":
            return None
        folder = Path(self.lake.table(table)) / partition(run_date)
        files = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
        if not files:
            return None
        return sum(pq.read_metadata(f).num_rows for f in files)


def _to_row(record: RunRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "job": record.job,
        "run_date": record.run_date.isoformat(),
        "state": record.state,
        "started_at": record.started_at.isoformat(),
        "ended_at": record.ended_at.isoformat() if record.ended_at else None,
        "duration_s": record.duration_s,
        "rows_in": record.rows_in,
        "rows_out": record.rows_out,
        "error": record.error,
        "outputs": json.dumps(record.outputs, sort_keys=True),
        "pid": record.pid,
    }


def _from_row(row: dict[str, Any]) -> RunRecord:
    return RunRecord(
        id=row["id"],
        job=row["job"],
        run_date=dt.date.fromisoformat(row["run_date"]),
        state=row["state"],
        started_at=dt.datetime.fromisoformat(row["started_at"]),
        ended_at=dt.datetime.fromisoformat(row["ended_at"]) if row["ended_at"] else None,
        duration_s=row["duration_s"],
        rows_in=row["rows_in"],
        rows_out=row["rows_out"],
        error=row["error"],
        outputs=json.loads(row["outputs"] or "{}"),
        pid=row["pid"],
    )
