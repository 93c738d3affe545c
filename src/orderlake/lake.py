"""Where each table lives: zone roots (buckets in AWS, folders locally) and dt= partitions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from orderlake.definition import PipelineDefinition, load_definition
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


@dataclass(frozen=True)
class Lake:
    """Zone roots by zone name: `s3://bucket` URIs in AWS, local folders on a laptop."""

    roots: dict[str, str]
    definition: PipelineDefinition

    @classmethod
    def local(cls, root: Path | str, definition: PipelineDefinition | None = None) -> Lake:
        definition = definition or load_definition()
        base = Path(root).resolve()
        return cls(
            roots={zone: str(base / folder) for zone, folder in definition.zones.items()},
            definition=definition,
        )

    def table(self, name: str) -> str:
        """The folder (or S3 prefix) that holds a table's dt= partitions."""
        try:
            spec = self.definition.tables[name]
        except KeyError:
            raise OrderlakeError(f"unknown table {name!r}") from None
        return f"{self.roots[spec.zone].rstrip('/')}/{spec.prefix}"

    def table_partition(self, name: str, run_date: dt.date) -> str:
        return f"{self.table(name)}/{partition(run_date)}"
