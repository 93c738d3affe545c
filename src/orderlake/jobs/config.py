"""Job configuration from Glue job arguments (`--name value`), as frozen dataclasses."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Self

from orderlake.dates import parse_run_date

# The scheduled Glue workflow passes this literal as --run_date (a trigger's arguments are
# static); the job resolves it to the UTC day before the day it starts.
YESTERDAY = "yesterday"


def resolve_run_date(text: str, today: dt.date | None = None) -> dt.date:
    """A `--run_date` value: YYYY-MM-DD, or `yesterday` relative to `today` (UTC by default)."""
    if text == YESTERDAY:
        return (today or dt.datetime.now(dt.UTC).date()) - dt.timedelta(days=1)
    return parse_run_date(text)


class JobConfig:
    """Mixin for a frozen dataclass whose fields are the job's arguments.

    A `run_date` field is given as YYYY-MM-DD (or `yesterday`) and parsed; every other field
    is a string.
    """

    @classmethod
    def arguments(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]

    @classmethod
    def from_arguments(cls, args: dict[str, str]) -> Self:
        values: dict[str, Any] = {}
        for name in cls.arguments():
            value = args[name]
            values[name] = resolve_run_date(value) if name == "run_date" else value
        return cls(**values)

    def to_arguments(self) -> list[str]:
        """The `--name value` list an entry script takes (for spark-submit or Glue)."""
        out: list[str] = []
        for name in self.arguments():
            value = getattr(self, name)
            out += [f"--{name}", value.isoformat() if isinstance(value, dt.date) else str(value)]
        return out
