"""`orderlake crawl`: catalog the local lake's curated and analytics tables for queries."""

from __future__ import annotations

import argparse

from orderlake.commands.common import add_lake_argument
from orderlake.errors import OrderlakeError
from orderlake.lake import Lake
from orderlake.local import catalog
from orderlake.local.output import format_table


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "crawl",
        help="catalog the lake's tables (schemas, dt= partitions) for `orderlake query`",
        description=(
            "Scan the curated and analytics zones like the Glue crawlers do: read Parquet "
            "schemas and dt= partitions and register each table in the local catalog "
            "(<lake>/catalog.duckdb) under its Glue database and table name."
        ),
    )
    add_lake_argument(parser)
    parser.set_defaults(handler=handle)


class _Rows:
    def __init__(self, columns: list[str], rows: list[tuple]) -> None:
        self.columns, self.rows = columns, rows


def handle(args: argparse.Namespace) -> int:
    root = args.lake.resolve()
    if not root.is_dir():
        raise OrderlakeError(f"no lake at {root}: run `orderlake run --date YYYY-MM-DD` first")
    lake = Lake.local(root)
    with catalog.connect(root) as con:
        report = catalog.crawl(con, lake)
    rows = [
        (
            f"{report.database}.{t.name}",
            "conflict" if t.conflicts else "registered",
            len(t.partitions),
            len(t.new_partitions),
            len(t.columns) + 1,
            ", ".join(t.added_columns),
        )
        for t in report.tables
    ]
    rows += [(f"{report.database}.{name}", "no data yet", 0, 0, 0, "") for name in report.empty]
    columns = ["table", "state", "partitions", "new", "columns", "added columns"]
    print(f"catalog {catalog.catalog_path(root)}")
    print(format_table(_Rows(columns, rows)))
    if report.conflicts:
        raise OrderlakeError(
            f"{len(report.conflicts)} schema conflict(s), those tables keep their previous "
            "registration: " + "; ".join(str(c) for c in report.conflicts)
        )
    return 0
