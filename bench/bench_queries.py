"""Saved-query benchmark: saved queries over 30 days x 1M curated order lines, run locally.

    .venv/bin/python bench/bench_queries.py [--days 30] [--rows 1000000] [--lake DIR] [--runs 5]

The curated orders are written straight to the curated layout (curated/orders/dt=.../*.parquet,
the CURATED_SCHEMA column types Spark writes) with numpy and pyarrow, from the generator's value
pools, rather than pushing 30M rows through Spark. The lake is kept and reused on the next run.
Then `orderlake crawl` registers it and each query runs the way `orderlake query` runs it:
a fresh read-only catalog connection, sqlglot Athena->DuckDB, DuckDB over Parquet. It prints
the cold (first) time and the median of the warm runs. This is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from orderlake import schema as S
from orderlake.generator import QUANTITY_WEIGHTS, STATUS_WEIGHTS, GeneratorSettings, make_pools
from orderlake.lake import Lake
from orderlake.local import athena, catalog

FIRST_DAY = dt.date(2026, 10, 1)
# (query, parameters as text, what it covers)
QUERIES = [
    ("top_products_by_revenue", ["{last}"], "one day"),
    ("high_value_transactions", ["{last}", "400"], "one day"),
    ("daily_revenue_trend", ["{first}", "{last}"], "all days"),
    ("abandonment_rate_by_category", ["{first}", "{last}"], "all days"),
    ("top_customers_by_revenue", ["{first}", "{last}"], "all days"),
    ("sales_by_country_and_payment", ["{first}", "{last}"], "all days"),
]


def day_table(day: dt.date, rows: int, pools, rng: np.random.Generator) -> pa.Table:  # noqa: ANN001
    n_products, n_customers = len(pools.product_id), len(pools.customer_id)
    popularity = 1.0 / np.arange(1, n_products + 1) ** 0.8
    product = rng.choice(n_products, size=rows, p=popularity / popularity.sum())
    customer = rng.integers(0, n_customers, size=rows)
    qweights = np.asarray(QUANTITY_WEIGHTS)
    quantity = pa.array(rng.choice(5, size=rows, p=qweights / qweights.sum()) + 1, pa.int32())
    sweights = np.asarray(list(STATUS_WEIGHTS.values()))
    status = pa.array(list(STATUS_WEIGHTS)).take(
        rng.choice(len(sweights), size=rows, p=sweights / sweights.sum())
    )
    start = int(dt.datetime(day.year, day.month, day.day).timestamp())
    seconds = np.sort(rng.integers(0, 86_400, size=rows)) + start
    prices = pa.array([Decimal(p) for p in pools.product_price], pa.decimal128(10, 2))
    prices = prices.take(product)
    total = pc.multiply(prices, quantity.cast(pa.decimal128(10, 0))).cast(pa.decimal128(12, 2))
    order_ids = pc.binary_join_element_wise(
        f"ORD-{day:%Y%m%d}-bench-",
        pc.utf8_lpad(pa.array(np.arange(1, rows + 1)).cast(pa.string()), 7, "0"),
        "",
    )

    def pool(values: list[str], index: np.ndarray) -> pa.Array:
        return pa.array(values).take(index)

    return pa.table(
        {
            S.ORDER_ID: order_ids,
            S.CUSTOMER_ID: pool(pools.customer_id, customer),
            S.CUSTOMER_NAME: pool(pools.customer_name, customer),
            S.CUSTOMER_EMAIL: pool(pools.customer_email, customer),
            S.PRODUCT_ID: pool(pools.product_id, product),
            S.PRODUCT_NAME: pool(pools.product_name, product),
            S.CATEGORY: pool(pools.product_category, product),
            S.QUANTITY: quantity,
            S.UNIT_PRICE: prices,
            S.CURRENCY: pa.array(["USD"]).take(np.zeros(rows, dtype=np.int64)),
            S.ORDER_TS: pa.array(seconds * 1_000_000, pa.timestamp("us")),
            S.STATUS: status,
            S.PAYMENT_METHOD: pa.array(list(S.PAYMENT_METHODS)).take(rng.integers(0, 5, rows)),
            S.COUNTRY: pool(pools.customer_country, customer),
            S.TOTAL_AMOUNT: total,
            S.SOURCE_FILE: pa.array([f"bench/dt={day}/orders.csv"]).take(
                np.zeros(rows, dtype=np.int64)
            ),
            S.LINE_NUMBER: pa.array(np.arange(2, rows + 2), pa.int64()),
        }
    )


def build_lake(root: Path, days: int, rows: int) -> float:
    """Write the curated orders (skipping days already written); return seconds spent."""
    started = time.perf_counter()
    pools = make_pools(GeneratorSettings(customers=50_000, products=2_000, seed=42))
    folder = Path(Lake.local(root).table("orders"))
    for i in range(days):
        day = FIRST_DAY + dt.timedelta(days=i)
        target = folder / f"dt={day}"
        if (target / "part-00000.parquet").exists():
            continue
        table = day_table(day, rows, pools, np.random.default_rng(i))
        target.mkdir(parents=True, exist_ok=True)
        # Two files a day, as two Spark tasks would write; row groups of 128k rows.
        half = rows // 2
        for part, piece in enumerate((table.slice(0, half), table.slice(half))):
            tmp = target / f".part-{part:05d}.tmp"
            pq.write_table(piece, tmp, row_group_size=131_072, compression="snappy")
            tmp.rename(target / f"part-{part:05d}.parquet")
        print(f"  wrote dt={day}: {rows:,} rows", flush=True)
    return time.perf_counter() - started


def time_query(root: Path, name: str, params: list[str], runs: int) -> tuple[float, float, int]:
    query = athena.saved_query(name)
    times, rows = [], 0
    for _ in range(runs + 1):
        started = time.perf_counter()
        with catalog.connect(root, read_only=True) as con:
            result = athena.run_local(con, query, params)
        times.append(time.perf_counter() - started)
        rows = len(result.rows)
    return times[0], statistics.median(times[1:]), rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--rows", type=int, default=1_000_000, help="order lines per day")
    parser.add_argument("--lake", type=Path, default=Path("/tmp/orderlake-bench-queries"))
    parser.add_argument("--runs", type=int, default=5, help="warm runs per query")
    args = parser.parse_args()
    root = args.lake.resolve()
    print(f"lake {root}: {args.days} days x {args.rows:,} curated order lines")
    built = build_lake(root, args.days, args.rows)
    size = sum(f.stat().st_size for f in Path(Lake.local(root).table("orders")).rglob("*.parquet"))
    print(f"data ready in {built:.1f}s, {size / 2**20:,.0f} MiB of Parquet")
    started = time.perf_counter()
    with catalog.connect(root) as con:
        report = catalog.crawl(con, Lake.local(root))
    orders = next(t for t in report.tables if t.name == "orders")
    print(
        f"crawl: {time.perf_counter() - started:.2f}s, orders {len(orders.partitions)} partitions"
    )
    last = FIRST_DAY + dt.timedelta(days=args.days - 1)
    fill = {"first": FIRST_DAY.isoformat(), "last": last.isoformat()}
    print(f"\n{'query':32} {'scope':9} {'rows':>5} {'cold s':>7} {'warm s':>7}")
    for name, params, scope in QUERIES:
        values = [p.format(**fill) for p in params]
        cold, warm, rows = time_query(root, name, values, args.runs)
        print(f"{name:32} {scope:9} {rows:5d} {cold:7.3f} {warm:7.3f}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
