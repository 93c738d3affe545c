"""clean_orders: raw CSV lines of a day -> curated orders + quarantine."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pyspark import StorageLevel
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from orderlake import schema as S
from orderlake.io import read_raw_lines, write_partition
from orderlake.jobs.config import JobConfig
from orderlake.transforms.clean import quarantined_rows, to_curated_orders, validated_lines


@dataclass(frozen=True)
class CleanOrdersConfig(JobConfig):
    run_date: dt.date
    raw_orders_path: str
    orders_path: str
    quarantine_path: str


@dataclass(frozen=True)
class CleanOrdersResult:
    rows_read: int
    rows_curated: int
    rows_quarantined: int
    duplicates_dropped: int


def run(spark: SparkSession, config: CleanOrdersConfig) -> CleanOrdersResult:
    lines = read_raw_lines(spark, f"{config.raw_orders_path}/dt={config.run_date.isoformat()}")
    validated = lines.transform(validated_lines(config.run_date)).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    try:
        curated = validated.transform(to_curated_orders)
        write_partition(curated, config.orders_path, config.run_date)
        write_partition(
            validated.transform(quarantined_rows), config.quarantine_path, config.run_date
        )
        counts = validated.agg(
            F.count(F.lit(1)).alias("read"),
            F.count(F.when(F.size(S.REASONS) > 0, True)).alias("quarantined"),
            F.count_distinct(F.when(F.size(S.REASONS) == 0, F.col(S.ORDER_ID))).alias("curated"),
        ).first()
    finally:
        validated.unpersist()
    assert counts is not None
    accepted = counts["read"] - counts["quarantined"]
    return CleanOrdersResult(
        rows_read=counts["read"],
        rows_curated=counts["curated"],
        rows_quarantined=counts["quarantined"],
        duplicates_dropped=accepted - counts["curated"],
    )
