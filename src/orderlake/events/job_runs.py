"""Finding a job run's date from its id.

Glue's "Glue Job State Change" event names the job and the run (`jobName`, `jobRunId`) but not
the date the run processed. That date is the run's `--run_date` argument, which Glue keeps with
the run: in AWS `glue.get_job_run(JobName=..., RunId=...)["JobRun"]["Arguments"]["--run_date"]`.
Locally the runner's listener records each run in the same GetJobRun shape
(`<lake>/events/job_runs/<run id>.json`), so consumers make one call in both places.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any, Protocol

from orderlake.dates import parse_run_date
from orderlake.jobs.config import YESTERDAY, resolve_run_date

RUN_DATE_ARGUMENT = "--run_date"
JOB_RUNS_DIR = "events/job_runs"


class JobRunLookup(Protocol):
    def get_job_run(self, JobName: str, RunId: str) -> dict[str, Any]: ...  # noqa: N803


class GlueJobRuns:
    """AWS: the Glue API through a boto3 client passed in."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def get_job_run(self, JobName: str, RunId: str) -> dict[str, Any]:  # noqa: N803
        return self.client.get_job_run(JobName=JobName, RunId=RunId)

    def get_job_runs(self, JobName: str) -> dict[str, Any]:  # noqa: N803
        """Every run Glue keeps of the job (Glue keeps 90 days), all pages."""
        runs: list[dict[str, Any]] = []
        for page in self.client.get_paginator("get_job_runs").paginate(JobName=JobName):
            runs.extend(page.get("JobRuns", []))
        return {"JobRuns": runs}


class LocalJobRuns:
    """Locally: the runs the runner recorded, one JSON file per run id."""

    def __init__(self, lake_root: Path | str) -> None:
        self.folder = Path(lake_root) / JOB_RUNS_DIR

    def record(
        self,
        job_name: str,
        run_id: str,
        state: str,
        run_date: dt.date,
        started: dt.datetime,
        ended: dt.datetime | None,
        error: str | None,
    ) -> Path:
        job_run = {
            "Id": run_id,
            "Attempt": 0,
            "JobName": job_name,
            "StartedOn": started.isoformat(),
            "CompletedOn": ended.isoformat() if ended else None,
            "JobRunState": state,
            "Arguments": {RUN_DATE_ARGUMENT: run_date.isoformat()},
            "ErrorMessage": error,
            "ExecutionTime": round((ended - started).total_seconds()) if ended else 0,
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{run_id}.json"
        path.write_text(json.dumps({"JobRun": job_run}, indent=2), encoding="utf-8")
        return path

    def get_job_run(self, JobName: str, RunId: str) -> dict[str, Any]:  # noqa: N803
        path = self.folder / f"{Path(RunId).name}.json"
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise LookupError(f"no record of job run {RunId} in {self.folder}") from None
        if found["JobRun"]["JobName"] != JobName:
            raise LookupError(f"job run {RunId} belongs to {found['JobRun']['JobName']}")
        return found

    def get_job_runs(self, JobName: str) -> dict[str, Any]:  # noqa: N803
        found = []
        for path in sorted(self.folder.glob("*.json")) if self.folder.is_dir() else []:
            job_run = json.loads(path.read_text(encoding="utf-8"))["JobRun"]
            if job_run["JobName"] == JobName:
                for name in ("StartedOn", "CompletedOn"):
                    if job_run.get(name):  # datetimes, as boto3 gives them
                        job_run[name] = dt.datetime.fromisoformat(job_run[name])
                found.append(job_run)
        return {"JobRuns": found}


def date_of_job_run(job_run: dict[str, Any]) -> dt.date:
    """The date a GetJobRun(s) record processed, or LookupError saying why it is unknown."""
    run_id, job_name = job_run.get("Id"), job_run.get("JobName")
    text = (job_run.get("Arguments") or {}).get(RUN_DATE_ARGUMENT)
    if not text:
        raise LookupError(f"job run {run_id} of {job_name} has no {RUN_DATE_ARGUMENT} argument")
    try:
        if text == YESTERDAY:
            started = job_run.get("StartedOn")
            if not isinstance(started, dt.datetime):
                raise ValueError(f"{RUN_DATE_ARGUMENT} is {YESTERDAY!r} but no StartedOn time")
            started_utc = started.astimezone(dt.UTC) if started.tzinfo else started
            return resolve_run_date(YESTERDAY, today=started_utc.date())
        return parse_run_date(str(text))
    except Exception as exc:
        raise LookupError(f"job run {run_id}: {exc}") from None


def run_date_of(lookup: JobRunLookup, job_name: str, run_id: str) -> dt.date:
    """The run's date, or LookupError saying why it cannot be known."""
    try:
        job_run = lookup.get_job_run(JobName=job_name, RunId=run_id)["JobRun"]
    except LookupError:
        raise
    except Exception as exc:  # the Glue API's errors (EntityNotFound, AccessDenied, ...)
        raise LookupError(f"cannot look up job run {run_id} of {job_name}: {exc}") from None
    return date_of_job_run({"Id": run_id, "JobName": job_name, **job_run})
