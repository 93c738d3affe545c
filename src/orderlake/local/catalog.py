"""The local Glue Data Catalog: a DuckDB database file in the lake, one view per table.

Views carry the Glue database and table names the AWS crawlers produce (pipeline.yaml), so
saved Athena queries name the same tables in both places.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from orderlake.lake import Lake

CATALOG_FILE = "catalog.duckdb"
# Tables crawled for querying: everything but the raw CSV landing zone.
RAW_ZONE = "raw"


def catalog_path(lake_root: Path | str) -> Path:
    return Path(lake_root) / CATALOG_FILE


def connect(lake_root: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(catalog_path(lake_root)), read_only=read_only)


def parquet_glob(table_folder: str) -> str:
    return f"{table_folder}/dt=*/*.parquet"


def register_tables(con: duckdb.DuckDBPyConnection, lake: Lake) -> list[str]:
    """(Re)create a view for each table that has at least one partition; return their names."""
    database = lake.definition.glue_database
    con.execute(f'create schema if not exists "{database}"')
    registered = []
    for name, table in lake.definition.tables.items():
        if table.zone == RAW_ZONE:
            continue
        folder = Path(lake.table(name))
        if not any(folder.glob("dt=*/*.parquet")):
            continue
        glob = parquet_glob(str(folder)).replace("'", "''")
        con.execute(
            f'create or replace view "{database}"."{name}" as '
            f"select * from read_parquet('{glob}', hive_partitioning = true, "
            "hive_types = {'dt': 'VARCHAR'}, union_by_name = true)"
        )
        registered.append(name)
    return registered
