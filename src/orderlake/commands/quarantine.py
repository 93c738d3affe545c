"""`orderlake quarantine`: a day's rejected rows with their reasons, file and line, and the
day's row accounting and rule outcomes."""

from __future__ import annotations

import argparse
from collections import Counter

import pyarrow.parquet as pq

from orderlake import names as N
from orderlake.commands.common import add_lake_argument, positive_int, run_date
from orderlake.io import failed_partition
from orderlake.lake import Lake
from orderlake.quality.report import day_report, read_day


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "quarantine",
        help="show a day's quarantined rows, row accounting and rule outcomes",
        description=(
            "Show the rows clean_orders rejected for a date: reason codes, source file, line "
            "number and the original line, after the day's row accounting and DQDL outcomes. "
            "--raw prints only the original lines, ready to fix and put back in the raw zone."
        ),
    )
    parser.add_argument("--date", type=run_date, required=True, help="run date, YYYY-MM-DD")
    parser.add_argument("--reason", help="only rows with this reason code (e.g. invalid_quantity)")
    parser.add_argument("--file", help="only rows from source files whose name contains this")
    parser.add_argument("--limit", type=positive_int, default=50, help="rows to show (0 = all)")
    parser.add_argument("--raw", action="store_true", help="print only the original lines")
    add_lake_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    lake = Lake.local(args.lake.resolve())
    # The date's last run failed: its rejected rows were kept apart, unpublished.
    failed = failed_partition(lake.table("quarantine"), args.date)
    if failed is not None:
        rows = [r for f in sorted(failed.glob("*.parquet")) for r in pq.read_table(f).to_pylist()]
    else:
        rows = read_day(lake, "quarantine", args.date)
    if args.reason:
        rows = [r for r in rows if args.reason in (r[N.REASONS] or [])]
    if args.file:
        rows = [r for r in rows if args.file in r[N.SOURCE_FILE]]
    rows.sort(key=lambda r: (r[N.SOURCE_FILE], r[N.LINE_NUMBER]))
    shown = rows if args.limit == 0 else rows[: args.limit]
    if args.raw:
        for row in shown:
            print(row[N.RAW_LINE])
        return 0
    report = day_report(lake, args.date)
    if report:
        print(report, end="\n\n")
    if failed is not None:
        print(
            f"the last run of {args.date.isoformat()} failed: its rejected rows (not published; "
            f"the quarantine partition is the last good run's)"
        )
    by_reason = Counter(reason for r in rows for reason in r[N.REASONS] or [])
    print(f"{len(rows)} quarantined row(s) for {args.date.isoformat()}", end="")
    print(": " + ", ".join(f"{code} {n}" for code, n in by_reason.most_common()) if rows else "")
    for row in shown:
        where = f"{row[N.SOURCE_FILE].rsplit('/', 1)[-1]}:{row[N.LINE_NUMBER]}"
        kept = row.get(N.KEPT_SOURCE_FILE)  # absent from partitions written before it existed
        differs = (
            f" (differs from the kept {kept.rsplit('/', 1)[-1]}:{row[N.KEPT_LINE_NUMBER]})"
            if kept
            else ""
        )
        print(f"{where}  {','.join(row[N.REASONS])}{differs}\n    {row[N.RAW_LINE]}")
    if len(shown) < len(rows):
        print(f"... {len(rows) - len(shown)} more (use --limit 0 for all)")
    return 0
