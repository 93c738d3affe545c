"""Lambda packages run as packaged: each function zip built by scripts/build_artifacts.py, with
the project's layer and only what AWS provides, imports its handler and handles a sample event.

Each invocation runs in a fresh interpreter (`-I -S`: no virtualenv, no site-packages) whose
sys.path is laid out as Lambda lays it out: the function zip extracted as /var/task, the layers
as /opt (so /opt/python is on the path), and the python3.11 runtime's own packages last. AWS
calls go to moto in server mode, through AWS_ENDPOINT_URL, and the test reads the results back.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
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
print("RESULT " + json.dumps(result))
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
    assert body.count(b"\n") == 1 + 500  # header and one line per row
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
