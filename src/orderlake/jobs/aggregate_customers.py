"""aggregate_customers: curated orders of a day -> each customer's top abandoned products."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyspark.sql import SparkSession

from orderlake.io import partition_bytes, read_partition, write_partition
from orderlake.jobs.config import JobConfig
from orderlake.spark import shuffles_sized_for
from orderlake.transforms.aggregates import customer_top_abandoned


@dataclass(frozen=True)
class AggregateCustomersConfig(JobConfig):
    run_date: dt.date
    orders_path: str
    customer_top_abandoned_path: str


def run(spark: SparkSession, config: AggregateCustomersConfig) -> None:
    with shuffles_sized_for(spark, partition_bytes(spark, config.orders_path, config.run_date)):
        top = read_partition(spark, config.orders_path, config.run_date).transform(
            customer_top_abandoned()
        )
        write_partition(top.coalesce(1), config.customer_top_abandoned_path, config.run_date)
