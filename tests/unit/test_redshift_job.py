"""The load_redshift job: off by default in the job graph, its arguments, its input checks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.stub import Stubber

from orderlake.definition import PipelineDefinition, load_definition
from orderlake.errors import OrderlakeError
from orderlake.jobs.load_redshift import LoadRedshiftConfig, run
from orderlake.jobs.registry import config_for
from orderlake.lake import Lake

RUN_DATE = dt.date(2026, 11, 21)
ROLE = "arn:aws:iam::123456789012:role/orderlake-redshift-copy"


def job(after: list[str], enabled: bool = True) -> dict:
    return {
        "script": "glue_jobs/x.py",
        "after": after,
        "enabled": enabled,
        "worker_type": "G.1X",
        "number_of_workers": 2,
        "timeout_minutes": 10,
        "max_retries": 0,
    }


def test_the_local_runner_skips_the_disabled_redshift_load():
    definition = load_definition()
    assert definition.jobs["load_redshift"].enabled is False
    assert set(definition.jobs["load_redshift"].after) == {
        "aggregate_products",
        "aggregate_customers",
    }
    order = definition.job_order()
    assert "load_redshift" not in order
    assert {"clean_orders", "aggregate_products", "aggregate_customers"} <= set(order)


def test_job_order_ignores_disabled_jobs_but_not_unknown_ones():
    definition = PipelineDefinition(
        raw={"jobs": {"a": job([]), "off": job(["a"], enabled=False), "b": job(["off", "a"])}}
    )
    assert definition.job_order() == ["a", "b"]
    broken = PipelineDefinition(raw={"jobs": {"a": job([]), "b": job(["typo"])}})
    with pytest.raises(OrderlakeError, match="job graph"):
        broken.job_order()


def test_the_jobs_arguments_are_the_table_prefixes_and_the_redshift_target():
    assert LoadRedshiftConfig.arguments() == [
        "run_date",
        "product_daily_path",
        "top_abandoned_products_path",
        "customer_top_abandoned_path",
        "redshift_workgroup",
        "redshift_database",
        "redshift_iam_role_arn",
    ]
    definition = load_definition()
    lake = Lake({zone: f"s3://orderlake-{zone}" for zone in definition.zones}, definition)
    config = config_for(
        "load_redshift",
        lake,
        RUN_DATE,
        redshift_workgroup="orderlake",
        redshift_database="dev",
        redshift_iam_role_arn=ROLE,
    )
    arguments = config.to_arguments()
    assert arguments[:4] == [
        "--run_date",
        "2026-11-21",
        "--product_daily_path",
        "s3://orderlake-analytics/product_daily",
    ]
    names = [name.removeprefix("--") for name in arguments[::2]]
    assert LoadRedshiftConfig.from_arguments(dict(zip(names, arguments[1::2], strict=True))) == (
        config
    )


def test_the_job_checks_the_parquet_before_calling_redshift(
    spark, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    daily = tmp_path / "product_daily" / "dt=2026-11-21"
    daily.mkdir(parents=True)
    # A partition whose revenue is a double, not the decimal the warehouse column holds.
    pq.write_table(
        pa.table({"product_id": ["P1"], "product_name": ["Lamp"], "revenue": [1.5]}),
        daily / "part-0.parquet",
    )
    config = LoadRedshiftConfig(
        run_date=RUN_DATE,
        product_daily_path=str(tmp_path / "product_daily"),
        top_abandoned_products_path=str(tmp_path / "top_abandoned_products"),
        customer_top_abandoned_path=str(tmp_path / "customer_top_abandoned"),
        redshift_workgroup="orderlake",
        redshift_database="dev",
        redshift_iam_role_arn=ROLE,
    )
    redshift_data = boto3.client("redshift-data", region_name="us-east-1")
    with Stubber(redshift_data), pytest.raises(OrderlakeError) as failure:
        run(spark, config, client=redshift_data)  # any Data API call would fail the stubber
    assert str(failure.value).startswith("product_daily: the Parquet at ")
    assert "missing ['category', 'units'" in str(failure.value)
