"""Check the deployed resources against the definition files, with boto3 (moto or AWS).

Reads pipeline.yaml through orderlake.definition (what the local runner reads), the event
pattern files, sql/queries and the Terraform outputs, and fails with one line per mismatch.

    python scripts/check_deployment.py --outputs outputs.json [--endpoint URL] [--repo DIR]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import boto3

from orderlake.definition import load_definition


class Checker:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.passed = 0

    def equal(self, what: str, actual: Any, expected: Any) -> None:
        if actual == expected:
            self.passed += 1
        else:
            self.failures.append(f"{what}: expected {expected!r}, got {actual!r}")


def check(repo: Path, outputs: dict[str, Any], endpoint: str | None) -> Checker:
    def client(service: str) -> Any:
        return boto3.client(service, endpoint_url=endpoint)

    c = Checker()
    definition = load_definition(repo / "pipeline.yaml")
    out = {name: value["value"] for name, value in outputs.items()}
    buckets: dict[str, str] = out["buckets"]
    glue, events, sns, s3 = client("glue"), client("events"), client("sns"), client("s3")

    # S3: every zone a private, versioned, KMS-encrypted, TLS-only bucket with lifecycle rules.
    c.equal("buckets", sorted(buckets), sorted(definition.zones))
    for zone, bucket in buckets.items():
        c.equal(
            f"{bucket} versioning", s3.get_bucket_versioning(Bucket=bucket).get("Status"), "Enabled"
        )
        rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]
        c.equal(
            f"{bucket} encryption",
            rule["Rules"][0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
            "aws:kms",
        )
        block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
        c.equal(f"{bucket} public access block", all(block.values()), True)
        if out["tls_only_bucket_policies"]:
            policy = s3.get_bucket_policy(Bucket=bucket)["Policy"]
            c.equal(f"{bucket} TLS-only policy", "aws:SecureTransport" in policy, True)
        rules = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
        ids = {r["ID"] for r in rules}
        c.equal(
            f"{bucket} aborts multipart uploads", "abort-incomplete-multipart-uploads" in ids, True
        )
        if zone == "archive":
            c.equal(f"{bucket} archives to Glacier", "archive-to-glacier" in ids, True)
        if zone == "athena_results":
            c.equal(f"{bucket} expires results", "expire-athena-results" in ids, True)

    # Glue jobs: one per pipeline.yaml job, Glue 5.0, settings and --<table>_path arguments.
    deployed_jobs = out["glue_jobs"]
    enabled = {n for n, spec in definition.raw["jobs"].items() if spec.get("enabled", True)}
    c.equal("deployed jobs", sorted(deployed_jobs), sorted(enabled | set(deployed_jobs)))
    for name, job_def in definition.jobs.items():
        if name not in deployed_jobs:
            continue
        job = glue.get_job(JobName=out["glue_jobs"][name])["Job"]
        c.equal(f"job {name} glue version", job.get("GlueVersion"), "5.0")
        c.equal(f"job {name} worker type", job.get("WorkerType"), job_def.worker_type)
        c.equal(f"job {name} workers", job.get("NumberOfWorkers"), job_def.number_of_workers)
        c.equal(f"job {name} timeout", job.get("Timeout"), job_def.timeout_minutes)
        c.equal(f"job {name} retries", job.get("MaxRetries", 0), job_def.max_retries)
        args = job.get("DefaultArguments", {})
        for table in (*job_def.reads, *job_def.writes):
            spec = definition.tables[table]
            c.equal(
                f"job {name} --{table}_path",
                args.get(f"--{table}_path"),
                f"s3://{buckets[spec.zone]}/{spec.prefix}",
            )
        for kind, path in definition.raw.get("quality", {}).get(name, {}).items():
            if kind != "table":
                c.equal(
                    f"job {name} --{kind}_ruleset",
                    args.get(f"--{kind}_ruleset"),
                    f"s3://{buckets['artifacts']}/{path}",
                )
        c.equal(f"job {name} has no default --run_date", "--run_date" in args, False)
        c.equal(f"job {name} metrics", args.get("--enable-metrics"), "true")
        c.equal(
            f"job {name} continuous logs", args.get("--enable-continuous-cloudwatch-log"), "true"
        )
        c.equal(
            f"job {name} library",
            args.get("--additional-python-modules", "").endswith(".whl"),
            True,
        )

    # Workflow triggers follow the job graph: SCHEDULED start, CONDITIONAL on each `after`.
    workflow = out["glue_workflows"]["daily"]
    c.equal("workflow name", workflow, definition.workflow["name"])
    triggers = {
        t["Name"]: t for t in glue.get_triggers()["Triggers"] if t.get("WorkflowName") == workflow
    }
    start = [t for t in triggers.values() if t["Type"] == "SCHEDULED"]
    c.equal("scheduled triggers", len(start), 1)
    if start:
        c.equal("workflow schedule", start[0].get("Schedule"), definition.workflow["schedule"])
        c.equal(
            "start trigger jobs",
            sorted(a["JobName"] for a in start[0]["Actions"]),
            sorted(deployed_jobs[j] for j in deployed_jobs if not definition.jobs[j].after),
        )
    graph = {}
    for trigger in triggers.values():
        if trigger["Type"] != "CONDITIONAL":
            continue
        action = trigger["Actions"][0]
        target = action.get("JobName") or f"crawler:{action.get('CrawlerName')}"
        graph[target] = sorted(cond["JobName"] for cond in trigger["Predicate"]["Conditions"])
    for trigger in triggers.values():
        for action in trigger["Actions"]:
            if action.get("JobName"):
                c.equal(
                    f"trigger {trigger['Name']} passes --run_date",
                    action.get("Arguments", {}).get("--run_date"),
                    "yesterday",
                )
    expected_graph = {
        deployed_jobs[j]: sorted(deployed_jobs[a] for a in definition.jobs[j].after)
        for j in deployed_jobs
        if definition.jobs[j].after
    }
    expected_graph |= {
        f"crawler:{out['glue_crawlers'][name]}": sorted(
            deployed_jobs[a] for a in spec.get("after", [])
        )
        for name, spec in definition.crawlers.items()
    }
    c.equal("conditional triggers (job graph)", graph, expected_graph)

    # Crawlers cover their tables' prefixes.
    for name, spec in definition.crawlers.items():
        crawler = glue.get_crawler(Name=out["glue_crawlers"][name])["Crawler"]
        paths = sorted(t["Path"] for t in crawler["Targets"]["S3Targets"])
        c.equal(
            f"crawler {name} targets",
            paths,
            sorted(
                f"s3://{buckets[spec['zone']]}/{definition.tables[t].prefix}/"
                for t in spec["tables"]
            ),
        )

    # Athena: enforced, encrypted, engine 3, cutoff, metrics; one named query per sql file.
    athena = client("athena")
    wg = athena.get_work_group(WorkGroup=out["athena_workgroup"])["WorkGroup"]["Configuration"]
    c.equal("workgroup enforced", wg.get("EnforceWorkGroupConfiguration"), True)
    c.equal("workgroup metrics", wg.get("PublishCloudWatchMetricsEnabled"), True)
    c.equal("workgroup cutoff set", wg.get("BytesScannedCutoffPerQuery", 0) > 0, True)
    c.equal(
        "workgroup engine",
        wg.get("EngineVersion", {}).get("SelectedEngineVersion"),
        "Athena engine version 3",
    )
    c.equal(
        "workgroup results encrypted",
        wg["ResultConfiguration"]["EncryptionConfiguration"]["EncryptionOption"],
        "SSE_KMS",
    )
    c.equal(
        "named queries",
        sorted(out["named_queries"]),
        sorted(p.stem for p in (repo / "sql" / "queries").glob("*.sql")),
    )

    # EventBridge: one rule per pattern file, with the file's pattern, invoking the notifier
    # with the plain event (the archive rule the archive Lambda too), undeliverable events to
    # the failures queue.
    topic = out["alerts_topic_arn"]
    lam = client("lambda")
    functions = {
        key: lam.get_function(FunctionName=name)["Configuration"]["FunctionArn"]
        for key, name in out["lambda_functions"].items()
    }
    failures = out["notify_failures"]
    for path in sorted((repo / "events" / "patterns").glob("*.json")):
        rule = events.describe_rule(Name=out["event_rules"][path.stem])
        c.equal(
            f"rule {path.stem} pattern",
            json.loads(rule["EventPattern"]),
            json.loads(path.read_text()),
        )
        targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
        expected_targets = [functions["notify"]]
        if path.stem == "clean_orders_succeeded":
            expected_targets += [functions[k] for k in ("archive", "sales") if k in functions]
        c.equal(
            f"rule {path.stem} targets", sorted(t["Arn"] for t in targets), sorted(expected_targets)
        )
        for target in targets:
            c.equal(
                f"rule {path.stem} -> {target['Id']} gets the event as it is",
                [k for k in ("Input", "InputPath", "InputTransformer") if k in target],
                [],
            )
            c.equal(
                f"rule {path.stem} -> {target['Id']} dead-letter queue",
                target.get("DeadLetterConfig", {}).get("Arn"),
                failures["queue_arn"],
            )
    generator_rule = events.describe_rule(Name=f"{definition.raw['project']}-generator-schedule")
    c.equal(
        "generator schedule",
        generator_rule.get("ScheduleExpression"),
        definition.generator["schedule"],
    )

    # The freshness deadline: pipeline.yaml's cron, invoking the freshness-check Lambda.
    if "freshness" in functions:
        fresh = events.describe_rule(Name=out["freshness_rule"])
        deadline = (definition.raw.get("notifications") or {}).get("freshness", {}).get("deadline")
        c.equal("freshness deadline", fresh.get("ScheduleExpression"), deadline)
        targets = events.list_targets_by_rule(Rule=fresh["Name"])["Targets"]
        c.equal("freshness target", [t["Arn"] for t in targets], [functions["freshness"]])
        c.equal("freshness dead-letter queue",
                [t.get("DeadLetterConfig", {}).get("Arn") for t in targets],
                [failures["queue_arn"]])  # fmt: skip

    # SNS: encrypted on-call topic, one email subscription, which a failure message passes.
    attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
    c.equal("topic encrypted", bool(attrs.get("KmsMasterKeyId")), True)
    subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    c.equal("topic subscriptions", sorted(s["Protocol"] for s in subs), ["email"])
    if endpoint:  # publishes and invokes: only on the emulator
        for sub in subs:
            check_failure_passes_filter(c, client, sub, topic, out)

    # Sales alerts: their own encrypted topic, pipeline.yaml's recipients subscribed.
    sales_topic = out["sales_topic_arn"]
    sales_attrs = sns.get_topic_attributes(TopicArn=sales_topic)["Attributes"]
    c.equal("sales topic encrypted", bool(sales_attrs.get("KmsMasterKeyId")), True)
    sales_subs = sns.list_subscriptions_by_topic(TopicArn=sales_topic)["Subscriptions"]
    recipients = (definition.raw.get("notifications") or {}).get("high_value_sales", {})
    c.equal("sales topic subscriptions", sorted((s["Protocol"], s["Endpoint"]) for s in sales_subs),
            sorted(("email", e) for e in recipients.get("recipients", [])))  # fmt: skip
    if "sales" in functions:
        sales_env = lam.get_function(FunctionName=out["lambda_functions"]["sales"])
        variables = sales_env["Configuration"]["Environment"]["Variables"]
        orders = definition.tables["orders"]
        c.equal("sale alert reads the curated orders",
                (variables.get("CURATED_BUCKET"), variables.get("ORDERS_PREFIX")),
                (buckets[orders.zone], orders.prefix))  # fmt: skip
        c.equal("sale alert topic", variables.get("SALES_TOPIC_ARN"), sales_topic)

    # The notifier's failures: Lambda's on-failure destination, an alarm on the topic.
    invoke_config = lam.get_function_event_invoke_config(
        FunctionName=out["lambda_functions"]["notify"]
    )
    c.equal(
        "notifier on-failure destination",
        invoke_config.get("DestinationConfig", {}).get("OnFailure", {}).get("Destination"),
        failures["queue_arn"],
    )
    notify_env = lam.get_function(FunctionName=out["lambda_functions"]["notify"])["Configuration"]
    c.equal(
        "notifier topic", notify_env["Environment"]["Variables"].get("ON_CALL_TOPIC_ARN"), topic
    )
    queue_attrs = client("sqs").get_queue_attributes(
        QueueUrl=failures["queue_url"], AttributeNames=["All"]
    )
    c.equal("failures queue encrypted", bool(queue_attrs["Attributes"].get("KmsMasterKeyId")), True)
    (alarm,) = client("cloudwatch").describe_alarms(AlarmNames=[failures["alarm"]])["MetricAlarms"]
    c.equal("failures alarm notifies the topic", alarm.get("AlarmActions"), [topic])
    c.equal(
        "failures alarm watches the queue",
        (alarm.get("Namespace"), alarm.get("MetricName"), alarm.get("Dimensions")),
        (
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            [{"Name": "QueueName", "Value": failures["queue_arn"].rsplit(":", 1)[1]}],
        ),
    )

    # Lambdas: Python 3.11 with both layers, log groups with retention.
    logs = client("logs")
    for key, fn_name in out["lambda_functions"].items():
        fn = lam.get_function(FunctionName=fn_name)["Configuration"]
        c.equal(f"lambda {key} runtime", fn["Runtime"], "python3.11")
        layers = [layer["Arn"] for layer in fn.get("Layers", [])]
        c.equal(
            f"lambda {key} deps layer",
            any(f":layer:{definition.raw['project']}-deps:" in a for a in layers),
            True,
        )
        groups = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{fn_name}")
        c.equal(
            f"lambda {key} log retention",
            bool(groups["logGroups"] and groups["logGroups"][0].get("retentionInDays")),
            True,
        )
    return c


def check_failure_passes_filter(
    c: Checker, client: Any, sub: dict[str, Any], topic: str, out: dict[str, Any]
) -> None:
    """The email subscription's filter (policy and scope, if any) copied onto an SQS
    subscription of the same topic; the notifier's handler then tells a failure: the message
    must arrive, so the email subscription would deliver it. moto delivers to SQS, not email."""
    import uuid

    from orderlake.events.local import load_lambda_handler

    sns, sqs, glue = client("sns"), client("sqs"), client("glue")
    attrs = sns.get_subscription_attributes(SubscriptionArn=sub["SubscriptionArn"])["Attributes"]
    queue_url = sqs.create_queue(QueueName=f"filter-probe-{uuid.uuid4().hex[:8]}")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])
    copied = {k: attrs[k] for k in ("FilterPolicy", "FilterPolicyScope") if attrs.get(k)}
    probe = sns.subscribe(
        TopicArn=topic,
        Protocol="sqs",
        ReturnSubscriptionArn=True,
        Endpoint=queue_arn["Attributes"]["QueueArn"],
        Attributes=copied,
    )
    try:
        job = out["glue_jobs"]["clean_orders"]
        run_id = glue.start_job_run(JobName=job, Arguments={"--run_date": "2026-11-20"})["JobRunId"]
        event = json.loads(
            (Path(__file__).parent.parent / "events/samples/glue_job_failed.json").read_text()
        )
        event["detail"].update(jobName=job, jobRunId=run_id)
        handler = load_lambda_handler("notify")
        from orderlake.events.job_runs import GlueJobRuns
        from orderlake.events.notify import TopicPublisher

        handler(event, None, job_runs=GlueJobRuns(glue), publish=TopicPublisher(sns, topic))
        got = sqs.receive_message(QueueUrl=queue_url, WaitTimeSeconds=2).get("Messages", [])
        bodies = [json.loads(m["Body"]) for m in got]
        c.equal(
            f"a failure message passes the {sub['Protocol']} subscription's filter "
            f"({copied or 'none'})",
            [f"{job} FAILED for 2026-11-20" in b.get("Subject", "") for b in bodies],
            [True],
        )
    finally:
        sns.unsubscribe(SubscriptionArn=probe["SubscriptionArn"])
        sqs.delete_queue(QueueUrl=queue_url)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outputs", required=True, help="terraform output -json file")
    parser.add_argument("--endpoint", default=None, help="AWS endpoint (moto); omit for AWS")
    parser.add_argument("--repo", default=str(Path(__file__).resolve().parent.parent))
    args = parser.parse_args(argv)
    outputs = json.loads(Path(args.outputs).read_text())
    result = check(Path(args.repo), outputs, args.endpoint)
    for failure in result.failures:
        print(f"FAIL {failure}")
    print(f"{result.passed} checks passed, {len(result.failures)} failed")
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
