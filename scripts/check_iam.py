"""Each component's AWS calls, made with the credentials of its own deployed role while moto
enforces IAM: a call its role does not allow fails the check.

After `terraform apply` on moto (scripts/infra_test.sh), with IAM enforcement still off, this
creates an administrator user for itself and the few things the calls need (a clean_orders job
run, an object in AWS's data quality assets bucket), then turns enforcement on
(/moto-api/reset-auth) and, for each component, assumes its role through STS and makes its
calls:

- the generator Lambda's handler writes a day into the raw bucket;
- the archive Lambda's handler archives that day (GetJobRun, list, copy, verify, delete);
- the Glue jobs' role: each pipeline.yaml job's own S3 traffic (its script, the wheel, its
  rulesets, TempDir, its input tables read, its output tables staged, committed and cleaned)
  and the data quality assets bucket; the jobs' Spark I/O cannot run here (no S3 connector for
  Spark offline), so these are the same object operations made with boto3;
- the crawlers' role: reading the crawled tables and writing the catalog;
- the notifier Lambda's handler tells on-call a failure (GetJobRun, Publish to the on-call
  topic), and a failure of a job outside its role (GetJobRun denied) still with the date
  "unknown"; a failed blocking ruleset (GetJobRun of the run the event's context names,
  Publish; the result itself from a stand-in: moto has no Glue Data Quality API, so the role's
  glue:GetDataQualityResult is evaluated against its policy); its on-failure destination's
  SendMessage to the failures queue;
- the freshness Lambda's handler checks a day with no raw partition (a listing of the raw
  orders prefix, GetJobRuns, its "told" marker in the artifacts bucket, Publish);
- the sale-alert Lambda's handler reports a curated day (GetJobRun, ListObjectsV2 and
  GetObject of the curated orders, Publish to the sales topic).

Each component also makes calls its role must NOT allow; those must be denied, so the check
fails if enforcement is off. Enforcement is turned off again at the end, whatever happened.

What moto cannot show (docs/deploy.md "What only AWS proves"): IAM condition keys, KMS key
use (moto's S3 never calls KMS), CopyObject's read of the source (moto checks only PutObject on
the target), the catalog and database ARNs AWS also checks for a table call, and every API moto
lacks (glue:PublishDataQuality, glue:GetDataQualityResult, glue:notifyEvent).

    python scripts/check_iam.py --endpoint URL --outputs outputs.json [--repo DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import json
import os
import sys
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parent.parent
DAY = dt.date(2026, 11, 21)
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}
DQ_ASSETS_KEY = "assets/engine.jar"


class Report:
    def __init__(self) -> None:
        self.passed = 0
        self.failed: list[str] = []

    def allowed(self, component: str, what: str, call: Callable[[], Any]) -> Any:
        try:
            result = call()
        except ClientError as error:
            code = error.response["Error"]["Code"]
            self._fail(component, f"{what}: {code} ({error.response['Error'].get('Message')})")
            return None
        self._pass(component, what)
        return result

    def denied(
        self, component: str, what: str, call: Callable[[], Any], codes: set[str] = DENIED
    ) -> None:
        try:
            call()
        except ClientError as error:
            # moto answers a JSON service's denial with an XML body botocore cannot read: a 403.
            status = error.response["ResponseMetadata"].get("HTTPStatusCode")
            if error.response["Error"]["Code"] in codes or (
                status == 403 and "AccessDenied" in str(error)
            ):
                self._pass(component, f"{what} denied")
                return
            self._fail(component, f"{what}: expected AccessDenied, got {error}")
            return
        self._fail(component, f"{what}: allowed, but the role must not allow it")

    def check(self, component: str, what: str, ok: bool, detail: str = "") -> None:
        if ok:
            self._pass(component, what)
        else:
            self._fail(component, f"{what}: {detail}")

    def _pass(self, component: str, what: str) -> None:
        self.passed += 1
        print(f"ok    {component:<14} {what}")

    def _fail(self, component: str, what: str) -> None:
        self.failed.append(f"{component}: {what}")
        print(f"FAIL  {component:<14} {what}")


def set_enforcement(endpoint: str, on: bool) -> None:
    """moto counts requests and authorizes every one past INITIAL_NO_AUTH_ACTION_COUNT."""
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=b"0" if on else b"inf",
        headers={"Content-Type": "text/plain"},  # a form body would be parsed away
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


@contextlib.contextmanager
def enforced(endpoint: str) -> Iterator[None]:
    set_enforcement(endpoint, True)
    try:
        yield
    finally:
        set_enforcement(endpoint, False)


def load_handler(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(
        f"{name}_handler", ROOT / "lambdas" / name / "handler.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class NoQualityApi:
    """The notifier's result lookup here: moto has no GetDataQualityResult."""

    def get_data_quality_result(self, ResultId: str) -> dict[str, Any]:  # noqa: N803
        raise LookupError("moto has no Glue Data Quality API")


class FakeContext:
    aws_request_id = "iam-check"

    def __init__(self, name: str) -> None:
        self.function_name = name
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 300_000


class Deployment:
    def __init__(self, endpoint: str, outputs: dict[str, Any]) -> None:
        self.endpoint = endpoint
        self.out = {name: value["value"] for name, value in outputs.items()}
        self.buckets: dict[str, str] = self.out["buckets"]
        self.roles: dict[str, str] = self.out["iam_roles"]
        self.jobs: dict[str, str] = self.out["glue_jobs"]
        self.region = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
        self.admin: boto3.Session | None = None
        self.sessions: dict[str, dict[str, Any]] = {}

    def create_admin(self) -> None:
        """With enforcement off: a user allowed everything, to assume the roles with."""
        iam = boto3.client("iam", endpoint_url=self.endpoint)
        name = "orderlake-iam-check"
        with contextlib.suppress(iam.exceptions.EntityAlreadyExistsException):
            iam.create_user(UserName=name)
        iam.put_user_policy(
            UserName=name,
            PolicyName="everything",
            PolicyDocument=json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
                }
            ),
        )
        for old in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:  # a re-run
            iam.delete_access_key(UserName=name, AccessKeyId=old["AccessKeyId"])
        key = iam.create_access_key(UserName=name)["AccessKey"]
        self.admin = boto3.Session(
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
            region_name=self.region,
        )

    def assume_roles(self) -> None:
        """Before enforcement: in AWS the service (lambda.amazonaws.com, glue.amazonaws.com)
        assumes the role as its trust policy allows; moto cannot evaluate a Service principal
        (it fails on one), so the credentials are taken first and used once enforcement is on."""
        sts = boto3.client("sts", endpoint_url=self.endpoint)
        self.sessions = {
            component: sts.assume_role(RoleArn=arn, RoleSessionName=f"iam-check-{component}")[
                "Credentials"
            ]
            for component, arn in self.roles.items()
        }

    def as_role(self, component: str) -> boto3.Session:
        creds = self.sessions[component]
        return boto3.Session(
            aws_access_key_id=creds["AccessKeyId"],
            aws_secret_access_key=creds["SecretAccessKey"],
            aws_session_token=creds["SessionToken"],
            region_name=self.region,
        )

    def client(self, session: boto3.Session, service: str) -> Any:
        return session.client(service, endpoint_url=self.endpoint)


def prepare(d: Deployment) -> dict[str, Any]:
    """With enforcement off: what the components' calls need that the deployment lacks."""
    glue = boto3.client("glue", endpoint_url=d.endpoint)
    s3 = boto3.client("s3", endpoint_url=d.endpoint)
    run_id = glue.start_job_run(
        JobName=d.jobs["clean_orders"], Arguments={"--run_date": DAY.isoformat()}
    )["JobRunId"]
    assets = f"aws-glue-ml-data-quality-assets-{d.region}"
    with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
        s3.create_bucket(Bucket=assets)
    s3.put_object(Bucket=assets, Key=DQ_ASSETS_KEY, Body=b"engine")
    artifacts = [o["Key"] for o in s3.list_objects_v2(Bucket=d.buckets["artifacts"])["Contents"]]
    return {"run_id": run_id, "assets_bucket": assets, "artifacts": artifacts}


def check_generator(d: Deployment, report: Report) -> str:
    session = d.as_role("lambda_generator")
    from orderlake.storage import S3Store

    generator = load_handler("generate_orders")
    store = S3Store(d.client(session, "s3"), d.buckets["raw"])
    event = json.loads((ROOT / "tests/fixtures/lambda/scheduled-event.json").read_text())
    os.environ["ORDERLAKE_ROWS"] = "40"
    os.environ["RAW_ORDERS_PREFIX"] = d.out["raw_orders_prefix"]
    result = report.allowed(
        "generator",
        f"handler writes {DAY} to s3://{d.buckets['raw']} (PutObject)",
        lambda: generator.handler(event, FakeContext("generate_orders"), store=store),
    )
    s3 = d.client(session, "s3")
    report.denied(
        "generator",
        "GetObject of the curated zone",
        lambda: s3.get_object(Bucket=d.buckets["curated"], Key="orders/none"),
    )
    report.denied(
        "generator",
        "DeleteObject in the raw zone",
        lambda: s3.delete_object(Bucket=d.buckets["raw"], Key=result["key"] if result else "x"),
    )
    return result["key"] if result else ""


def check_archive(d: Deployment, report: Report, run_id: str, raw_key: str) -> None:
    session = d.as_role("lambda_archive")
    from orderlake.events.job_runs import GlueJobRuns
    from orderlake.storage import S3Store

    archive = load_handler("archive_raw")
    sample = json.loads((ROOT / "events/samples/sns_lambda_job_succeeded.json").read_text())
    message = json.loads(sample["Records"][0]["Sns"]["Message"])
    message["detail"].update(jobName=d.jobs["clean_orders"], jobRunId=run_id)
    sample["Records"][0]["Sns"]["Message"] = json.dumps(message)
    s3 = d.client(session, "s3")
    result = report.allowed(
        "archive",
        f"handler archives {DAY} (GetJobRun, ListObjectsV2, CopyObject, GetObject, DeleteObject)",
        lambda: archive.handler(
            sample,
            FakeContext("archive_raw"),
            raw_store=S3Store(s3, d.buckets["raw"]),
            archive_store=S3Store(s3, d.buckets["archive"]),
            job_runs=GlueJobRuns(d.client(session, "glue")),
            prefix=d.out["raw_orders_prefix"],
        ),
    )
    outcomes = [o["status"] for o in (result or {}).get("outcomes", [])]
    report.check("archive", "the day was archived", outcomes == ["archived"], f"got {result}")
    report.denied(
        "archive",
        "DeleteObject in the archive zone",
        lambda: s3.delete_object(Bucket=d.buckets["archive"], Key=raw_key),
    )
    report.denied(
        "archive",
        "PutObject into the raw zone",
        lambda: s3.put_object(Bucket=d.buckets["raw"], Key=raw_key, Body=b"x"),
    )


def check_glue_jobs(d: Deployment, report: Report, prepared: dict[str, Any]) -> None:
    from orderlake.definition import load_definition

    definition = load_definition(ROOT / "pipeline.yaml")
    session = d.as_role("glue_job")
    s3 = d.client(session, "s3")
    cloudwatch = d.client(session, "cloudwatch")
    artifacts = d.buckets["artifacts"]
    assert d.admin is not None
    seeds = d.client(d.admin, "s3")  # enforcement is on: the administrator writes the inputs
    quality = definition.raw.get("quality", {})
    for job, glue_name in d.jobs.items():
        spec = definition.jobs[job]
        tag = f"glue:{job}"
        script = f"glue/scripts/{Path(spec.script).name}"
        report.allowed(
            tag, f"GetObject {script}", lambda k=script: s3.get_object(Bucket=artifacts, Key=k)
        )
        for key in prepared["artifacts"]:
            if key.startswith("glue/lib/") or (key.startswith("quality/") and job in quality):
                report.allowed(
                    tag, f"GetObject {key}", lambda k=key: s3.get_object(Bucket=artifacts, Key=k)
                )
        temp = f"glue/tmp/{glue_name}/probe"
        report.allowed(
            tag,
            "PutObject TempDir",
            lambda k=temp: s3.put_object(Bucket=artifacts, Key=k, Body=b"t"),
        )
        report.allowed(
            tag, "DeleteObject TempDir", lambda k=temp: s3.delete_object(Bucket=artifacts, Key=k)
        )
        for name in spec.reads:
            table = definition.tables[name]
            bucket, prefix = d.buckets[table.zone], table.prefix
            probe = f"{prefix}/dt={DAY}/iam-probe-{job}"
            seeds.put_object(Bucket=bucket, Key=probe, Body=b"input")
            report.allowed(
                tag,
                f"ListObjectsV2 {name}",
                lambda b=bucket, p=prefix: s3.list_objects_v2(Bucket=b, Prefix=f"{p}/"),
            )
            report.allowed(
                tag, f"GetObject {name}", lambda b=bucket, k=probe: s3.get_object(Bucket=b, Key=k)
            )
            if name not in {t for j in definition.jobs.values() for t in j.writes}:
                report.denied(
                    tag,
                    f"PutObject into {name} (read only)",
                    lambda b=bucket, k=probe: s3.put_object(Bucket=b, Key=k, Body=b"x"),
                )
                report.denied(
                    tag,
                    f"DeleteObject in {name} (read only)",
                    lambda b=bucket, k=probe: s3.delete_object(Bucket=b, Key=k),
                )
        for name in spec.writes:
            table = definition.tables[name]
            bucket, prefix = d.buckets[table.zone], table.prefix
            staged = f"{prefix}/_staging-{DAY}-iamcheck/part-00000.parquet"
            final = f"{prefix}/dt={DAY}/part-00000.parquet"
            # A failed run keeps its staged files as _failed-dt-D (a copy, then deletes), and
            # a date left with no rows has its partition deleted (orderlake.io).
            kept = f"{prefix}/_failed-dt-{DAY}/part-00000.parquet"
            for what, call in [
                (
                    f"PutObject {name} staging",
                    lambda b=bucket, k=staged: s3.put_object(Bucket=b, Key=k, Body=b"p"),
                ),
                (
                    f"GetObject {name} staging",
                    lambda b=bucket, k=staged: s3.get_object(Bucket=b, Key=k),
                ),
                (
                    f"PutObject {name} partition",
                    lambda b=bucket, k=final: s3.put_object(Bucket=b, Key=k, Body=b"p"),
                ),
                (
                    f"CopyObject {name} staging to a failed run's copy",
                    lambda b=bucket, k=kept, s=staged: s3.copy_object(
                        Bucket=b, Key=k, CopySource={"Bucket": b, "Key": s}
                    ),
                ),
                (
                    f"DeleteObject {name} staging",
                    lambda b=bucket, k=staged: s3.delete_object(Bucket=b, Key=k),
                ),
                (
                    f"DeleteObject {name} failed run's copy",
                    lambda b=bucket, k=kept: s3.delete_object(Bucket=b, Key=k),
                ),
                (
                    f"DeleteObject {name} partition",
                    lambda b=bucket, k=final: s3.delete_object(Bucket=b, Key=k),
                ),
                (
                    f"ListObjectsV2 {name}",
                    lambda b=bucket, p=prefix: s3.list_objects_v2(Bucket=b, Prefix=f"{p}/"),
                ),
            ]:
                report.allowed(tag, what, call)
        if job in quality:
            assets = prepared["assets_bucket"]
            report.allowed(
                tag,
                f"GetObject s3://{assets} (Glue Data Quality engine)",
                lambda b=assets: s3.get_object(Bucket=b, Key=DQ_ASSETS_KEY),
            )
            # The rulesets' metrics: Glue emits the results event (dq_failures) only with them.
            report.allowed(
                tag,
                "PutMetricData in 'Glue Data Quality'",
                lambda: cloudwatch.put_metric_data(
                    Namespace="Glue Data Quality",
                    MetricData=[{"MetricName": "glue.data.quality.rules.failed", "Value": 0}],
                ),
            )
    report.denied(
        "glue:jobs",
        "PutObject into the archive zone",
        lambda: s3.put_object(Bucket=d.buckets["archive"], Key="orders/x", Body=b"x"),
    )
    report.denied(
        "glue:jobs",
        "PutObject of a job script",
        lambda: s3.put_object(Bucket=artifacts, Key="glue/scripts/evil.py", Body=b"x"),
    )


def check_crawlers(d: Deployment, report: Report) -> None:
    from orderlake.definition import load_definition

    definition = load_definition(ROOT / "pipeline.yaml")
    session = d.as_role("glue_crawler")
    s3, glue = d.client(session, "s3"), d.client(session, "glue")
    database = definition.glue_database
    for crawler in definition.crawlers.values():
        for name in crawler["tables"]:
            table = definition.tables[name]
            bucket = d.buckets[table.zone]
            listing = report.allowed(
                "crawler", f"ListObjectsV2 {name}",
                lambda b=bucket, p=table.prefix: s3.list_objects_v2(Bucket=b, Prefix=f"{p}/"),
            )  # fmt: skip
            for item in (listing or {}).get("Contents", [])[:1]:
                report.allowed(
                    "crawler", f"GetObject {name}",
                    lambda b=bucket, k=item["Key"]: s3.get_object(Bucket=b, Key=k),
                )  # fmt: skip
    probe = f"iam_check_probe_{uuid.uuid4().hex[:8]}"
    report.allowed("crawler", "GetDatabase", lambda: glue.get_database(Name=database))
    report.allowed(
        "crawler", "CreateTable",
        lambda: glue.create_table(DatabaseName=database, TableInput={"Name": probe}),
    )  # fmt: skip
    report.allowed("crawler", "GetTable", lambda: glue.get_table(DatabaseName=database, Name=probe))
    report.denied(
        "crawler",
        "PutObject into the curated zone",
        lambda: s3.put_object(Bucket=d.buckets["curated"], Key="orders/x", Body=b"x"),
    )
    report.denied(
        "crawler", "DeleteTable", lambda: glue.delete_table(DatabaseName=database, Name=probe)
    )


def check_notifier(d: Deployment, report: Report, clean_orders_run: str) -> None:
    from orderlake.events.job_runs import GlueJobRuns
    from orderlake.events.notify import TopicPublisher

    session = d.as_role("lambda_notify")
    assert d.admin is not None
    admin_sns, admin_sqs, admin_glue = (d.client(d.admin, s) for s in ("sns", "sqs", "glue"))
    topic = d.out["alerts_topic_arn"]
    inbox = admin_sqs.create_queue(QueueName=f"iam-check-inbox-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    inbox_arn = admin_sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])
    subscription = admin_sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=inbox_arn["Attributes"]["QueueArn"],
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]  # fmt: skip
    foreign_job = "not-the-pipelines-job"
    with contextlib.suppress(admin_glue.exceptions.AlreadyExistsException):
        admin_glue.create_job(
            Name=foreign_job, Role="r", Command={"Name": "glueetl", "ScriptLocation": "s3://x/y"}
        )
    runs = {
        d.jobs["aggregate_products"]: admin_glue.start_job_run(
            JobName=d.jobs["aggregate_products"], Arguments={"--run_date": DAY.isoformat()}
        )["JobRunId"],
        foreign_job: admin_glue.start_job_run(
            JobName=foreign_job, Arguments={"--run_date": DAY.isoformat()}
        )["JobRunId"],
    }
    notify = load_handler("notify")
    glue, sns = d.client(session, "glue"), d.client(session, "sns")

    def tells(what: str, event: dict[str, Any], told: str) -> None:
        """The handler, with the role's clients, publishes one message whose subject says
        `told`. moto has no Glue Data Quality API: a result lookup says so."""
        result = report.allowed(
            "notify", f"handler tells {what}",
            lambda: notify.handler(
                event, FakeContext("notify"), job_runs=GlueJobRuns(glue),
                publish=TopicPublisher(sns, topic), quality_results=NoQualityApi(),
            ),
        )  # fmt: skip
        subjects = delivered_subjects(admin_sqs, inbox)
        report.check(
            "notify", f"on-call told {told}", len(subjects) == 1 and told in subjects[0],
            f"handler {result}, topic delivered {subjects}",
        )  # fmt: skip

    try:
        for job, run_id in runs.items():
            event = json.loads((ROOT / "events/samples/glue_job_failed.json").read_text())
            event["detail"].update(jobName=job, jobRunId=run_id)
            date = DAY.isoformat() if job != foreign_job else "unknown"
            lookup = "denied" if job == foreign_job else "allowed"
            tells(f"{job} FAILED (GetJobRun {lookup}, Publish)", event, f"{job} FAILED for {date}")
        event = json.loads((ROOT / "events/samples/glue_dq_results_failed.json").read_text())
        event["detail"]["context"].update(jobName=d.jobs["clean_orders"], jobId=clean_orders_run)
        tells(
            "a failed blocking ruleset (GetJobRun of its run, Publish)",
            event,
            f"data quality FAILED for {DAY}: orders",
        )
        sqs = d.client(session, "sqs")
        failures = d.out["notify_failures"]
        report.allowed(
            "notify", "SendMessage to the failures queue (on-failure destination)",
            lambda: sqs.send_message(QueueUrl=failures["queue_url"], MessageBody="{}"),
        )  # fmt: skip
        report.denied(
            "notify", "ReceiveMessage from the failures queue",
            lambda: sqs.receive_message(QueueUrl=failures["queue_url"]),
        )  # fmt: skip
        other = admin_sns.create_topic(Name="iam-check-other-topic")["TopicArn"]
        report.denied(
            "notify", "Publish to another topic",
            lambda: sns.publish(TopicArn=other, Message="x"),
        )  # fmt: skip
        report.denied(
            "notify", f"StartJobRun {d.jobs['clean_orders']}",
            lambda: glue.start_job_run(JobName=d.jobs["clean_orders"]),
        )  # fmt: skip
        report.denied(
            "notify", "GetObject of the curated zone",
            lambda: d.client(session, "s3").get_object(Bucket=d.buckets["curated"], Key="x"),
        )  # fmt: skip
    finally:
        admin_sns.unsubscribe(SubscriptionArn=subscription)
        admin_sqs.delete_queue(QueueUrl=inbox)
        queue = d.out["notify_failures"]["queue_url"]
        while got := admin_sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10):
            if not got.get("Messages"):
                break
            for m in got["Messages"]:
                admin_sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
        other = admin_sns.create_topic(Name="iam-check-other-topic")["TopicArn"]
        admin_sns.delete_topic(TopicArn=other)


def delivered_subjects(sqs: Any, queue_url: str) -> list[str]:
    """The subjects the on-call topic delivered to the check's inbox queue, then removed."""
    got = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2).get("Messages", [])
    for m in got:
        sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
    return [json.loads(m["Body"]).get("Subject", "") for m in got]


def check_freshness(d: Deployment, report: Report) -> None:
    session = d.as_role("lambda_freshness")
    assert d.admin is not None
    fresh = load_handler("check_freshness")
    clients = {name: d.client(session, name) for name in ("s3", "glue", "sns")}
    os.environ.update(
        RAW_BUCKET=d.buckets["raw"], RAW_ORDERS_PREFIX=d.out["raw_orders_prefix"],
        ALERT_LOG_BUCKET=d.buckets["artifacts"], ON_CALL_TOPIC_ARN=d.out["alerts_topic_arn"],
    )  # fmt: skip
    # A deadline long after the generator's day: that day has no raw partition and no run.
    event = {
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "time": "2030-01-02T06:00:00Z",
    }
    result = report.allowed(
        "freshness", "handler checks 2030-01-01 (ListObjectsV2 raw, GetJobRuns, marker, Publish)",
        lambda: fresh.handler(event, FakeContext("check_freshness"), clients=clients),
    )  # fmt: skip
    report.check("freshness", "on-call told the day is missing",
                 bool(result) and result["state"] == "missing_raw" and result["told"],
                 f"got {result}")  # fmt: skip
    again = report.allowed(
        "freshness", "a second check of the same day",
        lambda: fresh.handler(event, FakeContext("check_freshness"), clients=clients),
    )  # fmt: skip
    report.check("freshness", "not told twice", bool(again) and not again["told"], f"got {again}")
    s3, glue = clients["s3"], clients["glue"]
    report.denied(
        "freshness", "GetObject of a raw order file",
        lambda: s3.get_object(Bucket=d.buckets["raw"], Key=f"{d.out['raw_orders_prefix']}/x"),
    )  # fmt: skip
    report.denied(
        "freshness", "PutObject of a job script",
        lambda: s3.put_object(Bucket=d.buckets["artifacts"], Key="glue/scripts/x.py", Body=b"x"),
    )  # fmt: skip
    report.denied(
        "freshness", f"GetJobRuns of {d.jobs['aggregate_products']}",
        lambda: glue.get_job_runs(JobName=d.jobs["aggregate_products"]),
    )  # fmt: skip
    report.denied(
        "freshness", f"StartJobRun {d.jobs['clean_orders']}",
        lambda: glue.start_job_run(JobName=d.jobs["clean_orders"]),
    )  # fmt: skip


def check_sales(d: Deployment, report: Report, run_id: str) -> None:
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    from orderlake.events.job_runs import GlueJobRuns
    from orderlake.events.notify import TopicPublisher
    from orderlake.storage import S3Store

    session = d.as_role("lambda_sales")
    assert d.admin is not None
    seeds = d.client(d.admin, "s3")  # what clean_orders wrote for the day
    buffer = io.BytesIO()
    pq.write_table(pa.table({
        "order_id": ["o1"], "customer_id": ["c1"], "customer_name": ["Ann"],
        "product_id": ["p1"], "product_name": ["Lamp"], "quantity": pa.array([2], pa.int32()),
        "unit_price": pa.array([300.0]),
        "total_amount": pa.array([600.0]), "status": ["completed"],
    }), buffer)  # fmt: skip
    key = f"orders/dt={DAY}/part-00000.parquet"
    seeds.put_object(Bucket=d.buckets["curated"], Key=key, Body=buffer.getvalue())
    sales = load_handler("sales_alert")
    s3, sns = d.client(session, "s3"), d.client(session, "sns")
    event = json.loads((ROOT / "events/samples/glue_job_succeeded.json").read_text())
    event["detail"].update(jobName=d.jobs["clean_orders"], jobRunId=run_id)
    result = report.allowed(
        "sales", f"handler reports {DAY} (GetJobRun, ListObjectsV2, GetObject, Publish)",
        lambda: sales.handler(
            event, FakeContext("sales_alert"), store=S3Store(s3, d.buckets["curated"]),
            job_runs=GlueJobRuns(d.client(session, "glue")),
            publish=TopicPublisher(sns, d.out["sales_topic_arn"]),
        ),
    )  # fmt: skip
    outcomes = (result or {}).get("outcomes", [])
    report.check("sales", "one sale over the threshold published",
                 [(o["status"], o.get("count")) for o in outcomes] == [("published", 1)],
                 f"got {result}")  # fmt: skip
    report.denied(
        "sales", "Publish to the on-call topic",
        lambda: sns.publish(TopicArn=d.out["alerts_topic_arn"], Message="x"),
    )  # fmt: skip
    report.denied(
        "sales", "PutObject into the curated zone",
        lambda: s3.put_object(Bucket=d.buckets["curated"], Key=key, Body=b"x"),
    )  # fmt: skip
    report.denied(
        "sales", "GetObject of the quarantine",
        lambda: s3.get_object(Bucket=d.buckets["curated"], Key=f"quarantine/dt={DAY}/x"),
    )  # fmt: skip


def simulated(d: Deployment, report: Report) -> None:
    """Actions moto has no API for, evaluated by moto's own policy evaluator on the role's
    deployed policies (what `aws iam simulate-principal-policy` answers in AWS)."""
    from moto.iam.access_control import IAMPolicy, PermissionResult

    iam = boto3.client("iam", endpoint_url=d.endpoint)
    prefix = f"arn:aws:glue:{d.region}:{iam.get_user()['User']['Arn'].split(':')[4]}"
    ruleset = f"{prefix}:dataQualityRuleset"
    cases = [  # component, action, resource, whether the role must allow it
        ("glue_job", "glue:PublishDataQuality", f"{ruleset}/orderlake-orders", True),
        # The notifier reads the blocking ruleset's results (the job's evaluation context),
        # not the warning ruleset's (never mailed), and nobody else reads them.
        ("lambda_notify", "glue:GetDataQualityResult", f"{ruleset}/orders", True),
        ("lambda_notify", "glue:GetDataQualityResult", f"{ruleset}/orders_warnings", False),
        ("lambda_freshness", "glue:GetDataQualityResult", f"{ruleset}/orders", False),
    ]
    for component, action, resource, expected in cases:
        role = d.roles[component].rsplit("/", 1)[1]
        results = [
            IAMPolicy(
                json.dumps(iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"])
            ).is_action_permitted(action, resource)
            for name in iam.list_role_policies(RoleName=role)["PolicyNames"]
        ]
        allowed = PermissionResult.PERMITTED in results and PermissionResult.DENIED not in results
        what = "" if expected else " denied"
        report.check(component, f"{action} on {resource}{what} (simulated: no such API in moto)",
                     allowed == expected,
                     "not allowed by the role's policies" if expected else "allowed")  # fmt: skip


def clean_up(d: Deployment, prepared: dict[str, Any]) -> None:
    """With enforcement off: remove every object version and delete marker the check left, so
    `terraform destroy` finds the data buckets empty (they are not force-destroyed) and moto
    meets no delete marker when it empties the artifacts bucket."""
    s3 = boto3.client("s3", endpoint_url=d.endpoint)
    terraform_managed = set(prepared["artifacts"])
    for bucket in [*d.buckets.values(), prepared["assets_bucket"]]:
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
            for version in page.get("Versions", []) + page.get("DeleteMarkers", []):
                if bucket == d.buckets["artifacts"] and version["Key"] in terraform_managed:
                    continue
                s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
    s3.delete_bucket(Bucket=prepared["assets_bucket"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoint", required=True, help="moto server URL")
    parser.add_argument("--outputs", required=True, type=Path, help="terraform output -json")
    args = parser.parse_args(argv)
    d = Deployment(args.endpoint, json.loads(args.outputs.read_text()))
    d.create_admin()
    prepared = prepare(d)
    d.assume_roles()
    report = Report()
    simulated(d, report)
    with enforced(args.endpoint):
        # Enforcement is on: even the checker's own calls must be allowed to somebody.
        probe = boto3.client("s3", endpoint_url=args.endpoint)
        report.denied(
            "emulator",
            "a call with credentials no IAM principal has",
            probe.list_buckets,
            codes=DENIED | {"InvalidAccessKeyId", "InvalidClientTokenId"},
        )
        raw_key = check_generator(d, report)
        check_archive(d, report, prepared["run_id"], raw_key)
        check_glue_jobs(d, report, prepared)
        check_crawlers(d, report)
        check_notifier(d, report, prepared["run_id"])
        check_freshness(d, report)
        check_sales(d, report, prepared["run_id"])
    clean_up(d, prepared)
    print(f"IAM enforced: {report.passed} passed, {len(report.failed)} failed")
    for failure in report.failed:
        print(f"  {failure}", file=sys.stderr)
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
