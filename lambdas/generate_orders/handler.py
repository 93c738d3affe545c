"""Generator Lambda: on the daily schedule, write yesterday's orders to the raw zone."""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from orderlake.generator import GeneratorSettings, write_day
from orderlake.lambda_events import run_date_from_event
from orderlake.storage import LocalStore, ObjectStore, S3Store

logger = logging.getLogger("orderlake.generate_orders")
logger.setLevel(logging.INFO)


def settings_from_env(env: dict[str, str], event: dict[str, Any]) -> GeneratorSettings:
    return GeneratorSettings(
        rows=int(event.get("rows") or env.get("ORDERLAKE_ROWS", 1000)),
        seed=int(event.get("seed") or env.get("ORDERLAKE_SEED", 42)),
        malformed_share=float(env.get("ORDERLAKE_MALFORMED_SHARE", 0.02)),
        batch=str(event.get("batch") or env.get("ORDERLAKE_BATCH", "")),
    )


def store_from_env(env: dict[str, str]) -> ObjectStore:
    """RAW_BUCKET in AWS; ORDERLAKE_RAW_DIR (a folder standing in for the bucket) locally."""
    if env.get("RAW_BUCKET"):
        import boto3

        return S3Store(boto3.client("s3"), env["RAW_BUCKET"])
    return LocalStore(env.get("ORDERLAKE_RAW_DIR", ".orderlake/raw"))


def handler(
    event: dict[str, Any], context: Any, store: ObjectStore | None = None
) -> dict[str, Any]:
    env = dict(os.environ)
    run_date = run_date_from_event(event)
    written = write_day(
        store or store_from_env(env),
        run_date,
        settings_from_env(env, event),
        env.get("RAW_ORDERS_PREFIX", "orders"),
    )
    result = {
        "date": run_date.isoformat(),
        "key": written.key,
        "rows": written.rows,
        "bytes": written.bytes,
        "location": written.location,
    }
    logger.info(json.dumps({"message": "orders written", **result}))
    return result
