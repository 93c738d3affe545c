"""`orderlake runs --engine aws`: Glue job runs through boto3, on moto."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from orderlake.aws.glue_runs import glue_job_names, list_runs, record_from
from orderlake.cli import main
from orderlake.definition import load_definition
from orderlake.errors import OrderlakeError

JOBS = {
    "clean_orders": "orderlake-clean_orders",
    "aggregate_products": "orderlake-aggregate_products",
}


@pytest.fixture
def glue(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        client = boto3.client("glue")
        for glue_name in glue_job_names(load_definition()).values():
            client.create_job(
                Name=glue_name,
                Role="arn:aws:iam::123456789012:role/orderlake-glue",
                Command={"Name": "glueetl", "ScriptLocation": f"s3://artifacts/{glue_name}.py"},
                GlueVersion="5.0",
            )
        yield client


def test_runs_are_read_from_glue_with_their_run_dates(glue: Any) -> None:
    explicit = glue.start_job_run(
        JobName="orderlake-clean_orders", Arguments={"--run_date": "2026-11-20"}
    )
    scheduled = glue.start_job_run(JobName="orderlake-aggregate_products")
    records = list_runs(glue, JOBS)
    by_id = {r.id: r for r in records}
    assert set(by_id) == {explicit["JobRunId"], scheduled["JobRunId"]}
    assert by_id[explicit["JobRunId"]].run_date == dt.date(2026, 11, 20)
    started = by_id[scheduled["JobRunId"]].started_at
    # No --run_date: the scheduled default, the day before the run started (UTC).
    assert by_id[scheduled["JobRunId"]].run_date == started.date() - dt.timedelta(days=1)
    assert all(r.state == "SUCCEEDED" for r in records)
    only = list_runs(glue, JOBS, run_date=dt.date(2026, 11, 20))
    assert [r.id for r in only] == [explicit["JobRunId"]]
    assert list_runs(glue, JOBS, state="FAILED") == []
    assert [r.job for r in list_runs(glue, JOBS, job="aggregate_products")] == [
        "aggregate_products"
    ]


def test_a_failed_glue_run_keeps_its_state_and_error() -> None:
    started = dt.datetime(2026, 11, 22, 1, 45, tzinfo=dt.UTC)
    record = record_from(
        {
            "Id": "jr_1",
            "JobName": "orderlake-clean_orders",
            "StartedOn": started,
            "CompletedOn": started + dt.timedelta(minutes=3),
            "JobRunState": "FAILED",
            "ErrorMessage": "OrderlakeError: 5 blocking data quality rule(s) failed",
            "ExecutionTime": 180,
            "Arguments": {"--run_date": "yesterday"},
        },
        "clean_orders",
    )
    assert record.job == "clean_orders"
    assert (record.state, record.run_date, record.duration_s) == (
        "FAILED",
        dt.date(2026, 11, 21),
        180.0,
    )
    assert record.error == "OrderlakeError: 5 blocking data quality rule(s) failed"


def test_a_job_missing_in_aws_is_a_clear_error(glue: Any) -> None:
    with pytest.raises(OrderlakeError, match="Glue job 'orderlake-nope' not found: deploy"):
        list_runs(glue, {"nope": "orderlake-nope"})


def test_runs_command_reads_glue(glue: Any, capsys: pytest.CaptureFixture[str]) -> None:
    run = glue.start_job_run(
        JobName="orderlake-clean_orders", Arguments={"--run_date": "2026-11-20"}
    )
    assert main(["runs", "--engine", "aws", "--date", "2026-11-20"]) == 0
    out = capsys.readouterr().out
    assert run["JobRunId"] in out and "clean_orders" in out and "SUCCEEDED" in out
