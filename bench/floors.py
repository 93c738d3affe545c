"""Spark floors: plain Spark work of each kind the pipeline does, timed on the same day.

Run alone: python -m bench.floors RAW_DAY OUT [--result FILE]   (or python -m bench --floors)

Not the pipeline, and its outputs are not compared with anything: a yardstick for the jobs'
figures. Each step is the plainest Spark form of one kind of work `clean_orders` and the
aggregates must do (read the lines, split and type them, encode Parquet, group by a string id,
aggregate per product): a plain cost, not a proven lower bound (the jobs' own dedupe, a long
key over cached rows, beats the distinct count). Plus the straightforward job a newcomer
would write (Spark's CSV reader, casts, `dropDuplicates`, Parquet), which does a subset of
the pipeline's work with none of its guarantees: no reasons, no quarantine, no line numbers,
no first-occurrence rule, no rules. Each step is one Spark action in one local session with
the pipeline's settings, so the figures tell how far the jobs are from what Spark itself
costs on this machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from bench import report
from bench.spark_side import run_in_session
from orderlake import schema as S

# The warm steps: the fixed cost of one small action once the JVM has run the others.
TINY_ROWS = 1000
WARM_REPEATS = 20
# Step names in the order they run, with what each measures (printed by the harness).
FLOORS: dict[str, str] = {
    "session_start": "start a local session: a fresh JVM (the same settings as the jobs')",
    "read_lines": "read the CSV as lines and count them (the session's first action: cold)",
    "split_and_type": "split each line at commas, cast quantity, price and time (not written)",
    "write_parquet": "the same, written as snappy Parquet",
    "group_by_id": "count the distinct order ids in that Parquet (a string-keyed hash aggregate)",
    "product_aggregate": "per product and day from that Parquet: units, revenue, orders",
    "plain_job": "Spark's CSV reader, casts, dropDuplicates(order_id), Parquet",
    "warm_action": f"one count of {TINY_ROWS:,} rows, warm (median of {WARM_REPEATS})",
    "warm_shuffle": f"one group-by of {TINY_ROWS:,} rows collected, warm (median of "
    f"{WARM_REPEATS}): a shuffle's two Spark jobs",
}
_TYPED = {S.QUANTITY: "int", S.UNIT_PRICE: S.PRICE_TYPE.simpleString(), S.ORDER_TS: "timestamp"}


def _typed(fields: DataFrame) -> DataFrame:
    return fields.select(
        *[
            F.col(name).cast(_TYPED[name]) if name in _TYPED else F.col(name)
            for name in fields.columns
        ]
    )


def _split(lines: DataFrame) -> DataFrame:
    parts = F.split(F.col("value"), ",", -1)
    data = lines.where(~F.col("value").startswith(f"{S.ORDER_ID},") & (F.col("value") != ""))
    return _typed(data.select(*[parts[i].alias(name) for i, name in enumerate(S.RAW_COLUMNS)]))


def _plain_job(spark: SparkSession, raw_day: str) -> DataFrame:
    orders = _typed(spark.read.schema(S.RAW_SCHEMA).option("header", "true").csv(raw_day))
    complete = orders.dropna(subset=[S.QUANTITY, S.UNIT_PRICE, S.ORDER_TS])
    return complete.dropDuplicates([S.ORDER_ID]).withColumn(
        S.TOTAL_AMOUNT, (F.col(S.QUANTITY) * F.col(S.UNIT_PRICE)).cast(S.AMOUNT_TYPE)
    )


def _warm(action: Callable[[], object]) -> float:
    """The median wall of `action`, run WARM_REPEATS times after one untimed run."""
    action()
    walls = []
    for _ in range(WARM_REPEATS):
        started = time.perf_counter()
        action()
        walls.append(time.perf_counter() - started)
    return statistics.median(walls)


def run_floors(
    spark: SparkSession, raw_day: Path, out: Path
) -> tuple[dict[str, float], dict[str, int]]:
    """Time each floor step; (wall seconds per step, row counts that show each step did its
    work). `out` receives the steps' Parquet."""
    day = str(raw_day)
    lines = spark.read.text(day)
    typed_path, plain_path = str(out / "typed"), str(out / "plain")

    def noop(df: DataFrame) -> None:
        df.write.format("noop").mode("overwrite").save()

    parquet = spark.read.parquet
    steps: dict[str, Callable[[], object]] = {
        "read_lines": lines.count,
        "split_and_type": lambda: noop(_split(lines)),
        "write_parquet": lambda: _split(lines).write.mode("overwrite").parquet(typed_path),
        "group_by_id": lambda: parquet(typed_path).select(F.count_distinct(S.ORDER_ID)).first(),
        "product_aggregate": lambda: (
            parquet(typed_path)
            .groupBy(S.PRODUCT_ID, F.to_date(S.ORDER_TS).alias("day"))
            .agg(
                F.sum(S.QUANTITY).alias("units"),
                F.sum(F.col(S.QUANTITY) * F.col(S.UNIT_PRICE)).alias("revenue"),
                F.count(F.lit(1)).alias("orders"),
            )
            .coalesce(1)
            .write.mode("overwrite")
            .parquet(str(out / "products"))
        ),
        "plain_job": lambda: _plain_job(spark, day).write.mode("overwrite").parquet(plain_path),
        "warm_action": lambda: _warm(lambda: spark.range(TINY_ROWS).count()),
        "warm_shuffle": lambda: _warm(
            lambda: spark.range(TINY_ROWS).groupBy((F.col("id") % 10).alias("k")).count().collect()
        ),
    }
    assert ["session_start", *steps] == list(FLOORS)
    timings: dict[str, float] = {}
    for name, step in steps.items():
        started = time.perf_counter()
        took = step()
        timings[name] = took if name.startswith("warm_") else time.perf_counter() - started
    rows = {
        "lines": lines.count(),
        "typed": parquet(typed_path).count(),
        "distinct_ids": parquet(typed_path).select(S.ORDER_ID).distinct().count(),
        "products": parquet(str(out / "products")).count(),
        "plain": parquet(plain_path).count(),
    }
    return timings, rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_day", type=Path, help="a raw dt= folder of CSV files")
    parser.add_argument("out", type=Path, help="where the steps write their Parquet")
    parser.add_argument("--result", type=Path, help="write timings and peak RSS here (JSON)")
    args = parser.parse_args(argv)
    if not any(args.raw_day.glob("*.csv")):
        parser.error(f"no CSV files in {args.raw_day}")

    def work(spark: SparkSession) -> dict[str, Any]:
        timings, rows = run_floors(spark, args.raw_day, args.out)
        return {"floors": timings, "rows": rows}

    figures = run_in_session("orderlake-floors", work)
    figures["floors"] = {"session_start": figures["session_start_s"], **figures["floors"]}
    report(figures, args.result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
