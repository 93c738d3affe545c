"""Backfill: run the local pipeline for each date of a range, one Spark session for all.

One failed date does not stop the others (unless fail_fast); every date ends with an outcome
(state, row counts, duration, the error) for the summary, and failed or skipped dates are the
ones to re-run.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orderlake.errors import OrderlakeError
from orderlake.generator import GeneratorSettings
from orderlake.runner import STATE_FAILED, STATE_SUCCEEDED, JobRun, LocalPipeline

STATE_NOT_RUN = "NOT RUN"
QUARANTINE_TABLE = "quarantine"


@dataclass
class DateOutcome:
    run_date: dt.date
    state: str
    duration_s: float = 0.0
    rows_in: int | None = None
    rows_out: int | None = None
    quarantined: int | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.state == STATE_SUCCEEDED


class _Collector:
    """A JobRunListener keeping the runs of the date being backfilled."""

    def __init__(self) -> None:
        self.runs: list[JobRun] = []

    def job_finished(self, run: JobRun) -> None:
        self.runs.append(run)


def date_range(first: dt.date, last: dt.date) -> list[dt.date]:
    if last < first:
        raise OrderlakeError(
            f"--from {first.isoformat()} is after --to {last.isoformat()}: give an earliest date "
            "first"
        )
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def backfill(
    pipeline: LocalPipeline,
    dates: Sequence[dt.date],
    settings: GeneratorSettings | None,
    fail_fast: bool = False,
    on_date_done: Callable[[DateOutcome], None] | None = None,
) -> list[DateOutcome]:
    """Run each date in order. With settings, a date whose raw partition is missing is
    generated first (standing in for the generator Lambda); raw files already there are
    never replaced, so a backfill re-runs exactly the data that landed."""
    collector = _Collector()
    pipeline.listeners = [*pipeline.listeners, collector]
    outcomes: list[DateOutcome] = []
    try:
        for run_date in dates:
            if fail_fast and any(not o.succeeded for o in outcomes):
                outcomes.append(
                    DateOutcome(run_date, STATE_NOT_RUN, error="stopped by --fail-fast")
                )
                continue
            collector.runs = []
            outcome = _run_date(pipeline, run_date, settings, collector)
            outcomes.append(outcome)
            if on_date_done is not None:
                on_date_done(outcome)
    finally:
        pipeline.listeners = [x for x in pipeline.listeners if x is not collector]
    return outcomes


def _run_date(
    pipeline: LocalPipeline,
    run_date: dt.date,
    settings: GeneratorSettings | None,
    collector: _Collector,
) -> DateOutcome:
    raw = Path(pipeline.lake.table_partition("raw_orders", run_date))
    started = time.monotonic()
    outcome = DateOutcome(run_date, STATE_SUCCEEDED)
    try:
        pipeline.run_day(run_date, settings if not raw.exists() else None)
    except OrderlakeError as exc:
        outcome.state, outcome.error = STATE_FAILED, str(exc)
    except Exception as exc:  # one date's unexpected failure must not stop the others
        outcome.state = STATE_FAILED
        outcome.error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    outcome.duration_s = time.monotonic() - started
    _add_counts(pipeline, outcome, collector.runs)
    return outcome


def _add_counts(pipeline: LocalPipeline, outcome: DateOutcome, runs: list[JobRun]) -> None:
    """Row counts of the day's first job (the one reading raw), from the run history."""
    if not runs or pipeline.history is None:
        return
    record = pipeline.history.get(runs[0].run_id)
    if record is None:
        return
    outcome.rows_in = record.rows_in
    outcome.rows_out = record.rows_out
    outcome.quarantined = record.outputs.get(QUARANTINE_TABLE)


def summary_rows(outcomes: Sequence[DateOutcome]) -> list[list[Any]]:
    return [
        [
            o.run_date.isoformat(),
            o.state,
            o.rows_in,
            o.rows_out,
            o.quarantined,
            f"{o.duration_s:.1f}s",
            o.error or "",
        ]
        for o in outcomes
    ]


SUMMARY_HEADERS = ["date", "state", "rows in", "rows out", "quarantined", "duration", "error"]


def dates_to_rerun(outcomes: Sequence[DateOutcome]) -> list[dt.date]:
    return [o.run_date for o in outcomes if not o.succeeded]


def text_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain aligned text table; numbers right-aligned, None shown as '-'."""
    cells = [["-" if v is None else str(v) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    numeric = [
        bool(rows) and all(isinstance(r[i], int | float) or r[i] is None for r in rows)
        for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        padded = [
            v.rjust(widths[i]) if numeric[i] else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "  ".join(padded).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, cells)])
