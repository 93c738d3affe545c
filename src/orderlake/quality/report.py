"""Reading back a day's dq_results and quarantine from a local lake, as text for people.

Read with pyarrow, not Spark: printing a few hundred rows should not start a JVM.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from orderlake import names as N
from orderlake.dates import partition
from orderlake.errors import OrderlakeError
from orderlake.lake import Lake
from orderlake.quality.accounting import RECONCILED
from orderlake.quality.outcome import BLOCKING, PASSED


def read_day(lake: Lake, table: str, run_date: dt.date) -> list[dict[str, Any]]:
    folder = Path(lake.table_partition(table, run_date))
    if not folder.is_dir():
        raise OrderlakeError(
            f"no {table} for {run_date.isoformat()} in {folder.parent}: run clean_orders for "
            f"that date first (orderlake run --date {run_date.isoformat()})"
        )
    files = sorted(folder.glob("*.parquet"))
    if not files:
        return []
    rows: list[dict[str, Any]] = []
    for file in files:
        rows += pq.read_table(file).to_pylist()
    return rows


def format_results(rows: list[dict[str, Any]], run_date: dt.date) -> str:
    """The day's row accounting (run and per file) and every rule's outcome."""
    run = next((r for r in rows if r[N.RECORD_TYPE] == N.RECORD_RUN), None)
    if run is None:
        return f"no data quality results for {run_date.isoformat()}"
    lines = [
        f"data quality for {partition(run_date)} (run {run[N.RUN_ID]}, {run[N.ENGINE]} engine):",
        f"  rows read {run[N.ROWS_READ]} = curated {run[N.ROWS_CURATED]} + quarantined "
        f"{run[N.ROWS_QUARANTINED]} + duplicates {run[N.DUPLICATES_DROPPED]}: {run[N.OUTCOME]}",
    ]
    if run[N.FAILURE_REASON]:
        lines.append(f"    {run[N.FAILURE_REASON]}")
    blocked = [
        r
        for r in rows
        if r[N.RECORD_TYPE] == N.RECORD_RULE
        and r[N.SEVERITY] == BLOCKING
        and r[N.OUTCOME] != PASSED
    ]
    if blocked or run[N.OUTCOME] != RECONCILED:
        lines.append(
            "  this run FAILED: the curated and quarantine partitions of the date are still "
            "those of the last good run"
        )
    for f in (r for r in rows if r[N.RECORD_TYPE] == N.RECORD_FILE):
        lines.append(
            f"  file {f[N.SOURCE_FILE].rsplit('/', 1)[-1]}: {f[N.OUTCOME]}, read {f[N.ROWS_READ]}, "
            f"curated {f[N.ROWS_CURATED]}, quarantined {f[N.ROWS_QUARANTINED]}, "
            f"duplicates {f[N.DUPLICATES_DROPPED]}"
        )
        if f[N.FAILURE_REASON]:
            lines.append(f"    {f[N.FAILURE_REASON]}")
    for r in (r for r in rows if r[N.RECORD_TYPE] == N.RECORD_RULE):
        metrics = dict(r[N.EVALUATED_METRICS] or [])
        measured = ", ".join(f"{k}={_number(v)}" for k, v in metrics.items())
        lines.append(f"  {r[N.OUTCOME]:<6} {r[N.SEVERITY]:<8} {r[N.RULE]}")
        if r[N.FAILURE_REASON]:
            lines.append(f"           {r[N.FAILURE_REASON]}")
        if measured and r[N.OUTCOME] != "Passed":
            lines.append(f"           measured: {measured}")
    return "\n".join(lines)


def day_report(lake: Lake, run_date: dt.date) -> str:
    """The text `orderlake run` prints after its table; empty when there are no results."""
    try:
        return format_results(read_day(lake, "dq_results", run_date), run_date)
    except OrderlakeError:
        return ""


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"
