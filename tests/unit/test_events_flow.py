"""Event builders, the local bus and topic, the email target and the failure email content."""

from __future__ import annotations

import datetime as dt
import email
import json
import logging
import socket
from email import policy
from pathlib import Path

import pytest

from orderlake.definition import load_definition, project_root
from orderlake.events import glue_events, messages
from orderlake.events.bus import LocalEventBus, Rule
from orderlake.events.job_runs import LocalJobRuns
from orderlake.events.local import OnCallEmail
from orderlake.events.mail import Mailer
from orderlake.events.settings import SmtpServer, load_settings
from orderlake.events.sns import LocalTopic

SAMPLES = project_root() / "events" / "samples"
T0 = dt.datetime(2026, 11, 22, 1, 58, 21, 123456, tzinfo=dt.UTC)


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def shape(value: object) -> object:
    """Keys and value types, recursively: what "the same shape" means."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    return type(value).__name__


@pytest.mark.parametrize("state", ["SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED"])
def test_job_event_has_aws_shape(state: str) -> None:
    event = glue_events.job_state_change(
        "orderlake-clean_orders", "jr_x", state, T0, "eu-west-1", "123456789012", error="boom"
    )
    documented = sample(f"glue_job_{state.lower()}")
    assert shape(event) == shape(documented)
    assert event["time"] == "2026-11-22T01:58:21Z"
    assert event["detail"]["severity"] == documented["detail"]["severity"]
    if state == "FAILED":
        assert event["detail"]["message"].endswith("failed to execute with exception boom")
    else:
        assert event["detail"]["message"] == documented["detail"]["message"]


@pytest.mark.parametrize("state", ["Succeeded", "Failed"])
def test_crawler_event_has_aws_shape(state: str) -> None:
    event = glue_events.crawler_state_change(
        "orderlake-curated", state, T0, T0 + dt.timedelta(seconds=79), "us-east-1", error="e"
    )
    assert shape(event) == shape(sample(f"glue_crawler_{state.lower()}"))


def test_unknown_state_is_refused() -> None:
    with pytest.raises(ValueError, match="RUNNING"):
        glue_events.job_state_change("j", "jr", "RUNNING", T0, "us-east-1")


def test_bus_delivers_only_matched_events_and_survives_bad_ones(tmp_path: Path) -> None:
    got: list[str] = []
    rules = [
        Rule("failures", {"detail": {"state": ["FAILED"]}}, [lambda e: got.append("f")]),
        Rule("broken", {"detail": {"state": ["FAILED"]}}, [lambda e: 1 / 0]),
        Rule("others", {"source": ["aws.s3"]}, [lambda e: got.append("s3")]),
    ]
    bus = LocalEventBus(rules, log_path=tmp_path / "bus.jsonl")
    assert bus.put_event(sample("glue_job_failed")) == ["failures", "broken"]
    assert bus.put_event(sample("glue_job_succeeded")) == []
    assert bus.put_event({"source": "aws.glue"}) == []
    assert bus.put_event("not an event") == []
    assert got == ["f"]
    trace = [json.loads(line) for line in (tmp_path / "bus.jsonl").read_text().splitlines()]
    assert [t["rules"] for t in trace] == [["failures", "broken"], [], [], []]
    assert trace[2]["dropped"] == "event has no detail-type, detail"


def test_topic_invokes_lambda_with_sns_event_and_isolates_failures() -> None:
    received = []
    topic = LocalTopic("orderlake-job-events", "us-east-1", "123456789012")
    topic.subscribe_email("oncall@example.com", lambda m, s: 1 / 0)
    topic.subscribe_lambda("fn", lambda event, context: received.append((event, context)))
    outcomes = topic.publish_event(sample("glue_job_succeeded"))
    assert [o.ok for o in outcomes] == [False, True]
    assert "ZeroDivisionError" in outcomes[0].error
    event, context = received[0]
    documented = json.loads((SAMPLES / "sns_lambda_job_succeeded.json").read_text())
    record = event["Records"][0]
    assert set(record) == set(documented["Records"][0])
    assert set(record["Sns"]) == set(documented["Records"][0]["Sns"])
    assert record["Sns"]["TopicArn"] == "arn:aws:sns:us-east-1:123456789012:orderlake-job-events"
    assert json.loads(record["Sns"]["Message"]) == sample("glue_job_succeeded")
    assert context.function_name == "fn"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_smtp_fails_clearly_and_keeps_the_email(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    mailer = Mailer(tmp_path / "outbox", "orderlake@example.com", SmtpServer("127.0.0.1", port, 2))
    delivery = mailer.send(("oncall@example.com",), "subject line", "body\n")
    assert not delivery.sent
    assert f"via SMTP 127.0.0.1:{port}" in delivery.error
    assert str(delivery.path) in delivery.error
    assert delivery.path.parent == tmp_path / "outbox" and delivery.path.exists()
    parsed = email.message_from_bytes(delivery.path.read_bytes(), policy=policy.SMTP)
    assert parsed["Subject"] == "subject line" and parsed["To"] == "oncall@example.com"
    for header in ("From", "Date", "Message-ID"):
        assert parsed[header]


def settings(**env: str):
    return load_settings(env={"AWS_REGION": "eu-west-1", **env}, definition=load_definition())


def test_failure_email_names_everything_on_call_needs(tmp_path: Path) -> None:
    runs = LocalJobRuns(tmp_path)
    event = glue_events.job_state_change(
        "orderlake-aggregate_products", "jr_42", "FAILED", T0, "eu-west-1", error="Boom: disk full"
    )
    runs.record(
        "orderlake-aggregate_products",
        "jr_42",
        "FAILED",
        dt.date(2026, 11, 21),
        T0,
        T0,
        "Boom: disk full",
    )
    on_call = OnCallEmail(Mailer(tmp_path / "outbox", "o@example.com"), runs, settings())
    delivery = on_call(json.dumps(event), None)
    mail = email.message_from_bytes(delivery.path.read_bytes(), policy=policy.default)
    subject, body = mail["Subject"], mail.get_content()
    for text in ("orderlake-aggregate_products", "jr_42", "2026-11-21", "FAILED"):
        assert text in subject
    url = (
        "https://eu-west-1.console.aws.amazon.com/gluestudio/home?region=eu-west-1"
        "#/job/orderlake-aggregate_products/run/jr_42"
    )
    for text in (
        "Run id:    jr_42",
        "Run date:  2026-11-21",
        "State:     FAILED",
        "Boom: disk full",
        url,
        "orderlake run --date 2026-11-21 --no-generate",
        "aws glue start-job-run --region eu-west-1 --job-name orderlake-aggregate_products "
        """--arguments '{"--run_date":"2026-11-21"}'""",
        "copy them back to raw",
    ):
        assert text in body
    assert mail["To"] == "oncall@example.com"


def test_success_is_not_emailed_by_default_and_bad_messages_are_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    on_call = OnCallEmail(
        Mailer(tmp_path / "outbox", "o@x.com"), LocalJobRuns(tmp_path), settings()
    )
    caplog.set_level(logging.INFO, "orderlake.events")
    assert on_call(json.dumps(sample("glue_job_succeeded")), None) is None
    assert on_call("not json", None) is None
    assert (
        on_call(json.dumps({"detail-type": "Glue Job State Change", "source": "aws.glue"}), None)
        is None
    )
    assert not (tmp_path / "outbox").exists()
    assert "success emails are off" in caplog.text
    assert "message is not JSON" in caplog.text
    assert "event has no detail object" in caplog.text


def test_unknown_run_date_is_said_not_guessed(tmp_path: Path) -> None:
    on_call = OnCallEmail(
        Mailer(tmp_path / "outbox", "o@x.com"), LocalJobRuns(tmp_path), settings()
    )
    delivery = on_call(json.dumps(sample("glue_job_timeout")), None)
    body = email.message_from_bytes(delivery.path.read_bytes(), policy=policy.default).get_content()
    assert "Run date:  unknown (no record of job run" in body
    assert "orderlake run --date YYYY-MM-DD --no-generate" in body


def test_settings_come_from_pipeline_yaml_and_env_overrides() -> None:
    defaults = load_settings(env={}, definition=load_definition())
    assert str(defaults.high_value.threshold) == "400.00"
    assert defaults.on_call and defaults.high_value.recipients and defaults.smtp is None
    assert not defaults.email_success
    custom = settings(
        ORDERLAKE_HIGH_VALUE_THRESHOLD="250.5",
        ORDERLAKE_ONCALL_EMAILS="a@x.com, b@x.com",
        ORDERLAKE_SMTP_HOST="127.0.0.1",
        ORDERLAKE_SMTP_PORT="2525",
    )
    assert str(custom.high_value.threshold) == "250.5"
    assert custom.on_call == ("a@x.com", "b@x.com")
    assert custom.smtp == SmtpServer("127.0.0.1", 2525)
    assert custom.region == "eu-west-1"


def test_console_link_format() -> None:
    assert messages.console_run_url("us-east-1", "j", "jr_1") == (
        "https://us-east-1.console.aws.amazon.com/gluestudio/home?region=us-east-1#/job/j/run/jr_1"
    )


def test_crawls_emit_crawler_events_and_a_failed_crawl_mails_on_call(tmp_path: Path) -> None:
    from orderlake.events.local import build
    from orderlake.runner import LocalPipeline

    lake = tmp_path / "lake"  # not created yet: the catalog cannot be opened, the crawl fails
    notifications = build(lake, settings(ORDERLAKE_ONCALL_EMAILS="oncall@example.com"))
    pipeline = LocalPipeline(lake_root=lake, listeners=notifications.listeners)
    with pytest.raises(Exception, match="catalog.duckdb"):
        pipeline.crawl()
    lake.mkdir(exist_ok=True)
    pipeline.crawl()
    events = notifications.job_events.events
    assert [(e["detail"]["crawlerName"], e["detail"]["state"]) for e in events] == [
        ("orderlake-curated", "Failed"),
        ("orderlake-analytics", "Failed"),
        ("orderlake-curated", "Succeeded"),
        ("orderlake-analytics", "Succeeded"),
    ]
    trace = [json.loads(line) for line in (lake / "events" / "bus.jsonl").read_text().splitlines()]
    assert [t["rules"] for t in trace] == [["crawler_failures"]] * 2 + [[]] * 2
    mails = sorted((lake / "outbox").glob("*.eml"))
    subjects = {
        email.message_from_bytes(m.read_bytes(), policy=policy.default)["Subject"] for m in mails
    }
    assert subjects == {
        "[orderlake] crawler orderlake-curated Failed",
        "[orderlake] crawler orderlake-analytics Failed",
    }
    body = email.message_from_bytes(mails[0].read_bytes(), policy=policy.default).get_content()
    assert "catalog.duckdb" in body and "aws glue start-crawler" in body
