"""The warehouse tables: one per analytics table, its columns taken from schema.py plus `dt`.

The DDL in sql/redshift/<table>.sql must declare the same columns (a unit test checks it).
"""

from __future__ import annotations

from dataclasses import dataclass

from pyspark.sql import types as T

from orderlake import schema as S
from orderlake.errors import OrderlakeError

WAREHOUSE_SCHEMA = "orderlake"
# Ids and names are short; Redshift counts varchar length in bytes, so leave room for UTF-8.
TEXT_TYPE = "varchar(256)"


def sql_type(data_type: T.DataType) -> str:
    """The column type both Redshift and PostgreSQL accept for a Spark type."""
    if isinstance(data_type, T.StringType):
        return TEXT_TYPE
    if isinstance(data_type, T.LongType):
        return "bigint"
    if isinstance(data_type, T.IntegerType):
        return "integer"
    if isinstance(data_type, T.DecimalType):
        return f"decimal({data_type.precision},{data_type.scale})"
    if isinstance(data_type, T.DoubleType):
        return "double precision"
    if isinstance(data_type, T.DateType):
        return "date"
    raise OrderlakeError(f"no warehouse column type for {data_type.simpleString()}")


@dataclass(frozen=True)
class WarehouseTable:
    """A warehouse table: the analytics table's columns (Parquet order) then `dt`."""

    name: str
    schema: T.StructType
    key: tuple[str, ...]

    @property
    def qualified(self) -> str:
        return f"{WAREHOUSE_SCHEMA}.{self.name}"

    @property
    def staging(self) -> str:
        return f"stage_{self.name}"

    @property
    def columns(self) -> tuple[str, ...]:
        """The Parquet columns, in file order (Redshift's COPY maps Parquet by position)."""
        return tuple(field.name for field in self.schema.fields)

    def column_definitions(self) -> list[str]:
        return [
            f"{f.name} {sql_type(f.dataType)}{'' if f.nullable else ' not null'}"
            for f in self.schema.fields
        ]


TABLES: tuple[WarehouseTable, ...] = (
    WarehouseTable("product_daily", S.PRODUCT_DAILY_SCHEMA, (S.DT, S.PRODUCT_ID)),
    WarehouseTable("top_abandoned_products", S.TOP_ABANDONED_PRODUCTS_SCHEMA, (S.DT, S.RANK)),
    WarehouseTable(
        "customer_top_abandoned",
        S.CUSTOMER_TOP_ABANDONED_SCHEMA,
        (S.DT, S.CUSTOMER_ID, S.RANK),
    ),
)


def warehouse_table(name: str) -> WarehouseTable:
    for table in TABLES:
        if table.name == name:
            return table
    known = ", ".join(t.name for t in TABLES)
    raise OrderlakeError(f"unknown warehouse table {name!r}; known: {known}")
