"""`orderlake schedule`: run the pipeline daily on the workflow's cron (pipeline.yaml)."""

from __future__ import annotations

import argparse
import datetime as dt
import signal
import sys
from types import FrameType

from orderlake.backfill import SUMMARY_HEADERS, backfill, summary_rows, text_table
from orderlake.commands.check_freshness import check_lake
from orderlake.commands.common import (
    add_archive_argument,
    add_lake_argument,
    local_pipeline,
    positive_int,
    run_date,
)
from orderlake.events.settings import load_settings
from orderlake.generator import GeneratorSettings
from orderlake.locks import schedule_lock
from orderlake.progress import Progress
from orderlake.schedule import AwsCron, Scheduler


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "schedule",
        help="run the pipeline daily on the workflow's cron, catching up missed days",
        description=(
            "Run the local pipeline on the same AWS cron expression Terraform deploys "
            "(pipeline.yaml workflow.schedule). Each fire runs the day before it (UTC); on "
            "start and at each fire, every date missed since the last date that succeeded is "
            "run once, oldest first. Ctrl-C stops it."
        ),
    )
    parser.add_argument(
        "--since",
        type=run_date,
        help="earliest date to catch up when the lake has no successful run yet "
        "(default: only the latest fire's date)",
    )
    parser.add_argument(
        "--max-catch-up", type=positive_int, default=31, help="most dates to catch up at once"
    )
    parser.add_argument("--once", action="store_true", help="run what is due now, then exit")
    parser.add_argument(
        "--rows",
        type=positive_int,
        help="rows to generate per missing date (default: pipeline.yaml)",
    )
    parser.add_argument(
        "--no-generate", action="store_true", help="never generate: a date without raw data fails"
    )
    add_archive_argument(parser)
    add_lake_argument(parser)
    parser.set_defaults(handler=handle)


def _say(text: str) -> None:
    print(f"{dt.datetime.now(dt.UTC):%H:%M:%S} {text}", file=sys.stderr, flush=True)


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def handle(args: argparse.Namespace) -> int:
    pipeline = local_pipeline(args, Progress(0, enabled=False))
    definition = pipeline.lake.definition
    generator = definition.generator
    settings = None
    if not args.no_generate:
        settings = GeneratorSettings(
            rows=args.rows if args.rows is not None else int(generator["rows"]),
            seed=int(generator["seed"]),
            malformed_share=float(generator["malformed_share"]),
        )
    cron = AwsCron.parse(str(definition.workflow["schedule"]))
    jobs = definition.job_order()
    history = pipeline.history
    assert history is not None

    def run_dates(dates: list[dt.date]) -> None:
        outcomes = backfill(pipeline, dates, settings)
        print(text_table(SUMMARY_HEADERS, summary_rows(outcomes)), flush=True)

    freshness_settings = load_settings()

    def check_freshness(now: dt.datetime) -> None:
        try:
            outcome = check_lake(pipeline.lake_root, now, freshness_settings)
        except Exception as exc:  # a check that fails must not stop the schedule
            _say(f"freshness check failed: {type(exc).__name__}: {exc}")
            return
        if outcome.state != "not_due":
            told = "; on-call told" if outcome.told else ""
            _say(f"freshness {outcome.day}: {outcome.state} ({outcome.reason}){told}")

    scheduler = Scheduler(
        cron=cron,
        deadline=AwsCron.parse(freshness_settings.freshness.deadline),
        check=check_freshness,
        last_success=lambda: history.last_successful_date(jobs),
        run_dates=run_dates,
        since=args.since,
        max_catch_up=args.max_catch_up,
        say=_say,
    )
    _say(f"schedule: {cron.expression} (UTC) on lake {pipeline.lake_root}; Ctrl-C stops")
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        with schedule_lock(pipeline.lake_root):
            if args.once:
                if not scheduler.tick():
                    _say("schedule: nothing due")
            else:
                scheduler.run_forever()
    except KeyboardInterrupt:
        # A date cut short keeps its previous good output (crash-safe writes) and is run again
        # at the next start, since it has not succeeded.
        _say("schedule: stopped")
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0
