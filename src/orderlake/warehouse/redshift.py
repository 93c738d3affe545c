"""Run a load plan on Redshift Serverless through the Redshift Data API (IAM auth, no secrets).

`batch_execute_statement` runs the plan's statements in order as one transaction; the load
polls `describe_statement` with backoff until it finishes, fails or times out. A failure names
the failing statement (its place in the plan, its table and SQL) and Redshift's message.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from orderlake.errors import OrderlakeError
from orderlake.warehouse.plan import INSERT, LoadPlan, Step, redshift_copy
from orderlake.warehouse.result import LoadResult

FINISHED = "FINISHED"
FAILED = "FAILED"
ABORTED = "ABORTED"


@dataclass(frozen=True)
class Backoff:
    """Polling delays: `first`, doubling up to `most` seconds."""

    first: float = 0.5
    most: float = 10.0

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay
            delay = min(delay * 2, self.most)


@dataclass
class DataApiWarehouse:
    """A Redshift Serverless workgroup's database, reached through a `redshift-data` client."""

    client: Any
    workgroup: str
    database: str
    timeout_seconds: float = 900.0
    backoff: Backoff = field(default_factory=Backoff)
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.monotonic

    def load(self, plan: LoadPlan, iam_role_arn: str) -> LoadResult:
        steps = plan.render(redshift_copy(iam_role_arn))
        tables = ", ".join(load.table.name for load in plan.loads)
        try:
            submitted = self.client.batch_execute_statement(
                WorkgroupName=self.workgroup,
                Database=self.database,
                Sqls=[step.sql for step in steps],
                StatementName=f"orderlake-load-{plan.run_date.isoformat()}",
            )
        except (ClientError, BotoCoreError) as exc:
            raise OrderlakeError(
                f"{tables}: Redshift Data API refused the load for {plan.run_date} "
                f"(workgroup {self.workgroup}, database {self.database}): {_aws_message(exc)}"
            ) from None
        described = self._wait(submitted["Id"], steps, tables)
        return LoadResult(plan.run_date, _inserted_rows(described, steps))

    def _wait(self, statement_id: str, steps: list[Step], tables: str) -> dict[str, Any]:
        started = self.clock()
        status = "SUBMITTED"
        for delay in self.backoff.delays():
            try:
                described = self.client.describe_statement(Id=statement_id)
            except (ClientError, BotoCoreError) as exc:
                raise OrderlakeError(
                    f"{tables}: cannot follow Redshift statement {statement_id}: "
                    f"{_aws_message(exc)}"
                ) from None
            status = described["Status"]
            if status == FINISHED:
                return described
            if status in (FAILED, ABORTED):
                raise self._failure(described, steps, tables)
            if self.clock() - started >= self.timeout_seconds:
                break
            self.sleep(delay)
        self._cancel(statement_id)
        raise OrderlakeError(
            f"{tables}: Redshift load {statement_id} did not finish within "
            f"{self.timeout_seconds:g} s (last status {status}); it was cancelled, so its "
            "transaction rolls back and the tables stay as they were"
        )

    def _failure(self, described: dict[str, Any], steps: list[Step], tables: str) -> OrderlakeError:
        statement_id = described["Id"]
        if described["Status"] == ABORTED:
            return OrderlakeError(
                f"{tables}: Redshift load {statement_id} was cancelled; nothing was changed"
            )
        for position, sub in enumerate(described.get("SubStatements", []), start=1):
            if sub.get("Status") == FAILED:
                index = _statement_index(sub, position)
                step = steps[index - 1] if 0 < index <= len(steps) else None
                where = f"{step.table}: " if step else f"{tables}: "
                action = f" ({step.action})" if step else ""
                return OrderlakeError(
                    f"{where}Redshift load failed at statement {index}/{len(steps)}{action}: "
                    f"{sub.get('Error', described.get('Error', 'no message'))}; "
                    f"SQL: {sub.get('QueryString') or (step.sql if step else '?')}; "
                    "rolled back, nothing was changed"
                )
        return OrderlakeError(
            f"{tables}: Redshift load {statement_id} failed: "
            f"{described.get('Error', 'no message')}; rolled back, nothing was changed"
        )

    def _cancel(self, statement_id: str) -> None:
        # It may have ended meanwhile; the timeout error the caller raises says what matters.
        with contextlib.suppress(ClientError, BotoCoreError):
            self.client.cancel_statement(Id=statement_id)


def _statement_index(sub: dict[str, Any], position: int) -> int:
    """A sub-statement's 1-based place in the batch: its Id ends in `:<n>`."""
    _, _, suffix = str(sub.get("Id", "")).rpartition(":")
    return int(suffix) if suffix.isdigit() else position


def _inserted_rows(described: dict[str, Any], steps: list[Step]) -> dict[str, int]:
    rows: dict[str, int] = {}
    subs = described.get("SubStatements", [])
    for position, (step, sub) in enumerate(zip(steps, subs, strict=False), start=1):
        if step.action == INSERT and _statement_index(sub, position) == position:
            rows[step.table] = int(sub.get("ResultRows", 0))
    return rows


def _aws_message(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'Error')}: {error.get('Message', str(exc))}"
    return str(exc)
