"""The local pipeline: a day from generator to saved-query answer, in one Spark session.

Jobs run in the order pipeline.yaml's graph gives. Each finished job run is reported to the
listeners (run history, job-state events) as a JobRun, whatever its outcome.
"""

from __future__ import annotations

import datetime as dt
import traceback
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from orderlake.errors import OrderlakeError
from orderlake.generator import GeneratorSettings, WrittenFile, write_day
from orderlake.history import HistoryListener, RunHistory
from orderlake.jobs.registry import config_for, job_spec
from orderlake.lake import Lake
from orderlake.local import athena, catalog
from orderlake.locks import date_lock
from orderlake.progress import Progress
from orderlake.spark import SMALL_DAY_BYTES, local_session
from orderlake.storage import LocalStore

STATE_SUCCEEDED = "SUCCEEDED"
STATE_FAILED = "FAILED"
STATE_TIMEOUT = "TIMEOUT"
STATE_STOPPED = "STOPPED"

DEFAULT_QUERY = "top_products_by_revenue"


@dataclass
class JobRun:
    """One run of one job for one date, as Glue would report it."""

    job_name: str
    run_date: dt.date
    run_id: str = field(default_factory=lambda: f"jr_{uuid.uuid4().hex}")
    state: str = "RUNNING"
    started_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    ended_at: dt.datetime | None = None
    error: str | None = None
    result: Any = None

    @property
    def duration_seconds(self) -> float:
        end = self.ended_at or dt.datetime.now(dt.UTC)
        return (end - self.started_at).total_seconds()


class JobRunListener(Protocol):
    def job_finished(self, run: JobRun) -> None: ...


@dataclass
class CrawlerRun:
    """One crawler of pipeline.yaml, as the local catalog step ran it (Glue state names).

    Listeners that define `crawler_finished(run: CrawlerRun)` are told of each one."""

    crawler_name: str
    state: str  # "Succeeded" or "Failed"
    started_at: dt.datetime
    ended_at: dt.datetime
    tables: list[str]
    error: str | None = None


@dataclass
class DayResult:
    run_date: dt.date
    generated: WrittenFile | None
    runs: list[JobRun]
    tables: list[str]
    answer: athena.QueryResult | None


@dataclass
class LocalPipeline:
    lake_root: Path
    listeners: list[JobRunListener] = field(default_factory=list)
    progress: Progress | None = None
    # Record every job run in the lake's run history (orderlake.history).
    record_history: bool = True

    def __post_init__(self) -> None:
        self.lake = Lake.local(self.lake_root)
        self.history = RunHistory.for_lake(self.lake_root) if self.record_history else None
        if self.history is not None:
            self.listeners = [*self.listeners, HistoryListener(self.lake, self.history)]

    def _check_writable(self) -> None:
        try:
            self.lake_root.mkdir(parents=True, exist_ok=True)
            probe = self.lake_root / ".write-probe"
            probe.write_text("ok")
            probe.unlink()
        except OSError as exc:
            raise OrderlakeError(
                f"lake directory {self.lake_root} is not writable: {exc.strerror}"
            ) from None

    def generate(self, run_date: dt.date, settings: GeneratorSettings) -> WrittenFile:
        store = LocalStore(self.lake.roots["raw"])
        prefix = self.lake.definition.tables["raw_orders"].prefix
        return write_day(store, run_date, settings, prefix)

    def _small_day(self, run_date: dt.date) -> bool:
        """Whether the date's raw partition is small enough for a quick-JIT session (read
        only when the first job of the process starts the session)."""
        folder = Path(self.lake.table_partition("raw_orders", run_date))
        sizes = (p.stat().st_size for p in folder.rglob("*") if p.is_file())
        return folder.is_dir() and sum(sizes) < SMALL_DAY_BYTES

    def run_job(self, name: str, run_date: dt.date) -> JobRun:
        """Run one job for a date in this process's Spark session; report it; raise on failure."""
        run = JobRun(job_name=name, run_date=run_date)
        for listener in self.listeners:
            # Optional hook: the run history records a RUNNING row, so a crash stays visible.
            started = getattr(listener, "job_started", None)
            if started is not None:
                started(run)
        spark = local_session(quick_jit=self._small_day(run_date), class_archive=True)
        try:
            run.result = job_spec(name).run(spark, config_for(name, self.lake, run_date))
            run.state = STATE_SUCCEEDED
        except OrderlakeError as exc:
            run.state, run.error = STATE_FAILED, str(exc)
        except Exception as exc:  # a job's own failure: recorded, reported, re-raised below
            run.state = STATE_FAILED
            run.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            run.result = traceback.format_exc()
        finally:
            run.ended_at = dt.datetime.now(dt.UTC)
            for listener in self.listeners:
                listener.job_finished(run)
        if run.state != STATE_SUCCEEDED:
            raise OrderlakeError(f"job {name} failed for {run_date}: {run.error}")
        return run

    def crawl(self) -> list[str]:
        started, tables, error = dt.datetime.now(dt.UTC), [], None
        try:
            with catalog.connect(self.lake_root) as con:
                tables = catalog.register_tables(con, self.lake)
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            self._report_crawls(started, tables, error)
        return tables

    def _report_crawls(self, started: dt.datetime, tables: list[str], error: str | None) -> None:
        """One CrawlerRun per pipeline.yaml crawler: locally one catalog step does them all."""
        ended = dt.datetime.now(dt.UTC)
        for name, spec in self.lake.definition.crawlers.items():
            mine = [t for t in spec.get("tables", []) if t in tables]
            run = CrawlerRun(name, "Failed" if error else "Succeeded", started, ended, mine, error)
            for listener in self.listeners:
                if hasattr(listener, "crawler_finished"):
                    listener.crawler_finished(run)

    def query(self, name: str, params: list[Any]) -> athena.QueryResult:
        with catalog.connect(self.lake_root, read_only=True) as con:
            return athena.run_local(con, athena.saved_query(name), params)

    def run_day(
        self, run_date: dt.date, settings: GeneratorSettings | None, query: str = DEFAULT_QUERY
    ) -> DayResult:
        """Generate (unless settings is None: use the raw files already there), run every job
        in graph order, catalog the outputs and answer the saved query for the day.

        Holds the date's lock throughout: a second run of the same date at the same time is
        refused (orderlake.locks.DateLocked) instead of racing on the same partitions."""
        self._check_writable()
        with self.claim(run_date):
            return self._run_day_locked(run_date, settings, query)

    @contextmanager
    def claim(self, run_date: dt.date) -> Iterator[None]:
        """Hold the date's lock; close history rows a dead process left RUNNING for it."""
        with date_lock(self.lake_root, run_date):
            if self.history is not None:
                self.history.close_orphans(run_date)
            yield

    def _run_day_locked(
        self, run_date: dt.date, settings: GeneratorSettings | None, query: str
    ) -> DayResult:
        order = self.lake.definition.job_order()
        progress = self.progress or Progress(total=0, enabled=False)
        progress.total = len(order) + (3 if settings else 2)
        generated = None
        if settings is not None:
            with progress.stage("generate_orders") as detail:
                generated = self.generate(run_date, settings)
                detail["text"] = f"{generated.rows} rows -> {generated.location}"
        runs = []
        for name in order:
            with progress.stage(name) as detail:
                run = self.run_job(name, run_date)
                runs.append(run)
                detail["text"] = describe_result(run.result)
        with progress.stage("crawl") as detail:
            tables = self.crawl()
            detail["text"] = f"{len(tables)} tables"
        with progress.stage(f"query {query}"):
            answer = self.query(query, [run_date.isoformat()])
        return DayResult(run_date, generated, runs, tables, answer)


def describe_result(result: Any) -> str:
    if result is None or isinstance(result, str):
        return ""
    fields = getattr(result, "__dataclass_fields__", None)
    if not fields:
        return ""
    return ", ".join(f"{name.replace('_', ' ')} {getattr(result, name)}" for name in fields)
