"""`orderlake query`: run a saved Athena query locally (DuckDB) or in AWS (Athena)."""

from __future__ import annotations

import argparse
import sys
import time

from orderlake.aws.athena import AthenaEngine, AthenaSettings
from orderlake.commands.common import add_lake_argument
from orderlake.errors import OrderlakeError
from orderlake.lake import Lake
from orderlake.local import catalog
from orderlake.local.athena import QueryResult, SavedQuery, run_local, saved_queries, saved_query
from orderlake.local.output import FORMATS, new_query_id, render, write_result_file
from orderlake.local.params import from_pairs

RESULTS_ZONE = "athena_results"


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "query",
        help="run a saved Athena query (sql/queries) locally or in Athena",
        description=(
            "Run a saved query from sql/queries. Locally (default) it runs over the crawled "
            "lake with DuckDB and writes <query-id>.csv under <lake>/athena-results/; with "
            "--engine athena it runs in AWS Athena."
        ),
    )
    parser.add_argument("name", nargs="?", help="saved query name (see --list)")
    parser.add_argument("--list", action="store_true", help="list the saved queries and exit")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a query parameter (repeat for each; --list shows them)",
    )
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format")
    parser.add_argument(
        "--engine", choices=("local", "athena"), default="local", help="where to run it"
    )
    athena = parser.add_argument_group("--engine athena")
    athena.add_argument("--workgroup", help="Athena workgroup ($ORDERLAKE_ATHENA_WORKGROUP)")
    athena.add_argument(
        "--database", help="Glue database ($ORDERLAKE_ATHENA_DATABASE, else pipeline.yaml)"
    )
    athena.add_argument(
        "--output-location",
        help="s3:// results location ($ORDERLAKE_ATHENA_OUTPUT, else the workgroup's)",
    )
    athena.add_argument("--region", help="AWS region ($AWS_REGION)")
    add_lake_argument(parser)
    parser.set_defaults(handler=handle)


def describe(query: SavedQuery) -> str:
    lines = [query.name, f"    {query.description}"]
    if query.grain:
        lines.append(f"    grain: {query.grain}")
    for p in query.parameters:
        lines.append(f"    --param {p.name}=<{p.type}>  {p.description}")
    return "\n".join(lines)


def _run_local(args: argparse.Namespace, query: SavedQuery, values: list) -> QueryResult:
    root = args.lake.resolve()
    with catalog.connect(root, read_only=True) as con:
        result = run_local(con, query, values)
    query_id = new_query_id()
    folder = Lake.local(root).roots[RESULTS_ZONE]
    path = write_result_file(result, type(root)(folder), query_id)
    return QueryResult(result.columns, result.rows, query_id=query_id, output_location=str(path))


def handle(args: argparse.Namespace) -> int:
    if args.list:
        print("\n\n".join(describe(q) for q in saved_queries().values()))
        return 0
    if not args.name:
        raise OrderlakeError("name a saved query (or --list); known: " + ", ".join(saved_queries()))
    query = saved_query(args.name)
    values = from_pairs(query.name, query.parameters, args.param)
    started = time.perf_counter()
    if args.engine == "athena":
        settings = AthenaSettings.resolve(
            args.workgroup, args.database, args.output_location, args.region
        )
        result = AthenaEngine.create(settings).run(query, values)
    else:
        result = _run_local(args, query, values)
    elapsed = time.perf_counter() - started
    if result.rows or args.format != "table":
        print(render(result, args.format))
    scanned = f", {result.bytes_scanned} bytes scanned" if result.bytes_scanned is not None else ""
    print(
        f"{query.name}: {len(result.rows)} row(s) in {elapsed:.2f}s{scanned}; "
        f"query id {result.query_id}; results {result.output_location or '(none)'}",
        file=sys.stderr,
    )
    if not result.rows:
        given = ", ".join(args.param) or "no parameters"
        print(f"{query.name} returned no rows for {given}", file=sys.stderr)
    return 0
