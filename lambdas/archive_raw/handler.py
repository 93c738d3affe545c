"""Archive Lambda: on clean_orders SUCCEEDED, move that date's raw partition to the archive.

Subscribed to the job-events SNS topic. In AWS: RAW_BUCKET, ARCHIVE_BUCKET (and optionally
RAW_ORDERS_PREFIX, TRIGGER_JOB) name what to move; the run date comes from Glue's record of the
run (glue:GetJobRun). Locally: ORDERLAKE_LAKE names the lake folder, or the caller passes the
stores and the run lookup in.
"""

from __future__ import annotations

import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

from orderlake.archive import TRIGGER_JOB, events_in, handle_event, log
from orderlake.events.job_runs import GlueJobRuns, JobRunLookup, LocalJobRuns
from orderlake.storage import LocalStore, ObjectStore, S3Store

logger = logging.getLogger("orderlake.archive_raw")
logger.setLevel(logging.INFO)
logging.getLogger("orderlake.archive").setLevel(logging.INFO)


def resources_from_env(env: dict[str, str]) -> tuple[ObjectStore, ObjectStore, JobRunLookup]:
    if env.get("RAW_BUCKET") and env.get("ARCHIVE_BUCKET"):
        import boto3

        s3 = boto3.client("s3")
        return (
            S3Store(s3, env["RAW_BUCKET"]),
            S3Store(s3, env["ARCHIVE_BUCKET"]),
            GlueJobRuns(boto3.client("glue")),
        )
    lake = Path(env.get("ORDERLAKE_LAKE", ".orderlake"))
    return LocalStore(lake / "raw"), LocalStore(lake / "archive"), LocalJobRuns(lake)


def handler(
    event: dict[str, Any],
    context: Any,
    raw_store: ObjectStore | None = None,
    archive_store: ObjectStore | None = None,
    job_runs: JobRunLookup | None = None,
    prefix: str | None = None,
) -> dict[str, Any]:
    env = dict(os.environ)
    if raw_store is None or archive_store is None or job_runs is None:
        raw_default, archive_default, runs_default = resources_from_env(env)
        raw_store = raw_store or raw_default
        archive_store = archive_store or archive_default
        job_runs = job_runs or runs_default
    outcomes = []
    for found, problem in events_in(event):
        outcome = handle_event(
            found,
            problem,
            raw_store,
            archive_store,
            job_runs,
            prefix=prefix or env.get("RAW_ORDERS_PREFIX", "orders"),
            trigger=env.get("TRIGGER_JOB", TRIGGER_JOB),
        )
        log(outcome)
        outcomes.append(asdict(outcome))
    return {"outcomes": outcomes}
