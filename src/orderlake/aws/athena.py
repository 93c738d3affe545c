"""Saved queries in AWS: run the same sql/queries file in Athena through boto3.

Start the execution with its parameters as SQL literals (that is what Athena's
ExecutionParameters are), poll its state with exponential backoff, then page the results.
A failed or cancelled query raises with Athena's reason; a finished one reports its id, its
result file in S3 and the bytes it scanned (what Athena bills).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from orderlake.definition import load_definition
from orderlake.errors import OrderlakeError
from orderlake.local.athena import QueryResult, SavedQuery
from orderlake.local.params import athena_literal, bind

DONE_STATES = ("SUCCEEDED", "FAILED", "CANCELLED")
DEFAULT_WORKGROUP = "primary"


@dataclass(frozen=True)
class AthenaSettings:
    """Where a query runs: options first, then ORDERLAKE_ATHENA_* environment variables."""

    workgroup: str
    database: str
    output_location: str | None = None
    region: str | None = None
    catalog: str = "AwsDataCatalog"

    @classmethod
    def resolve(
        cls,
        workgroup: str | None = None,
        database: str | None = None,
        output_location: str | None = None,
        region: str | None = None,
    ) -> AthenaSettings:
        env = os.environ.get
        return cls(
            workgroup=workgroup or env("ORDERLAKE_ATHENA_WORKGROUP") or DEFAULT_WORKGROUP,
            database=database
            or env("ORDERLAKE_ATHENA_DATABASE")
            or load_definition().glue_database,
            output_location=output_location or env("ORDERLAKE_ATHENA_OUTPUT") or None,
            region=region or env("AWS_REGION") or env("AWS_DEFAULT_REGION") or None,
        )


def _convert(athena_type: str, text: str | None) -> Any:
    """A result cell (Athena returns text) as the Python value its column type means."""
    if text is None:
        return None
    kind = athena_type.lower().split("(")[0]
    if kind in ("tinyint", "smallint", "integer", "int", "bigint"):
        return int(text)
    if kind in ("double", "float", "real"):
        return float(text)
    if kind == "decimal":
        return Decimal(text)
    if kind == "boolean":
        return text.lower() == "true"
    if kind == "date":
        return dt.date.fromisoformat(text)
    if kind == "timestamp":
        return dt.datetime.fromisoformat(text)
    return text


def _describe(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'error')}: {error.get('Message', exc)}"
    return str(exc)


@dataclass
class AthenaEngine:
    client: Any
    settings: AthenaSettings
    sleep: Callable[[float], None] = time.sleep
    timeout_seconds: float = 900.0
    first_delay: float = 0.25
    max_delay: float = 5.0

    @classmethod
    def create(cls, settings: AthenaSettings) -> AthenaEngine:
        try:
            client = boto3.client("athena", region_name=settings.region)
        except BotoCoreError as exc:
            raise OrderlakeError(f"cannot create an Athena client: {exc}") from None
        return cls(client=client, settings=settings)

    def start(self, query: SavedQuery, values: Sequence[Any]) -> str:
        typed = bind(query.name, query.parameters, values)
        request: dict[str, Any] = {
            "QueryString": query.sql,
            "QueryExecutionContext": {
                "Database": self.settings.database,
                "Catalog": self.settings.catalog,
            },
            "WorkGroup": self.settings.workgroup,
        }
        if typed:
            request["ExecutionParameters"] = [
                athena_literal(p, v) for p, v in zip(query.parameters, typed, strict=True)
            ]
        if self.settings.output_location:
            request["ResultConfiguration"] = {"OutputLocation": self.settings.output_location}
        try:
            return str(self.client.start_query_execution(**request)["QueryExecutionId"])
        except (ClientError, BotoCoreError) as exc:
            raise OrderlakeError(
                f"Athena did not start query {query.name} in workgroup "
                f"{self.settings.workgroup}: {_describe(exc)}"
            ) from None

    def wait(self, query_id: str) -> dict[str, Any]:
        """Poll until the execution is done, backing off from first_delay to max_delay."""
        delay, waited = self.first_delay, 0.0
        while True:
            try:
                execution = self.client.get_query_execution(QueryExecutionId=query_id)
            except (ClientError, BotoCoreError) as exc:
                raise OrderlakeError(f"Athena query {query_id}: {_describe(exc)}") from None
            execution = execution["QueryExecution"]
            state = execution["Status"]["State"]
            if state in DONE_STATES:
                break
            if waited >= self.timeout_seconds:
                self.client.stop_query_execution(QueryExecutionId=query_id)
                raise OrderlakeError(
                    f"Athena query {query_id} still {state} after {waited:.0f}s: stopped it"
                )
            self.sleep(delay)
            waited += delay
            delay = min(delay * 2, self.max_delay)
        if state != "SUCCEEDED":
            status = execution["Status"]
            reason = (
                status.get("AthenaError", {}).get("ErrorMessage")
                or status.get("StateChangeReason")
                or "no reason given"
            )
            raise OrderlakeError(f"Athena query {query_id} {state}: {reason}")
        return execution

    def results(self, query_id: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Every page of the result set; the header row Athena puts first is dropped."""
        columns: list[str] = []
        types: list[str] = []
        rows: list[tuple[Any, ...]] = []
        paginator = self.client.get_paginator("get_query_results")
        try:
            for page in paginator.paginate(QueryExecutionId=query_id):
                result_set = page["ResultSet"]
                if not columns:
                    info = result_set["ResultSetMetadata"]["ColumnInfo"]
                    columns = [c.get("Label") or c["Name"] for c in info]
                    types = [c["Type"] for c in info]
                for row in result_set["Rows"]:
                    cells = [d.get("VarCharValue") for d in row["Data"]]
                    if not rows and cells == columns:
                        continue
                    rows.append(tuple(_convert(t, c) for t, c in zip(types, cells, strict=True)))
        except (ClientError, BotoCoreError) as exc:
            raise OrderlakeError(f"Athena query {query_id} results: {_describe(exc)}") from None
        return columns, rows

    def run(self, query: SavedQuery, values: Sequence[Any]) -> QueryResult:
        query_id = self.start(query, values)
        execution = self.wait(query_id)
        columns, rows = self.results(query_id)
        return QueryResult(
            columns=columns,
            rows=rows,
            query_id=query_id,
            output_location=execution.get("ResultConfiguration", {}).get("OutputLocation", ""),
            bytes_scanned=execution.get("Statistics", {}).get("DataScannedInBytes"),
        )
