"""The load plan: one plan, rendered for Redshift and PostgreSQL; the DDL matches the tables."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlglot
from sqlglot import exp

from orderlake.errors import OrderlakeError
from orderlake.warehouse.ddl import ddl_files, postgres_statement, redshift_statement
from orderlake.warehouse.plan import (
    CREATE_STAGING,
    DELETE_DATE,
    DROP_STAGING,
    INSERT,
    LOAD_STAGING,
    build_plan,
    postgres_copy,
    redshift_copy,
)
from orderlake.warehouse.tables import TABLES, warehouse_table

ROLE = "arn:aws:iam::123456789012:role/orderlake-redshift-copy"
RUN_DATE = dt.date(2026, 11, 21)


def s3_plan():
    return build_plan(RUN_DATE, TABLES, lambda name: f"s3://lake-analytics/{name}/dt=2026-11-21")


def test_both_targets_run_the_same_steps_and_differ_only_in_the_load():
    redshift = s3_plan().render(redshift_copy(ROLE))
    postgres = s3_plan().render(postgres_copy)

    assert [(s.table, s.action) for s in redshift] == [(s.table, s.action) for s in postgres]
    assert [s.action for s in redshift[:5]] == [
        CREATE_STAGING,
        LOAD_STAGING,
        DELETE_DATE,
        INSERT,
        DROP_STAGING,
    ]
    assert [s.table for s in redshift[::5]] == [t.name for t in TABLES]
    for ours, theirs in zip(redshift, postgres, strict=True):
        assert (ours.sql == theirs.sql) == (ours.action != LOAD_STAGING)


def test_the_statements_for_product_daily():
    steps = s3_plan().render(redshift_copy(ROLE))[:5]
    columns = (
        "product_id, product_name, category, units, revenue, orders, carts, abandoned_carts, "
        "abandoned_value, abandonment_rate"
    )
    assert steps[0].sql.startswith(
        "create temp table stage_product_daily (product_id varchar(256) not null, "
        "product_name varchar(256), "
    )
    assert steps[0].sql.endswith("abandonment_rate double precision not null)")
    assert steps[1].sql == (
        "copy stage_product_daily from 's3://lake-analytics/product_daily/dt=2026-11-21/' "
        f"iam_role '{ROLE}' format as parquet"
    )
    assert steps[2].sql == "delete from orderlake.product_daily where dt = date '2026-11-21'"
    assert steps[3].sql == (
        f"insert into orderlake.product_daily ({columns}, dt) "
        f"select {columns}, date '2026-11-21' from stage_product_daily"
    )
    assert steps[4].sql == "drop table stage_product_daily"
    postgres_load = s3_plan().render(postgres_copy)[1]
    assert postgres_load.sql == f"copy stage_product_daily ({columns}) from stdin"


@pytest.mark.parametrize(
    "role",
    ["", "orderlake-role", "arn:aws:iam::123:role/x", f"{ROLE}' --"],
)
def test_a_bad_iam_role_is_refused(role):
    with pytest.raises(OrderlakeError, match="invalid IAM role ARN"):
        redshift_copy(role)


def test_redshift_loads_only_from_s3():
    plan = build_plan(RUN_DATE, TABLES, lambda name: f"/tmp/lake/{name}/dt=2026-11-21")
    with pytest.raises(OrderlakeError, match=r"^product_daily: Redshift loads from an s3://"):
        plan.render(redshift_copy(ROLE))


def test_an_empty_plan_and_an_unknown_table_are_refused():
    with pytest.raises(OrderlakeError, match="nothing to load"):
        build_plan(RUN_DATE, [], str)
    with pytest.raises(OrderlakeError, match="unknown warehouse table 'orders'"):
        warehouse_table("orders")


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_the_ddl_declares_the_tables_columns_then_dt(table):
    file = next(f for f in ddl_files() if f.stem == table.name)
    create = sqlglot.parse_one(redshift_statement(file), read="redshift")
    assert isinstance(create, exp.Create)
    assert create.this.this.sql() == table.qualified
    declared = [
        " ".join(
            [
                column.name,
                column.args["kind"].sql("redshift").lower().replace(", ", ","),
                *(["not null"] if column.find(exp.NotNullColumnConstraint) else []),
            ]
        )
        for column in create.this.expressions
        if isinstance(column, exp.ColumnDef)
    ]
    assert declared == [*table.column_definitions(), "dt date not null"]
    key = create.this.find(exp.PrimaryKey)
    assert tuple(col.name for col in key.expressions) == table.key
    assert "SORTKEY" not in postgres_statement(file).upper()


def test_every_redshift_statement_parses_in_the_redshift_dialect():
    kinds = {
        CREATE_STAGING: exp.Create,
        LOAD_STAGING: exp.Copy,
        DELETE_DATE: exp.Delete,
        INSERT: exp.Insert,
        DROP_STAGING: exp.Drop,
    }
    for step in s3_plan().render(redshift_copy(ROLE)):
        parsed = sqlglot.parse_one(step.sql, read="redshift")
        assert isinstance(parsed, kinds[step.action]), step.sql
