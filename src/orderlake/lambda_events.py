"""Reading the events Lambdas receive: EventBridge scheduled events and explicit requests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from orderlake.dates import parse_run_date
from orderlake.errors import OrderlakeError


def run_date_from_event(event: dict[str, Any]) -> dt.date:
    """An explicit `"date"` wins; otherwise a scheduled event's `time` minus one day
    (the generator runs after midnight UTC and writes yesterday's orders)."""
    if not isinstance(event, dict):
        raise OrderlakeError(f"event must be a JSON object, got {type(event).__name__}")
    if event.get("date"):
        return parse_run_date(str(event["date"]))
    time = event.get("time")
    if not time:
        raise OrderlakeError("event has neither 'date' nor 'time': cannot tell which day to write")
    try:
        fired = dt.datetime.fromisoformat(str(time).replace("Z", "+00:00"))
    except ValueError:
        raise OrderlakeError(f"event 'time' {time!r} is not an ISO-8601 timestamp") from None
    if fired.tzinfo is not None:
        fired = fired.astimezone(dt.UTC)
    return fired.date() - dt.timedelta(days=1)
