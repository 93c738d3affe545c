"""Analytics aggregates over curated orders (one day at a time)."""

from __future__ import annotations

from collections.abc import Callable

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from orderlake import schema as S

Transform = Callable[[DataFrame], DataFrame]


def _is_status(status: str) -> Column:
    return F.col(S.STATUS) == status


def _count_where(condition: Column) -> Column:
    return F.count(F.when(condition, True))


def _sum_where(condition: Column, value: Column, data_type: str) -> Column:
    return F.coalesce(F.sum(F.when(condition, value)), F.lit(0)).cast(data_type)


def _largest_names(rows: DataFrame, keys: list[str], names: list[str]) -> DataFrame:
    """Per key, one row of names: of the rows' distinct names, the largest (by the first name
    column, then the next). Ids and names go one to one in practice; this just picks one.

    Not `max` in the main aggregate: Spark cannot hash-aggregate a string `max`, so grouped
    with the figures it would sort every row. Here a hash aggregate on strings (the distinct
    names) comes first and only its few rows per key are sorted."""
    order = [F.col(name).desc_nulls_last() for name in names]
    first = F.row_number().over(Window.partitionBy(*keys).orderBy(*order))
    return (
        rows.select(*keys, *names)
        .distinct()
        .withColumn("_first", first)
        .where(F.col("_first") == 1)
        .drop("_first")
    )


def product_daily(orders: DataFrame) -> DataFrame:
    """One row per product: sales (completed orders only), carts and abandonment."""
    completed = _is_status(S.STATUS_COMPLETED)
    abandoned = _is_status(S.STATUS_ABANDONED)
    money = S.PRODUCT_DAILY_SCHEMA[S.REVENUE].dataType.simpleString()
    names = _largest_names(orders, [S.PRODUCT_ID], [S.PRODUCT_NAME, S.CATEGORY])
    return (
        orders.groupBy(S.PRODUCT_ID)
        .agg(
            _sum_where(completed, F.col(S.QUANTITY), "bigint").alias(S.UNITS),
            _sum_where(completed, F.col(S.TOTAL_AMOUNT), money).alias(S.REVENUE),
            _count_where(completed).alias(S.ORDERS),
            F.count(F.lit(1)).alias(S.CARTS),
            _count_where(abandoned).alias(S.ABANDONED_CARTS),
            _sum_where(abandoned, F.col(S.TOTAL_AMOUNT), money).alias(S.ABANDONED_VALUE),
        )
        .join(names, on=S.PRODUCT_ID)
        .withColumn(S.ABANDONMENT_RATE, (F.col(S.ABANDONED_CARTS) / F.col(S.CARTS)).cast("double"))
        .select(*S.PRODUCT_DAILY_SCHEMA.fieldNames())
    )


def _ranked(by: list[str] | None, limit: int) -> Transform:
    """Keep the `limit` first rows (per `by` group): most abandoned carts, then most abandoned
    value, then product id, so ties rank the same way every run."""

    def transform(df: DataFrame) -> DataFrame:
        order = [
            F.col(S.ABANDONED_CARTS).desc(),
            F.col(S.ABANDONED_VALUE).desc(),
            F.col(S.PRODUCT_ID).asc(),
        ]
        window = (Window.partitionBy(*by) if by else Window.partitionBy()).orderBy(*order)
        return df.withColumn(S.RANK, F.row_number().over(window)).where(F.col(S.RANK) <= limit)

    return transform


def top_abandoned_products(limit: int = S.TOP_ABANDONED_PRODUCTS) -> Transform:
    """From product_daily: the products most often left in a cart."""

    def transform(daily: DataFrame) -> DataFrame:
        return (
            daily.where(F.col(S.ABANDONED_CARTS) > 0)
            .transform(_ranked(None, limit))
            .select(*S.TOP_ABANDONED_PRODUCTS_SCHEMA.fieldNames())
        )

    return transform


def customer_top_abandoned(limit: int = S.TOP_ABANDONED_PER_CUSTOMER) -> Transform:
    """From curated orders: each customer's most abandoned products."""

    def transform(orders: DataFrame) -> DataFrame:
        money = S.CUSTOMER_TOP_ABANDONED_SCHEMA[S.ABANDONED_VALUE].dataType.simpleString()
        # Only abandoned lines (a few percent of the day): a string `max` sorting them costs
        # less here than a separate distinct-names pass and join (measured at 10M rows).
        return (
            orders.where(_is_status(S.STATUS_ABANDONED))
            .groupBy(S.CUSTOMER_ID, S.PRODUCT_ID)
            .agg(
                F.max(S.CUSTOMER_NAME).alias(S.CUSTOMER_NAME),
                F.max(S.PRODUCT_NAME).alias(S.PRODUCT_NAME),
                F.count(F.lit(1)).alias(S.ABANDONED_CARTS),
                F.sum(S.TOTAL_AMOUNT).cast(money).alias(S.ABANDONED_VALUE),
            )
            .transform(_ranked([S.CUSTOMER_ID], limit))
            .select(*S.CUSTOMER_TOP_ABANDONED_SCHEMA.fieldNames())
        )

    return transform
