"""Glue Data Quality results reach on-call: the sample events through the notifier Lambda's
handler against moto (SNS captured through an SQS subscription, GetJobRun on moto's Glue,
GetDataQualityResult, which moto lacks, stubbed with botocore's Stubber on the service's own
model), the body equal to the local email; the local runner's events in the same shape; bad
input told, never raised."""

from __future__ import annotations

import copy
import datetime as dt
import email
import json
from email import policy
from pathlib import Path
from typing import Any

import boto3
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from orderlake import names as N
from orderlake.definition import load_definition, project_root
from orderlake.events import glue_events, notify
from orderlake.events.bus import LocalEventBus, Rule
from orderlake.events.job_runs import GlueJobRuns, LocalJobRuns
from orderlake.events.local import (
    JobEventsListener,
    OnCallEmail,
    QualityResultEvents,
    load_lambda_handler,
)
from orderlake.events.mail import Mailer
from orderlake.events.notify import TopicPublisher
from orderlake.events.patterns import load_patterns, matches
from orderlake.events.quality_results import (
    GlueQualityResults,
    LocalQualityResults,
    pipeline_rulesets,
    rule_result,
)
from orderlake.events.settings import load_settings
from orderlake.lake import Lake

SAMPLES = project_root() / "events" / "samples"
REGION = "us-east-1"
DAY = dt.date(2026, 11, 21)
T0 = dt.datetime(2026, 11, 22, 1, 50, tzinfo=dt.UTC)
JOB = "orderlake-clean_orders"


def sample(name: str) -> dict[str, Any]:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def settings():
    return load_settings(env={"AWS_REGION": REGION}, definition=load_definition())


def rules() -> list[dict[str, Any]]:
    """The failed sample's evaluation: 11 rules, Rule_3 and Rule_9 failed."""
    found = [
        rule_result(i, f"Rule text {i}", "Passed", None, {f"Metric.{i}": float(i)})
        for i in range(1, 12)
    ]
    found[2] = rule_result(
        3, 'IsPrimaryKey "order_id"', "Failed",
        "Value: 0.98 does not meet the constraint requirement!",
        {"Column.order_id.Uniqueness": 0.98, "Column.order_id.Completeness": 1.0},
    )  # fmt: skip
    found[8] = rule_result(
        9, 'ColumnValues "currency" in ["USD"]', "Failed",
        "Value: 0.97 does not meet the constraint requirement!",
        {"Column.currency.ColumnValues.Compliance": 0.97},
    )  # fmt: skip
    return found


def glue_response(event: dict[str, Any], run_id: str) -> dict[str, Any]:
    """GetDataQualityResult's response for the event, as boto3 returns it (datetimes)."""
    detail = event["detail"]
    return {
        "ResultId": detail["resultId"],
        "Score": detail["score"],
        "RulesetName": "orders",
        "EvaluationContext": "orders",
        "StartedOn": T0,
        "CompletedOn": T0,
        "JobName": JOB,
        "JobRunId": run_id,
        "RuleResults": rules(),
    }


class Aws:
    """moto's SNS, SQS and Glue, with an SQS queue standing in for the email subscription."""

    def __init__(self) -> None:
        self.sns = boto3.client("sns", region_name=REGION)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.glue = boto3.client("glue", region_name=REGION)
        self.topic = self.sns.create_topic(Name="orderlake-job-events")["TopicArn"]
        self.inbox = self.sqs.create_queue(QueueName="on-call-inbox")["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=self.inbox, AttributeNames=["QueueArn"])
        self.sns.subscribe(
            TopicArn=self.topic, Protocol="sqs", Endpoint=arn["Attributes"]["QueueArn"]
        )
        self.glue.create_job(
            Name=JOB, Role="r", Command={"Name": "glueetl", "ScriptLocation": "s3://a/b.py"}
        )

    def start_run(self) -> str:
        answer = self.glue.start_job_run(JobName=JOB, Arguments={"--run_date": DAY.isoformat()})
        return answer["JobRunId"]

    def delivered(self) -> list[dict[str, Any]]:
        got = self.sqs.receive_message(QueueUrl=self.inbox, MaxNumberOfMessages=10)
        return [json.loads(m["Body"]) for m in got.get("Messages", [])]

    def notify(self, event: Any, quality: Any) -> dict[str, Any]:
        handler = load_lambda_handler("notify")  # the deployed handler file itself
        return handler(
            event, None, job_runs=GlueJobRuns(self.glue),
            publish=TopicPublisher(self.sns, self.topic), quality_results=quality,
        )  # fmt: skip


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with mock_aws():
        yield Aws()


def stubbed(*responses: dict[str, Any] | str) -> tuple[GlueQualityResults, Stubber]:
    """A Glue client answering GetDataQualityResult from the service model's own shapes; a
    string is an error code."""
    client = boto3.client("glue", region_name=REGION)
    stub = Stubber(client)
    for response in responses:
        if isinstance(response, str):
            stub.add_client_error("get_data_quality_result", response, f"{response} (stubbed)")
        else:
            stub.add_response("get_data_quality_result", response)
    stub.activate()
    return GlueQualityResults(client), stub


def local_email(
    event: dict[str, Any], tmp_path: Path, run_id: str, result: dict[str, Any] | None
) -> email.message.EmailMessage | None:
    """What the local runner's on-call subscriber writes for the same event and lookups."""
    lake = tmp_path / "lake"
    runs, quality = LocalJobRuns(lake), LocalQualityResults(lake)
    runs.record(JOB, run_id, "FAILED", DAY, T0, T0, "rules failed")
    if result is not None:
        quality.record(result)
    on_call = OnCallEmail(
        Mailer(tmp_path / "outbox", "o@example.com"), runs, settings(), quality_results=quality
    )
    delivery = on_call(json.dumps(event), None)
    if delivery is None:
        return None
    return email.message_from_bytes(delivery.path.read_bytes(), policy=policy.default)


def failed_event(run_id: str) -> dict[str, Any]:
    event = sample("glue_dq_results_failed")
    event["detail"]["context"]["jobId"] = run_id  # moto picks its own run ids
    return event


def test_failed_blocking_ruleset_reaches_on_call_as_the_local_email(
    aws: Aws, tmp_path: Path
) -> None:
    run_id = aws.start_run()
    event = failed_event(run_id)
    quality, stub = stubbed(glue_response(event, run_id))

    result = aws.notify(event, quality)

    stub.assert_no_pending_responses()
    (outcome,) = result["outcomes"]
    assert outcome["status"] == "published", outcome
    (message,) = aws.delivered()
    expected = local_email(event, tmp_path, run_id, glue_response(event, run_id))
    assert expected is not None
    assert message["Subject"] == expected["Subject"]
    assert message["Message"] == expected.get_content().replace("\r\n", "\n")
    subject, body = message["Subject"], message["Message"]
    assert subject == (
        "[orderlake] data quality FAILED for 2026-11-21: orders (2 of 11 rules failed)"
    )
    for text in (
        "Ruleset:   orders (blocking, quality/orders.dqdl)",
        f"Job:       {JOB}",
        f"Run id:    {run_id}",
        "Run date:  2026-11-21\n",
        "Result id: dqresult-67b47bb94fc539d442d573cd0f0d2e4f85519279",
        "Score:     0.8182 (9 passed, 2 failed, 0 skipped)",
        "Failed rules (2 of 11):",
        '  Rule_3: IsPrimaryKey "order_id"\n'
        "    FAIL: Value: 0.98 does not meet the constraint requirement!\n"
        "    measured: Column.order_id.Uniqueness=0.98, Column.order_id.Completeness=1\n",
        '  Rule_9: ColumnValues "currency" in ["USD"]',
        "aws glue get-data-quality-result --region us-east-1 --result-id dqresult-67b47bb9",
        "orderlake quarantine --date 2026-11-21",
        "orderlake run --date 2026-11-21 --no-generate",
        "Impact for 2026-11-21 (from pipeline.yaml's job graph):",
        "  not run:         aggregate_products, aggregate_customers",
    ):
        assert text in body, text
    assert "Rule_1:" not in body  # passed rules are not listed


def test_a_passed_ruleset_is_not_mailed_in_either_place(aws: Aws, tmp_path: Path) -> None:
    event = sample("glue_dq_results_passed")
    quality, stub = stubbed()  # nothing to look up for a pass
    (outcome,) = aws.notify(event, quality)["outcomes"]
    assert outcome["status"] == "ignored" and "passed" in outcome["reason"]
    assert aws.delivered() == []
    assert local_email(event, tmp_path, "jr_x", None) is None
    stub.assert_no_pending_responses()


def test_a_failed_warning_ruleset_is_logged_not_mailed(aws: Aws, tmp_path: Path) -> None:
    event = sample("glue_dq_results_failed")
    event["detail"]["rulesetNames"] = ["orders_warnings"]
    event["detail"]["context"]["evaluationContext"] = "orders_warnings"
    quality, _ = stubbed()
    (outcome,) = aws.notify(event, quality)["outcomes"]
    assert outcome["status"] == "ignored", outcome
    assert "warning ruleset orders_warnings failed; not emailed" in outcome["reason"]
    assert aws.delivered() == []
    assert local_email(event, tmp_path, "jr_x", None) is None


@pytest.mark.parametrize(
    ("answer", "why"),
    [
        ("AccessDeniedException", "cannot look up data quality result dqresult-67b47bb94fc539d4"),
        ("EntityNotFoundException", "EntityNotFoundException (stubbed)"),
        ({"ResultId": "dqresult-67b47bb94fc539d442d573cd0f0d2e4f85519279"}, "has no RuleResults"),
    ],
)
def test_a_failing_result_lookup_still_tells_what_the_event_knows(
    aws: Aws, tmp_path: Path, answer: Any, why: str
) -> None:
    run_id = aws.start_run()
    event = failed_event(run_id)
    quality, _ = stubbed(answer)
    (outcome,) = aws.notify(event, quality)["outcomes"]
    assert outcome["status"] == "published" and "failed rules unknown" in outcome["reason"]
    (message,) = aws.delivered()
    body = message["Message"]
    line = next(line for line in body.splitlines() if line.startswith("Failed rules:"))
    assert line.startswith("Failed rules: unknown (") and why in line, line
    assert line.endswith("; the event counts 2 of 11 rules failed.")
    assert "Run date:  2026-11-21\n" in body  # the other lookup still answered
    assert message["Subject"].endswith("orders (2 of 11 rules failed)")


def test_a_failing_run_lookup_says_the_date_is_unknown(aws: Aws) -> None:
    event = failed_event("jr_not_a_run_glue_knows")
    quality, _ = stubbed(glue_response(event, "jr_not_a_run_glue_knows"))
    (outcome,) = aws.notify(event, quality)["outcomes"]
    assert outcome["status"] == "published" and "run date unknown" in outcome["reason"]
    (message,) = aws.delivered()
    assert "for unknown:" in message["Subject"]
    assert (
        "Run date:  unknown (cannot look up job run jr_not_a_run_glue_knows" in (message["Message"])
    )
    assert "Failed rules (2 of 11):" in message["Message"]
    assert "orderlake run --date YYYY-MM-DD --no-generate" in message["Message"]


def test_an_event_without_detail_is_told_with_what_it_holds(aws: Aws) -> None:
    event = sample("glue_dq_results_failed")
    del event["detail"]
    quality, stub = stubbed()
    (outcome,) = aws.notify(event, quality)["outcomes"]
    assert outcome["status"] == "published", outcome
    (message,) = aws.delivered()
    assert (
        "unreadable failure event: data quality event has no detail object" in (message["Subject"])
    )
    assert '"source": "aws.glue-dataquality"' in message["Message"]
    stub.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("change", "told", "reason"),
    [
        ({"detail": "not an object"}, True, "no detail object"),
        ({"detail": {"state": "RUNNING"}}, False, "unknown data quality state 'RUNNING'"),
        ({"detail": {"state": "FAILED"}}, True, "failed rules unknown: the event has no resultId"),
        ({"detail": {"state": "FAILED", "rulesetNames": ["someone_elses"], "resultID": "r"}},
         True, "someone_elses FAILED for no job"),
    ],
)  # fmt: skip
def test_bad_input_never_raises(tmp_path: Path, change: dict, told: bool, reason: str) -> None:
    event = {**sample("glue_dq_results_failed"), **change}
    notice = notify.on_call_notice(
        event, LocalJobRuns(tmp_path), settings(), quality_results=LocalQualityResults(tmp_path)
    )
    assert (notice.email is not None) == told and reason in notice.reason, notice


def test_a_ruleset_that_is_not_the_pipelines_is_told_as_such(tmp_path: Path) -> None:
    event = sample("glue_dq_results_failed")
    event["detail"]["rulesetNames"] = ["someone_elses"]
    notice = notify.on_call_notice(event, LocalJobRuns(tmp_path), settings())
    assert notice.email is not None
    assert "Ruleset:   someone_elses (not one of pipeline.yaml's rulesets)" in notice.email.body
    assert "Failed rules: unknown (no data quality result lookup is configured)" in (
        notice.email.body
    )
    assert "Run date:  unknown (no record of job run" in notice.email.body


def test_the_docs_sample_field_names_are_read_too(tmp_path: Path) -> None:
    """AWS's documented sample writes resultID and rulesSucceeded/rulesFailed."""
    event = sample("glue_dq_results_failed")
    detail = event["detail"]
    detail["resultID"] = detail.pop("resultId")
    for name in ("Succeeded", "Failed", "Skipped"):
        detail[f"rules{name}"] = detail.pop(f"numRules{name}")
    notice = notify.on_call_notice(event, LocalJobRuns(tmp_path), settings())
    assert notice.email is not None
    assert f"Result id: {detail['resultID']}" in notice.email.body
    assert "2 of 11 rules failed" in notice.email.subject


def test_pipeline_rulesets_name_each_file_every_way_glue_may() -> None:
    found = pipeline_rulesets(load_definition())
    for name in ("orders", "orders.dqdl", "orderlake-orders"):
        assert (found[name].job, found[name].severity) == ("clean_orders", "blocking")
    assert found["orders_warnings"].severity == "warning"


# The local runner's events: a dq_results partition as clean_orders writes it, read back.

DQ_SCHEMA = pa.schema(
    [
        (N.RUN_ID, pa.string()),
        (N.JOB_NAME, pa.string()),
        (N.EVALUATED_AT, pa.timestamp("us", tz="UTC")),
        (N.RECORD_TYPE, pa.string()),
        (N.RULESET, pa.string()),
        (N.SEVERITY, pa.string()),
        (N.RULE, pa.string()),
        (N.OUTCOME, pa.string()),
        (N.FAILURE_REASON, pa.string()),
        (N.EVALUATED_METRICS, pa.map_(pa.string(), pa.float64())),
    ]
)


def write_dq_results(lake: Lake, evaluated: dt.datetime) -> None:
    row = {N.RUN_ID: "clean_orders-x", N.JOB_NAME: "clean_orders", N.EVALUATED_AT: evaluated}
    rows = [
        row | {N.RECORD_TYPE: N.RECORD_RUN, N.OUTCOME: "reconciled"},
        row | {N.RECORD_TYPE: N.RECORD_RULE, N.RULESET: "orders.dqdl", N.SEVERITY: "blocking",
               N.RULE: "RowCount > 0", N.OUTCOME: "Failed",
               N.FAILURE_REASON: "Value: 0 does not meet the constraint requirement!",
               N.EVALUATED_METRICS: [("Dataset.*.RowCount", 0.0)]},
        row | {N.RECORD_TYPE: N.RECORD_RULE, N.RULESET: "orders.dqdl", N.SEVERITY: "blocking",
               N.RULE: "ColumnCount = 17", N.OUTCOME: "Passed",
               N.EVALUATED_METRICS: [("Dataset.*.ColumnCount", 17.0)]},
        row | {N.RECORD_TYPE: N.RECORD_RULE, N.RULESET: "orders_warnings.dqdl",
               N.SEVERITY: "warning", N.RULE: 'ColumnExists "total_amount"', N.OUTCOME: "Passed",
               N.EVALUATED_METRICS: []},
    ]  # fmt: skip
    folder = Path(lake.table_partition("dq_results", DAY))
    folder.mkdir(parents=True)
    table = pa.Table.from_pylist([{k: r.get(k) for k in DQ_SCHEMA.names} for r in rows], DQ_SCHEMA)
    pq.write_table(table, folder / "part-00000.parquet")


class Run:
    """A finished JobRun of the runner (orderlake.runner.JobRun), without running Spark."""

    def __init__(self, started: dt.datetime) -> None:
        self.job_name, self.run_date, self.run_id = "clean_orders", DAY, "jr_local1"
        self.state, self.error = "FAILED", "1 blocking data quality rule(s) failed"
        self.started_at, self.ended_at = started, started + dt.timedelta(seconds=40)


def local_flow(lake_root: Path) -> tuple[JobEventsListener, OnCallEmail]:
    lake = Lake.local(lake_root)
    runs, quality = LocalJobRuns(lake_root), LocalQualityResults(lake_root)
    on_call = OnCallEmail(
        Mailer(lake_root / "outbox", "o@example.com"), runs, settings(), quality_results=quality
    )
    rules = [Rule(name, pattern) for name, pattern in load_patterns().items()]  # no targets
    bus = LocalEventBus(rules, log_path=lake_root / "events" / "bus.jsonl")
    listener = JobEventsListener(bus, runs, settings(), quality=QualityResultEvents(lake, quality))
    return listener, on_call


def test_the_local_runner_emits_glues_event_and_the_same_notifier_mails_it(
    tmp_path: Path,
) -> None:
    lake_root = tmp_path / "lake"
    started = dt.datetime(2026, 11, 22, 1, 45, tzinfo=dt.UTC)
    write_dq_results(Lake.local(lake_root), started + dt.timedelta(seconds=20))
    listener, on_call = local_flow(lake_root)

    listener.job_finished(Run(started))

    kinds = [(e["detail-type"], e["detail"].get("rulesetNames")) for e in listener.events]
    assert kinds == [
        (glue_events.DQ_RESULTS_AVAILABLE, ["orders"]),
        (glue_events.DQ_RESULTS_AVAILABLE, ["orders_warnings"]),
        (glue_events.JOB_STATE_CHANGE, None),  # as in AWS: the results come first
    ]
    failed, passed, _ = listener.events
    assert shape(failed) == shape(sample("glue_dq_results_failed"))
    detail = failed["detail"]
    assert (detail["state"], detail["score"], detail["numRulesFailed"]) == ("FAILED", 0.5, 1)
    assert detail["context"] == {
        "jobId": "jr_local1", "jobName": JOB, "evaluationContext": "orders",
        "contextType": "GLUE_JOB",
    }  # fmt: skip
    assert passed["detail"]["state"] == "SUCCEEDED"
    trace = [json.loads(line) for line in (lake_root / "events" / "bus.jsonl").open()]
    assert [t["rules"] for t in trace] == [["dq_failures"], [], ["job_failures"]]

    delivery = on_call(json.dumps(failed), None)
    assert delivery is not None
    mail = email.message_from_bytes(delivery.path.read_bytes(), policy=policy.default)
    assert mail["Subject"] == (
        "[orderlake] data quality FAILED for 2026-11-21: orders (1 of 2 rules failed)"
    )
    body = mail.get_content().replace("\r\n", "\n")
    assert "  Rule_1: RowCount > 0\n    FAIL: Value: 0 does not meet the constraint" in body
    assert "    measured: Dataset.*.RowCount=0\n" in body
    assert "Run id:    jr_local1" in body and "Run date:  2026-11-21\n" in body
    assert on_call(json.dumps(passed), None) is None


def test_an_earlier_runs_results_are_not_emitted_again(tmp_path: Path) -> None:
    """A run that stopped before its rules (no raw partition) leaves the day's dq_results of
    an earlier run: those are not this run's evaluation."""
    lake_root = tmp_path / "lake"
    started = dt.datetime(2026, 11, 22, 1, 45, tzinfo=dt.UTC)
    write_dq_results(Lake.local(lake_root), started - dt.timedelta(hours=1))
    listener, _ = local_flow(lake_root)
    listener.job_finished(Run(started))
    assert [e["detail-type"] for e in listener.events] == [glue_events.JOB_STATE_CHANGE]


def test_a_day_without_dq_results_emits_only_the_job_event(tmp_path: Path) -> None:
    listener, _ = local_flow(tmp_path / "lake")
    listener.job_finished(Run(dt.datetime(2026, 11, 22, 1, 45, tzinfo=dt.UTC)))
    assert [e["detail-type"] for e in listener.events] == [glue_events.JOB_STATE_CHANGE]


def test_the_rule_takes_the_pipelines_failed_job_evaluations_only() -> None:
    (pattern,) = [p for n, p in load_patterns().items() if n == "dq_failures"]
    failed = sample("glue_dq_results_failed")
    assert matches(pattern, failed)
    assert not matches(pattern, sample("glue_dq_results_passed"))
    other_job = copy.deepcopy(failed)
    other_job["detail"]["context"]["jobName"] = "someone-elses-job"
    catalog = copy.deepcopy(failed)
    catalog["detail"]["context"] = {
        "contextType": "GLUE_DATA_CATALOG", "runId": "dqrun-1", "databaseName": "orderlake",
        "tableName": "orders", "catalogId": "123456789012",
    }  # fmt: skip
    assert not matches(pattern, other_job) and not matches(pattern, catalog)


def shape(value: object) -> object:
    """Keys and value types, recursively (the envelope's id and time vary, not their type)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__
