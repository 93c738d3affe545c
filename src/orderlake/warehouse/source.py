"""The analytics Parquet a load reads, checked against the warehouse table before any write."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from orderlake.errors import OrderlakeError
from orderlake.warehouse.plan import TableLoad
from orderlake.warehouse.tables import TEXT_TYPE, WarehouseTable, sql_type


def arrow_sql_type(data_type: pa.DataType) -> str:
    """The warehouse column type an Arrow (Parquet) column loads into, or its Arrow name."""
    if pa.types.is_string(data_type) or pa.types.is_large_string(data_type):
        return TEXT_TYPE
    if pa.types.is_int64(data_type):
        return "bigint"
    if pa.types.is_int32(data_type):
        return "integer"
    if pa.types.is_decimal(data_type):
        return f"decimal({data_type.precision},{data_type.scale})"
    if pa.types.is_float64(data_type):
        return "double precision"
    if pa.types.is_date32(data_type):
        return "date"
    return str(data_type)


def check_columns(table: WarehouseTable, found: Sequence[tuple[str, str]], source: str) -> None:
    """Fail unless the Parquet has the table's columns, in order, with the table's types.

    Order matters: Redshift's COPY maps Parquet columns to the staging table by position.
    """
    expected = [(f.name, sql_type(f.dataType)) for f in table.schema.fields]
    if list(found) == expected:
        return
    names = [name for name, _ in found]
    missing = [name for name, _ in expected if name not in names]
    extra = [name for name in names if name not in dict(expected)]
    if missing or extra:
        detail = f"missing {missing or '[]'}, unexpected {extra or '[]'}"
    elif names != [name for name, _ in expected]:
        detail = f"columns in order {names}, expected {[name for name, _ in expected]}"
    else:
        wrong = [
            f"{name} is {got}, expected {want}"
            for (name, got), (_, want) in zip(found, expected, strict=True)
            if got != want
        ]
        detail = "; ".join(wrong)
    raise OrderlakeError(
        f"{table.name}: the Parquet at {source} does not match warehouse table "
        f"{table.qualified}: {detail}"
    )


def read_local_partition(load: TableLoad) -> pa.Table:
    """A local dt= partition's rows, with its columns checked against the table."""
    folder = Path(load.source)
    if not folder.is_dir() or not any(folder.glob("*.parquet")):
        raise OrderlakeError(
            f"{load.table.name}: no Parquet partition at {load.source}: "
            "run the aggregate jobs for that date first"
        )
    try:
        rows = pq.read_table(folder, partitioning=None)
    except (OSError, pa.ArrowException) as exc:
        raise OrderlakeError(f"{load.table.name}: cannot read {load.source}: {exc}") from None
    found = [(field.name, arrow_sql_type(field.type)) for field in rows.schema]
    check_columns(load.table, found, load.source)
    return rows
