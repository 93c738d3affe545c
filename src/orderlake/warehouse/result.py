"""What a warehouse load did, for the CLI and the job run record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class LoadResult:
    run_date: dt.date
    rows_by_table: dict[str, int]

    @property
    def tables(self) -> int:
        return len(self.rows_by_table)

    @property
    def rows(self) -> int:
        return sum(self.rows_by_table.values())
