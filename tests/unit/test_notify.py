"""The on-call decision shared by the local runner and the notifier Lambda: impact lines from
the job graph, subjects within SNS's limit, and bad input told or logged, never raised."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlglot
from sqlglot import exp

from orderlake.definition import load_definition, project_root
from orderlake.events import glue_events, messages, notify
from orderlake.events.impact import impact_of, saved_query_tables
from orderlake.events.job_runs import LocalJobRuns
from orderlake.events.settings import load_settings

SAMPLES = project_root() / "events" / "samples"
T0 = dt.datetime(2026, 11, 22, 2, 0, tzinfo=dt.UTC)
DAY = dt.date(2026, 11, 21)


def settings():
    return load_settings(env={"AWS_REGION": "us-east-1"}, definition=load_definition())


def failed(job: str, run_id: str = "jr_1", state: str = "FAILED") -> dict:
    return glue_events.job_state_change(job, run_id, state, T0, "us-east-1", error="boom")


def test_saved_query_tables_agree_with_a_sql_parser() -> None:
    """The Lambda-safe regex reads the same tables as sqlglot's Trino parser."""
    definition = load_definition()
    for name, tables in saved_query_tables(definition).items():
        sql = (project_root() / "sql" / "queries" / f"{name}.sql").read_text()
        parsed = {
            t.name
            for t in sqlglot.parse_one(sql, read="trino").find_all(exp.Table)
            if t.db == definition.glue_database
        }
        assert tables == parsed, name


def test_a_failed_clean_orders_leaves_everything_downstream_stale() -> None:
    definition = load_definition()
    impact = impact_of(definition, "clean_orders")
    assert impact is not None
    assert impact.downstream_jobs == ("aggregate_products", "aggregate_customers")
    assert set(impact.stale_tables) == {
        "orders", "quarantine", "dq_results", "product_daily", "top_abandoned_products",
        "customer_top_abandoned",
    }  # fmt: skip
    queries = saved_query_tables(definition)
    assert set(impact.stale_queries) == set(queries)  # every saved query reads one of them


def test_a_failed_aggregate_customers_leaves_only_its_own_table_stale() -> None:
    definition = load_definition()
    impact = impact_of(definition, "aggregate_customers")
    assert impact is not None
    assert impact.downstream_jobs == () and impact.stale_tables == ("customer_top_abandoned",)
    queries = saved_query_tables(definition)
    expected = {q for q, reads in queries.items() if "customer_top_abandoned" in reads}
    assert set(impact.stale_queries) == expected and expected
    assert impact_of(definition, "no_such_job") is None


def test_failure_email_says_what_is_stale(tmp_path: Path) -> None:
    runs = LocalJobRuns(tmp_path)
    runs.record("orderlake-aggregate_customers", "jr_1", "FAILED", DAY, T0, T0, "boom")
    notice = notify.on_call_notice(failed("orderlake-aggregate_customers"), runs, settings())
    assert notice.email and notice.failure
    body = notice.email.body
    assert "Impact for 2026-11-21 (from pipeline.yaml's job graph):" in body
    assert "  stale tables:    customer_top_abandoned\n" in body
    assert "customer_top_abandoned_products" in body.split("stale queries:")[1].splitlines()[0]


def test_long_run_ids_keep_the_subject_within_snss_limit(tmp_path: Path) -> None:
    sample = json.loads((SAMPLES / "glue_job_failed.json").read_text())
    notice = notify.on_call_notice(sample, LocalJobRuns(tmp_path), settings())
    assert notice.email is not None
    subject = notice.email.subject
    assert len(subject) <= messages.SUBJECT_LIMIT and "\n" not in subject
    assert subject.startswith(
        "[orderlake] orderlake-aggregate_products FAILED for unknown (run jr_"
    )
    short = "[orderlake] orderlake-clean_orders FAILED for 2026-11-20 (run jr_" + "a" * 32 + ")"
    assert messages.fit_subject(short, "jr_" + "a" * 32) == short


@pytest.mark.parametrize(
    ("event", "told", "reason"),
    [
        ("not an object", False, "not a JSON object"),
        ({"detail-type": "Glue Job State Change", "source": "aws.glue"}, False, "no detail"),
        (failed("orderlake-clean_orders", state="SUCCEEDED"), False, "success emails are off"),
        ({**failed("j"), "detail": {"jobName": "j", "state": "RUNNING", "jobRunId": "r"}},
         False, "unknown job state"),
        ({**failed("j"), "detail": {"jobName": "orderlake-clean_orders", "state": "FAILED"}},
         True, "no jobRunId"),
        ({"detail-type": "Glue Crawler State Change", "source": "aws.glue",
          "detail": {"state": "Failed"}}, True, "without a crawlerName"),
        (failed("someone-elses-job"), True, "someone-elses-job FAILED"),
    ],
)  # fmt: skip
def test_bad_input_is_told_when_it_is_a_failure_and_never_raises(
    event: object, told: bool, reason: str, tmp_path: Path
) -> None:
    notice = notify.on_call_notice(event, LocalJobRuns(tmp_path), settings())
    assert (notice.email is not None) == told and reason in notice.reason, notice


def test_a_foreign_jobs_failure_says_nothing_of_the_lake_depends_on_it(tmp_path: Path) -> None:
    notice = notify.on_call_notice(failed("someone-elses-job"), LocalJobRuns(tmp_path), settings())
    assert notice.email and "not one of pipeline.yaml's jobs" in notice.email.body


def test_deliver_publishes_what_it_knows_and_raises_a_failed_publish(tmp_path: Path) -> None:
    published: list[tuple[str, str]] = []
    envelope = json.loads((SAMPLES / "sns_lambda_job_succeeded.json").read_text())
    outcomes = notify.deliver(
        envelope, LocalJobRuns(tmp_path), lambda s, b: published.append((s, b)), settings()
    )
    assert outcomes[0]["status"] == "ignored" and published == []

    def throttled(subject: str, body: str) -> str:
        raise RuntimeError("Throttling: Rate exceeded")

    with pytest.raises(RuntimeError, match="Throttling"):
        notify.deliver(
            failed("orderlake-clean_orders"), LocalJobRuns(tmp_path), throttled, settings()
        )
