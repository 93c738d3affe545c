"""Saved Athena queries, run locally: Athena (Trino) SQL transpiled by sqlglot to DuckDB."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import sqlglot
from sqlglot.errors import ParseError

from orderlake.definition import project_root
from orderlake.errors import OrderlakeError

QUERIES_DIR = Path("sql") / "queries"
_HEADER = re.compile(r"^--\s*(\w+):\s*(.*)$")


@dataclass(frozen=True)
class QueryParameter:
    name: str
    type: str
    description: str


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
    """A saved query file: header comments (`-- description:`, `-- grain:`,
    `-- param: name type description`, one per `?` in order), then one statement."""
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
            params.append(QueryParameter(name=name, type=type_, description=" ".join(rest)))
    return SavedQuery(path.stem, path, sql, description, grain, tuple(params))


def saved_queries() -> dict[str, SavedQuery]:
    return {p.stem: load_query(p) for p in sorted(queries_dir().glob("*.sql"))}


def saved_query(name: str) -> SavedQuery:
    queries = saved_queries()
    if name not in queries:
        raise OrderlakeError(f"unknown saved query {name!r}; known: {', '.join(queries)}")
    return queries[name]


def to_duckdb(sql: str) -> str:
    """Athena SQL to DuckDB SQL; a statement sqlglot cannot read as Athena is an error."""
    try:
        statements = sqlglot.transpile(sql, read="athena", write="duckdb")
    except ParseError as exc:
        raise OrderlakeError(f"not valid Athena SQL: {exc}") from None
    statements = [s for s in statements if s.strip()]
    if len(statements) != 1:
        raise OrderlakeError(f"a saved query holds one statement, found {len(statements)}")
    return statements[0]


@dataclass(frozen=True)
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]


def run_local(con: duckdb.DuckDBPyConnection, query: SavedQuery, params: list[Any]) -> QueryResult:
    if len(params) != len(query.parameters):
        names = ", ".join(p.name for p in query.parameters) or "none"
        raise OrderlakeError(
            f"query {query.name} takes {len(query.parameters)} parameter(s) ({names}), "
            f"got {len(params)}"
        )
    try:
        cursor = con.execute(to_duckdb(query.sql), params)
    except duckdb.CatalogException as exc:
        raise OrderlakeError(
            f"query {query.name}: {str(exc).splitlines()[0]} (run `orderlake crawl` to catalog "
            "the lake first)"
        ) from None
    columns = [d[0] for d in cursor.description]
    return QueryResult(columns=columns, rows=cursor.fetchall())


def format_table(result: QueryResult) -> str:
    """A plain aligned text table."""
    cells = [[_cell(v) for v in row] for row in result.rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(result.columns)]
    numeric = [
        all(
            isinstance(row[i], int | float) or _is_decimal(row[i])
            for row in result.rows
            if row[i] is not None
        )
        for i in range(len(result.columns))
    ]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if numeric[i] else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    out = [line(list(result.columns)), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    return "\n".join(out)


def _is_decimal(value: Any) -> bool:
    return type(value).__name__ == "Decimal"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)
