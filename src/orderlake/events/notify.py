"""What on-call is told about an event: one decision for the laptop and for AWS.

The local runner's on-call email subscriber and the notifier Lambda (lambdas/notify/) both call
`on_call_notice` with the same event, a job-run lookup (the lake's records locally, glue:GetJobRun
in AWS), for data quality events a result lookup (the lake's records locally,
glue:GetDataQualityResult in AWS) and the same settings, so the email is the same text in both
places. Nothing here raises on bad input: a malformed event, an unknown state or a failing
lookup gives a notice without an email and a reason (logged by the caller), except that an
event recognisable as a failure is always told, with what could be read of it.

Data quality: a failed evaluation of a blocking ruleset (pipeline.yaml `quality:`) is told; a
failed warning ruleset is not (warning rules never hold a day back: they are in dq_results and
`orderlake run`'s report, locally and in AWS alike), nor is a passed one. A ruleset that is not
the pipeline's is told, as a foreign job's failure is.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from orderlake.definition import PipelineDefinition, load_definition
from orderlake.events import messages
from orderlake.events.glue_events import (
    CRAWLER_STATE_CHANGE,
    DQ_FAILED,
    DQ_RESULTS_AVAILABLE,
    JOB_FAILURE_STATES,
    JOB_STATE_CHANGE,
    dq_detail_problem,
    dq_result_id,
    job_event_problem,
)
from orderlake.events.impact import impact_lines, impact_of
from orderlake.events.job_runs import JobRunLookup, run_date_of
from orderlake.events.quality_results import (
    QualityResultLookup,
    pipeline_rulesets,
    quality_result_of,
)
from orderlake.events.settings import NotificationSettings
from orderlake.quality.outcome import BLOCKING

CRAWLER_FAILED = "Failed"


@dataclass(frozen=True)
class Notice:
    email: messages.Email | None  # None: nothing to tell on-call
    reason: str
    failure: bool = False


def parse_message(message: str) -> tuple[Any, str | None]:
    """An SNS message (or any text) as an event, or the reason it is not one."""
    try:
        return json.loads(message), None
    except (TypeError, json.JSONDecodeError) as exc:
        return None, f"message is not JSON ({exc}): {str(message)[:80]!r}"


def _failure_state(event: dict[str, Any]) -> bool:
    detail = event.get("detail")
    state = detail.get("state") if isinstance(detail, dict) else None
    return state in JOB_FAILURE_STATES or state == CRAWLER_FAILED


def on_call_notice(
    event: Any,
    job_runs: JobRunLookup,
    settings: NotificationSettings,
    definition: PipelineDefinition | None = None,
    quality_results: QualityResultLookup | None = None,
) -> Notice:
    if not isinstance(event, dict):
        return Notice(None, f"event is a {type(event).__name__}, not a JSON object")
    kind = event.get("detail-type")
    if kind == CRAWLER_STATE_CHANGE:
        return _crawler_notice(event, settings)
    if kind == DQ_RESULTS_AVAILABLE:
        return _quality_notice(event, job_runs, quality_results, settings, definition)
    if kind != JOB_STATE_CHANGE:
        return Notice(None, f"not an event on-call is told about ({event.get('source')} / {kind})")
    problem = job_event_problem(event)
    if problem:
        if _failure_state(event):
            return Notice(messages.unreadable_email(event, problem, settings), problem, True)
        return Notice(None, problem)
    detail = event["detail"]
    job, run_id, state = detail["jobName"], detail["jobRunId"], detail["state"]
    failure = state in JOB_FAILURE_STATES
    if not failure and not settings.email_success:
        return Notice(None, f"{job} {state} not emailed (success emails are off)")
    run_date, date_problem = _run_date(job_runs, job, run_id)
    impact = _impact(definition or load_definition(), settings, job, run_date)
    email = messages.job_email(event, run_date, date_problem, settings, impact)
    reason = f"{job} {state}" + (f"; run date unknown: {date_problem}" if date_problem else "")
    return Notice(email, reason, failure)


def _run_date(job_runs: JobRunLookup, job: str, run_id: str) -> tuple[dt.date | None, str | None]:
    """The run's date, or None and why it is unknown (said in the email, never guessed)."""
    try:
        return run_date_of(job_runs, job, run_id), None
    except LookupError as exc:
        return None, str(exc)


def _impact(
    definition: PipelineDefinition,
    settings: NotificationSettings,
    job: str,
    run_date: dt.date | None,
) -> list[str]:
    """What a failure of the AWS job `job` leaves stale for the run's date."""
    local = job.removeprefix(f"{settings.project}-")
    impact = impact_of(definition, local) if job.startswith(f"{settings.project}-") else None
    return impact_lines(impact, run_date.isoformat() if run_date else "the run's date (unknown)")


def _crawler_notice(event: dict[str, Any], settings: NotificationSettings) -> Notice:
    detail = event.get("detail")
    failed = _failure_state(event)
    if not isinstance(detail, dict) or not detail.get("crawlerName"):
        problem = "crawler event without a crawlerName in its detail"
        return Notice(
            messages.unreadable_email(event, problem, settings) if failed else None,
            problem,
            failed,
        )
    if not failed and not settings.email_success:
        return Notice(None, f"crawler {detail['crawlerName']} {detail.get('state')} not emailed")
    return Notice(
        messages.crawler_email(event, settings), f"crawler {detail['crawlerName']}", failed
    )


def _quality_notice(
    event: dict[str, Any],
    job_runs: JobRunLookup,
    quality_results: QualityResultLookup | None,
    settings: NotificationSettings,
    definition: PipelineDefinition | None,
) -> Notice:
    problem = dq_detail_problem(event)
    if problem:
        # Only the rule on FAILED evaluations (events/patterns/dq_failures.json) delivers these
        # events to the notifier: one without a detail is told with what it holds.
        told = not isinstance(event.get("detail"), dict)
        email = messages.unreadable_email(event, problem, settings) if told else None
        return Notice(email, problem, told)
    detail = event["detail"]
    names = tuple(str(n) for n in detail.get("rulesetNames") or () if n)
    if detail["state"] != DQ_FAILED:
        return Notice(None, f"data quality {', '.join(names) or 'ruleset'} passed; not emailed")
    definition = definition or load_definition()
    known = pipeline_rulesets(definition)
    kinds = [known.get(name) for name in names]
    if names and all(k is not None and k.severity != BLOCKING for k in kinds):
        return Notice(
            None,
            f"warning ruleset {', '.join(names)} failed; not emailed (warning rules never hold "
            "a day back; their outcomes are in dq_results)",
        )
    described = (
        "; ".join(
            f"{k.severity}, {k.path}" if k else "not one of pipeline.yaml's rulesets" for k in kinds
        )
        or "the event names no ruleset"
    )
    context = detail.get("context") if isinstance(detail.get("context"), dict) else {}
    result_id = dq_result_id(detail)
    result, result_problem = None, None
    try:
        result = quality_result_of(quality_results, result_id)
    except LookupError as exc:
        result_problem = str(exc)  # said in the email: the event's counts still are
    job = _text(context.get("jobName")) or _text((result or {}).get("JobName"))
    run_id = _text(context.get("jobId")) or _text((result or {}).get("JobRunId"))
    if job and run_id:
        run_date, date_problem = _run_date(job_runs, job, run_id)
    else:
        run_date, date_problem = None, "the event names no job run"
    failure = messages.QualityFailure(
        names, described, job, run_id, run_date, date_problem, result_id, result, result_problem
    )
    impact = _impact(definition, settings, job, run_date) if job else None
    email = messages.quality_email(event, failure, settings, impact)
    reason = f"data quality {', '.join(names) or '(unnamed)'} FAILED for {job or 'no job'}"
    for what, why in (("failed rules", result_problem), ("run date", date_problem)):
        if why:
            reason += f"; {what} unknown: {why}"
    return Notice(email, reason, True)


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


class TopicPublisher:
    """Publishes subject and plain-text body to an SNS topic through a boto3 client passed in."""

    def __init__(self, client: Any, topic_arn: str) -> None:
        self.client, self.topic_arn = client, topic_arn

    def __call__(self, subject: str, body: str) -> str:
        answer = self.client.publish(TopicArn=self.topic_arn, Subject=subject, Message=body)
        return str(answer["MessageId"])


def deliver(
    lambda_event: Any,
    job_runs: JobRunLookup,
    publish: Any,
    settings: NotificationSettings,
    definition: PipelineDefinition | None = None,
    quality_results: QualityResultLookup | None = None,
) -> list[dict[str, Any]]:
    """Every event in what a Lambda received (an EventBridge event, or an SNS envelope of
    them), told to on-call through `publish(subject, body)` when it should be. One outcome per
    event; a publish that fails is raised after the others were tried, so that the invocation
    fails and lands in its on-failure destination."""
    from orderlake.archive import events_in  # the same envelope reading as the archive Lambda

    outcomes: list[dict[str, Any]] = []
    errors: list[Exception] = []
    for event, problem in events_in(lambda_event):
        if problem or event is None:
            outcomes.append({"status": "invalid", "reason": problem or "no event"})
            continue
        notice = on_call_notice(event, job_runs, settings, definition, quality_results)
        outcome: dict[str, Any] = {"status": "ignored", "reason": notice.reason}
        if notice.email is not None:
            try:
                message_id = publish(notice.email.subject, notice.email.body)
            except Exception as exc:  # throttled, denied: retried by Lambda, then the DLQ
                errors.append(exc)
                outcome = {"status": "failed", "reason": f"{notice.reason}; publish: {exc}"}
            else:
                outcome = {
                    "status": "published",
                    "reason": notice.reason,
                    "subject": notice.email.subject,
                    "message_id": message_id,
                }
        outcomes.append(outcome)
    if errors:
        raise errors[0]
    return outcomes
