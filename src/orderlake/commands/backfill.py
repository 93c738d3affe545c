"""`orderlake backfill`: run the pipeline for every date of a range, then summarise."""

from __future__ import annotations

import argparse
import sys

from tqdm import tqdm

from orderlake.backfill import (
    SUMMARY_HEADERS,
    DateOutcome,
    backfill,
    date_range,
    dates_to_rerun,
    summary_rows,
    text_table,
)
from orderlake.commands.common import (
    add_archive_argument,
    add_lake_argument,
    local_pipeline,
    positive_int,
    run_date,
)
from orderlake.generator import GeneratorSettings
from orderlake.progress import Progress


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "backfill",
        help="run the pipeline for each date of a range, with a summary",
        description=(
            "Run each date from --from to --to (inclusive) through the local pipeline in one "
            "Spark session. Dates without raw data are generated first (unless --no-generate); "
            "raw data already there is used as it is. A failed date does not stop the others "
            "unless --fail-fast. Exits 1 if any date failed."
        ),
    )
    parser.add_argument("--from", dest="first", type=run_date, required=True, help="YYYY-MM-DD")
    parser.add_argument("--to", dest="last", type=run_date, required=True, help="YYYY-MM-DD")
    parser.add_argument("--fail-fast", action="store_true", help="stop at the first failed date")
    parser.add_argument(
        "--rows", type=positive_int, default=1000, help="rows to generate per missing date"
    )
    parser.add_argument("--seed", type=int, default=42, help="generator seed (deterministic)")
    parser.add_argument(
        "--no-generate", action="store_true", help="never generate: a date without raw data fails"
    )
    add_archive_argument(parser)
    add_lake_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    dates = date_range(args.first, args.last)
    settings = None if args.no_generate else GeneratorSettings(rows=args.rows, seed=args.seed)
    pipeline = local_pipeline(args, Progress(0, enabled=False))
    with tqdm(total=len(dates), desc="backfill", unit="day", file=sys.stderr) as bar:

        def done(outcome: DateOutcome) -> None:
            bar.update(1)
            bar.set_postfix_str(f"{outcome.run_date.isoformat()} {outcome.state}")
            if not outcome.succeeded:
                bar.write(f"{outcome.run_date.isoformat()} {outcome.state}: {outcome.error}")

        outcomes = backfill(pipeline, dates, settings, args.fail_fast, on_date_done=done)
    print(text_table(SUMMARY_HEADERS, summary_rows(outcomes)))
    rerun = dates_to_rerun(outcomes)
    succeeded = len(outcomes) - len(rerun)
    print(f"\n{succeeded} of {len(outcomes)} dates succeeded.")
    if rerun:
        print("Re-run these dates (each with the raw data it has):")
        for day in rerun:
            print(f"  orderlake run --date {day.isoformat()} --no-generate --lake {args.lake}")
        return 1
    return 0
