"""Notifier Lambda: Glue job and crawler state changes and failed Glue Data Quality
evaluations -> the on-call email, via the topic.

The EventBridge rules of events/patterns/ invoke it with the event itself (an SNS envelope of
events is read too). It builds the same subject and body as the local email
(orderlake.events.notify, messages), looks the run's date up with glue:GetJobRun and a data
quality evaluation's failed rules with glue:GetDataQualityResult, and publishes to
ON_CALL_TOPIC_ARN, whose email subscription delivers the text as it is. A lookup that fails
still gives a message (its date or its failed rules "unknown"); a publish that fails after the
SDK's retries fails the invocation, which Lambda retries and then sends to its on-failure
destination (a queue with an alarm on the same topic).
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from orderlake.events.job_runs import GlueJobRuns, JobRunLookup
from orderlake.events.notify import TopicPublisher, deliver
from orderlake.events.quality_results import GlueQualityResults, QualityResultLookup
from orderlake.events.settings import load_settings

# The publish is what must not be lost: six attempts (botocore's `max_attempts` counts retries,
# `total_max_attempts` attempts), at most ~31 s of backoff. A lookup only adds a date or failed
# rules to the email, so with Glue failing it gives up soon and the email goes out saying
# "unknown": three attempts, at most ~3 s of backoff, and short timeouts. A data quality
# event's two lookups take at most ~6 s against a Glue answering errors, ~36 s against one that
# never answers (2 x 3 x (2 + 3) s), inside the function's 60 s.
PUBLISH_RETRIES = {"mode": "standard", "total_max_attempts": 6}
LOOKUP_RETRIES = {"mode": "standard", "total_max_attempts": 3}
LOOKUP_CONNECT_TIMEOUT_S, LOOKUP_READ_TIMEOUT_S = 2, 3

logger = logging.getLogger("orderlake.notify")
logger.setLevel(logging.INFO)


def handler(
    event: dict[str, Any],
    context: Any,
    job_runs: JobRunLookup | None = None,
    publish: Any = None,
    quality_results: QualityResultLookup | None = None,
) -> dict[str, Any]:
    env = dict(os.environ)
    if job_runs is None or publish is None or quality_results is None:
        import boto3
        from botocore.config import Config

        lookups = Config(
            retries=LOOKUP_RETRIES,
            connect_timeout=LOOKUP_CONNECT_TIMEOUT_S,
            read_timeout=LOOKUP_READ_TIMEOUT_S,
        )
        glue = boto3.client("glue", config=lookups)
        job_runs = job_runs or GlueJobRuns(glue)
        quality_results = quality_results or GlueQualityResults(glue)
        publish = publish or TopicPublisher(
            boto3.client("sns", config=Config(retries=PUBLISH_RETRIES)), env["ON_CALL_TOPIC_ARN"]
        )
    outcomes = deliver(
        event, job_runs, publish, load_settings(env), quality_results=quality_results
    )
    for outcome in outcomes:
        level = logging.WARNING if outcome["status"] == "invalid" else logging.INFO
        logger.log(level, json.dumps({"message": outcome["reason"], **outcome}))
    return {"outcomes": outcomes}
