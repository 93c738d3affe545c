"""scripts/smoke_test.py's checks that only a real account answers, against moto's S3, Glue,
CloudWatch and Logs (Glue Data Quality results, which moto lacks, from a stub): each check
fails on the deployment defect it exists for."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("smoke_test", ROOT / "scripts" / "smoke_test.py")
smoke = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(smoke)

DAY = dt.date(2026, 11, 21)
KEY = f"orders/dt={DAY}/orders-seed42.csv"
OUT = {
    "buckets": {"raw": "raw-b", "archive": "archive-b"},
    "glue_jobs": {"clean_orders": "orderlake-clean_orders"},
    "lambda_functions": {"archive": "orderlake-archive_raw"},
    "raw_orders_prefix": "orders",
}


class GlueWithQualityResults:
    """moto's Glue client plus ListDataQualityResults, which moto does not implement."""

    def __init__(self, client: Any, results: list[dict[str, Any]]) -> None:
        self.client, self.results = client, results

    def list_data_quality_results(self, **_: Any) -> dict[str, Any]:
        return {"Results": self.results}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


@pytest.fixture
def aws(monkeypatch):
    for name, value in {
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=2)
        s3 = boto3.client("s3")
        for bucket in OUT["buckets"].values():
            s3.create_bucket(Bucket=bucket)
        glue = boto3.client("glue")
        glue.create_job(Name="orderlake-clean_orders", Role="r", Command={"Name": "glueetl"})
        run_id = glue.start_job_run(JobName="orderlake-clean_orders")["JobRunId"]
        state: dict[str, Any] = {"dq": [{"ResultId": "dqresult-1"}], "run_id": run_id}
        real_client = boto3.client

        def client(service: str, *args: Any, **kwargs: Any) -> Any:
            made = real_client(service, *args, **kwargs)
            return GlueWithQualityResults(made, state["dq"]) if service == "glue" else made

        monkeypatch.setattr(smoke.boto3, "client", client)
        yield started, state


def archived(executors: float | None = 3.0, copy_bytes: int = 120, log: bool = True) -> None:
    """What a healthy run leaves: the archive copy, its log line, Glue's executor metric."""
    boto3.client("s3").put_object(Bucket="archive-b", Key=KEY, Body=b"x" * copy_bytes)
    logs = boto3.client("logs")
    group = "/aws/lambda/orderlake-archive_raw"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    if log:
        logs.put_log_events(
            logGroupName=group,
            logStreamName="s",
            logEvents=[
                {
                    "timestamp": int(dt.datetime.now(dt.UTC).timestamp() * 1000),
                    "message": "archived 1 objects ... (size and SHA-256 verified)",
                }
            ],
        )


def put_executors(run_id: str, value: float) -> None:
    boto3.client("cloudwatch").put_metric_data(
        Namespace="Glue",
        MetricData=[
            {
                "MetricName": smoke.EXECUTORS_METRIC,
                "Dimensions": [
                    {"Name": "JobName", "Value": "orderlake-clean_orders"},
                    {"Name": "JobRunId", "Value": run_id},
                    {"Name": "Type", "Value": "gauge"},
                ],
                "Timestamp": dt.datetime.now(dt.UTC),
                "Value": value,
            }
        ],
    )


WRITTEN = {"key": KEY, "bytes": 120}


def check(started: dt.datetime) -> bool:
    return smoke.only_aws_shows(OUT, DAY, WRITTEN, started, timeout=0.5, every=0.1)


def test_a_healthy_run_passes_every_check(aws, capsys):
    started, state = aws
    archived()
    put_executors(state["run_id"], 2)
    assert check(started), capsys.readouterr().out


def test_a_job_without_executors_fails(aws, capsys):
    started, state = aws
    archived()  # no executor metric: everything ran in the driver (a session in local mode)
    assert not check(started)
    assert "FAIL clean_orders run" in capsys.readouterr().out


def test_an_archive_copy_of_the_wrong_size_fails(aws, capsys):
    started, state = aws
    archived(copy_bytes=119)
    put_executors(state["run_id"], 2)
    assert not check(started)
    assert "FAIL archive holds" in capsys.readouterr().out


def test_an_archive_lambda_that_never_verified_fails(aws, capsys):
    started, state = aws
    archived(log=False)
    put_executors(state["run_id"], 2)
    assert not check(started)
    assert "FAIL archive Lambda logged verified copies" in capsys.readouterr().out


def test_unpublished_data_quality_results_fail(aws, capsys):
    started, state = aws
    state["dq"].clear()
    archived()
    put_executors(state["run_id"], 2)
    assert not check(started)
    assert "FAIL clean_orders data quality results published" in capsys.readouterr().out
