"""Moving a processed raw partition to the archive zone, and reading the events that ask for it.

The archive Lambda receives "Glue Job State Change" events through SNS. On the trigger job's
SUCCEEDED event it finds the run's date (the run's `--run_date` argument, looked up by job name
and run id: see orderlake.events.job_runs), copies every raw object of that date to the archive
store under the same key, verifies each copy (size and SHA-256), and only then deletes the
originals. Everything else is logged and left alone; a redelivered event finds nothing left to
move and says so.
"""

from __future__ import annotations

import contextlib
import json
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from orderlake.dates import partition
from orderlake.errors import OrderlakeError
from orderlake.events.glue_events import job_event_problem
from orderlake.events.job_runs import JobRunLookup, run_date_of
from orderlake.storage import LocalStore, ObjectStore

logger = logging.getLogger("orderlake.archive")

TRIGGER_JOB = "clean_orders"

# Outcome codes, one per event.
ARCHIVED = "archived"
ALREADY_ARCHIVED = "already_archived"
MISSING = "missing_partition"
IGNORED = "ignored"
INVALID = "invalid"


@dataclass
class Outcome:
    status: str
    reason: str
    job: str | None = None
    run_id: str | None = None
    run_date: str | None = None
    objects: int = 0
    bytes: int = 0
    keys: list[str] = field(default_factory=list)


def log(outcome: Outcome) -> None:
    level = logging.WARNING if outcome.status == INVALID else logging.INFO
    logger.log(level, json.dumps({"message": outcome.reason, **asdict(outcome)}))


def events_in(lambda_event: Any) -> list[tuple[dict[str, Any] | None, str | None]]:
    """The EventBridge events inside what the Lambda received: an SNS envelope (one per
    record), or an EventBridge event delivered directly. Each comes with None or the reason
    it could not be read."""
    if not isinstance(lambda_event, dict):
        return [(None, f"Lambda event is a {type(lambda_event).__name__}, not a JSON object")]
    if "Records" in lambda_event:
        records = lambda_event["Records"]
        if not isinstance(records, list) or not records:
            return [(None, "SNS envelope has no records")]
        return [_from_record(record) for record in records]
    if "detail-type" in lambda_event:
        return [(lambda_event, None)]
    return [(None, "neither an SNS envelope (Records) nor an EventBridge event (detail-type)")]


def _from_record(record: Any) -> tuple[dict[str, Any] | None, str | None]:
    sns = record.get("Sns") if isinstance(record, dict) else None
    if not isinstance(sns, dict) or "Message" not in sns:
        return None, "SNS record has no Sns.Message"
    try:
        event = json.loads(sns["Message"])
    except (TypeError, json.JSONDecodeError) as exc:
        return None, f"SNS message is not JSON ({exc}): {str(sns['Message'])[:80]!r}"
    if not isinstance(event, dict):
        return None, f"SNS message is JSON {type(event).__name__}, not an event object"
    return event, None


def is_trigger_job(job_name: str, trigger: str = TRIGGER_JOB) -> bool:
    """The trigger job by its local name or its AWS name (`<project>-clean_orders`)."""
    return job_name == trigger or job_name.endswith(f"-{trigger}")


def handle_event(
    event: dict[str, Any] | None,
    problem: str | None,
    raw: ObjectStore,
    archive: ObjectStore,
    job_runs: JobRunLookup,
    prefix: str,
    trigger: str = TRIGGER_JOB,
) -> Outcome:
    if event is None or problem:
        return Outcome(INVALID, problem or "no event")
    problem = job_event_problem(event)
    if problem:
        return Outcome(INVALID, problem)
    detail = event["detail"]
    job, run_id, state = detail["jobName"], detail["jobRunId"], detail["state"]
    if not is_trigger_job(job, trigger) or state != "SUCCEEDED":
        return Outcome(IGNORED, f"{job} {state}: only {trigger} SUCCEEDED is archived", job, run_id)
    try:
        run_date = run_date_of(job_runs, job, run_id)
    except LookupError as exc:
        return Outcome(
            INVALID, f"cannot tell which date run {run_id} processed: {exc}", job, run_id
        )
    folder = f"{prefix.strip('/')}/{partition(run_date)}/"
    outcome = archive_partition(raw, archive, folder)
    outcome.job, outcome.run_id, outcome.run_date = job, run_id, run_date.isoformat()
    return outcome


def archive_partition(raw: ObjectStore, archive: ObjectStore, folder: str) -> Outcome:
    """Copy every object under `folder` to the same key in `archive`, verify all copies, then
    delete the originals. Safe to repeat: an object already archived intact is not copied again.
    Raises OrderlakeError (deleting nothing) when a copy does not verify."""
    originals = raw.list(folder)
    if not originals:
        archived = archive.list(folder)
        if archived:
            return Outcome(
                ALREADY_ARCHIVED,
                f"{folder} already archived ({len(archived)} objects)",
                objects=len(archived),
                keys=[o.key for o in archived],
            )
        return Outcome(MISSING, f"no raw objects under {folder} in {raw.describe()}: nothing to do")
    checksums = {obj.key: raw.sha256(obj.key) for obj in originals}
    present = {obj.key: obj.size for obj in archive.list(folder)}
    for obj in originals:
        if present.get(obj.key) == obj.size and archive.sha256(obj.key) == checksums[obj.key]:
            continue  # an earlier delivery copied it before being interrupted
        raw.copy_to(obj.key, archive, obj.key)
    copied = {obj.key: obj.size for obj in archive.list(folder)}
    for obj in originals:
        if copied.get(obj.key) != obj.size:
            raise OrderlakeError(
                f"archive copy of {obj.key} has {copied.get(obj.key)} bytes, raw has {obj.size}: "
                "raw partition left in place"
            )
        if archive.sha256(obj.key) != checksums[obj.key]:
            raise OrderlakeError(
                f"archive copy of {obj.key} does not match its SHA-256: raw partition left in place"
            )
    for obj in originals:
        raw.delete(obj.key)
    if isinstance(raw, LocalStore):
        # A folder stands in for the prefix: leave no empty dt= folder behind, as S3 would not.
        with contextlib.suppress(OSError):
            (raw.root / folder).rmdir()
    return Outcome(
        ARCHIVED,
        f"archived {len(originals)} objects from {raw.describe()}/{folder} "
        f"to {archive.describe()}/{folder} (size and SHA-256 verified)",
        objects=len(originals),
        bytes=sum(obj.size for obj in originals),
        keys=[obj.key for obj in originals],
    )
