"""Print a job's Glue arguments for a date over a local lake, one per line (for spark-submit).

python -m orderlake.jobs.arguments clean_orders 2026-11-21 .orderlake

Before printing, the date's partition of every table the job reads (pipeline.yaml `reads`)
must be in the lake: a missing day is one line naming the folder, not a Spark traceback.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from orderlake.dates import parse_run_date
from orderlake.errors import OrderlakeError
from orderlake.jobs.registry import config_for, job_spec
from orderlake.lake import Lake


def missing_input(job: str, lake: Lake, day: dt.date) -> str | None:
    """What is wrong when a partition the job reads for the day is not in the local lake."""
    jobs = lake.definition.jobs
    for table in jobs[job].reads:
        folder = Path(lake.table_partition(table, day))
        if folder.is_dir() and any(folder.iterdir()):
            continue
        writers = [name for name, spec in jobs.items() if table in spec.writes]
        step = (
            f"run {writers[0]} for {day} first"
            if writers
            else f"generate the day first (orderlake run --date {day} --lake <this lake>)"
        )
        return f"job {job}: no {table} for {day} at {folder}: {step}"
    return None


def main(argv: list[str]) -> int:
    if len(argv) != 3:
        print("usage: python -m orderlake.jobs.arguments JOB RUN_DATE LAKE_DIR", file=sys.stderr)
        return 2
    job, run_date, lake_dir = argv
    try:
        day = parse_run_date(run_date)
        job_spec(job)
        lake = Lake.local(lake_dir)
        problem = missing_input(job, lake, day)
        if problem:
            raise OrderlakeError(problem)
        config = config_for(job, lake, day)
    except OrderlakeError as exc:
        print(f"orderlake: error: {exc}", file=sys.stderr)
        return 2
    print("\n".join(config.to_arguments()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
