"""aggregate_products: curated orders of a day -> product_daily + top abandoned products."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyspark.sql import SparkSession

from orderlake.io import partition_bytes, read_partition, write_partition
from orderlake.jobs.config import JobConfig
from orderlake.spark import shuffles_sized_for
from orderlake.transforms.aggregates import product_daily, top_abandoned_products


@dataclass(frozen=True)
class AggregateProductsConfig(JobConfig):
    run_date: dt.date
    orders_path: str
    product_daily_path: str
    top_abandoned_products_path: str


def run(spark: SparkSession, config: AggregateProductsConfig) -> None:
    with shuffles_sized_for(spark, partition_bytes(spark, config.orders_path, config.run_date)):
        _aggregate(spark, config)


def _aggregate(spark: SparkSession, config: AggregateProductsConfig) -> None:
    daily = read_partition(spark, config.orders_path, config.run_date).transform(product_daily)
    daily = daily.coalesce(1).cache()
    try:
        write_partition(daily, config.product_daily_path, config.run_date)
        write_partition(
            daily.transform(top_abandoned_products()).coalesce(1),
            config.top_abandoned_products_path,
            config.run_date,
        )
    finally:
        daily.unpersist()
