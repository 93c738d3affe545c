"""Glue state-change events in the shape EventBridge delivers them (AWS Glue docs,
"Automating AWS Glue with EventBridge"): the envelope plus a `detail` that names the job run.

Glue's own event carries no run date; consumers look the run's `--run_date` argument up by
`jobName` + `jobRunId` (see `orderlake.events.job_runs`).

Glue Data Quality's "Data Quality Evaluation Results Available" (source
`aws.glue-dataquality`; AWS Glue docs, "Setting up alerts, deployments, and scheduling") comes
from an evaluation inside a job run: `context` names the job and the run (`jobName`, `jobId`,
which is the job run id `jr_...`, `evaluationContext`, `contextType` `GLUE_JOB`), and the detail
carries `resultId`, `rulesetNames`, `state` (SUCCEEDED or FAILED: did the data pass), `score` and
the rule counts, but not the rules: those are in GetDataQualityResult (see
`orderlake.events.quality_results`). Field names are those of captured events (`resultId`,
`numRulesSucceeded`, ...); the docs' own sample writes `resultID` and `rulesSucceeded`, which
readers here accept too. In an ETL job `rulesetNames` holds the evaluation context the job
passed (`orderlake.quality.glue_dq`: the DQDL file's stem, `orders`).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

SOURCE = "aws.glue"
JOB_STATE_CHANGE = "Glue Job State Change"
CRAWLER_STATE_CHANGE = "Glue Crawler State Change"
DQ_SOURCE = "aws.glue-dataquality"
DQ_RESULTS_AVAILABLE = "Data Quality Evaluation Results Available"
DQ_STATES = ("SUCCEEDED", "FAILED")
DQ_FAILED = "FAILED"
DQ_CONTEXT_JOB = "GLUE_JOB"

# Terminal job states Glue reports, with the severity it gives each.
JOB_SEVERITY = {"SUCCEEDED": "INFO", "FAILED": "ERROR", "TIMEOUT": "WARN", "STOPPED": "INFO"}
JOB_FAILURE_STATES = ("FAILED", "TIMEOUT", "STOPPED")
CRAWLER_STATES = ("Started", "Succeeded", "Failed")

DEFAULT_ACCOUNT = "000000000000"


def job_event_problem(event: dict[str, Any]) -> str | None:
    """Why this is not a usable Glue job state-change event, or None."""
    if event.get("detail-type") != JOB_STATE_CHANGE or event.get("source") != "aws.glue":
        return f"not a Glue job state change ({event.get('source')} / {event.get('detail-type')})"
    detail = event.get("detail")
    if not isinstance(detail, dict):
        return "event has no detail object"
    for name in ("jobName", "jobRunId", "state"):
        if not isinstance(detail.get(name), str) or not detail[name]:
            return f"event detail has no {name}"
    if detail["state"] not in JOB_SEVERITY:
        return f"unknown job state {detail['state']!r}"
    return None


def event_time(moment: dt.datetime) -> str:
    """EventBridge's `time`: UTC, whole seconds, `Z`."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def envelope(
    detail_type: str,
    detail: dict[str, Any],
    time: dt.datetime,
    region: str,
    account: str,
    source: str = SOURCE,
) -> dict[str, Any]:
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": detail_type,
        "source": source,
        "account": account,
        "time": event_time(time),
        "region": region,
        "resources": [],
        "detail": detail,
    }


def job_message(job_name: str, run_id: str, state: str, error: str | None) -> str:
    """The `message` Glue writes for each terminal state."""
    if state == "SUCCEEDED":
        return "Job run succeeded"
    if state == "FAILED":
        return (
            f"JobName:{job_name} and JobRunId:{run_id} failed to execute with exception "
            f"{error or 'unknown error'}"
        )
    if state == "TIMEOUT":
        return "Job run timed out"
    return "Job run stopped"


def job_state_change(
    job_name: str,
    run_id: str,
    state: str,
    time: dt.datetime,
    region: str,
    account: str = DEFAULT_ACCOUNT,
    error: str | None = None,
) -> dict[str, Any]:
    if state not in JOB_SEVERITY:
        raise ValueError(f"unknown Glue job state {state!r}; expected one of {list(JOB_SEVERITY)}")
    detail = {
        "jobName": job_name,
        "severity": JOB_SEVERITY[state],
        "state": state,
        "jobRunId": run_id,
        "message": job_message(job_name, run_id, state, error),
    }
    return envelope(JOB_STATE_CHANGE, detail, time, region, account)


def crawler_state_change(
    crawler_name: str,
    state: str,
    started: dt.datetime,
    ended: dt.datetime,
    region: str,
    account: str = DEFAULT_ACCOUNT,
    error: str | None = None,
    tables_updated: int = 0,
) -> dict[str, Any]:
    """A crawler's Succeeded or Failed event, with the fields Glue fills (counts as strings)."""
    log_link = (
        f"https://console.aws.amazon.com/cloudwatch/home?region={region}#logEventViewer:"
        f"group=/aws-glue/crawlers;stream={crawler_name}"
    )
    detail: dict[str, Any] = {"crawlerName": crawler_name, "accountId": account}
    if state == "Succeeded":
        detail.update(
            {
                "tablesCreated": "0",
                "warningMessage": "N/A",
                "partitionsUpdated": "0",
                "tablesUpdated": str(tables_updated),
                "message": "Crawler Succeeded",
                "partitionsDeleted": "0",
                "runningTime (sec)": str(max(0, round((ended - started).total_seconds()))),
                "tablesDeleted": "0",
                "completionDate": event_time(ended),
                "state": "Succeeded",
                "partitionsCreated": "0",
                "cloudWatchLogLink": log_link,
            }
        )
    elif state == "Failed":
        detail.update(
            {
                "errorMessage": error or "unknown error",
                "cloudWatchLogLink": log_link,
                "state": "Failed",
            }
        )
    else:
        raise ValueError(f"unknown crawler end state {state!r}; expected Succeeded or Failed")
    return envelope(CRAWLER_STATE_CHANGE, detail, ended, region, account)


def dq_results_available(
    result_id: str,
    ruleset: str,
    job_name: str,
    job_run_id: str,
    passed: int,
    failed: int,
    time: dt.datetime,
    region: str,
    account: str = DEFAULT_ACCOUNT,
    skipped: int = 0,
) -> dict[str, Any]:
    """The event Glue emits when an ETL job's evaluation of one ruleset has its results;
    `ruleset` is the evaluation context (also the ruleset's name in an ETL job)."""
    total = passed + failed + skipped
    detail = {
        "resultId": result_id,
        "context": {
            "jobId": job_run_id,
            "jobName": job_name,
            "evaluationContext": ruleset,
            "contextType": DQ_CONTEXT_JOB,
        },
        "rulesetNames": [ruleset],
        "state": DQ_FAILED if failed else "SUCCEEDED",
        "score": round(passed / total, 4) if total else 0.0,
        "numRulesSucceeded": passed,
        "numRulesFailed": failed,
        "numRulesSkipped": skipped,
    }
    return envelope(DQ_RESULTS_AVAILABLE, detail, time, region, account, DQ_SOURCE)


def dq_detail_problem(event: dict[str, Any]) -> str | None:
    """Why this Data Quality results event cannot be read, or None. Only the detail itself
    and its state are required: every other field may be missing and is said to be."""
    detail = event.get("detail")
    if not isinstance(detail, dict):
        return "data quality event has no detail object"
    if detail.get("state") not in DQ_STATES:
        return f"unknown data quality state {detail.get('state')!r}"
    return None


def dq_count(detail: dict[str, Any], name: str) -> int | None:
    """`numRulesFailed` (captured events) or `rulesFailed` (the docs' sample), if a number."""
    for key in (f"numRules{name}", f"rules{name}"):
        value = detail.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return int(value)
    return None


def dq_result_id(detail: dict[str, Any]) -> str | None:
    value = detail.get("resultId", detail.get("resultID"))
    return value if isinstance(value, str) and value else None
