"""Do the Spark jobs and the DuckDB reference agree? Aggregates row for row, plus counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb

from orderlake import schema as S
from orderlake.lake import Lake

# Tables compared row for row (every column, as a multiset), and tables compared by count.
AGGREGATES: dict[str, list[str]] = {
    "product_daily": S.PRODUCT_DAILY_SCHEMA.fieldNames(),
    "top_abandoned_products": S.TOP_ABANDONED_PRODUCTS_SCHEMA.fieldNames(),
    "customer_top_abandoned": S.CUSTOMER_TOP_ABANDONED_SCHEMA.fieldNames(),
}
COUNTED = ("orders", "quarantine")


def _spark_files(lake: Lake, table: str, run_date: dt.date) -> str:
    return f"{lake.table_partition(table, run_date)}/*.parquet"


def compare_outputs(lake: Lake, reference: Path, run_date: dt.date) -> list[str]:
    """Every difference between the Spark lake's day and the reference folder; [] if none."""
    con = duckdb.connect()
    problems: list[str] = []
    for table, columns in AGGREGATES.items():
        cols = ", ".join(columns)
        spark = f"select {cols} from read_parquet('{_spark_files(lake, table, run_date)}')"
        duck = f"select {cols} from read_parquet('{reference / f'{table}.parquet'}')"
        for label, left, right in (("spark only", spark, duck), ("duckdb only", duck, spark)):
            rows = con.execute(f"({left}) except all ({right})").fetchall()
            if rows:
                problems.append(f"{table}: {len(rows)} row(s) {label}, e.g. {rows[0]}")
    for table in COUNTED:
        spark_rows = con.execute(
            f"select count(*) from read_parquet('{_spark_files(lake, table, run_date)}')"
        ).fetchone()[0]
        duck_rows = con.execute(
            f"select count(*) from read_parquet('{reference / f'{table}.parquet'}')"
        ).fetchone()[0]
        if spark_rows != duck_rows:
            problems.append(f"{table}: {spark_rows} rows in Spark, {duck_rows} in DuckDB")
    return problems


def partition_files(lake: Lake, run_date: dt.date) -> dict[str, dict[str, float]]:
    """Files per written partition and their sizes: a small-file explosion shows here."""
    report: dict[str, dict[str, float]] = {}
    for table, spec in lake.definition.tables.items():
        if spec.zone == "raw":
            continue
        folder = Path(lake.table_partition(table, run_date))
        sizes = [p.stat().st_size for p in folder.glob("*.parquet")] if folder.is_dir() else []
        if sizes:
            report[table] = {
                "files": len(sizes),
                "min_mb": min(sizes) / 1e6,
                "max_mb": max(sizes) / 1e6,
                "total_mb": sum(sizes) / 1e6,
            }
    return report
