"""What on-call reads: subject and body for a job or crawler state-change event, and for a
failed blocking data quality ruleset.

A job email names the job, run id, run date, state and error, links to the run in the AWS
console and gives the commands that re-run that date, locally and in AWS. A data quality email
names the ruleset, the rules that failed (with what they measured), the run and its date.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from orderlake.events.glue_events import dq_count
from orderlake.events.quality_results import RESULT_PASS, failed_rules
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


def rerun_lines(region: str, job: str, date_arg: str) -> list[str]:
    arguments = json.dumps({"--run_date": date_arg}, separators=(",", ":"))
    return [
        f"  locally:  orderlake run --date {date_arg} --no-generate",
        f"  in AWS:   aws glue start-job-run --region {region} --job-name {job} "
        f"--arguments '{arguments}'",
    ]


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
        *rerun_lines(region, job, date_arg),
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


@dataclass(frozen=True)
class QualityFailure:
    """What the notifier knows of a failed data quality evaluation, for `quality_email`."""

    rulesets: tuple[str, ...]  # as the event names them
    described: str  # "blocking, quality/orders.dqdl", or why the kind is unknown
    job: str | None  # the Glue job's name; None for an evaluation outside a job
    run_id: str | None
    run_date: dt.date | None
    date_problem: str | None
    result_id: str | None
    result: dict[str, Any] | None  # GetDataQualityResult's response
    result_problem: str | None


def quality_email(
    event: dict[str, Any],
    failure: QualityFailure,
    settings: NotificationSettings,
    impact: list[str] | None = None,
) -> Email:
    detail = event.get("detail") if isinstance(event.get("detail"), dict) else {}
    region = event.get("region") or settings.region
    names = ", ".join(failure.rulesets) or "(unnamed)"
    date_text = failure.run_date.isoformat() if failure.run_date else "unknown"
    date_arg = failure.run_date.isoformat() if failure.run_date else "YYYY-MM-DD"
    counts = _rule_counts(detail, failure.result)
    subject = fit_subject(
        f"[{settings.project}] data quality FAILED for {date_text}: {names} "
        f"({counts.failed_of_total} rules failed)",
        names,
    )
    job_text = failure.job or "(none: " + _context_text(detail) + ")"
    lines = [
        f"Data quality ruleset {names} failed for run date {date_text}: "
        f"{counts.failed_of_total} rules failed.",
        "",
        f"Ruleset:   {names} ({failure.described})",
        f"Job:       {job_text}",
        f"Run id:    {failure.run_id or 'unknown'}",
        f"Run date:  {date_text}" + (f" ({failure.date_problem})" if failure.date_problem else ""),
        f"Result id: {failure.result_id or 'unknown'}",
        f"Score:     {counts.score}",
        f"Time:      {event.get('time', 'unknown')}",
        f"Account:   {event.get('account', 'unknown')}  Region: {region}",
        "",
    ]
    if failure.result is None:
        lines.append(
            f"Failed rules: unknown ({failure.result_problem}); "
            f"the event counts {counts.failed_of_total} rules failed."
        )
    else:
        lines += _failed_rule_lines(failure.result)
    if failure.job:
        lines += [
            "",
            f"A failed blocking rule fails {failure.job}: its curated and quarantine partitions "
            f"for {failure.run_date or 'the run date'} stay those of the last good run, and the "
            "job's own FAILED email follows.",
        ]
        if failure.run_id:
            lines += [
                "",
                "The run in the AWS console (its Data quality tab):",
                f"  {console_run_url(region, failure.job, failure.run_id)}",
            ]
    lines += [
        "",
        "Every rule's outcome and the rejected rows:",
        f"  locally:  orderlake quarantine --date {date_arg}",
    ]
    if failure.result_id:
        lines.append(
            f"  in AWS:   aws glue get-data-quality-result --region {region} "
            f"--result-id {failure.result_id}"
        )
    if failure.job:
        lines += ["", "Re-run that date once the data or the rule is fixed:"]
        lines += rerun_lines(region, failure.job, date_arg)
    if impact:
        lines += ["", *impact]
    lines += [
        "",
        "What to do: read the failed rules and what they measured, look at the day's raw and "
        "rejected rows, fix the data (or the rule, in quality/), then re-run the date; "
        "re-running replaces exactly that date's output.",
    ]
    return Email(subject=subject, body="\n".join(lines) + "\n")


@dataclass(frozen=True)
class _Counts:
    failed_of_total: str  # "2 of 11", or "? of 11" when unknown
    score: str


def _rule_counts(detail: dict[str, Any], result: dict[str, Any] | None) -> _Counts:
    passed, failed, skipped = (dq_count(detail, n) for n in ("Succeeded", "Failed", "Skipped"))
    if result is not None and passed is None and failed is None:
        rules = [r for r in result.get("RuleResults") or [] if isinstance(r, dict)]
        passed = sum(r.get("Result") == RESULT_PASS for r in rules)
        failed = len(rules) - passed
    known = [n for n in (passed, failed, skipped) if n is not None]
    total = str(sum(known)) if known else "?"
    score = detail.get("score", (result or {}).get("Score"))
    score_text = f"{score:g}" if isinstance(score, int | float) else "unknown"
    return _Counts(
        failed_of_total=f"{failed if failed is not None else '?'} of {total}",
        score=f"{score_text} ({passed if passed is not None else '?'} passed, "
        f"{failed if failed is not None else '?'} failed, "
        f"{skipped if skipped is not None else '?'} skipped)",
    )


def _context_text(detail: dict[str, Any]) -> str:
    context = detail.get("context") if isinstance(detail.get("context"), dict) else {}
    if context.get("databaseName") or context.get("tableName"):
        return (
            f"a Data Catalog evaluation of {context.get('databaseName')}.{context.get('tableName')}"
        )
    return "the event names no job"


def _failed_rule_lines(result: dict[str, Any]) -> list[str]:
    failed = failed_rules(result)
    total = len(result.get("RuleResults") or [])
    if not failed:
        return [f"Failed rules: none in the result ({total} rules, all PASS)."]
    lines = [f"Failed rules ({len(failed)} of {total}):"]
    for rule in failed:
        lines.append(f"  {rule.get('Name', '?')}: {rule.get('Description') or '(no description)'}")
        message = rule.get("EvaluationMessage")
        lines.append(f"    {rule.get('Result', '?')}" + (f": {message}" if message else ""))
        metrics = rule.get("EvaluatedMetrics") or {}
        if isinstance(metrics, dict) and metrics:
            lines.append(
                "    measured: " + ", ".join(f"{k}={_number(v)}" for k, v in metrics.items())
            )
    return lines


def _number(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else f"{value:.6g}"
    return str(value)


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
