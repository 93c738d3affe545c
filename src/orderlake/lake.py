"""Where each table lives: zone roots (buckets in AWS, folders locally) and dt= partitions."""

# parse_run_date and partition live in orderlake.dates; re-exported here for callers of lake.

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from orderlake.dates import parse_run_date, partition
from orderlake.definition import PipelineDefinition, load_definition
from orderlake.errors import OrderlakeError

__all__ = ["Lake", "parse_run_date", "partition"]


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
