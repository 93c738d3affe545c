"""The local notification flow end to end, with a real SMTP server (aiosmtpd) on 127.0.0.1.

A failed local run mails on-call; a successful clean_orders archives the day's raw files and
mails the high-value sale alert, whose figures are checked against the raw CSV.
"""

from __future__ import annotations

import csv
import datetime as dt
import email
import hashlib
import io
import json
import re
import socket
from decimal import Decimal
from email import policy
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from orderlake import cli
from orderlake.events.local import build
from orderlake.events.settings import load_settings
from orderlake.generator import GeneratorSettings
from orderlake.runner import LocalPipeline


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch) -> Any:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("ORDERLAKE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("ORDERLAKE_SMTP_PORT", str(port))
    monkeypatch.setenv("ORDERLAKE_ONCALL_EMAILS", "oncall@example.com")
    monkeypatch.setenv("ORDERLAKE_ALERT_EMAILS", "sales@example.com")
    try:
        yield inbox
    finally:
        controller.stop()


def received(inbox: Inbox) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(e.content, policy=policy.default) for e in inbox.messages]


def test_failed_run_mails_on_call_over_smtp(spark: Any, smtp: Inbox, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    # No raw files for the date and --no-generate: clean_orders fails, as in a missed upload.
    code = cli.main(["run", "--date", "2026-11-20", "--no-generate", "--lake", str(lake)])
    assert code == 2
    [envelope] = smtp.messages
    assert envelope.rcpt_tos == ["oncall@example.com"]
    [mail] = received(smtp)
    [sent] = (lake / "outbox" / "sent").glob("*.eml")
    assert (
        email.message_from_bytes(sent.read_bytes(), policy=policy.default)["Message-ID"]
        == (mail["Message-ID"])
    )
    run_record = json.loads(next((lake / "events" / "job_runs").glob("jr_*.json")).read_text())
    run_id = run_record["JobRun"]["Id"]
    subject, body = mail["Subject"], mail.get_content()
    for text in ("orderlake-clean_orders", "FAILED", "2026-11-20", run_id):
        assert text in subject
    for text in (
        f"Run id:    {run_id}",
        "Run date:  2026-11-20",
        "State:     FAILED (severity ERROR)",
        "no raw partition at",
        f"#/job/orderlake-clean_orders/run/{run_id}",
        "orderlake run --date 2026-11-20 --no-generate",
        "aws glue start-job-run",
    ):
        assert text in body
    for header in ("From", "To", "Date", "Message-ID", "Subject"):
        assert mail[header]


def independent_high_value(raw_csv: bytes, threshold: Decimal) -> tuple[int, Decimal, list[str]]:
    """From the raw file with the csv module and Decimal, not Spark or Arrow."""
    rows = list(csv.DictReader(io.StringIO(raw_csv.decode())))
    sales = [
        (Decimal(r["quantity"]) * Decimal(r["unit_price"]), r["order_id"])
        for r in rows
        if r["status"] == "completed"
    ]
    high = sorted((s for s in sales if s[0] > threshold), key=lambda s: (-s[0], s[1]))
    return len(high), sum((s[0] for s in high), Decimal("0")), [s[1] for s in high[:5]]


def test_successful_clean_orders_archives_raw_and_alerts(
    spark: Any, smtp: Inbox, tmp_path: Path
) -> None:
    lake, day = tmp_path / "lake", dt.date(2026, 11, 21)
    notifications = build(lake, load_settings())
    pipeline = LocalPipeline(lake_root=lake, listeners=notifications.listeners)
    # Clean input (no malformed or duplicate rows) so the raw file alone gives the answer.
    written = pipeline.generate(
        day, GeneratorSettings(rows=1500, malformed_share=0.0, duplicate_share=0.0)
    )
    raw_file = Path(pipeline.lake.roots["raw"]) / written.key
    raw_bytes = raw_file.read_bytes()

    run = pipeline.run_job("clean_orders", day)

    # Archive: same key, same bytes, raw partition empty for that date.
    assert not list(raw_file.parent.glob("*.csv"))
    archived = Path(pipeline.lake.roots["archive"]) / written.key
    assert (
        hashlib.sha256(archived.read_bytes()).hexdigest() == hashlib.sha256(raw_bytes).hexdigest()
    )
    trace = [json.loads(x) for x in (lake / "events" / "bus.jsonl").read_text().splitlines()]
    assert trace[-1]["rules"] == ["clean_orders_succeeded"]
    assert trace[-1]["event"]["detail"]["jobRunId"] == run.run_id

    # Alert: one message, to the alert recipients only (success is not mailed to on-call).
    count, total, top = independent_high_value(raw_bytes, Decimal("400.00"))
    assert count > 0
    [envelope] = smtp.messages
    assert envelope.rcpt_tos == ["sales@example.com"]
    [mail] = received(smtp)
    body = mail.get_content()
    assert f"{count} high-value sales" in mail["Subject"]
    assert f"{count} sales over $400.00" in body
    assert f"${total:,.2f} in total" in body
    assert re.findall(r"order (ORD-\S+):", body) == top
    [report] = notifications.high_value.reports
    assert (report.count, report.total) == (count, total)


@pytest.mark.slow
def test_orderlake_run_with_archive_raw_empties_raw_for_the_day(spark: Any, tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    args = ["run", "--date", "2026-11-21", "--rows", "500", "--lake", str(lake), "--archive-raw"]
    assert cli.main(args) == 0
    assert not (lake / "raw" / "orders" / "dt=2026-11-21").exists()
    assert [p.name for p in (lake / "archive" / "orders" / "dt=2026-11-21").iterdir()] == [
        "orders-seed42.csv"
    ]
    trace = [json.loads(x) for x in (lake / "events" / "bus.jsonl").read_text().splitlines()]
    kinds = [(t["event"]["detail-type"], t["event"]["detail"]["state"]) for t in trace]
    assert kinds.count(("Glue Job State Change", "SUCCEEDED")) == 3
    assert kinds.count(("Glue Crawler State Change", "Succeeded")) == 2
