"""High-value sale alert Lambda: on clean_orders SUCCEEDED, the day's report to the sales topic.

Invoked by the clean_orders_succeeded rule with the event itself (an SNS envelope of events is
read too). It finds the run's date with glue:GetJobRun, reads that day's curated orders (Parquet,
with pyarrow from the AWS SDK for pandas layer) and publishes the same report as the local
listener (orderlake.events.alerts) to SALES_TOPIC_ARN; nothing on a day without such sales.
Environment: CURATED_BUCKET, ORDERS_PREFIX, SALES_TOPIC_ARN, optional TRIGGER_JOB.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from orderlake.archive import TRIGGER_JOB, events_in, is_trigger_job
from orderlake.events import alerts
from orderlake.events.glue_events import job_event_problem
from orderlake.events.job_runs import GlueJobRuns, JobRunLookup, run_date_of
from orderlake.events.notify import TopicPublisher
from orderlake.events.settings import load_settings
from orderlake.storage import ObjectStore, S3Store

logger = logging.getLogger("orderlake.sales_alert")
logger.setLevel(logging.INFO)


def handler(
    event: dict[str, Any],
    context: Any,
    store: ObjectStore | None = None,
    job_runs: JobRunLookup | None = None,
    publish: Any = None,
) -> dict[str, Any]:
    env = dict(os.environ)
    if store is None or job_runs is None or publish is None:
        import boto3

        store = store or S3Store(boto3.client("s3"), env["CURATED_BUCKET"])
        job_runs = job_runs or GlueJobRuns(boto3.client("glue"))
        publish = publish or TopicPublisher(boto3.client("sns"), env["SALES_TOPIC_ARN"])
    settings = load_settings(env)
    outcomes = []
    for found, problem in events_in(event):
        problem = problem or job_event_problem(found or {})
        if problem or found is None:
            outcomes.append({"status": "invalid", "reason": problem})
            continue
        detail = found["detail"]
        if not is_trigger_job(detail["jobName"], env.get("TRIGGER_JOB", TRIGGER_JOB)) or (
            detail["state"] != "SUCCEEDED"
        ):
            outcomes.append(
                {"status": "ignored", "reason": f"{detail['jobName']} {detail['state']}"}
            )
            continue
        # No date, no report: raised, so Lambda retries and then sends it to the failures queue.
        day = run_date_of(job_runs, detail["jobName"], detail["jobRunId"])
        report = alerts.report_for(
            store, env.get("ORDERS_PREFIX", "orders"), day, settings.high_value
        )
        outcome = {"status": "no_sales", "date": day.isoformat(), "count": 0, "total": "0"}
        if report.count:
            subject = alerts.alert_subject(report, settings.project)
            message_id = publish(subject, alerts.alert_message(report))
            outcome = {
                "status": "published",
                "date": day.isoformat(),
                "count": report.count,
                "total": str(report.total),
                "largest": [s.order_id for s in report.largest],
                "subject": subject,
                "message_id": message_id,
            }
        outcomes.append(outcome)
    for outcome in outcomes:
        logger.info(json.dumps({"message": outcome.get("reason") or outcome["status"], **outcome}))
    return {"outcomes": outcomes}
