""" "The day never arrived": by the deadline, yesterday has its raw partition, a clean_orders
run, and a successful one; if not, on-call is told which of the three, since when, and the
command that fixes it. Glue emits events only for runs that exist, so this is a check on a
clock, not an event: `orderlake check-freshness` (and `orderlake schedule` at the deadline)
locally, a scheduled rule and lambdas/check_freshness in AWS; both call `check` here.

Each alert is recorded in an alert log (an object per day in a store: the lake's folder
locally, the artifacts bucket in AWS), so a second check of the same day tells no one again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from orderlake.dates import partition
from orderlake.events.job_runs import date_of_job_run
from orderlake.events.messages import Email, fit_subject
from orderlake.storage import ObjectStore

MISSING_RAW = "missing_raw"
NO_RUN = "no_run"
NO_SUCCESSFUL_RUN = "no_successful_run"
UNVERIFIABLE = "unverifiable"  # the runs could not be read: told, since nobody knows
LATE_BUT_FINE = "late_but_fine"
FINE = "fine"
ALERTS = (MISSING_RAW, NO_RUN, NO_SUCCESSFUL_RUN, UNVERIFIABLE)
ALERT_PREFIX = "freshness/alerted/"


class JobRunHistory(Protocol):
    def get_job_runs(self, JobName: str) -> dict[str, Any]: ...  # noqa: N803


@dataclass(frozen=True)
class Freshness:
    day: dt.date
    state: str
    since: dt.datetime | None
    detail: str


def _utc(moment: Any) -> dt.datetime | None:
    if not isinstance(moment, dt.datetime):
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def assess(
    day: dt.date,
    deadline: dt.datetime,
    raw: ObjectStore,
    raw_prefix: str,
    runs: JobRunHistory,
    job_name: str,
) -> Freshness:
    """Which of the three (or neither) holds for `day` at `deadline`."""
    of_day = []
    try:
        known = runs.get_job_runs(JobName=job_name).get("JobRuns", [])
    except Exception as exc:  # AccessDenied, EntityNotFound, throttling
        return Freshness(day, UNVERIFIABLE, deadline, f"cannot read the runs of {job_name}: {exc}")
    for job_run in known:
        try:
            if date_of_job_run({"JobName": job_name, **job_run}) == day:
                of_day.append(job_run)
        except LookupError:
            continue  # a run without a usable date is no run of this day
    succeeded = [r for r in of_day if r.get("JobRunState") == "SUCCEEDED"]
    if succeeded:
        ended = min(_utc(r.get("CompletedOn")) or deadline for r in succeeded)
        if ended > deadline:
            return Freshness(
                day, LATE_BUT_FINE, ended, f"{job_name} succeeded at {ended:%H:%M} UTC"
            )
        return Freshness(day, FINE, ended, f"{job_name} succeeded")
    if not raw.list(f"{raw_prefix}/{partition(day)}/"):
        return Freshness(
            day, MISSING_RAW, deadline, f"no raw partition {raw_prefix}/{partition(day)}/"
        )
    if not of_day:
        return Freshness(day, NO_RUN, deadline, f"no {job_name} run for {day}")
    latest = max(of_day, key=lambda r: _utc(r.get("StartedOn")) or deadline)
    state = latest.get("JobRunState", "unknown")
    since = _utc(latest.get("CompletedOn")) or _utc(latest.get("StartedOn")) or deadline
    error = latest.get("ErrorMessage") or "(no error message)"
    return Freshness(
        day,
        NO_SUCCESSFUL_RUN,
        since,
        f"{len(of_day)} {job_name} run(s) for {day}, none succeeded; the latest, "
        f"{latest.get('Id')}, is {state}: {error}",
    )


def freshness_email(result: Freshness, deadline: dt.datetime, project: str, job: str) -> Email:
    day = result.day.isoformat()
    what = {
        MISSING_RAW: "no raw orders arrived",
        NO_RUN: f"{job} never ran",
        NO_SUCCESSFUL_RUN: f"{job} did not succeed",
        UNVERIFIABLE: f"{job}'s runs could not be read",
    }[result.state]
    since = f"{result.since:%Y-%m-%d %H:%M} UTC" if result.since else "unknown"
    fix = {
        MISSING_RAW: [
            f"  locally:  orderlake run --date {day}            (generates the day, then runs it)",
            f"  in AWS:   aws lambda invoke --function-name {project}-generate_orders "
            f'--cli-binary-format raw-in-base64-out --payload \'{{"date":"{day}"}}\' /dev/stdout',
            f"            then aws glue start-job-run --job-name {project}-{job} "
            f'--arguments \'{{"--run_date":"{day}"}}\'',
        ],
        UNVERIFIABLE: [
            f"  in AWS:   aws glue get-job-runs --job-name {project}-{job}   (is it there? is "
            "the check's role allowed glue:GetJobRuns?), then re-run the date if it is missing:",
            f"            aws glue start-job-run --job-name {project}-{job} "
            f'--arguments \'{{"--run_date":"{day}"}}\'',
        ],
    }.get(
        result.state,
        [
            f"  locally:  orderlake run --date {day} --no-generate",
            f"  in AWS:   aws glue start-job-run --job-name {project}-{job} "
            f'--arguments \'{{"--run_date":"{day}"}}\'',
        ],
    )
    body = [
        f"{day} has not arrived by the deadline ({deadline:%Y-%m-%d %H:%M} UTC): {what}.",
        "",
        f"Day:       {day}",
        f"Problem:   {result.state} ({result.detail})",
        f"Since:     {since}",
        "",
        "Fix it:",
        *fix,
        "",
        "Until then every table and saved query is stale for this date.",
    ]
    subject = fit_subject(f"[{project}] {day} not ready by the deadline: {what}")
    return Email(subject=subject, body="\n".join(body) + "\n")


@dataclass(frozen=True)
class Outcome:
    day: str
    state: str
    told: bool
    reason: str


def check(
    now: dt.datetime,
    deadline: dt.datetime | None,
    raw: ObjectStore,
    raw_prefix: str,
    runs: JobRunHistory,
    job_name: str,
    alert_log: ObjectStore,
    tell: Callable[[Email], Any],
    project: str,
    job: str,
) -> Outcome:
    """The check at `now` of the day before the latest deadline passed (`deadline`, None if
    none has): assess, tell on-call once per day, record it."""
    if deadline is None:
        return Outcome("-", "not_due", False, "no deadline has passed yet")
    day = deadline.date() - dt.timedelta(days=1)
    result = assess(day, deadline, raw, raw_prefix, runs, job_name)
    if result.state not in ALERTS:
        return Outcome(day.isoformat(), result.state, False, result.detail)
    marker = f"{ALERT_PREFIX}{day.isoformat()}.json"
    if alert_log.list(marker):
        return Outcome(day.isoformat(), result.state, False, f"already told: {result.detail}")
    tell(freshness_email(result, deadline, project, job))
    record = {"day": day.isoformat(), "state": result.state, "told_at": now.isoformat()}
    alert_log.put(marker, json.dumps(record).encode())
    return Outcome(day.isoformat(), result.state, True, result.detail)
