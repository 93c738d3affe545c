"""Who is told what: pipeline.yaml `notifications:`, overridden by environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from orderlake.definition import PipelineDefinition, load_definition
from orderlake.errors import OrderlakeError
from orderlake.events.glue_events import DEFAULT_ACCOUNT

DEFAULT_THRESHOLD = Decimal("400.00")
DEFAULT_SMTP_PORT = 25


@dataclass(frozen=True)
class SmtpServer:
    host: str
    port: int = DEFAULT_SMTP_PORT
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class HighValueSettings:
    threshold: Decimal = DEFAULT_THRESHOLD
    statuses: tuple[str, ...] = ("completed",)
    largest: int = 5
    recipients: tuple[str, ...] = ()


@dataclass(frozen=True)
class FreshnessSettings:
    """pipeline.yaml `notifications.freshness`: by `deadline` (an AWS cron, UTC) yesterday must
    have its raw partition and a successful run of `job`."""

    deadline: str = "cron(0 6 * * ? *)"
    job: str = "clean_orders"


@dataclass(frozen=True)
class NotificationSettings:
    project: str
    region: str
    account: str
    sender: str
    on_call: tuple[str, ...]
    email_success: bool
    high_value: HighValueSettings
    smtp: SmtpServer | None = None
    workflow: str = ""
    freshness: FreshnessSettings = FreshnessSettings()

    def glue_job_name(self, job: str) -> str:
        """The Glue job's name in AWS (Terraform names it `<project>-<job>`)."""
        return f"{self.project}-{job}"

    def glue_crawler_name(self, crawler: str) -> str:
        return f"{self.project}-{crawler}"


def _emails(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _decimal(value: Any, where: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise OrderlakeError(f"{where}: {value!r} is not a number") from None
    if not number.is_finite() or number < 0:
        raise OrderlakeError(f"{where}: {value!r} must be a non-negative amount")
    return number


def load_settings(
    env: Mapping[str, str] | None = None, definition: PipelineDefinition | None = None
) -> NotificationSettings:
    env = os.environ if env is None else env
    definition = definition or load_definition()
    raw = definition.raw
    section = dict(raw.get("notifications") or {})
    on_call = dict(section.get("on_call") or {})
    high = dict(section.get("high_value_sales") or {})
    fresh = dict(section.get("freshness") or {})

    threshold = _decimal(
        env.get("ORDERLAKE_HIGH_VALUE_THRESHOLD") or high.get("threshold", DEFAULT_THRESHOLD),
        "high-value sale threshold",
    )
    smtp = None
    if env.get("ORDERLAKE_SMTP_HOST"):
        port_text = env.get("ORDERLAKE_SMTP_PORT") or str(DEFAULT_SMTP_PORT)
        if not port_text.isdigit():
            raise OrderlakeError(f"ORDERLAKE_SMTP_PORT {port_text!r} is not a port number")
        smtp = SmtpServer(host=env["ORDERLAKE_SMTP_HOST"], port=int(port_text))
    return NotificationSettings(
        project=str(raw.get("project", "orderlake")),
        region=env.get("AWS_REGION") or str(section.get("region", "us-east-1")),
        account=env.get("ORDERLAKE_AWS_ACCOUNT") or DEFAULT_ACCOUNT,
        sender=env.get("ORDERLAKE_EMAIL_FROM") or str(section.get("sender", "orderlake@localhost")),
        on_call=_emails(env["ORDERLAKE_ONCALL_EMAILS"])
        if env.get("ORDERLAKE_ONCALL_EMAILS")
        else tuple(on_call.get("recipients", ())),
        email_success=bool(on_call.get("email_success", False)),
        high_value=HighValueSettings(
            threshold=threshold,
            statuses=tuple(high.get("statuses", ("completed",))),
            largest=int(high.get("largest", 5)),
            recipients=_emails(env["ORDERLAKE_ALERT_EMAILS"])
            if env.get("ORDERLAKE_ALERT_EMAILS")
            else tuple(high.get("recipients", ())),
        ),
        smtp=smtp,
        workflow=str((raw.get("workflow") or {}).get("name", "")),
        freshness=FreshnessSettings(
            deadline=str(fresh.get("deadline", FreshnessSettings.deadline)),
            job=str(fresh.get("job", FreshnessSettings.job)),
        ),
    )
