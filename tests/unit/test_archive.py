"""The archive Lambda: fed AWS-shaped SNS events; S3 and Glue through moto, and a local lake."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import json
import logging
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from orderlake import archive
from orderlake.definition import project_root
from orderlake.errors import OrderlakeError
from orderlake.events.job_runs import GlueJobRuns, LocalJobRuns
from orderlake.events.sns import LambdaContext, sns_lambda_event
from orderlake.storage import LocalStore, S3Store

SAMPLES = project_root() / "events" / "samples"
FIXTURES = Path(__file__).parents[1] / "fixtures" / "events"
DAY = dt.date(2026, 11, 21)
JOB = "orderlake-clean_orders"
FILES = {
    "orders/dt=2026-11-21/orders-seed42.csv": b"order_id,qty\nORD-1,2\n" * 500,
    "orders/dt=2026-11-21/orders-late.csv": b"order_id,qty\nORD-9,1\n",
}
OTHER_DAY = {"orders/dt=2026-11-20/orders-seed42.csv": b"order_id,qty\nORD-0,1\n"}


HANDLER = project_root() / "lambdas" / "archive_raw" / "handler.py"


def load_handler() -> Any:
    spec = importlib.util.spec_from_file_location("archive_raw_handler", HANDLER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.handler


handler = load_handler()
CONTEXT = LambdaContext(function_name="orderlake-archive_raw")


def sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text())


def succeeded(run_id: str, job: str = JOB, state: str = "SUCCEEDED") -> dict:
    event = sample("glue_job_succeeded")
    event["detail"].update(jobName=job, jobRunId=run_id, state=state)
    return sns_lambda_event(
        "arn:aws:sns:us-east-1:123456789012:orderlake-job-events", json.dumps(event)
    )


@pytest.fixture
def aws() -> Any:
    with mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        glue = boto3.client("glue", region_name="us-east-1")
        for bucket in ("orderlake-raw", "orderlake-archive"):
            s3.create_bucket(Bucket=bucket)
        for key, body in {**FILES, **OTHER_DAY}.items():
            s3.put_object(Bucket="orderlake-raw", Key=key, Body=body)
        glue.create_job(
            Name=JOB, Role="r", Command={"Name": "glueetl", "ScriptLocation": "s3://a/b"}
        )
        glue.create_job(
            Name="orderlake-aggregate_products",
            Role="r",
            Command={"Name": "glueetl", "ScriptLocation": "s3://a/c"},
        )
        yield s3, glue


def keys(s3: Any, bucket: str) -> dict[str, str]:
    found = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {
        o["Key"]: hashlib.sha256(
            s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
        ).hexdigest()
        for o in found
    }


def test_s3_archive_uses_glue_run_arguments_and_is_idempotent(
    aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3, glue = aws
    monkeypatch.setenv("RAW_BUCKET", "orderlake-raw")
    monkeypatch.setenv("ARCHIVE_BUCKET", "orderlake-archive")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    run_id = glue.start_job_run(JobName=JOB, Arguments={"--run_date": DAY.isoformat()})["JobRunId"]
    before = keys(s3, "orderlake-raw")

    first = handler(succeeded(run_id), CONTEXT)["outcomes"]
    assert [o["status"] for o in first] == [archive.ARCHIVED]
    assert first[0]["run_date"] == "2026-11-21" and first[0]["objects"] == 2
    assert first[0]["bytes"] == sum(len(b) for b in FILES.values())
    assert keys(s3, "orderlake-archive") == {k: before[k] for k in FILES}
    assert set(keys(s3, "orderlake-raw")) == set(OTHER_DAY)  # only that date moved

    again = handler(succeeded(run_id), CONTEXT)["outcomes"]
    assert [o["status"] for o in again] == [archive.ALREADY_ARCHIVED]
    assert keys(s3, "orderlake-archive") == {k: before[k] for k in FILES}


def test_other_jobs_states_and_bad_input_are_logged_not_raised(
    aws: Any, caplog: pytest.LogCaptureFixture
) -> None:
    s3, glue = aws
    stores = dict(
        raw_store=S3Store(s3, "orderlake-raw"),
        archive_store=S3Store(s3, "orderlake-archive"),
    )
    runs = GlueJobRuns(glue)
    caplog.set_level(logging.INFO, "orderlake.archive")
    events = [
        succeeded("jr_1", job="orderlake-aggregate_products"),
        succeeded("jr_1", state="FAILED"),
        json.loads((FIXTURES / "sns_non_json_message.json").read_text()),
        sns_lambda_event("arn:t", (FIXTURES / "missing_detail.json").read_text()),
        sns_lambda_event("arn:t", (FIXTURES / "unknown_state.json").read_text()),
        succeeded("jr_does_not_exist"),
        {"hello": "world"},
        [],
    ]
    statuses = []
    for event in events:
        out = handler(event, CONTEXT, job_runs=runs, **stores)["outcomes"]
        statuses += [(o["status"], o["reason"]) for o in out]
    assert [s for s, _ in statuses] == [archive.IGNORED] * 2 + [archive.INVALID] * 6
    reasons = " | ".join(r for _, r in statuses)
    for text in (
        "only clean_orders SUCCEEDED",
        "SNS message is not JSON",
        "event has no detail object",
        "unknown job state 'EXPLODED'",
        "cannot tell which date run jr_does_not_exist processed",
        "neither an SNS envelope",
        "not a JSON object",
    ):
        assert text in reasons
        assert text in caplog.text
    assert set(keys(s3, "orderlake-raw")) == set(FILES) | set(OTHER_DAY)  # nothing moved


def test_run_without_run_date_argument_is_not_guessed(aws: Any) -> None:
    s3, glue = aws
    run_id = glue.start_job_run(JobName=JOB)["JobRunId"]
    out = handler(
        succeeded(run_id),
        CONTEXT,
        raw_store=S3Store(s3, "orderlake-raw"),
        archive_store=S3Store(s3, "orderlake-archive"),
        job_runs=GlueJobRuns(glue),
    )["outcomes"]
    assert out[0]["status"] == archive.INVALID
    assert "has no --run_date argument" in out[0]["reason"]


def local_lake(tmp_path: Path) -> tuple[LocalStore, LocalStore, LocalJobRuns]:
    raw, cold = LocalStore(tmp_path / "raw"), LocalStore(tmp_path / "archive")
    for key, body in {**FILES, **OTHER_DAY}.items():
        raw.put(key, body)
    runs = LocalJobRuns(tmp_path)
    now = dt.datetime.now(dt.UTC)
    runs.record(JOB, "jr_local", "SUCCEEDED", DAY, now, now, None)
    return raw, cold, runs


def test_local_lake_archive_via_env_and_missing_partition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, cold, _ = local_lake(tmp_path)
    monkeypatch.delenv("RAW_BUCKET", raising=False)
    monkeypatch.setenv("ORDERLAKE_LAKE", str(tmp_path))
    out = handler(succeeded("jr_local"), CONTEXT)["outcomes"]
    assert out[0]["status"] == archive.ARCHIVED
    assert raw.list("orders/dt=2026-11-21/") == []
    assert not (tmp_path / "raw" / "orders" / "dt=2026-11-21").exists()
    assert raw.list("orders/dt=2026-11-20/")  # the other day stays
    assert {o.key for o in cold.list("orders/")} == set(FILES)
    for key, body in FILES.items():
        assert cold.get(key) == body

    # A run whose date never had raw files: logged, nothing to do, not an error.
    now = dt.datetime.now(dt.UTC)
    LocalJobRuns(tmp_path).record(JOB, "jr_empty", "SUCCEEDED", dt.date(2026, 1, 1), now, now, None)
    out = handler(succeeded("jr_empty"), CONTEXT)["outcomes"]
    assert out[0]["status"] == archive.MISSING


class CorruptingStore(LocalStore):
    """An archive whose writes lose the last byte: the copy must not verify."""

    def put(self, key: str, data: bytes) -> None:
        super().put(key, data[:-1] + b"X")


def test_a_copy_that_does_not_verify_leaves_raw_in_place(tmp_path: Path) -> None:
    raw, _, runs = local_lake(tmp_path)
    bad = CorruptingStore(tmp_path / "archive")
    with pytest.raises(OrderlakeError, match="SHA-256"):
        handler(succeeded("jr_local"), CONTEXT, raw_store=raw, archive_store=bad, job_runs=runs)
    assert {o.key for o in raw.list("orders/dt=2026-11-21/")} == set(FILES)


def test_interrupted_archive_is_completed_on_redelivery(tmp_path: Path) -> None:
    raw, cold, runs = local_lake(tmp_path)
    first_key = sorted(FILES)[0]
    raw.copy_to(first_key, cold, first_key)  # an earlier delivery stopped after one copy
    out = handler(succeeded("jr_local"), CONTEXT, raw_store=raw, archive_store=cold, job_runs=runs)
    assert out["outcomes"][0]["status"] == archive.ARCHIVED
    assert raw.list("orders/dt=2026-11-21/") == []
    assert {o.key: cold.get(o.key) for o in cold.list("orders/")} == FILES


def test_the_lambda_imports_nothing_heavy() -> None:
    """The Lambda package holds boto3 and the stdlib: no Spark, YAML, Arrow or DuckDB."""
    import subprocess
    import sys

    probe = (
        "import sys, importlib.util\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in {'pyspark','yaml','duckdb','pyarrow','faker','numpy'}:\n"
        "            raise ImportError('blocked ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        f"spec = importlib.util.spec_from_file_location('h', {str(HANDLER)!r})\n"
        "spec.loader.exec_module(importlib.util.module_from_spec(spec))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_a_transformed_sns_message_with_the_event_fields_is_understood(tmp_path: Path) -> None:
    """A rule's input transformer may publish a readable summary alongside `detail-type`,
    `source` and `detail`: the Lambda reads those fields and ignores the rest."""
    raw, cold, runs = local_lake(tmp_path)
    event = json.loads((FIXTURES / "sns_transformed_job_succeeded.json").read_text())
    run_id = json.loads(event["Records"][0]["Sns"]["Message"])["detail"]["jobRunId"]
    now = dt.datetime.now(dt.UTC)
    runs.record(JOB, run_id, "SUCCEEDED", DAY, now, now, None)
    out = handler(event, CONTEXT, raw_store=raw, archive_store=cold, job_runs=runs)["outcomes"]
    assert [o["status"] for o in out] == [archive.ARCHIVED]
    assert {o.key for o in cold.list("orders/")} == set(FILES)


def test_a_scheduled_run_with_yesterday_archives_the_day_before_it_started() -> None:
    """Scheduled runs carry `--run_date yesterday`; the date is the UTC day before StartedOn."""
    from orderlake.events.job_runs import run_date_of

    class Runs:
        def __init__(self, started: object) -> None:
            self.started = started

        def get_job_run(self, JobName: str, RunId: str) -> dict:  # noqa: N803
            run = {"Id": RunId, "Arguments": {"--run_date": "yesterday"}}
            return {"JobRun": run | ({"StartedOn": self.started} if self.started else {})}

    at_0145_utc = dt.datetime(2026, 11, 22, 1, 45, tzinfo=dt.UTC)
    in_new_york = at_0145_utc.astimezone(dt.timezone(dt.timedelta(hours=-5)))  # still the 21st
    assert run_date_of(Runs(at_0145_utc), JOB, "jr_1") == DAY
    assert run_date_of(Runs(in_new_york), JOB, "jr_1") == DAY
    with pytest.raises(LookupError, match="no StartedOn"):
        run_date_of(Runs(None), JOB, "jr_1")
