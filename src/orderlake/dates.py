"""Run dates and their dt= partition names (no dependencies: Glue jobs import this)."""

from __future__ import annotations

import datetime as dt

from orderlake.errors import OrderlakeError


def parse_run_date(text: str) -> dt.date:
    """A run date from the user, strictly YYYY-MM-DD, with a clear error otherwise."""
    try:
        value = dt.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise OrderlakeError(
            f"invalid date {text!r}: expected a calendar date as YYYY-MM-DD"
        ) from None
    if len(text) != 10:
        raise OrderlakeError(f"invalid date {text!r}: expected a calendar date as YYYY-MM-DD")
    return value


def partition(run_date: dt.date) -> str:
    return f"dt={run_date.isoformat()}"
