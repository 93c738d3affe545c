"""What on-call reads: subject and body for a job or crawler state-change event.

A job email names the job, run id, run date, state and error, links to the run in the AWS
console and gives the commands that re-run that date, locally and in AWS.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from orderlake.events.settings import NotificationSettings

ARCHIVE_AFTER_JOB = "clean_orders"
# SNS refuses a subject of 100 characters or more, or one with a line break; the local email
# keeps to the same limit so that both places send the same subject.
SUBJECT_LIMIT = 99


@dataclass(frozen=True)
class Email:
    subject: str
    body: str


def console_run_url(region: str, job_name: str, run_id: str) -> str:
    return (
        f"https://{region}.console.aws.amazon.com/gluestudio/home?region={region}"
        f"#/job/{job_name}/run/{run_id}"
    )


def console_crawler_url(region: str, crawler_name: str) -> str:
    return f"https://{region}.console.aws.amazon.com/glue/home?region={region}#/v2/data-catalog/crawlers/view/{crawler_name}"  # noqa: E501


def fit_subject(subject: str, shortenable: str = "") -> str:
    """One line within SUBJECT_LIMIT: `shortenable` (a part of the subject, such as a long run
    id) is cut first, then the end."""
    subject = " ".join(subject.split())
    if len(subject) > SUBJECT_LIMIT and shortenable and shortenable in subject:
        keep = max(8, len(shortenable) - (len(subject) - SUBJECT_LIMIT) - 3)
        subject = subject.replace(shortenable, shortenable[:keep] + "...", 1)
    return subject if len(subject) <= SUBJECT_LIMIT else subject[: SUBJECT_LIMIT - 3] + "..."


def local_job(settings: NotificationSettings, glue_job_name: str) -> str:
    """The pipeline.yaml job key behind an AWS job name (`<project>-<job>`)."""
    return glue_job_name.removeprefix(f"{settings.project}-")


def job_email(
    event: dict[str, Any],
    run_date: dt.date | None,
    date_problem: str | None,
    settings: NotificationSettings,
    impact: list[str] | None = None,
) -> Email:
    """`impact`: the lines saying what the failure leaves stale (orderlake.events.impact)."""
    detail = event["detail"]
    job, run_id, state = detail["jobName"], detail["jobRunId"], detail["state"]
    region = event.get("region") or settings.region
    date_text = run_date.isoformat() if run_date else "unknown"
    subject = fit_subject(
        f"[{settings.project}] {job} {state} for {date_text} (run {run_id})", run_id
    )
    date_arg = run_date.isoformat() if run_date else "YYYY-MM-DD"
    arguments = json.dumps({"--run_date": date_arg}, separators=(",", ":"))
    lines = [
        f"Glue job {job} ended {state} for run date {date_text}.",
        "",
        f"Job:       {job}",
        f"Run id:    {run_id}",
        f"Run date:  {date_text}" + (f" ({date_problem})" if date_problem else ""),
        f"State:     {state} (severity {detail.get('severity', 'unknown')})",
        f"Time:      {event.get('time', 'unknown')}",
        f"Account:   {event.get('account', 'unknown')}  Region: {region}",
        f"Error:     {detail.get('message', '(no message)')}",
        "",
        "The run in the AWS console:",
        f"  {console_run_url(region, job, run_id)}",
        "",
        "Re-run that date:",
        f"  locally:  orderlake run --date {date_arg} --no-generate",
        f"  in AWS:   aws glue start-job-run --region {region} --job-name {job} "
        f"--arguments '{arguments}'",
    ]
    if impact and state != "SUCCEEDED":
        lines += ["", *impact]
    if local_job(settings, job) != ARCHIVE_AFTER_JOB:
        lines += [
            "",
            f"{ARCHIVE_AFTER_JOB} already succeeded for this date, so its raw files were moved "
            "to the archive zone; copy them back to raw before re-running the whole day "
            f"locally (archive/orders/dt={date_arg}/ -> raw/orders/dt={date_arg}/).",
        ]
    if state != "SUCCEEDED":
        lines += [
            "",
            "What to do: read the error and the run's logs (console link), fix the cause, "
            "then re-run the date; re-running replaces exactly that date's output.",
        ]
    return Email(subject=subject, body="\n".join(lines) + "\n")


def crawler_email(event: dict[str, Any], settings: NotificationSettings) -> Email:
    detail = event["detail"]
    name, state = detail["crawlerName"], detail["state"]
    region = event.get("region") or settings.region
    subject = fit_subject(f"[{settings.project}] crawler {name} {state}")
    body = "\n".join(
        [
            f"Glue crawler {name} ended {state}.",
            "",
            f"Crawler:   {name}",
            f"State:     {state}",
            f"Time:      {event.get('time', 'unknown')}",
            f"Error:     {detail.get('errorMessage') or detail.get('message') or '(none)'}",
            f"Logs:      {detail.get('cloudWatchLogLink', '(none)')}",
            "",
            "The crawler in the AWS console:",
            f"  {console_crawler_url(region, name)}",
            "",
            "Re-run it:",
            "  locally:  orderlake run --date YYYY-MM-DD --no-generate (crawls at the end)",
            f"  in AWS:   aws glue start-crawler --region {region} --name {name}",
        ]
    )
    return Email(subject=subject, body=body + "\n")


def unreadable_email(event: object, problem: str, settings: NotificationSettings) -> Email:
    """A failure event the notifier could not read in full: what it knows, and the event."""
    text = json.dumps(event, indent=2, sort_keys=True, default=str)
    if len(text) > 4000:
        text = text[:4000] + "\n... (cut)"
    body = "\n".join(
        [
            "A pipeline failure event arrived that could not be read in full: " + problem + ".",
            "",
            "The event as received:",
            text,
            "",
            "What to do: find the run in the Glue console (job runs of the pipeline's jobs) and "
            "re-run its date; then look at why the event was malformed.",
        ]
    )
    return Email(
        subject=fit_subject(f"[{settings.project}] unreadable failure event: {problem}"),
        body=body + "\n",
    )
