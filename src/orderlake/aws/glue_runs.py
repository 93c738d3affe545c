"""`orderlake runs --engine aws`: Glue's own job-run records, read with boto3 get_job_runs.

Terraform names each Glue job `<project>-<job>` (pipeline.yaml `project`); runs are listed
under the pipeline's job names. Glue keeps each run's state, times and error; the run date is
the run's `--run_date` argument (the workflow triggers pass it), or the day before the run
started when it says "yesterday" or is missing.
Row counts are not in Glue's records (they are in each day's dq_results), so they stay empty.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from orderlake.dates import parse_run_date
from orderlake.definition import PipelineDefinition
from orderlake.errors import OrderlakeError
from orderlake.history import RunRecord

RUN_DATE_ARGUMENT = "--run_date"


def glue_job_names(definition: PipelineDefinition) -> dict[str, str]:
    """Pipeline job name -> its Glue job name, for the jobs Terraform deploys (enabled ones)."""
    project = str(definition.raw["project"])
    return {job: f"{project}-{job}" for job in definition.job_order()}


def list_runs(
    client: Any,
    jobs: Mapping[str, str],
    run_date: dt.date | None = None,
    state: str | None = None,
    job: str | None = None,
    limit: int | None = None,
) -> list[RunRecord]:
    """Runs of the given jobs (pipeline name -> Glue name), newest first, filtered like the
    local run history."""
    records: list[RunRecord] = []
    for name, glue_name in jobs.items():
        if job is not None and name != job:
            continue
        paginator = client.get_paginator("get_job_runs")
        try:
            for page in paginator.paginate(JobName=glue_name):
                records.extend(record_from(r, name) for r in page.get("JobRuns", []))
        except client.exceptions.EntityNotFoundException:
            raise OrderlakeError(
                f"Glue job {glue_name!r} not found: deploy with Terraform (infra/) first"
            ) from None
    records = [
        r
        for r in records
        if (run_date is None or r.run_date == run_date) and (state is None or r.state == state)
    ]
    records.sort(key=lambda r: r.started_at, reverse=True)
    return records[:limit] if limit else records


def record_from(run: dict[str, Any], job: str | None = None) -> RunRecord:
    """One GetJobRuns entry as a run-history record (under `job`, or its Glue name)."""
    started = run["StartedOn"].astimezone(dt.UTC)
    ended = run.get("CompletedOn")
    return RunRecord(
        id=run["Id"],
        job=job or run["JobName"],
        run_date=_run_date(run.get("Arguments", {}).get(RUN_DATE_ARGUMENT), started),
        state=run["JobRunState"],
        started_at=started,
        ended_at=ended.astimezone(dt.UTC) if ended else None,
        duration_s=float(run["ExecutionTime"]) if "ExecutionTime" in run else None,
        error=run.get("ErrorMessage"),
    )


def _run_date(argument: str | None, started: dt.datetime) -> dt.date:
    if argument in (None, "", "yesterday"):
        return started.date() - dt.timedelta(days=1)
    return parse_run_date(argument)
