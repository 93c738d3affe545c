"""EventBridge patterns: the local matcher agrees with moto's EventBridge, rule by rule.

moto 5.2's TestEventPattern API is a stub (it answers without a Result), so agreement is
checked through moto's real routing instead: one rule per pattern, each targeting its own SQS
queue; every corpus event is put on moto's bus and the queues say which rules it matched.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from orderlake.definition import load_definition, project_root
from orderlake.errors import OrderlakeError
from orderlake.events import glue_events
from orderlake.events.patterns import load_patterns, matches, validate

SAMPLES = project_root() / "events" / "samples"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "events"
T0 = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)


def corpus() -> list[dict]:
    """Documented samples, fixtures, every state of every job and crawler, and near misses."""
    events = [json.loads(p.read_text()) for p in sorted(SAMPLES.glob("glue_*.json"))]
    events += [json.loads(p.read_text()) for p in sorted(FIXTURES.glob("*.json"))]
    events = [e for e in events if "Records" not in e]
    definition = load_definition()
    project = definition.raw["project"]
    for job in [*definition.jobs, "some_other_job"]:
        for state in glue_events.JOB_SEVERITY:
            events.append(
                glue_events.job_state_change(f"{project}-{job}", "jr_1", state, T0, "us-east-1")
            )
        # A local job name without the AWS prefix must not match the AWS rules.
        events.append(
            glue_events.job_state_change(job, "jr_2", "FAILED", T0, "us-east-1", error="x")
        )
    for crawler in [*definition.crawlers, "other"]:
        for state in ("Succeeded", "Failed"):
            events.append(
                glue_events.crawler_state_change(f"{project}-{crawler}", state, T0, T0, "us-east-1")
            )
    # Data quality results of every job (with rulesets or not), passed and failed, and of a
    # Data Catalog evaluation (no job).
    for job in [*definition.jobs, "some_other_job"]:
        for failed in (0, 2):
            events.append(
                glue_events.dq_results_available(
                    "dqresult-1", "orders", f"{project}-{job}", "jr_3", 9, failed, T0, "us-east-1"
                )
            )
    catalog = glue_events.dq_results_available(
        "dqresult-2", "orders", f"{project}-clean_orders", "jr_4", 9, 2, T0, "us-east-1"
    )
    catalog["detail"]["context"] = {"contextType": "GLUE_DATA_CATALOG", "runId": "dqrun-1"}
    events.append(catalog)
    wrong_source = copy.deepcopy(events[0])
    wrong_source["source"] = "custom.glue"
    lower_state = copy.deepcopy(events[0])
    lower_state["detail"]["state"] = lower_state["detail"]["state"].lower()
    state_list = copy.deepcopy(events[0])
    state_list["detail"]["state"] = ["RUNNING", "FAILED"]
    return [*events, wrong_source, lower_state, state_list]


def moto_matches(patterns: dict[str, dict], events: list[dict]) -> list[set[str]]:
    with mock_aws():
        bus = boto3.client("events", region_name="us-east-1")
        sqs = boto3.client("sqs", region_name="us-east-1")
        queues = {}
        for name, pattern in patterns.items():
            url = sqs.create_queue(QueueName=name)["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])
            bus.put_rule(Name=name, EventPattern=json.dumps(pattern))
            bus.put_targets(Rule=name, Targets=[{"Id": "q", "Arn": arn["Attributes"]["QueueArn"]}])
            queues[name] = url
        found = []
        for event in events:
            entry = {
                "Source": event["source"],
                "DetailType": event["detail-type"],
                "Detail": json.dumps(event.get("detail", {})),
                "Resources": event.get("resources", []),
                "Time": dt.datetime.fromisoformat(event["time"].replace("Z", "+00:00")),
            }
            assert bus.put_events(Entries=[entry])["FailedEntryCount"] == 0
            hit = set()
            for name, url in queues.items():
                messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)
                for message in messages.get("Messages", []):
                    hit.add(name)
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
            found.append(hit)
        return found


def test_rule_files_and_moto_agree_on_the_corpus() -> None:
    patterns = load_patterns()
    events = [e for e in corpus() if "detail" in e]
    expected = moto_matches(patterns, events)
    local = [{name for name, p in patterns.items() if matches(p, e)} for e in events]
    assert local == expected
    # The corpus exercises every rule, and events that match none.
    assert set().union(*expected) == set(patterns)
    assert any(not hit for hit in expected)


OPERATOR_PATTERNS = {
    "prefix": {"detail": {"jobName": [{"prefix": "orderlake-"}]}},
    "anything_but": {"detail": {"state": [{"anything-but": ["SUCCEEDED", "STOPPED"]}]}},
    "anything_but_prefix": {"detail": {"jobName": [{"anything-but": {"prefix": "orderlake-"}}]}},
    "exists_false": {"detail": {"errorMessage": [{"exists": False}]}},
    "exists_true": {"detail": {"errorMessage": [{"exists": True}]}},
    "suffix": {"detail": {"jobName": [{"suffix": "_orders"}]}},
    "ignore_case": {"detail": {"state": [{"equals-ignore-case": "failed"}]}},
    "numeric": {"detail": {"size": [{"numeric": [">", 100, "<=", 200000]}]}},
    "wildcard": {"detail": {"jobName": [{"wildcard": "orderlake-*_orders"}]}},
    "or": {"$or": [{"detail": {"state": ["TIMEOUT"]}}, {"source": ["aws.s3"]}]},
    "nested": {"detail": {"object": {"key": [{"prefix": "orders/dt="}]}}},
}


def test_matcher_operators_agree_with_moto() -> None:
    events = [e for e in corpus() if "detail" in e]
    with_size = copy.deepcopy(events[0])
    with_size["detail"]["size"] = 150
    events.append(with_size)
    expected = moto_matches(OPERATOR_PATTERNS, events)
    local = [{n for n, p in OPERATOR_PATTERNS.items() if matches(p, e)} for e in events]
    assert local == expected
    assert set().union(*expected) == set(OPERATOR_PATTERNS)


def test_rule_names_follow_pipeline_yaml() -> None:
    """The AWS names in the patterns are `<project>-<key>` for every job and crawler."""
    definition = load_definition()
    project = definition.raw["project"]
    patterns = load_patterns()
    jobs = set(patterns["job_failures"]["detail"]["jobName"])
    assert jobs == {f"{project}-{job}" for job in definition.jobs}
    crawlers = set(patterns["crawler_failures"]["detail"]["crawlerName"])
    assert crawlers == {f"{project}-{c}" for c in definition.crawlers}
    assert patterns["clean_orders_succeeded"]["detail"]["jobName"] == [f"{project}-clean_orders"]
    quality_jobs = set(patterns["dq_failures"]["detail"]["context"]["jobName"])
    assert quality_jobs == {f"{project}-{job}" for job in definition.raw["quality"]}


@pytest.mark.parametrize(
    "pattern", [[], {"source": "aws.glue"}, {"source": []}, {"detail": {"state": 1}}]
)
def test_invalid_patterns_are_refused(pattern: object) -> None:
    with pytest.raises(OrderlakeError):
        validate(pattern)


def test_unreadable_pattern_file_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(OrderlakeError, match="broken.json"):
        load_patterns(tmp_path)
