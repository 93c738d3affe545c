"""Run a load plan against PostgreSQL, the local stand-in for Redshift.

Every step runs in one transaction: a failure anywhere rolls back, leaving each target table
as it was. The staging tables are filled with COPY FROM STDIN from the Parquet read by pyarrow.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pyarrow as pa
from psycopg.conninfo import conninfo_to_dict

from orderlake.errors import OrderlakeError
from orderlake.names import DT
from orderlake.warehouse.ddl import ddl_files, postgres_statement
from orderlake.warehouse.plan import INSERT, LoadPlan, Step, postgres_copy
from orderlake.warehouse.result import LoadResult
from orderlake.warehouse.source import read_local_partition
from orderlake.warehouse.tables import WAREHOUSE_SCHEMA, WarehouseTable

CONNECT_TIMEOUT_SECONDS = 10


def describe_dsn(dsn: str) -> str:
    """The DSN without its password, for messages."""
    try:
        parts = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:
        raise OrderlakeError(f"invalid warehouse DSN: {_first_line(exc)}") from None
    keys = ("host", "hostaddr", "port", "dbname", "user")
    shown = [f"{key}={parts[key]}" for key in keys if key in parts]
    return " ".join(shown) or "(libpq defaults)"


@contextmanager
def connect(dsn: str) -> Iterator[psycopg.Connection]:
    where = describe_dsn(dsn)
    try:
        conn = psycopg.connect(dsn, connect_timeout=CONNECT_TIMEOUT_SECONDS)
    except psycopg.Error as exc:
        raise OrderlakeError(
            f"cannot connect to the warehouse at {where}: {_first_line(exc)}"
        ) from None
    try:
        yield conn
    finally:
        conn.close()


def create_tables(dsn: str) -> list[str]:
    """Apply sql/redshift/*.sql (create ... if not exists) in one transaction."""
    files = ddl_files()
    with connect(dsn) as conn, conn.transaction():
        for file in files:
            try:
                conn.execute(postgres_statement(file))
            except psycopg.Error as exc:
                raise OrderlakeError(f"{file.name}: {_first_line(exc)}") from None
    return [file.stem for file in files]


def check_target(conn: psycopg.Connection, table: WarehouseTable) -> None:
    """Fail unless the target exists with the plan's columns (in order) and `dt`."""
    found = [
        row[0]
        for row in conn.execute(
            "select column_name from information_schema.columns "
            "where table_schema = %s and table_name = %s order by ordinal_position",
            (WAREHOUSE_SCHEMA, table.name),
        )
    ]
    if not found:
        raise OrderlakeError(
            f"{table.name}: warehouse table {table.qualified} does not exist: create it with "
            f"`orderlake load-warehouse --create-tables` (DDL in sql/redshift/{table.name}.sql)"
        )
    expected = [*table.columns, DT]
    if found != expected:
        raise OrderlakeError(
            f"{table.name}: warehouse table {table.qualified} has columns {found}, "
            f"the load expects {expected}"
        )


def load(dsn: str, plan: LoadPlan) -> LoadResult:
    """Run the plan in one transaction; the rows each table now holds for the date."""
    # Read and check every Parquet partition before touching the warehouse.
    data = {load.table.name: read_local_partition(load) for load in plan.loads}
    steps = plan.render(postgres_copy)
    rows: dict[str, int] = {}
    with connect(dsn) as conn, conn.transaction():
        for table_load in plan.loads:
            check_target(conn, table_load.table)
        for index, step in enumerate(steps, start=1):
            try:
                count = _run_step(conn, step, data)
            except psycopg.Error as exc:
                raise OrderlakeError(
                    f"{step.table}: warehouse load failed at statement {index}/{len(steps)} "
                    f"({step.action}): {_first_line(exc)}; rolled back, "
                    "no warehouse table was changed"
                ) from None
            if step.action == INSERT:
                rows[step.table] = count
    return LoadResult(plan.run_date, rows)


def _run_step(conn: psycopg.Connection, step: Step, data: dict[str, pa.Table]) -> int:
    with conn.cursor() as cur:
        if step.load is None:
            cur.execute(step.sql)
            return cur.rowcount
        table = data[step.table]
        with cur.copy(step.sql) as copy:
            for batch in table.to_batches():
                for row in zip(*(column.to_pylist() for column in batch.columns), strict=True):
                    copy.write_row(row)
        return table.num_rows


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
