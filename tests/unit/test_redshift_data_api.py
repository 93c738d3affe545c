"""The Redshift Data API executor at the boto3 client boundary (botocore Stubber).

moto's redshift-data has no batch_execute_statement, so the responses here are recorded-shape
ones, validated by the Stubber against the service model: success, a failed statement, a
timeout (with cancel), and a refused submission.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from orderlake.errors import OrderlakeError
from orderlake.warehouse.plan import build_plan, redshift_copy
from orderlake.warehouse.redshift import Backoff, DataApiWarehouse
from orderlake.warehouse.tables import TABLES

RUN_DATE = dt.date(2026, 11, 21)
ROLE = "arn:aws:iam::123456789012:role/orderlake-redshift-copy"
STATEMENT_ID = "d9b8f4d2-5a6c-4f8e-9b1a-0c2d3e4f5a6b"
NOW = dt.datetime(2026, 11, 22, 2, 30, tzinfo=dt.UTC)
PLAN = build_plan(RUN_DATE, TABLES, lambda name: f"s3://orderlake-analytics/{name}/dt=2026-11-21")
SQLS = [step.sql for step in PLAN.render(redshift_copy(ROLE))]


class FakeClock:
    """Time that moves only when the executor sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Stubber]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    redshift_data = boto3.client("redshift-data", region_name="us-east-1")
    with Stubber(redshift_data) as stubber:
        yield redshift_data, stubber
        stubber.assert_no_pending_responses()


def warehouse(redshift_data: Any, clock: FakeClock, timeout: float = 900) -> DataApiWarehouse:
    return DataApiWarehouse(
        redshift_data,
        workgroup="orderlake",
        database="dev",
        timeout_seconds=timeout,
        backoff=Backoff(first=0.5, most=4.0),
        sleep=clock.sleep,
        clock=clock,
    )


def expect_submit(stubber: Stubber) -> None:
    stubber.add_response(
        "batch_execute_statement",
        {"Id": STATEMENT_ID, "CreatedAt": NOW, "Database": "dev", "WorkgroupName": "orderlake"},
        {
            "WorkgroupName": "orderlake",
            "Database": "dev",
            "Sqls": SQLS,
            "StatementName": "orderlake-load-2026-11-21",
        },
    )


def sub_statement(index: int, status: str, **extra: Any) -> dict[str, Any]:
    return {
        "Id": f"{STATEMENT_ID}:{index}",
        "Status": status,
        "QueryString": SQLS[index - 1],
        "CreatedAt": NOW,
        "UpdatedAt": NOW,
        "Duration": 1_200_000 if status == "FINISHED" else -1,
        "HasResultSet": False,
        "RedshiftQueryId": 4000 + index if status in ("FINISHED", "FAILED") else 0,
        **extra,
    }


def described(status: str, subs: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "Id": STATEMENT_ID,
        "Status": status,
        "CreatedAt": NOW,
        "UpdatedAt": NOW,
        "Database": "dev",
        "WorkgroupName": "orderlake",
        "HasResultSet": False,
        "RedshiftPid": 1073815,
        "Duration": -1,
        "SubStatements": subs,
        **extra,
    }


def test_a_successful_load_polls_with_backoff_and_counts_inserted_rows(client):
    redshift_data, stubber = client
    clock = FakeClock()
    expect_submit(stubber)
    for status in ("SUBMITTED", "PICKED", "STARTED"):
        stubber.add_response("describe_statement", described(status, []), {"Id": STATEMENT_ID})
    inserted = {4: 60, 9: 50, 14: 171}  # the INSERT statement of each table
    subs = [
        sub_statement(i, "FINISHED", ResultRows=inserted.get(i, 0)) for i in range(1, len(SQLS) + 1)
    ]
    stubber.add_response("describe_statement", described("FINISHED", subs), {"Id": STATEMENT_ID})

    result = warehouse(redshift_data, clock).load(PLAN, ROLE)

    assert result.rows_by_table == {
        "product_daily": 60,
        "top_abandoned_products": 50,
        "customer_top_abandoned": 171,
    }
    assert clock.sleeps == [0.5, 1.0, 2.0]


def test_a_failed_statement_names_its_table_sql_and_redshifts_message(client):
    redshift_data, stubber = client
    expect_submit(stubber)
    error = (
        "ERROR: Spectrum Scan Error. File 's3://orderlake-analytics/top_abandoned_products/"
        "dt=2026-11-21/part-00000.snappy.parquet' has an incompatible Parquet schema for "
        "column 'abandoned_value'. Column type: DECIMAL(22,2), Parquet schema: optional double"
    )
    subs = [sub_statement(i, "FINISHED") for i in range(1, 7)]
    subs.append(sub_statement(7, "FAILED", Error=error))
    subs += [sub_statement(i, "ABORTED") for i in range(8, len(SQLS) + 1)]
    stubber.add_response(
        "describe_statement", described("FAILED", subs, Error=error), {"Id": STATEMENT_ID}
    )

    with pytest.raises(OrderlakeError) as failure:
        warehouse(redshift_data, FakeClock()).load(PLAN, ROLE)

    message = str(failure.value)
    assert message.startswith(
        "top_abandoned_products: Redshift load failed at statement 7/15 (load staging table): "
    )
    assert "incompatible Parquet schema for column 'abandoned_value'" in message
    assert f"SQL: {SQLS[6]}" in message
    assert "copy stage_top_abandoned_products from" in SQLS[6]
    assert "rolled back" in message


def test_a_load_that_runs_too_long_is_cancelled_and_reported(client):
    redshift_data, stubber = client
    clock = FakeClock()
    expect_submit(stubber)
    for _ in range(6):  # polls at t = 0, 0.5, 1.5, 3.5, 7.5, 11.5; the timeout is 10 s
        stubber.add_response("describe_statement", described("STARTED", []), {"Id": STATEMENT_ID})
    stubber.add_response("cancel_statement", {"Status": True}, {"Id": STATEMENT_ID})

    with pytest.raises(OrderlakeError) as failure:
        warehouse(redshift_data, clock, timeout=10).load(PLAN, ROLE)

    assert clock.sleeps == [0.5, 1.0, 2.0, 4.0, 4.0]
    message = str(failure.value)
    assert message.startswith("product_daily, top_abandoned_products, customer_top_abandoned: ")
    assert f"{STATEMENT_ID} did not finish within 10 s (last status STARTED)" in message
    assert "cancelled" in message


def test_a_refused_submission_names_the_workgroup_and_aws_message(client):
    redshift_data, stubber = client
    stubber.add_client_error(
        "batch_execute_statement",
        service_error_code="ValidationException",
        service_message="Workgroup orderlake not found.",
        http_status_code=400,
    )
    with pytest.raises(OrderlakeError) as failure:
        warehouse(redshift_data, FakeClock()).load(PLAN, ROLE)
    assert "workgroup orderlake, database dev" in str(failure.value)
    assert "ValidationException: Workgroup orderlake not found." in str(failure.value)
