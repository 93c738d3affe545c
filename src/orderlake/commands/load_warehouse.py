"""`orderlake load-warehouse`: a day's analytics tables into PostgreSQL, the local Redshift.

The same load plan the load_redshift Glue job runs on Redshift (staging, load, replace the
date, drop staging, one transaction), against the database a DSN names. The DSN comes from
ORDERLAKE_WAREHOUSE_DSN by default; passwords belong in PGPASSWORD or ~/.pgpass, not in code.
"""

from __future__ import annotations

import argparse
import os

from orderlake.commands.common import add_lake_argument, run_date
from orderlake.errors import OrderlakeError
from orderlake.lake import Lake

DSN_VARIABLE = "ORDERLAKE_WAREHOUSE_DSN"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "load-warehouse",
        help="load a day's analytics tables into PostgreSQL (the local stand-in for Redshift)",
        description="Replace a day's rows of the warehouse tables with the analytics Parquet, "
        "in one transaction: loading a date twice leaves the same rows.",
    )
    parser.add_argument("--date", type=run_date, required=True, help="run date, YYYY-MM-DD")
    parser.add_argument(
        "--dsn",
        default=None,
        help=f"libpq connection string (default: ${DSN_VARIABLE}), "
        "e.g. 'host=127.0.0.1 port=5432 dbname=orderlake user=orderlake'",
    )
    parser.add_argument(
        "--create-tables",
        action="store_true",
        help="first create the schema and tables from sql/redshift/ where missing",
    )
    add_lake_argument(parser)
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace) -> int:
    # Imported here: psycopg is needed by this command only, not by every CLI start.
    from orderlake.warehouse import postgres
    from orderlake.warehouse.plan import build_plan
    from orderlake.warehouse.tables import TABLES

    dsn = args.dsn or os.environ.get(DSN_VARIABLE)
    if not dsn:
        raise OrderlakeError(
            f"no warehouse to load: set {DSN_VARIABLE} or pass --dsn "
            "(e.g. 'host=127.0.0.1 port=5432 dbname=orderlake user=orderlake')"
        )
    lake = Lake.local(args.lake)
    if args.create_tables:
        created = postgres.create_tables(dsn)
        print(f"warehouse DDL applied: {', '.join(created)}")
    plan = build_plan(args.date, TABLES, lambda name: lake.table_partition(name, args.date))
    result = postgres.load(dsn, plan)
    where = postgres.describe_dsn(dsn)
    print(f"loaded {args.date.isoformat()} into {where}:")
    for table, rows in result.rows_by_table.items():
        print(f"  {table}: {rows} rows")
    return 0
