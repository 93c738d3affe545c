"""Analytics aggregates, with expected DataFrames built on the output schemas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from chispa import assert_df_equality
from pyspark.sql import functions as F

from orderlake import schema as S
from orderlake.transforms.aggregates import (
    customer_top_abandoned,
    product_daily,
    top_abandoned_products,
)

TS = dt.datetime(2026, 11, 21, 12, 0, 0)


def _orders(spark, rows):
    """Curated orders from (order, customer, product, quantity, price, status) tuples."""
    full = [
        (
            order,
            customer,
            f"Name {customer}",
            f"{customer.lower()}@example.com",
            product,
            f"Product {product}",
            "Books" if product < "P5" else "Toys",
            quantity,
            Decimal(price),
            "USD",
            TS,
            status,
            "card",
            "US",
            Decimal(price) * quantity,
            "file.csv",
            i + 2,
        )
        for i, (order, customer, product, quantity, price, status) in enumerate(rows)
    ]
    return spark.createDataFrame(full, S.CURATED_SCHEMA)


ROWS = [
    ("o1", "C1", "P1", 2, "10.00", S.STATUS_COMPLETED),
    ("o2", "C1", "P1", 1, "10.00", S.STATUS_ABANDONED),
    ("o3", "C2", "P1", 1, "10.00", S.STATUS_ABANDONED),
    ("o4", "C2", "P2", 3, "5.50", S.STATUS_COMPLETED),
    ("o5", "C2", "P2", 1, "5.50", S.STATUS_CANCELLED),
    ("o6", "C1", "P9", 1, "99.99", S.STATUS_ABANDONED),
    ("o7", "C1", "P9", 2, "99.99", S.STATUS_RETURNED),
]


def test_product_daily_counts_sales_from_completed_orders_and_carts_from_all(spark):
    actual = _orders(spark, ROWS).transform(product_daily)
    expected = spark.createDataFrame(
        [
            ("P1", "Product P1", "Books", 2, Decimal("20.00"), 1, 3, 2, Decimal("20.00"), 2 / 3),
            ("P2", "Product P2", "Books", 3, Decimal("16.50"), 1, 2, 0, Decimal("0.00"), 0.0),
            ("P9", "Product P9", "Toys", 0, Decimal("0.00"), 0, 2, 1, Decimal("99.99"), 0.5),
        ],
        S.PRODUCT_DAILY_SCHEMA,
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_top_abandoned_products_ranks_by_carts_then_value_then_id_and_drops_zero(spark):
    daily = _orders(spark, ROWS).transform(product_daily)
    actual = daily.transform(top_abandoned_products(limit=50))
    expected = spark.createDataFrame(
        [
            (1, "P1", "Product P1", "Books", 2, Decimal("20.00")),
            (2, "P9", "Product P9", "Toys", 1, Decimal("99.99")),
        ],
        S.TOP_ABANDONED_PRODUCTS_SCHEMA,
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_top_abandoned_products_keeps_only_the_limit(spark):
    rows = [(f"o{i}", "C1", f"P{i:02d}", 1, "1.00", S.STATUS_ABANDONED) for i in range(60)]
    top = _orders(spark, rows).transform(product_daily).transform(top_abandoned_products())
    ranks = [r[S.RANK] for r in top.orderBy(S.RANK).collect()]
    assert ranks == list(range(1, S.TOP_ABANDONED_PRODUCTS + 1))
    # all tied on carts and value: product id breaks the tie
    assert top.where(F.col(S.RANK) == 1).first()[S.PRODUCT_ID] == "P00"


def test_customer_top_abandoned_ranks_each_customers_products(spark):
    rows = [*ROWS, ("o8", "C1", "P1", 1, "10.00", S.STATUS_ABANDONED)]
    actual = _orders(spark, rows).transform(customer_top_abandoned(limit=10))
    expected = spark.createDataFrame(
        [
            ("C1", "Name C1", 1, "P1", "Product P1", 2, Decimal("20.00")),
            ("C1", "Name C1", 2, "P9", "Product P9", 1, Decimal("99.99")),
            ("C2", "Name C2", 1, "P1", "Product P1", 1, Decimal("10.00")),
        ],
        S.CUSTOMER_TOP_ABANDONED_SCHEMA,
    )
    assert_df_equality(actual, expected, ignore_row_order=True, ignore_nullable=True)


def test_customer_top_abandoned_keeps_ten_per_customer(spark):
    rows = [(f"o{i}", "C1", f"P{i:02d}", 1, f"{i + 1}.00", S.STATUS_ABANDONED) for i in range(15)]
    top = _orders(spark, rows).transform(customer_top_abandoned())
    kept = [r[S.PRODUCT_ID] for r in top.orderBy(S.RANK).collect()]
    # equal carts: the most valuable first
    assert kept == [f"P{i:02d}" for i in range(14, 4, -1)]
