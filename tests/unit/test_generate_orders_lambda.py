"""The generator Lambda: scheduled event in, a CSV object in the raw bucket (moto)."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from orderlake import schema as S
from orderlake.errors import OrderlakeError

ROOT = Path(__file__).resolve().parents[2]
# Each Lambda's module is handler.py: load this one under a name of its own.
_spec = importlib.util.spec_from_file_location(
    "generate_orders_handler", ROOT / "lambdas" / "generate_orders" / "handler.py"
)
generate_orders = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generate_orders)

EVENT = json.loads((ROOT / "tests/fixtures/lambda/scheduled-event.json").read_text())


class FakeContext:
    function_name = "orderlake-generate-orders"
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    invoked_function_arn = (
        "arn:aws:lambda:us-east-1:123456789012:function:orderlake-generate-orders"
    )

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 300_000


@pytest.fixture
def bucket(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with mock_aws():
        boto3.client("s3").create_bucket(Bucket="orderlake-raw")
        monkeypatch.setenv("RAW_BUCKET", "orderlake-raw")
        yield "orderlake-raw"


def test_scheduled_event_writes_yesterdays_orders_to_s3(bucket, monkeypatch):
    monkeypatch.setenv("ORDERLAKE_ROWS", "250")
    result = generate_orders.handler(EVENT, FakeContext())
    assert result["date"] == "2026-11-21"
    assert result["key"] == "orders/dt=2026-11-21/orders-seed42.csv"
    body = boto3.client("s3").get_object(Bucket=bucket, Key=result["key"])["Body"].read()
    # header and one record per row (a product name may hold a quoted line break)
    assert len(list(csv.reader(io.StringIO(body.decode())))) == 251
    assert next(csv.reader(io.StringIO(body.decode()))) == list(S.RAW_COLUMNS)
    assert result["bytes"] == len(body)
    assert result["location"] == f"s3://{bucket}/{result['key']}"


def test_explicit_date_and_rows_in_the_event_win(bucket):
    result = generate_orders.handler({"date": "2026-01-05", "rows": 10}, FakeContext())
    assert result["key"] == "orders/dt=2026-01-05/orders-seed42.csv"
    body = boto3.client("s3").get_object(Bucket=bucket, Key=result["key"])["Body"].read()
    assert body.count(b"\n") == 11


def test_local_store_when_no_bucket_is_configured(tmp_path, monkeypatch):
    monkeypatch.delenv("RAW_BUCKET", raising=False)
    monkeypatch.setenv("ORDERLAKE_RAW_DIR", str(tmp_path))
    result = generate_orders.handler({"date": "2026-01-05", "rows": 3}, FakeContext())
    assert (tmp_path / result["key"]).read_bytes().count(b"\n") == 4


@pytest.mark.parametrize(
    ("event", "message"),
    [
        ({}, "neither 'date' nor 'time'"),
        ({"time": "yesterday"}, "not an ISO-8601 timestamp"),
        ({"date": "2026-02-30"}, "expected a calendar date"),
    ],
)
def test_bad_events_are_clear_errors(event, message, tmp_path, monkeypatch):
    monkeypatch.setenv("ORDERLAKE_RAW_DIR", str(tmp_path))
    with pytest.raises(OrderlakeError, match=message):
        generate_orders.handler(event, FakeContext())
    assert not any(tmp_path.iterdir())
