"""Smoke test of a deployment: generate a day, run the pipeline in Glue, report each step.

With no --date, the generator writes yesterday (UTC) and the daily workflow is started, as the
schedule would; with --date D, the generator writes D and each job runs in the graph's order with
--run_date D, then the crawlers (a backfill of one day). Exit status 0 only if every step succeeds.

In a real account (no --endpoint) it then checks what only AWS can show:
- each job ran on the workers it was given: Glue's executor metric for the run is above zero
  (a session stuck in local mode runs every task in the driver and reports no executors);
- the archive Lambda moved the day: the raw partition is empty, the archive holds every object
  with the size the generator wrote, and the Lambda logged that it verified the copies' SHA-256;
- clean_orders published its Glue Data Quality results (ListDataQualityResults for the run).

    .venv/bin/python scripts/smoke_test.py [--date YYYY-MM-DD] [--no-generate] [--timeout 3600]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3

from orderlake.dates import parse_run_date
from orderlake.definition import load_definition

ROOT = Path(__file__).resolve().parent.parent
DONE_JOB = {"SUCCEEDED", "FAILED", "TIMEOUT", "STOPPED", "ERROR"}


def terraform_outputs(path: str | None) -> dict[str, Any]:
    """`terraform output -json` of infra/, or of a file holding it (the emulator test)."""
    if path:
        text = Path(path).read_text()
    else:
        text = subprocess.run(
            ["terraform", f"-chdir={ROOT / 'infra'}", "output", "-json"],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    return {name: value["value"] for name, value in json.loads(text).items()}


POLL_SECONDS = 15.0


def wait(poll: Any, done: Any, timeout: float, every: float) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        state = poll()
        if done(state) or time.monotonic() > deadline:
            return state
        time.sleep(every)


def run_job(glue: Any, job: str, run_date: dt.date, timeout: float, every: float) -> str:
    run_id = glue.start_job_run(JobName=job, Arguments={"--run_date": run_date.isoformat()})[
        "JobRunId"
    ]
    run = wait(
        lambda: glue.get_job_run(JobName=job, RunId=run_id)["JobRun"],
        lambda r: r["JobRunState"] in DONE_JOB,
        timeout,
        every,
    )
    print(f"  job {job} run {run_id}: {run['JobRunState']} {run.get('ErrorMessage', '')}")
    return run["JobRunState"]


def deployed_order(jobs: dict[str, tuple[str, ...]], deployed: set[str]) -> list[str]:
    """Deployed jobs in graph order; unlike job_order(), this includes optional jobs that
    Terraform deployed (load_redshift with enable_redshift)."""
    order: list[str] = []
    pending = [j for j in jobs if j in deployed]
    while pending:
        ready = [j for j in pending if all(d in order or d not in deployed for d in jobs[j])]
        if not ready:
            raise SystemExit(f"job graph has a cycle among {pending}")
        order += ready
        pending = [j for j in pending if j not in ready]
    return order


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--date", help="run this day job by job (default: the daily workflow)")
    parser.add_argument("--no-generate", action="store_true", help="do not invoke the generator")
    parser.add_argument("--no-crawl", action="store_true", help="skip the crawlers (--date)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait in all")
    parser.add_argument("--endpoint", default=None, help="AWS endpoint override (emulator)")
    parser.add_argument("--outputs", default=None, help="terraform output -json file")
    parser.add_argument("--poll", type=float, default=POLL_SECONDS, help="seconds between polls")
    parser.add_argument(
        "--no-aws-checks", action="store_true",
        help="skip the checks only a real account can answer (implied by --endpoint)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    started = dt.datetime.now(dt.UTC)
    out = terraform_outputs(args.outputs)
    glue = boto3.client("glue", endpoint_url=args.endpoint)
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    run_date = parse_run_date(args.date) if args.date else yesterday

    if not args.no_generate:
        lam = boto3.client("lambda", endpoint_url=args.endpoint)
        reply = lam.invoke(
            FunctionName=out["lambda_functions"]["generator"],
            Payload=json.dumps({"date": run_date.isoformat()}).encode(),
        )
        body = reply["Payload"].read().decode()
        print(f"generator {run_date}: {body}")
        if reply.get("FunctionError"):
            return 1
    written = None if args.no_generate else json.loads(body)
    aws_checks = not (args.endpoint or args.no_aws_checks)

    if not args.date:
        workflow = out["glue_workflows"]["daily"]
        run_id = glue.start_workflow_run(Name=workflow)["RunId"]
        print(f"workflow {workflow} run {run_id} started (--run_date yesterday = {yesterday})")
        run = wait(
            lambda: glue.get_workflow_run(Name=workflow, RunId=run_id)["Run"],
            lambda r: r["Status"] in {"COMPLETED", "STOPPED", "ERROR"},
            args.timeout,
            args.poll,
        )
        stats = run.get("Statistics", {})
        print(f"workflow {run['Status']}: {json.dumps(stats)}")
        ok = run["Status"] == "COMPLETED" and not any(
            stats.get(k) for k in ("FailedActions", "StoppedActions", "TimeoutActions")
        )
        if ok and aws_checks:
            ok = only_aws_shows(out, yesterday, written, started, args.timeout, args.poll)
        return 0 if ok else 1

    definition = load_definition(ROOT / "pipeline.yaml")
    states = {}
    graph = {name: job.after for name, job in definition.jobs.items()}
    for job in deployed_order(graph, set(out["glue_jobs"])):
        if job in out["glue_jobs"]:
            states[job] = run_job(glue, out["glue_jobs"][job], run_date, args.timeout, args.poll)
            if states[job] != "SUCCEEDED":
                return 1
    failed = False
    for crawler in [] if args.no_crawl else out["glue_crawlers"].values():
        glue.start_crawler(Name=crawler)
        state = wait(
            lambda c=crawler: glue.get_crawler(Name=c)["Crawler"],
            lambda c: c["State"] == "READY",
            args.timeout,
            args.poll,
        )
        outcome = state.get("LastCrawl", {}).get("Status") if state["State"] == "READY" else None
        print(f"  crawler {crawler}: {outcome or 'not finished in time'}")
        failed = failed or outcome != "SUCCEEDED"
    if not failed and aws_checks:
        failed = not only_aws_shows(out, run_date, written, started, args.timeout, args.poll)
    return 1 if failed else 0


EXECUTORS_METRIC = "glue.driver.ExecutorAllocationManager.executors.numberAllExecutors"


def only_aws_shows(
    out: dict[str, Any],
    run_date: dt.date,
    written: dict[str, Any] | None,
    started: dt.datetime,
    timeout: float,
    every: float,
) -> bool:
    """The checks no emulator can answer; one line each, True when all pass."""
    glue, s3 = boto3.client("glue"), boto3.client("s3")
    results = []
    print("only AWS shows:")
    for name, job in out["glue_jobs"].items():
        runs = [
            r for r in glue.get_job_runs(JobName=job, MaxResults=20)["JobRuns"]
            if r["StartedOn"] >= started and r["JobRunState"] == "SUCCEEDED"
        ]  # fmt: skip
        if not runs:
            results.append(report(f"{name}: a successful run since {started:%H:%M}Z", False))
            continue
        run = runs[0]
        executors = max_metric(job, run["Id"], run["StartedOn"], run.get("CompletedOn"))
        results.append(
            report(
                f"{name} run {run['Id'][:12]}: executors {executors} "
                f"(workers given: {run.get('NumberOfWorkers')})",
                executors is not None and executors > 0,
            )
        )
        if name == "clean_orders":
            found = glue.list_data_quality_results(
                Filter={"JobName": job, "StartedAfter": started}
            )["Results"]
            results.append(report(f"clean_orders data quality results published: {len(found)}",
                                  len(found) > 0))  # fmt: skip
    if written:
        prefix = f"{out['raw_orders_prefix']}/dt={run_date.isoformat()}/"
        archived = wait(
            lambda: s3.list_objects_v2(Bucket=out["buckets"]["archive"], Prefix=prefix).get(
                "Contents", []
            ),
            lambda found: any(o["Key"] == written["key"] for o in found),
            min(timeout, 600),
            every,
        )
        sizes = {o["Key"]: o["Size"] for o in archived}
        left = s3.list_objects_v2(Bucket=out["buckets"]["raw"], Prefix=prefix).get("KeyCount", 0)
        results.append(report(
            f"archive holds {written['key']} with {sizes.get(written['key'])} bytes "
            f"(generator wrote {written['bytes']}); raw partition objects left: {left}",
            sizes.get(written["key"]) == written["bytes"] and left == 0,
        ))  # fmt: skip
        logs = boto3.client("logs").filter_log_events(
            logGroupName=f"/aws/lambda/{out['lambda_functions']['archive']}",
            startTime=int(started.timestamp() * 1000),
            filterPattern='"SHA-256 verified"',
        )["events"]
        results.append(report(f"archive Lambda logged verified copies: {len(logs)} line(s)",
                              len(logs) > 0))  # fmt: skip
    return all(results)


def max_metric(job: str, run_id: str, start: dt.datetime, end: dt.datetime | None) -> float | None:
    """Glue's job metrics (--enable-metrics) for one run: the most executors it had."""
    points = boto3.client("cloudwatch").get_metric_statistics(
        Namespace="Glue",
        MetricName=EXECUTORS_METRIC,
        Dimensions=[
            {"Name": "JobName", "Value": job},
            {"Name": "JobRunId", "Value": run_id},
            {"Name": "Type", "Value": "gauge"},
        ],
        StartTime=start - dt.timedelta(minutes=1),
        EndTime=(end or dt.datetime.now(dt.UTC)) + dt.timedelta(minutes=5),
        Period=60,
        Statistics=["Maximum"],
    )["Datapoints"]
    return max((p["Maximum"] for p in points), default=None)


def report(what: str, ok: bool) -> bool:
    print(f"  {'ok  ' if ok else 'FAIL'} {what}")
    return ok


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
