"""Smoke test of a deployment: generate a day, run the pipeline in Glue, report each step.

With no --date, the generator writes yesterday (UTC) and the daily workflow is started, as the
schedule would; with --date D, the generator writes D and each job runs in the graph's order with
--run_date D, then the crawlers (a backfill of one day). Exit status 0 only if every step succeeds.

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
    args = parser.parse_args(argv)
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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
