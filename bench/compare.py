"""Do the Spark jobs and the DuckDB reference agree? The aggregates, the curated orders and the
quarantine row for row; the row accounting per file and for the run; every DQDL rule's
metrics."""

from __future__ import annotations

import datetime as dt
import json
import math
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
# Row for row too, on these columns (a file by its name: Spark writes a URI, DuckDB a path).
_NAME = "regexp_extract(source_file, '[^/]*$')"
ROWS: dict[str, list[str]] = {
    "orders": [
        f"{_NAME} as source_file",
        S.LINE_NUMBER,
        S.ORDER_ID,
        S.CUSTOMER_ID,
        S.PRODUCT_NAME,
        S.QUANTITY,
        S.UNIT_PRICE,
        S.TOTAL_AMOUNT,
        S.STATUS,
        f"cast({S.ORDER_TS} as timestamp) as {S.ORDER_TS}",
    ],
    "quarantine": [
        f"{_NAME} as source_file",
        S.LINE_NUMBER,
        S.REASON,
        S.REASONS,
        S.ORDER_ID,
        S.RAW_LINE,
        f"regexp_extract({S.KEPT_SOURCE_FILE}, '[^/]*$') as {S.KEPT_SOURCE_FILE}",
        S.KEPT_LINE_NUMBER,
    ],
}
ACCOUNTING = (S.ROWS_READ, S.ROWS_CURATED, S.ROWS_QUARANTINED, S.DUPLICATES_DROPPED)
# Metrics that are sums or moments of doubles differ in the last bits with the order of the
# additions.
RELATIVE_TOLERANCE = 1e-9


def _spark_files(lake: Lake, table: str, run_date: dt.date) -> str:
    return f"{lake.table_partition(table, run_date)}/*.parquet"


def compare_outputs(lake: Lake, reference: Path, run_date: dt.date) -> list[str]:
    """Every difference between the Spark lake's day and the reference folder; [] if none."""
    con = duckdb.connect()
    problems: list[str] = []
    for table in COUNTED:
        spark_rows = con.execute(
            f"select count(*) from read_parquet('{_spark_files(lake, table, run_date)}')"
        ).fetchone()[0]
        duck_rows = con.execute(
            f"select count(*) from read_parquet('{reference / f'{table}.parquet'}')"
        ).fetchone()[0]
        if spark_rows != duck_rows:
            problems.append(f"{table}: {spark_rows} rows in Spark, {duck_rows} in DuckDB")
    for table, columns in {**AGGREGATES, **ROWS}.items():
        cols = ", ".join(columns)
        spark = f"select {cols} from read_parquet('{_spark_files(lake, table, run_date)}')"
        duck = f"select {cols} from read_parquet('{reference / f'{table}.parquet'}')"
        for label, left, right in (("spark only", spark, duck), ("duckdb only", duck, spark)):
            rows = con.execute(f"({left}) except all ({right})").fetchall()
            if rows:
                problems.append(f"{table}: {len(rows)} row(s) {label}, e.g. {rows[0]}")
    problems += compare_dq_results(lake, reference, run_date, con)
    return problems


def compare_dq_results(
    lake: Lake, reference: Path, run_date: dt.date, con: duckdb.DuckDBPyConnection
) -> list[str]:
    """The row accounting (per file, by name, and for the run) and each rule's metrics in
    Spark's dq_results against the reference's dq_results.json."""
    expected = json.loads((reference / "dq_results.json").read_text())
    rows = con.execute(
        f"select record_type, {_NAME}, {', '.join(ACCOUNTING)}, rule, evaluated_metrics "
        f"from read_parquet('{_spark_files(lake, 'dq_results', run_date)}')"
    ).fetchall()
    problems = []
    spark_files = {r[1]: r[2:6] for r in rows if r[0] == S.RECORD_FILE}
    duck_files = {
        f["source_file"].rsplit("/", 1)[-1]: tuple(f[n] for n in ACCOUNTING)
        for f in expected["files"]
    }
    runs = [r[2:6] for r in rows if r[0] == S.RECORD_RUN]
    pairs = [("run", runs[0] if runs else None, tuple(expected["run"][n] for n in ACCOUNTING))]
    pairs += [
        (f"file {n}", spark_files.get(n), duck_files.get(n))
        for n in sorted(set(spark_files) | set(duck_files))
    ]
    for what, spark, duck in pairs:
        if spark != duck:
            problems.append(
                f"dq_results {what}: accounting (read, curated, quarantined, duplicates) "
                f"{spark} in Spark, {duck} in DuckDB"
            )
    spark_rules = {r[6]: dict(r[7] or {}) for r in rows if r[0] == S.RECORD_RULE}
    duck_rules = expected["rules"]
    for rule in sorted(set(spark_rules) | set(duck_rules)):
        if rule not in duck_rules:
            problems.append(
                f"dq_results rule {rule!r}: no reference metrics (a rule of quality/*.dqdl "
                "changed? bench/duckdb_reference.py's _RULE_METRICS names each)"
            )
        elif rule not in spark_rules:
            problems.append(f"dq_results rule {rule!r}: in the reference, not in Spark's results")
        elif not _same_metrics(spark_rules[rule], duck_rules[rule]):
            problems.append(
                f"dq_results rule {rule!r}: metrics {spark_rules[rule]} in Spark, "
                f"{duck_rules[rule]} in DuckDB"
            )
    return problems


def _same_metrics(spark: dict[str, float], duck: dict[str, float]) -> bool:
    return set(spark) == set(duck) and all(
        math.isclose(spark[k], duck[k], rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-12) for k in spark
    )


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
