"""Arguments and set-up several subcommands share."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from pathlib import Path

from orderlake.errors import OrderlakeError
from orderlake.events.local import local_listeners
from orderlake.lake import parse_run_date
from orderlake.progress import Progress
from orderlake.runner import LocalPipeline

DEFAULT_LAKE = ".orderlake"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Not a command: shared argument helpers."""


def add_lake_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lake",
        type=Path,
        default=Path(os.environ.get("ORDERLAKE_LAKE", DEFAULT_LAKE)),
        help="local lake directory (default: $ORDERLAKE_LAKE or ./.orderlake)",
    )


def run_date(text: str) -> dt.date:
    try:
        return parse_run_date(text)
    except OrderlakeError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative")
    return value


def add_archive_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--archive-raw",
        action="store_true",
        help="after clean_orders succeeds, move the day's raw files to the archive zone "
        "(the archive Lambda, as in AWS)",
    )


def local_pipeline(args: argparse.Namespace, progress: Progress) -> LocalPipeline:
    """The local pipeline on `--lake`, with the job-state event flow attached as in AWS:
    on-call email on failure, high-value sale alerts, and archiving with `--archive-raw`."""
    pipeline = LocalPipeline(lake_root=args.lake.resolve(), progress=progress)
    pipeline.listeners.extend(local_listeners(pipeline.lake_root, archive=args.archive_raw))
    return pipeline
