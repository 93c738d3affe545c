"""`orderlake run`: one day of the pipeline on the local lake, ending in a saved query."""

from __future__ import annotations

import argparse

from orderlake.commands.common import (
    add_archive_argument,
    add_lake_argument,
    local_pipeline,
    positive_int,
    run_date,
)
from orderlake.generator import GeneratorSettings
from orderlake.local.athena import format_table
from orderlake.progress import Progress
from orderlake.quality.report import day_report
from orderlake.runner import DEFAULT_QUERY


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run one day: generate, clean, aggregate, crawl, query",
        description="Run one day of the pipeline locally and print the day's top products.",
    )
    parser.add_argument("--date", type=run_date, required=True, help="run date, YYYY-MM-DD")
    parser.add_argument("--rows", type=positive_int, default=1000, help="rows to generate")
    parser.add_argument("--seed", type=int, default=42, help="generator seed (deterministic)")
    parser.add_argument(
        "--malformed-share", type=float, default=0.02, help="share of malformed rows (0-1)"
    )
    parser.add_argument(
        "--no-generate",
        action="store_true",
        help="use the raw files already in the lake for that date instead of generating",
    )
    parser.add_argument("--query", default=DEFAULT_QUERY, help="saved query to print")
    add_archive_argument(parser)
    add_lake_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    settings = None
    if not args.no_generate:
        settings = GeneratorSettings(
            rows=args.rows, seed=args.seed, malformed_share=args.malformed_share
        )
    pipeline = local_pipeline(args, Progress(total=0))
    result = pipeline.run_day(args.date, settings, query=args.query)
    print(f"\n{args.query} for {args.date.isoformat()}:")
    print(format_table(result.answer) if result.answer and result.answer.rows else "(no rows)")
    print(f"\n{day_report(pipeline.lake, args.date)}")  # accounting and DQDL rule outcomes
    return 0
