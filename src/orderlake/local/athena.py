"""Saved Athena queries, run locally: Athena (Trino) SQL transpiled by sqlglot to DuckDB.

A saved query is one file in sql/queries/: header comments (`-- description:`, `-- grain:`,
`-- param: name type description`, one per `?` in order), then one Athena statement. The same
file is the Athena named query in AWS (Terraform reads the folder), so nothing here rewrites
its meaning: a construct DuckDB cannot run is an error, not a local approximation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, UnsupportedError

from orderlake.definition import load_definition, project_root
from orderlake.errors import OrderlakeError
from orderlake.local import catalog
from orderlake.local.output import format_table  # re-exported for `orderlake run`
from orderlake.local.params import QueryParameter, bind

QUERIES_DIR = Path("sql") / "queries"
_HEADER = re.compile(r"^--\s*(\w+):\s*(.*)$")

__all__ = [
    "QueryParameter",
    "QueryResult",
    "SavedQuery",
    "format_table",
    "run_local",
    "saved_query",
]


@dataclass(frozen=True)
class SavedQuery:
    name: str
    path: Path
    sql: str
    description: str = ""
    grain: str = ""
    parameters: tuple[QueryParameter, ...] = field(default_factory=tuple)


def queries_dir() -> Path:
    return project_root() / QUERIES_DIR


def load_query(path: Path) -> SavedQuery:
    """A saved query file and its header."""
    sql = path.read_text(encoding="utf-8")
    description, grain, params = "", "", []
    for line in sql.splitlines():
        match = _HEADER.match(line.strip())
        if not match:
            continue
        key, value = match.group(1).lower(), match.group(2).strip()
        if key == "description":
            description = value
        elif key == "grain":
            grain = value
        elif key == "param":
            name, type_, *rest = value.split(maxsplit=2) + [""]
            params.append(
                QueryParameter(name=name, type=type_.lower(), description=" ".join(rest).strip())
            )
    return SavedQuery(path.stem, path, sql, description, grain, tuple(params))


def saved_queries() -> dict[str, SavedQuery]:
    return {p.stem: load_query(p) for p in sorted(queries_dir().glob("*.sql"))}


def saved_query(name: str) -> SavedQuery:
    queries = saved_queries()
    if name not in queries:
        raise OrderlakeError(f"unknown saved query {name!r}; known: {', '.join(queries)}")
    return queries[name]


def parse_athena(sql: str) -> exp.Expression:
    """The one statement of a saved query, read as Athena SQL."""
    try:
        statements = [s for s in sqlglot.parse(sql, read="athena") if s is not None]
    except ParseError as exc:
        raise OrderlakeError(f"not valid Athena SQL: {exc}") from None
    if len(statements) != 1:
        raise OrderlakeError(f"a saved query holds one statement, found {len(statements)}")
    return statements[0]


def placeholders(sql: str) -> int:
    """How many `?` execution parameters the statement takes."""
    return len(list(parse_athena(sql).find_all(exp.Placeholder)))


def tables_read(sql: str) -> list[tuple[str, str]]:
    """(database, table) of every catalog table the statement reads (CTE names excluded)."""
    tree = parse_athena(sql)
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    found: list[tuple[str, str]] = []
    for table in tree.find_all(exp.Table):
        if not table.db and table.name in ctes:
            continue
        key = (table.db, table.name)
        if key not in found:
            found.append(key)
    return found


def to_duckdb(sql: str) -> str:
    """Athena SQL to DuckDB SQL. What sqlglot cannot express in DuckDB is an error."""
    tree = parse_athena(sql)
    try:
        return tree.sql(dialect="duckdb", unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError as exc:
        raise OrderlakeError(
            f"uses something DuckDB cannot run locally ({exc}); it can only run in Athena"
        ) from None


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]
    query_id: str = ""
    output_location: str = ""
    bytes_scanned: int | None = None


def run_local(con: duckdb.DuckDBPyConnection, query: SavedQuery, params: list[Any]) -> QueryResult:
    """Run a saved query over the local catalog; params are typed values or their text."""
    values = bind(query.name, query.parameters, params)
    database = load_definition().glue_database
    catalog.check_crawled(
        con, database, [t for db, t in tables_read(query.sql) if db in ("", database)]
    )
    try:
        sql = to_duckdb(query.sql)
    except OrderlakeError as exc:
        raise OrderlakeError(f"query {query.name} {exc}") from None
    try:
        cursor = con.execute(sql, values)
    except duckdb.CatalogException as exc:
        # Tables were checked above: what is missing is a function or type DuckDB lacks.
        raise OrderlakeError(
            f"query {query.name} uses something DuckDB cannot run locally: "
            f"{str(exc).splitlines()[0]}"
        ) from None
    except duckdb.IOException as exc:
        raise OrderlakeError(
            f"query {query.name}: {str(exc).splitlines()[0]} (a partition changed since the "
            f"last crawl: run `{catalog.CRAWL_COMMAND}` again)"
        ) from None
    except duckdb.Error as exc:
        raise OrderlakeError(f"query {query.name} failed: {str(exc).splitlines()[0]}") from None
    columns = [d[0] for d in cursor.description]
    return QueryResult(columns=columns, rows=cursor.fetchall())
