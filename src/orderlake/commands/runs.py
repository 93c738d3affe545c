"""`orderlake runs`: what ran, from the local run history or from AWS Glue."""

from __future__ import annotations

import argparse

from orderlake.backfill import text_table
from orderlake.commands.common import add_lake_argument, positive_int, run_date
from orderlake.definition import load_definition
from orderlake.history import RunHistory, RunRecord

HEADERS = ["id", "job", "date", "state", "started", "ended", "duration", "rows in", "rows out"]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "runs",
        help="list job runs (local run history, or Glue's with --engine aws)",
        description="List job runs, newest first, with their state, times, rows and errors.",
    )
    parser.add_argument("--date", type=run_date, help="only runs for this date (YYYY-MM-DD)")
    parser.add_argument(
        "--state", type=str.upper, help="only runs in this state (SUCCEEDED, FAILED, RUNNING, ...)"
    )
    parser.add_argument("--job", help="only runs of this job")
    parser.add_argument("--limit", type=positive_int, default=50, help="most runs to list (0: all)")
    parser.add_argument(
        "--engine",
        choices=["local", "aws"],
        default="local",
        help="local: the lake's run history; aws: Glue job runs (AWS credentials and region "
        "from the environment)",
    )
    add_lake_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    if args.engine == "aws":
        import boto3

        from orderlake.aws.glue_runs import glue_job_names, list_runs

        jobs = glue_job_names(load_definition())
        records = list_runs(
            boto3.client("glue"), jobs, args.date, args.state, args.job, args.limit or None
        )
    else:
        history = RunHistory.for_lake(args.lake.resolve())
        records = history.runs(args.date, args.state, args.job, args.limit or None)
    print(format_runs(records))
    return 0


def format_runs(records: list[RunRecord]) -> str:
    if not records:
        return "(no runs recorded)"
    rows = [
        [
            r.id,
            r.job,
            r.run_date.isoformat(),
            r.state,
            f"{r.started_at:%Y-%m-%d %H:%M:%S}",
            f"{r.ended_at:%H:%M:%S}" if r.ended_at else None,
            f"{r.duration_s:.1f}s" if r.duration_s is not None else None,
            r.rows_in,
            r.rows_out,
        ]
        for r in records
    ]
    table = text_table(HEADERS, rows)
    errors = [f"{r.id} {r.job} {r.run_date}: {r.error}" for r in records if r.error]
    return table + ("\n\nerrors:\n" + "\n".join(errors) if errors else "")
