"""load_redshift (optional): the day's analytics tables into Redshift Serverless.

The Parquet partitions are checked against the warehouse tables (footers only, through Spark),
then one load plan runs through the Redshift Data API as a single transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pyspark.sql import SparkSession

from orderlake.dates import partition
from orderlake.io import read_partition
from orderlake.jobs.config import JobConfig
from orderlake.warehouse.plan import build_plan
from orderlake.warehouse.redshift import DataApiWarehouse
from orderlake.warehouse.result import LoadResult
from orderlake.warehouse.source import check_columns
from orderlake.warehouse.tables import TABLES, sql_type

PATH_SUFFIX = "_path"


@dataclass(frozen=True)
class LoadRedshiftConfig(JobConfig):
    run_date: dt.date
    product_daily_path: str
    top_abandoned_products_path: str
    customer_top_abandoned_path: str
    redshift_workgroup: str
    redshift_database: str
    redshift_iam_role_arn: str


def run(spark: SparkSession, config: LoadRedshiftConfig, client: Any = None) -> LoadResult:
    def table_path(name: str) -> str:
        return str(getattr(config, f"{name}{PATH_SUFFIX}"))

    for table in TABLES:
        fields = read_partition(spark, table_path(table.name), config.run_date).schema.fields
        found = [(f.name, sql_type(f.dataType)) for f in fields]
        check_columns(table, found, f"{table_path(table.name)}/{partition(config.run_date)}")
    plan = build_plan(
        config.run_date, TABLES, lambda name: f"{table_path(name)}/{partition(config.run_date)}"
    )
    if client is None:
        import boto3  # only the AWS path needs it; credentials come from the job's IAM role

        client = boto3.client("redshift-data")
    warehouse = DataApiWarehouse(client, config.redshift_workgroup, config.redshift_database)
    return warehouse.load(plan, config.redshift_iam_role_arn)
