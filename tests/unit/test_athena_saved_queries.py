"""Every file in sql/queries is a valid saved Athena query that DuckDB can also run."""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from orderlake.definition import load_definition
from orderlake.errors import OrderlakeError
from orderlake.local import athena
from orderlake.local.params import PARSERS

QUERIES = athena.saved_queries()


def test_there_are_saved_queries_for_the_analysts_questions() -> None:
    assert {
        "top_products_by_revenue",
        "top_abandoned_products",
        "customer_top_abandoned_products",
        "daily_revenue_trend",
        "abandonment_rate_by_category",
        "high_value_transactions",
        "quarantine_reasons_by_day",
        "dq_outcomes_by_day",
    } <= set(QUERIES)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_saved_query_is_one_athena_statement_with_a_documented_header(name: str) -> None:
    query = QUERIES[name]
    tree = athena.parse_athena(query.sql)
    assert isinstance(tree, exp.Query), f"{name} is not a SELECT"
    assert query.description and query.grain, f"{name}: header needs description and grain"
    assert athena.placeholders(query.sql) == len(query.parameters), (
        f"{name}: one `-- param:` line per `?`"
    )
    for param in query.parameters:
        assert param.type in PARSERS, f"{name}: parameter {param.name} type {param.type}"
        assert param.description, f"{name}: parameter {param.name} needs a description"
    # Only the statement's own `?` may be there: Athena must not count one in a comment.
    assert not [line for line in query.sql.splitlines() if "--" in line and "?" in line]
    # Runtime values are parameters, never literal dates pasted into the SQL.
    assert not any(
        isinstance(lit.this, str) and lit.is_string and lit.this[:2] == "20"
        for lit in tree.find_all(exp.Literal)
    )


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_saved_query_translates_to_duckdb_without_unsupported_parts(name: str) -> None:
    # to_duckdb raises on anything sqlglot would have to drop or approximate.
    duck = athena.to_duckdb(QUERIES[name].sql)
    assert isinstance(sqlglot.parse_one(duck, read="duckdb"), exp.Query)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_saved_query_reads_only_catalog_tables(name: str) -> None:
    definition = load_definition()
    crawled = {t for c in definition.crawlers.values() for t in c["tables"]}
    tables = athena.tables_read(QUERIES[name].sql)
    assert tables and all(db == definition.glue_database for db, _ in tables), tables
    assert {t for _, t in tables} <= crawled, "a saved query reads only crawled tables"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_parameter_names_are_unique(name: str) -> None:
    names = [p.name for p in QUERIES[name].parameters]
    assert len(names) == len(set(names))


def test_invalid_athena_sql_is_rejected() -> None:
    with pytest.raises(OrderlakeError, match="not valid Athena SQL"):
        athena.to_duckdb("select from where")


def test_two_statements_are_rejected() -> None:
    with pytest.raises(OrderlakeError, match="one statement, found 2"):
        athena.to_duckdb("select 1; select 2")


def test_unknown_query_lists_the_known_ones() -> None:
    with pytest.raises(OrderlakeError, match="unknown saved query 'nope'; known: .*daily_revenue"):
        athena.saved_query("nope")


def test_sqlglot_reads_trino_placeholders() -> None:
    # The `?` of Athena execution parameters survives into DuckDB as DuckDB's own `?`.
    assert sqlglot.transpile("select ?", read="athena", write="duckdb") == ["SELECT ?"]
