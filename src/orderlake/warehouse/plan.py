"""The load plan: what loading a day's analytics tables into the warehouse does, step by step.

Per table: a staging table with the Parquet's columns, the staging rows loaded, the target's
rows for the date deleted, the staging rows inserted with the date, the staging table dropped.
All tables run in one transaction, so a failure anywhere leaves every target as it was.

Delete-then-insert (rather than MERGE on the key) replaces the date wholly: a product that fell
out of a top-N list since the last load disappears too, so loading a date twice is idempotent.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from orderlake.errors import OrderlakeError
from orderlake.names import DT
from orderlake.warehouse.tables import WarehouseTable

CREATE_STAGING = "create staging table"
LOAD_STAGING = "load staging table"
DELETE_DATE = "delete the date's rows"
INSERT = "insert staging rows"
DROP_STAGING = "drop staging table"

IAM_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")


@dataclass(frozen=True)
class TableLoad:
    """One table's rows for the run date, found at `source` (its dt= partition)."""

    table: WarehouseTable
    source: str


@dataclass(frozen=True)
class Step:
    table: str
    action: str
    sql: str
    load: TableLoad | None = None  # set on the LOAD_STAGING step: what fills the staging table

    def describe(self) -> str:
        return f"{self.action} for {self.table}"


# How a target fills a staging table: (the table load) -> the statement that does it.
LoadStatement = Callable[[TableLoad], str]


@dataclass(frozen=True)
class LoadPlan:
    run_date: dt.date
    loads: tuple[TableLoad, ...]

    def render(self, load_statement: LoadStatement) -> list[Step]:
        """The plan's statements, in order, with the target's own staging-load statement."""
        # The date is a literal rendered from a dt.date (never from user text), so the same
        # statements serve both targets and the Data API batch needs no parameter binding.
        day = f"date '{self.run_date.isoformat()}'"
        steps: list[Step] = []
        for load in self.loads:
            t = load.table
            columns = ", ".join(t.columns)
            steps += [
                Step(
                    t.name,
                    CREATE_STAGING,
                    f"create temp table {t.staging} ({', '.join(t.column_definitions())})",
                ),
                Step(t.name, LOAD_STAGING, load_statement(load), load),
                Step(t.name, DELETE_DATE, f"delete from {t.qualified} where {DT} = {day}"),
                Step(
                    t.name,
                    INSERT,
                    f"insert into {t.qualified} ({columns}, {DT}) "
                    f"select {columns}, {day} from {t.staging}",
                ),
                Step(t.name, DROP_STAGING, f"drop table {t.staging}"),
            ]
        return steps


def build_plan(
    run_date: dt.date, tables: Sequence[WarehouseTable], partition_of: Callable[[str], str]
) -> LoadPlan:
    """The plan for `tables`, each read from `partition_of(table name)`."""
    if not tables:
        raise OrderlakeError("nothing to load: no warehouse tables given")
    return LoadPlan(run_date, tuple(TableLoad(t, partition_of(t.name)) for t in tables))


def redshift_copy(iam_role_arn: str) -> LoadStatement:
    """Redshift fills staging with COPY from the S3 partition, authorised by an IAM role."""
    if not IAM_ROLE_ARN.match(iam_role_arn):
        raise OrderlakeError(
            f"invalid IAM role ARN {iam_role_arn!r}: expected arn:aws:iam::<account>:role/<name>"
        )

    def statement(load: TableLoad) -> str:
        if not load.source.startswith("s3://") or "'" in load.source:
            raise OrderlakeError(
                f"{load.table.name}: Redshift loads from an s3:// prefix, not {load.source!r}"
            )
        prefix = load.source.rstrip("/") + "/"
        return (
            f"copy {load.table.staging} from '{prefix}' iam_role '{iam_role_arn}' format as parquet"
        )

    return statement


def postgres_copy(load: TableLoad) -> str:
    """PostgreSQL cannot read Parquet: staging is filled from the client (COPY FROM STDIN)."""
    return f"copy {load.table.staging} ({', '.join(load.table.columns)}) from stdin"
