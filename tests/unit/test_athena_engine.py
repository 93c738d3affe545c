"""`--engine athena`: boto3 against moto's Athena (and botocore's Stubber where moto cannot
produce a state, such as a FAILED query or a second page of results)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from moto import mock_aws
from moto.athena.models import QueryResults, athena_backends
from moto.core import DEFAULT_ACCOUNT_ID
from moto.moto_api import state_manager

from orderlake.aws.athena import AthenaEngine, AthenaSettings
from orderlake.cli import main
from orderlake.errors import OrderlakeError
from orderlake.local.athena import saved_query

REGION = "eu-west-1"
SETTINGS = AthenaSettings(
    workgroup="primary", database="orderlake", output_location="s3://results/q/", region=REGION
)


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        yield boto3.client("athena", region_name=REGION)


def queue_result(columns: list[tuple[str, str]], rows: list[list[str | None]]) -> None:
    """What Athena would return: a header row, then text cells (None for NULL)."""

    def row(cells: list[str | None]) -> dict[str, Any]:
        return {"Data": [{} if c is None else {"VarCharValue": c} for c in cells]}

    info = [{"Name": n, "Label": n, "Type": t} for n, t in columns]
    backend = athena_backends[DEFAULT_ACCOUNT_ID][REGION]
    backend.query_results_queue.append(
        QueryResults(rows=[row([n for n, _ in columns]), *map(row, rows)], column_info=info)
    )


def test_start_passes_parameters_as_athena_sql_literals(client: Any) -> None:
    engine = AthenaEngine(client, SETTINGS, sleep=lambda s: None)
    query_id = engine.start(saved_query("high_value_transactions"), ["2026-11-21", "400.50"])
    execution = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
    assert execution["ExecutionParameters"] == ["DATE '2026-11-21'", "DECIMAL '400.50'"]
    assert execution["Query"] == saved_query("high_value_transactions").sql
    assert execution["QueryExecutionContext"]["Database"] == "orderlake"
    assert execution["WorkGroup"] == "primary"
    assert execution["ResultConfiguration"]["OutputLocation"] == f"s3://results/q/{query_id}.csv"


def test_run_polls_with_backoff_and_types_the_result(client: Any) -> None:
    state_manager.set_transition(
        model_name="athena::execution", transition={"progression": "manual", "times": 3}
    )
    try:
        queue_result(
            [("dt", "varchar"), ("orders", "bigint"), ("revenue", "decimal"), ("aov", "double")],
            [["2026-11-20", "1220", "102934.65", "84.37"], ["2026-11-21", "0", None, None]],
        )
        slept: list[float] = []
        engine = AthenaEngine(client, SETTINGS, sleep=slept.append, first_delay=0.5)
        result = engine.run(saved_query("daily_revenue_trend"), ["2026-11-20", "2026-11-21"])
    finally:
        state_manager.unset_transition("athena::execution")
    assert len(slept) >= 2  # it polled while QUEUED and RUNNING
    assert slept == [min(0.5 * 2**i, engine.max_delay) for i in range(len(slept))]
    assert result.columns == ["dt", "orders", "revenue", "aov"]
    assert result.rows == [
        ("2026-11-20", 1220, Decimal("102934.65"), 84.37),
        ("2026-11-21", 0, None, None),
    ]
    assert result.bytes_scanned == 0
    assert result.output_location.endswith(f"{result.query_id}.csv")


def test_unknown_workgroup_is_a_clear_error(client: Any) -> None:
    settings = AthenaSettings(workgroup="missing", database="orderlake", region=REGION)
    with pytest.raises(OrderlakeError, match="did not start query .* missing: .*WorkGroup"):
        AthenaEngine(client, settings).start(saved_query("top_products_by_revenue"), ["2026-11-21"])


def test_ill_typed_parameter_never_reaches_athena(client: Any) -> None:
    with pytest.raises(OrderlakeError, match="min_amount must be a decimal"):
        AthenaEngine(client, SETTINGS).start(
            saved_query("high_value_transactions"), ["2026-11-21", "lots"]
        )
    assert client.list_query_executions()["QueryExecutionIds"] == []


def _execution(state: str, **status: Any) -> dict[str, Any]:
    return {
        "QueryExecution": {
            "QueryExecutionId": "q-1",
            "Status": {"State": state, **status},
            "Statistics": {"DataScannedInBytes": 2048},
            "ResultConfiguration": {"OutputLocation": "s3://results/q-1.csv"},
        }
    }


def test_failed_query_reports_athena_reason(client: Any) -> None:
    stubber = Stubber(client)
    stubber.add_response("get_query_execution", _execution("RUNNING"), {"QueryExecutionId": "q-1"})
    stubber.add_response(
        "get_query_execution",
        _execution(
            "FAILED",
            StateChangeReason="COLUMN_NOT_FOUND: line 3:5: Column 'x' cannot be resolved",
            AthenaError={"ErrorCategory": 2, "ErrorMessage": "COLUMN_NOT_FOUND: Column 'x'"},
        ),
        {"QueryExecutionId": "q-1"},
    )
    with stubber, pytest.raises(OrderlakeError, match="q-1 FAILED: COLUMN_NOT_FOUND: Column 'x'"):
        AthenaEngine(client, SETTINGS, sleep=lambda s: None).wait("q-1")


def test_results_are_read_across_pages(client: Any) -> None:
    info = [{"Name": "n", "Label": "n", "Type": "integer"}]
    meta = {"ColumnInfo": info}

    def page(values: list[str], token: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "ResultSet": {
                "Rows": [{"Data": [{"VarCharValue": v}]} for v in values],
                "ResultSetMetadata": meta,
            }
        }
        if token:
            body["NextToken"] = token
        return body

    stubber = Stubber(client)
    stubber.add_response("get_query_results", page(["n", "1", "2"], "t2"))
    stubber.add_response("get_query_results", page(["3"], None))
    with stubber:
        columns, rows = AthenaEngine(client, SETTINGS).results("q-1")
    assert (columns, rows) == (["n"], [(1,), (2,), (3,)])


def test_timeout_stops_the_query(client: Any) -> None:
    stubber = Stubber(client)
    for _ in range(3):
        stubber.add_response(
            "get_query_execution", _execution("RUNNING"), {"QueryExecutionId": "q-1"}
        )
    stubber.add_response("stop_query_execution", {}, {"QueryExecutionId": "q-1"})
    engine = AthenaEngine(
        client, SETTINGS, sleep=lambda s: None, timeout_seconds=2.0, first_delay=1.0
    )
    with stubber, pytest.raises(OrderlakeError, match="still RUNNING after 3s: stopped it"):
        engine.wait("q-1")
    stubber.assert_no_pending_responses()


def test_query_command_engine_athena(
    client: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("ORDERLAKE_ATHENA_OUTPUT", "s3://results/cli/")
    queue_result(
        [("order_id", "varchar"), ("order_ts", "timestamp"), ("total_amount", "decimal")],
        [["ORD-1", "2026-11-21 10:00:00.000", "512.00"]],
    )
    code = main(
        [
            "query",
            "high_value_transactions",
            "--param",
            "dt=2026-11-21",
            "--param",
            "min_amount=400",
            "--engine",
            "athena",
            "--format",
            "json",
        ]
    )
    captured = capsys.readouterr()
    assert code == 0
    assert '"order_ts": "2026-11-21T10:00:00"' in captured.out
    assert '"total_amount": 512.0' in captured.out
    assert "0 bytes scanned" in captured.err and "s3://results/cli/" in captured.err
