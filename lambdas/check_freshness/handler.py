"""Freshness Lambda: at the deadline (a scheduled EventBridge rule on pipeline.yaml's
notifications.freshness.deadline), tell on-call if yesterday has no raw partition, no
clean_orders run, or no successful one (orderlake.events.freshness, as `orderlake
check-freshness` does locally).

Environment: RAW_BUCKET, RAW_ORDERS_PREFIX, ALERT_LOG_BUCKET (where the per-day "told" marker
is kept, under freshness/), ON_CALL_TOPIC_ARN. The deadline is the scheduled event's `time`.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import asdict
from typing import Any

from orderlake.events.freshness import check
from orderlake.events.job_runs import GlueJobRuns
from orderlake.events.notify import TopicPublisher
from orderlake.events.settings import load_settings
from orderlake.storage import S3Store

logger = logging.getLogger("orderlake.check_freshness")
logger.setLevel(logging.INFO)


def deadline_of(event: Any, now: dt.datetime) -> dt.datetime:
    """The scheduled event's time (the deadline that fired), else now; whole minutes."""
    text = event.get("time") if isinstance(event, dict) else None
    try:
        moment = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00")) if text else now
    except ValueError:
        logger.warning(json.dumps({"message": f"event time {text!r} unreadable; using now"}))
        moment = now
    return moment.astimezone(dt.UTC).replace(second=0, microsecond=0)


def handler(event: dict[str, Any], context: Any, clients: dict[str, Any] | None = None) -> dict:
    env = dict(os.environ)
    if clients is None:
        import boto3

        clients = {name: boto3.client(name) for name in ("s3", "glue", "sns")}
    settings = load_settings(env)
    now = dt.datetime.now(dt.UTC)
    publish = TopicPublisher(clients["sns"], env["ON_CALL_TOPIC_ARN"])
    outcome = check(
        now=now,
        deadline=deadline_of(event, now),
        raw=S3Store(clients["s3"], env["RAW_BUCKET"]),
        raw_prefix=env.get("RAW_ORDERS_PREFIX", "orders"),
        runs=GlueJobRuns(clients["glue"]),
        job_name=settings.glue_job_name(settings.freshness.job),
        alert_log=S3Store(clients["s3"], env["ALERT_LOG_BUCKET"]),
        tell=lambda email: publish(email.subject, email.body),
        project=settings.project,
        job=settings.freshness.job,
    )
    logger.info(json.dumps({"message": outcome.reason, **asdict(outcome)}))
    return asdict(outcome)
