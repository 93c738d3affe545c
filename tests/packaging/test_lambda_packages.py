"""Lambda packages run as packaged: each function zip built by scripts/build_artifacts.py, with
the project's layer and only what AWS provides, imports its handler and handles a sample event.

Each invocation runs in a fresh interpreter (`-I -S`: no virtualenv, no site-packages) whose
sys.path is laid out as Lambda lays it out: the function zip extracted as /var/task, the layers
as /opt (so /opt/python is on the path), and the python3.11 runtime's own packages last. AWS
calls go to moto in server mode, through AWS_ENDPOINT_URL, and the test reads the results back.
"""

from __future__ import annotations

import contextlib
import csv
import http.server
import io
import json
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from orderlake.names import RAW_HEADER
from tests.packaging.conftest import package_set

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
REGION = "us-east-1"
DAY = "2026-11-21"  # the day before tests/fixtures/lambda/scheduled-event.json fired

# What the python3.11 runtime provides besides the standard library. AWS no longer publishes a
# per-runtime figure (lambda-python.html: "depends on the runtime version and your AWS Region";
# print boto3.__version__ in a function to find it). The last published one was boto3-1.27.1 /
# botocore-1.30.1 (lambda-runtimes.html, as quoted in boto/botocore#3082, Nov 2023), which
# predates AWS_ENDPOINT_URL (botocore 1.31.0) that this test needs to reach moto; so: the first
# release that reads it. Runtimes are updated in place since, only ever to newer versions, so
# code that runs on this one runs on what AWS has now. Their own dependencies (s3transfer,
# jmespath, urllib3, python-dateutil, six) come with them, as in the runtime.
LAMBDA_RUNTIME = ["boto3==1.28.0", "botocore==1.31.0"]
# The AWS SDK for pandas managed layer (AWSSDKPandas-Python311, infra var pandas_layer_arn),
# release 3.11.0: "AWS Lambda Layers: pyarrow was upgraded to 18.1.0, numpy was upgraded to
# 2.2.1" (release notes); it builds pandas from source, the newest 2.x then being 2.2.3, and
# keeps pandas' python-dateutil (which shadows the runtime's, /opt/python coming first).
PANDAS_LAYER = ["numpy==2.2.1", "pyarrow==18.1.0", "pandas==2.2.3", "python-dateutil==2.9.0.post0"]

# Lambda's runtime client, reduced to what a function can tell apart: sys.path in Lambda's order,
# `import handler` (Terraform's handler is "handler.handler"), one call with a context object.
# Any module loaded from elsewhere than these paths and the standard library fails the run.
BOOTSTRAP = r"""
import importlib, json, logging, sys, sysconfig, traceback
spec = json.loads(sys.argv[1])
stdlib = [sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib")]
sys.path[:] = [spec["task"], spec["opt"] + "/python/lib/python3.11/site-packages",
               spec["opt"] + "/python", spec["pandas_layer"], *sys.path, spec["runtime"]]
logging.basicConfig(stream=sys.stderr, format="[%(levelname)s] %(name)s %(message)s")
try:
    module = importlib.import_module("handler")
except Exception as exc:
    traceback.print_exc()
    print(f"[ERROR] Runtime.ImportModuleError: Unable to import module 'handler': {exc}",
          file=sys.stderr)
    sys.exit(10)

class Context:
    function_name = spec["function"]
    function_version = "$LATEST"
    invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
    memory_limit_in_mb = "512"
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"
    log_group_name = f"/aws/lambda/{function_name}"
    log_stream_name = "2026/11/22/[$LATEST]0123456789abcdef"
    @staticmethod
    def get_remaining_time_in_millis():
        return 300_000

try:
    result = module.handler(json.loads(spec["event"]), Context())
except Exception as exc:
    traceback.print_exc()
    print(f"[ERROR] {type(exc).__name__}: {exc} (the handler raised)", file=sys.stderr)
    sys.exit(11)
allowed = tuple(p.rstrip("/") + "/" for p in [*stdlib, spec["task"], spec["opt"],
                                               spec["pandas_layer"], spec["runtime"]])
strays = sorted({f"{name} ({m.__file__})" for name, m in list(sys.modules.items())
                 if getattr(m, "__file__", None) and not m.__file__.startswith(allowed)})
if strays:
    print("[ERROR] modules loaded from outside Lambda's paths: " + ", ".join(strays),
          file=sys.stderr)
    sys.exit(12)
print("RESULT " + json.dumps(result), flush=True)
# Lambda's runtime never finalizes the interpreter after an invocation (the process waits for
# the next one, then is frozen or killed), so neither does this: pyarrow 18.1's thread pool
# can abort at interpreter shutdown ("terminate called without an active exception").
sys.stderr.flush()
import os
os._exit(0)
"""


def base_python() -> str:
    """The interpreter the project's virtualenv was made from, not the virtualenv's own."""
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidate = Path(sys.base_prefix) / "bin" / version
    return str(candidate if candidate.exists() else Path(sys._base_executable))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    server = Path(sys.executable).parent / "moto_server"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [str(server), "-H", "127.0.0.1", "-p", str(port)], stdout=out, stderr=out
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"moto_server did not start:\n{log.read_text()}", pytrace=False)
                time.sleep(0.2)
        yield endpoint
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def runtime_paths() -> dict[str, str]:
    return {
        "runtime": str(package_set("lambda-python3.11", LAMBDA_RUNTIME)),
        "pandas_layer": str(package_set("awssdkpandas-python311", PANDAS_LAYER)),
    }


def client(service: str, endpoint: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def invoke(
    name: str,
    event: dict[str, Any],
    function_env: dict[str, str],
    artifacts: Path,
    runtime_paths: dict[str, str],
    endpoint: str,
    tmp_path: Path,
) -> dict[str, Any]:
    """Run lambdas/<name> as deployed; its return value, or a failure showing its stderr."""
    manifest = json.loads((artifacts / "manifest.json").read_text())
    task, opt = tmp_path / name / "var" / "task", tmp_path / name / "opt"
    with zipfile.ZipFile(artifacts / manifest["lambdas"][name]) as archive:
        archive.extractall(task)
    with zipfile.ZipFile(artifacts / manifest["layer"]) as archive:
        archive.extractall(opt)
    spec = {"task": str(task), "opt": str(opt), "function": f"orderlake-{name}"}
    spec |= runtime_paths | {"event": json.dumps(event)}
    home = tmp_path / name / "home"
    home.mkdir()
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),  # no developer's ~/.aws
        "LANG": "C.UTF-8",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_LAMBDA_FUNCTION_NAME": spec["function"],
        "LAMBDA_TASK_ROOT": str(task),
        **function_env,
    }
    done = subprocess.run(
        [base_python(), "-I", "-S", "-c", BOOTSTRAP, json.dumps(spec)],
        env=env,
        cwd=task,
        capture_output=True,
        text=True,
        timeout=180,
    )
    results = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not results:
        pytest.fail(
            f"lambdas/{name} failed as packaged (exit {done.returncode}):\n"
            f"--- stderr ---\n{done.stderr}--- stdout ---\n{done.stdout}",
            pytrace=False,
        )
    return json.loads(results[-1].removeprefix("RESULT "))


def test_generator_writes_a_day_as_packaged(
    artifacts: Path, runtime_paths: dict[str, str], moto_endpoint: str, tmp_path: Path
) -> None:
    s3 = client("s3", moto_endpoint)
    s3.create_bucket(Bucket="gen-raw")
    event = json.loads((FIXTURES / "lambda" / "scheduled-event.json").read_text())
    # The generator's environment as infra/modules/lambdas/main.tf sets it.
    env = {
        "RAW_BUCKET": "gen-raw",
        "RAW_ORDERS_PREFIX": "orders",
        "ORDERLAKE_ROWS": "500",
        "ORDERLAKE_SEED": "42",
        "ORDERLAKE_MALFORMED_SHARE": "0.02",
    }
    result = invoke(
        "generate_orders", event, env, artifacts, runtime_paths, moto_endpoint, tmp_path
    )

    key = f"orders/dt={DAY}/orders-seed42.csv"
    assert result["key"] == key and result["rows"] == 500
    body = s3.get_object(Bucket="gen-raw", Key=key)["Body"].read()
    assert body.split(b"\n", 1)[0].decode() == RAW_HEADER
    # header and one record per row (a product name may hold a quoted line break)
    assert len(list(csv.reader(io.StringIO(body.decode())))) == 1 + 500
    assert result["bytes"] == len(body)


def test_archive_moves_one_day_as_packaged(
    artifacts: Path, runtime_paths: dict[str, str], moto_endpoint: str, tmp_path: Path
) -> None:
    s3, glue = client("s3", moto_endpoint), client("glue", moto_endpoint)
    for bucket in ("arc-raw", "arc-archive"):
        s3.create_bucket(Bucket=bucket)
    day = {
        f"orders/dt={DAY}/orders-seed42.csv": (RAW_HEADER + "\n").encode() * 300,
        f"orders/dt={DAY}/orders-late.csv": (RAW_HEADER + "\n").encode(),
    }
    other_day = {"orders/dt=2026-11-20/orders-seed42.csv": b"kept\n"}
    for key, body in {**day, **other_day}.items():
        s3.put_object(Bucket="arc-raw", Key=key, Body=body)
    # The Lambda asks Glue which date the run processed (glue:GetJobRun, its --run_date).
    job = "orderlake-clean_orders"
    glue.create_job(
        Name=job, Role="glue-role", Command={"Name": "glueetl", "ScriptLocation": "s3://a/b.py"}
    )
    run_id = glue.start_job_run(JobName=job, Arguments={"--run_date": DAY})["JobRunId"]
    event = json.loads((FIXTURES / "events" / "sns_transformed_job_succeeded.json").read_text())
    message = json.loads(event["Records"][0]["Sns"]["Message"])
    message["run_id"] = message["detail"]["jobRunId"] = run_id  # moto picks its own run ids
    event["Records"][0]["Sns"]["Message"] = json.dumps(message)
    env = {"RAW_BUCKET": "arc-raw", "RAW_ORDERS_PREFIX": "orders", "ARCHIVE_BUCKET": "arc-archive"}

    result = invoke("archive_raw", event, env, artifacts, runtime_paths, moto_endpoint, tmp_path)

    (outcome,) = result["outcomes"]
    assert outcome["status"] == "archived", outcome
    assert outcome["run_date"] == DAY and outcome["objects"] == len(day)

    def contents(bucket: str) -> dict[str, bytes]:
        listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
        return {o["Key"]: s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}

    assert contents("arc-archive") == day
    assert contents("arc-raw") == other_day  # that day moved, nothing else


def test_the_stand_in_interpreter_sees_no_project_packages() -> None:
    """Before any path is added, the fresh interpreter finds none of the project's packages."""
    probe = "import importlib.util as u, sys; sys.exit(any(map(u.find_spec, sys.argv[1:])))"
    names = ["pyspark", "boto3", "faker", "numpy", "orderlake"]
    assert subprocess.run([base_python(), "-I", "-S", "-c", probe, *names], env={}).returncode == 0


SAMPLES = ROOT / "events" / "samples"
NOTIFY_SAMPLES = sorted(p.stem for p in SAMPLES.glob("*.json"))


def inner_event(sample: dict[str, Any]) -> dict[str, Any]:
    """The EventBridge event of a sample (an SNS envelope holds it as its message)."""
    if "Records" in sample:
        return json.loads(sample["Records"][0]["Sns"]["Message"])
    return sample


def with_event(sample: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    if "Records" in sample:
        sample = json.loads(json.dumps(sample))
        sample["Records"][0]["Sns"]["Message"] = json.dumps(event)
        return sample
    return event


def captured(sqs: Any, queue_url: str) -> list[dict[str, Any]]:
    """What the topic delivered to its SQS subscription (SNS's JSON envelope, not raw)."""
    got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
    return [json.loads(m["Body"]) for m in got.get("Messages", [])]


def local_email(event: dict[str, Any], tmp_path: Path, run: tuple[str, str] | None) -> Any:
    """The email the local runner's on-call subscriber writes for the same event."""
    import datetime as dt
    import email
    from email import policy

    from orderlake.events.job_runs import LocalJobRuns
    from orderlake.events.local import OnCallEmail
    from orderlake.events.mail import Mailer
    from orderlake.events.quality_results import LocalQualityResults
    from orderlake.events.settings import load_settings

    runs = LocalJobRuns(tmp_path / "lake")
    if run:
        t = dt.datetime(2026, 11, 22, 1, 50, tzinfo=dt.UTC)
        runs.record(
            run[0], run[1], event["detail"]["state"], dt.date.fromisoformat(DAY), t, t, None
        )
    on_call = OnCallEmail(
        Mailer(tmp_path / "outbox", "o@example.com"),
        runs,
        load_settings({"AWS_REGION": REGION}),
        quality_results=LocalQualityResults(tmp_path / "lake"),
    )
    delivery = on_call(json.dumps(event), None)
    if delivery is None:
        return None
    return email.message_from_bytes(delivery.path.read_bytes(), policy=policy.default)


@pytest.fixture()
def on_call_topic(moto_endpoint: str) -> tuple[str, str]:
    """An on-call topic with an SQS subscription standing in for the email one."""
    sns, sqs = client("sns", moto_endpoint), client("sqs", moto_endpoint)
    suffix = uuid.uuid4().hex[:8]  # one topic and inbox per test
    topic = sns.create_topic(Name=f"orderlake-job-events-{suffix}")["TopicArn"]
    queue_url = sqs.create_queue(QueueName=f"on-call-inbox-{suffix}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn["Attributes"]["QueueArn"])
    return topic, queue_url


@pytest.mark.parametrize("name", NOTIFY_SAMPLES)
@pytest.mark.parametrize("lookup", ["found", "fails"])
def test_notifier_publishes_the_local_email_as_packaged(
    name: str,
    lookup: str,
    on_call_topic: tuple[str, str],
    artifacts: Path,
    runtime_paths: dict[str, str],
    moto_endpoint: str,
    tmp_path: Path,
) -> None:
    """Each sample event through the packaged notifier against moto: what reaches the topic's
    subscriber is the local email's subject and body; with GetJobRun failing (no such run in
    Glue) the message still goes out and says the date is unknown. moto has no Glue Data
    Quality API, so a data quality email's failed rules are unknown in both places (each says
    why: only that line differs; tests/unit/test_notify_quality.py compares them found)."""
    topic, queue_url = on_call_topic
    sample = json.loads((SAMPLES / f"{name}.json").read_text())
    event = inner_event(sample)
    run = None
    names = job_run_fields(event)
    if names and lookup == "found":
        glue = client("glue", moto_endpoint)
        where, job_key, run_key = names
        job = where[job_key]
        with contextlib.suppress(glue.exceptions.AlreadyExistsException):
            glue.create_job(
                Name=job, Role="r", Command={"Name": "glueetl", "ScriptLocation": "s3://a/b.py"}
            )
        run_id = glue.start_job_run(JobName=job, Arguments={"--run_date": DAY})["JobRunId"]
        where[run_key] = run_id  # moto picks its own run ids
        if "message" in where:
            where["message"] = where["message"].replace(sample_run_id(name), run_id)
        run = (job, run_id)
    env = {"ON_CALL_TOPIC_ARN": topic}

    result = invoke("notify", with_event(sample, event), env, artifacts, runtime_paths,
                    moto_endpoint, tmp_path)  # fmt: skip

    delivered = captured(client("sqs", moto_endpoint), queue_url)
    expected = local_email(event, tmp_path, run)
    (outcome,) = result["outcomes"]
    if expected is None:  # a success: not mailed, locally or in AWS
        assert outcome["status"] == "ignored" and delivered == [], (outcome, delivered)
        return
    assert outcome["status"] == "published", outcome
    (message,) = delivered
    assert message["Subject"] == expected["Subject"]
    assert len(message["Subject"]) < 100 and "\n" not in message["Subject"]
    local_body = expected.get_content().replace("\r\n", "\n")
    # Where a lookup failed, each place says why (no record in the lake, moto's error): only
    # those reasons differ.
    unknown = ["Failed rules: unknown ("] + (["Run date:  unknown ("] if lookup == "fails" else [])
    local_body, message["Message"] = (
        "\n".join(next((u + "...)" for u in unknown if line.startswith(u)), line)
                  for line in text.split("\n"))
        for text in (local_body, message["Message"])
    )  # fmt: skip
    assert message["Message"] == local_body
    if names:
        if lookup == "found":
            assert f"Run date:  {DAY}" in message["Message"]
        else:
            assert "Run date:  unknown (...)" in message["Message"]
            assert "for unknown" in message["Subject"]


def sample_run_id(name: str) -> str:
    return json.loads((SAMPLES / f"{name}.json").read_text()).get("detail", {}).get("jobRunId", "-")


def job_run_fields(event: dict[str, Any]) -> tuple[dict[str, Any], str, str] | None:
    """Where an event names its job run: a job's detail (jobName, jobRunId), a data quality
    evaluation's context (jobName, jobId)."""
    detail = event["detail"]
    if "jobName" in detail:
        return detail, "jobName", "jobRunId"
    if "jobName" in detail.get("context", {}):
        return detail["context"], "jobName", "jobId"
    return None


class FailingGlue(http.server.ThreadingHTTPServer):
    """A Glue endpoint in trouble: every call answers 500, except the first GetDataQualityResult,
    which is held unanswered until the client hangs up (or HOLD_S passes: then it says so)."""

    HOLD_S = 20
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FailingGlueHandler)
        self.calls: list[str] = []
        self.held_until_hangup: bool | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class FailingGlueHandler(http.server.BaseHTTPRequestHandler):
    server: FailingGlue

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        operation = self.headers.get("X-Amz-Target", "").rpartition(".")[2]
        self.server.calls.append(operation)
        if operation == "GetDataQualityResult" and self.server.held_until_hangup is None:
            self.server.held_until_hangup = self._client_hangs_up_within(FailingGlue.HOLD_S)
            if self.server.held_until_hangup:
                return
        body = b'{"__type": "InternalServiceException", "message": "Glue is having a day"}'
        self.send_response(500)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _client_hangs_up_within(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            readable, _, _ = select.select([self.connection], [], [], 0.1)
            if readable and self.connection.recv(1, socket.MSG_PEEK) == b"":
                return True
        return False

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture()
def failing_glue() -> Iterator[FailingGlue]:
    server = FailingGlue()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def test_notifier_gives_up_on_a_failing_glue_and_mails_anyway_as_packaged(
    failing_glue: FailingGlue,
    on_call_topic: tuple[str, str],
    artifacts: Path,
    runtime_paths: dict[str, str],
    moto_endpoint: str,
    tmp_path: Path,
) -> None:
    """The lookups only add to the email: with Glue answering 500 or not at all, each gives up
    after three attempts and short timeouts, and the email goes out with the date and the
    failed rules unknown, inside the function's 60 s. (The publish's seven attempts, which the
    lookups had too, took 27-42 s of backoff for one lookup here, up to ~51 s.)"""
    topic, queue_url = on_call_topic
    event = json.loads((SAMPLES / "glue_dq_results_failed.json").read_text())
    env = {"ON_CALL_TOPIC_ARN": topic, "AWS_ENDPOINT_URL_GLUE": failing_glue.endpoint}

    result = invoke("notify", event, env, artifacts, runtime_paths, moto_endpoint, tmp_path)

    assert result["outcomes"][0]["status"] == "published", result
    assert sorted(failing_glue.calls) == ["GetDataQualityResult"] * 3 + ["GetJobRun"] * 3
    assert failing_glue.held_until_hangup, "the notifier waited on an unanswered lookup"
    (message,) = captured(client("sqs", moto_endpoint), queue_url)
    assert "Run date:  unknown (" in message["Message"]
    assert "Failed rules: unknown (" in message["Message"]


@pytest.mark.parametrize(
    "fixture", ["missing_detail", "unknown_state", "sns_non_json_message", "s3_object_created"]
)
def test_notifier_logs_bad_input_and_tells_failures_as_packaged(
    fixture: str,
    on_call_topic: tuple[str, str],
    artifacts: Path,
    runtime_paths: dict[str, str],
    moto_endpoint: str,
    tmp_path: Path,
) -> None:
    """Bad input never crashes the notifier; none of these is a recognisable failure, so none
    is mailed. A failure event it cannot read in full is mailed with what it knows."""
    topic, queue_url = on_call_topic
    event = json.loads((FIXTURES / "events" / f"{fixture}.json").read_text())
    env = {"ON_CALL_TOPIC_ARN": topic}
    result = invoke("notify", event, env, artifacts, runtime_paths, moto_endpoint, tmp_path)
    (outcome,) = result["outcomes"]
    assert outcome["status"] in {"ignored", "invalid"} and outcome["reason"], outcome
    assert captured(client("sqs", moto_endpoint), queue_url) == []

    broken = json.loads((SAMPLES / "glue_job_failed.json").read_text())
    del broken["detail"]["jobRunId"]
    result = invoke("notify", broken, env, artifacts, runtime_paths, moto_endpoint, tmp_path / "b")
    assert result["outcomes"][0]["status"] == "published"
    (message,) = captured(client("sqs", moto_endpoint), queue_url)
    assert "event detail has no jobRunId" in message["Subject"]
    assert "orderlake-aggregate_products" in message["Message"]


def test_freshness_check_tells_a_missing_day_once_as_packaged(
    on_call_topic: tuple[str, str],
    artifacts: Path,
    runtime_paths: dict[str, str],
    moto_endpoint: str,
    tmp_path: Path,
) -> None:
    """At the deadline (the scheduled event's time) the packaged check finds yesterday's raw
    partition missing and tells on-call once; with the day's clean_orders run succeeded, it
    tells nobody. The text is the local check's (orderlake check-freshness)."""
    topic, queue_url = on_call_topic
    s3, glue, sqs = (client(s, moto_endpoint) for s in ("s3", "glue", "sqs"))
    raw, log = f"fresh-raw-{uuid.uuid4().hex[:6]}", f"fresh-log-{uuid.uuid4().hex[:6]}"
    for bucket in (raw, log):
        s3.create_bucket(Bucket=bucket)
    env = {
        "RAW_BUCKET": raw,
        "RAW_ORDERS_PREFIX": "orders",
        "ALERT_LOG_BUCKET": log,
        "ON_CALL_TOPIC_ARN": topic,
    }
    event = {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-22T06:00:00Z",
        "region": REGION,
        "resources": ["arn:aws:events:us-east-1:123456789012:rule/orderlake-freshness-deadline"],
        "detail": {},
    }
    with contextlib.suppress(glue.exceptions.AlreadyExistsException):
        glue.create_job(
            Name="orderlake-clean_orders", Role="r",
            Command={"Name": "glueetl", "ScriptLocation": "s3://a/b.py"},
        )  # fmt: skip
    first = invoke("check_freshness", event, env, artifacts, runtime_paths, moto_endpoint,
                   tmp_path / "1")  # fmt: skip
    assert (first["day"], first["state"], first["told"]) == (DAY, "missing_raw", True)
    (message,) = captured(sqs, queue_url)
    local = local_freshness_email(tmp_path)
    assert message["Subject"] == local.subject and message["Message"] == local.body

    again = invoke("check_freshness", event, env, artifacts, runtime_paths, moto_endpoint,
                   tmp_path / "2")  # fmt: skip
    assert again["told"] is False and captured(sqs, queue_url) == []

    # The day arrived and clean_orders succeeded: the next day's check tells nobody.
    glue.start_job_run(JobName="orderlake-clean_orders", Arguments={"--run_date": "2026-11-22"})
    next_day = {**event, "time": "2026-11-23T06:00:00Z"}
    fine = invoke("check_freshness", next_day, env, artifacts, runtime_paths, moto_endpoint,
                  tmp_path / "3")  # fmt: skip
    assert fine["day"] == "2026-11-22" and fine["told"] is False, fine
    assert captured(sqs, queue_url) == []


def local_freshness_email(tmp_path: Path) -> Any:
    import datetime as dt

    from orderlake.events.freshness import assess, freshness_email
    from orderlake.events.job_runs import LocalJobRuns
    from orderlake.storage import LocalStore

    deadline = dt.datetime(2026, 11, 22, 6, 0, tzinfo=dt.UTC)
    day = dt.date.fromisoformat(DAY)
    lake = tmp_path / "lake"
    result = assess(day, deadline, LocalStore(lake / "raw"), "orders", LocalJobRuns(lake),
                    "orderlake-clean_orders")  # fmt: skip
    return freshness_email(result, deadline, "orderlake", "clean_orders")


def curated_day(path: Path) -> None:
    """A curated orders partition as clean_orders writes it (decimal amounts), with sales on
    both sides of the $400 threshold, in and out of the alerted status, and a tie."""
    import decimal

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [
        ("o1", "c1", "Ann", "p1", "Lamp", 3, "150.00", "completed"),
        ("o2", "c2", "Bob", "p2", "Desk", 1, "400.00", "completed"),  # not above
        ("o3", "c3", None, "p3", "Sofa", 2, "650.50", "completed"),
        ("o4", "c4", "Dee", "p4", "Bed", 1, "999.99", "abandoned"),  # wrong status
        ("o5", "c5", "Eve", "p5", "Rug", 4, "100.01", "completed"),
        ("o6", "c6", "Fay", "p6", None, 2, "225.00", "completed"),
        ("o7", "c7", "Gus", "p7", "Tv", 1, "450.00", "completed"),
    ]
    money = pa.decimal128(10, 2)
    table = pa.table({
        "order_id": [r[0] for r in rows], "customer_id": [r[1] for r in rows],
        "customer_name": [r[2] for r in rows], "product_id": [r[3] for r in rows],
        "product_name": [r[4] for r in rows],
        "quantity": pa.array([r[5] for r in rows], pa.int32()),
        "unit_price": pa.array([decimal.Decimal(r[6]) for r in rows], money),
        "total_amount": pa.array(
            [decimal.Decimal(r[6]) * r[5] for r in rows], pa.decimal128(12, 2)
        ),
        "status": [r[7] for r in rows],
    })  # fmt: skip
    pq.write_table(table.slice(0, 4), path / "part-00000.parquet")
    pq.write_table(table.slice(4), path / "part-00001.parquet")


def independent_report(folder: Path) -> tuple[int, str, list[str]]:
    """DuckDB over the same Parquet files: count, total and the order of the largest."""
    import duckdb

    rows = duckdb.sql(
        f"select order_id, total_amount from read_parquet('{folder}/*.parquet') "
        "where status = 'completed' and total_amount > 400 order by total_amount desc, order_id"
    ).fetchall()
    return len(rows), f"{sum(r[1] for r in rows):.2f}", [r[0] for r in rows][:5]


def test_sales_alert_reports_the_curated_day_as_packaged(
    artifacts: Path, runtime_paths: dict[str, str], moto_endpoint: str, tmp_path: Path
) -> None:
    """clean_orders SUCCEEDED: the packaged Lambda reads the day's curated Parquet from S3 with
    the pandas layer's pyarrow and publishes the local listener's report; its figures equal
    DuckDB's over the same files; a day without such sales publishes nothing."""
    s3, sns, sqs, glue = (client(s, moto_endpoint) for s in ("s3", "sns", "sqs", "glue"))
    suffix = uuid.uuid4().hex[:6]
    bucket = f"sales-curated-{suffix}"
    s3.create_bucket(Bucket=bucket)
    folder = tmp_path / "curated" / "orders" / f"dt={DAY}"
    folder.mkdir(parents=True)
    curated_day(folder)
    for part in sorted(folder.glob("*.parquet")):
        s3.put_object(Bucket=bucket, Key=f"orders/dt={DAY}/{part.name}", Body=part.read_bytes())
    topic = sns.create_topic(Name=f"orderlake-sales-alerts-{suffix}")["TopicArn"]
    queue = sqs.create_queue(QueueName=f"sales-inbox-{suffix}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
    with contextlib.suppress(glue.exceptions.AlreadyExistsException):
        glue.create_job(
            Name="orderlake-clean_orders", Role="r",
            Command={"Name": "glueetl", "ScriptLocation": "s3://a/b.py"},
        )  # fmt: skip
    event = json.loads((SAMPLES / "glue_job_succeeded.json").read_text())
    event["detail"]["jobRunId"] = glue.start_job_run(
        JobName="orderlake-clean_orders", Arguments={"--run_date": DAY}
    )["JobRunId"]
    env = {"CURATED_BUCKET": bucket, "ORDERS_PREFIX": "orders", "SALES_TOPIC_ARN": topic}

    result = invoke("sales_alert", event, env, artifacts, runtime_paths, moto_endpoint, tmp_path)

    (outcome,) = result["outcomes"]
    count, total, largest = independent_report(folder)
    assert (count, total, largest) == (5, "3051.04", ["o3", "o1", "o6", "o7", "o5"])
    assert (outcome["count"], outcome["total"], outcome["largest"]) == (count, total, largest)
    (message,) = captured(sqs, queue)
    # The same text as the local listener's, from the same files in a folder store.
    import datetime as dt

    from orderlake.events import alerts
    from orderlake.events.settings import load_settings
    from orderlake.storage import LocalStore

    local = alerts.report_for(
        LocalStore(tmp_path / "curated"), "orders", dt.date.fromisoformat(DAY),
        load_settings({}).high_value,
    )  # fmt: skip
    assert message["Subject"] == alerts.alert_subject(local, "orderlake")
    assert message["Message"] == alerts.alert_message(local)
    assert "$3,051.04 in total" in message["Message"]

    # A day whose sales are all below the threshold: nothing is published.
    quiet = "2026-11-20"
    s3.put_object(
        Bucket=bucket,
        Key=f"orders/dt={quiet}/part-00000.parquet",
        Body=(folder / "part-00000.parquet").read_bytes(),
    )  # o1..o4
    event["detail"]["jobRunId"] = glue.start_job_run(
        JobName="orderlake-clean_orders", Arguments={"--run_date": quiet}
    )["JobRunId"]
    env_low = {**env, "ORDERLAKE_HIGH_VALUE_THRESHOLD": "5000"}
    result = invoke("sales_alert", event, env_low, artifacts, runtime_paths, moto_endpoint,
                    tmp_path / "quiet")  # fmt: skip
    assert result["outcomes"][0]["status"] == "no_sales" and captured(sqs, queue) == []
