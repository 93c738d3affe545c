"""The warehouse load against a real PostgreSQL: idempotent, atomic, clear about bad input.

Expected figures come from the analytics Parquet itself, read independently with DuckDB.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import socket
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import duckdb
import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import types as T

from orderlake.errors import OrderlakeError
from orderlake.lake import Lake
from orderlake.warehouse import postgres
from orderlake.warehouse.plan import build_plan
from orderlake.warehouse.tables import TABLES, WarehouseTable

NUMERIC = (T.LongType, T.IntegerType, T.DecimalType, T.DoubleType)


def plan_for(lake: Lake, run_date: dt.date):
    return build_plan(run_date, TABLES, lambda name: lake.table_partition(name, run_date))


def numeric_columns(table: WarehouseTable) -> list[str]:
    return [f.name for f in table.schema.fields if isinstance(f.dataType, NUMERIC)]


def parquet_figures(folder: str, table: WarehouseTable) -> tuple:
    sums = ", ".join(f"sum({c})" for c in numeric_columns(table))
    query = f"select count(*), {sums} from read_parquet('{folder}/*.parquet')"
    with duckdb.connect() as con:
        return con.execute(query).fetchone()


def warehouse_figures(dsn: str, table: WarehouseTable, run_date: dt.date) -> tuple:
    sums = ", ".join(f"sum({c})" for c in numeric_columns(table))
    with psycopg.connect(dsn) as conn:
        return conn.execute(
            f"select count(*), {sums} from {table.qualified} where dt = %s", (run_date,)
        ).fetchone()


def same_figures(got: tuple, want: tuple) -> bool:
    return len(got) == len(want) and all(
        g == w if isinstance(w, int | Decimal) else g == pytest.approx(w)
        for g, w in zip(got, want, strict=True)
    )


def snapshot(dsn: str) -> dict[str, list[tuple]]:
    with psycopg.connect(dsn) as conn:
        return {
            t.name: conn.execute(f"select * from {t.qualified} order by 1, 2, 3").fetchall()
            for t in TABLES
        }


def copy_lake(lake: Lake, root: Path) -> Lake:
    shutil.copytree(Path(lake.roots["analytics"]), root / "analytics")
    return Lake.local(root, lake.definition)


def assert_loads_idempotently(lake: Lake, dsn: str, run_date: dt.date) -> None:
    postgres.create_tables(dsn)
    first = postgres.load(dsn, plan_for(lake, run_date))
    after_first = snapshot(dsn)
    second = postgres.load(dsn, plan_for(lake, run_date))

    assert snapshot(dsn) == after_first
    assert first.rows_by_table == second.rows_by_table
    for table in TABLES:
        want = parquet_figures(lake.table_partition(table.name, run_date), table)
        assert want[0] > 0, f"{table.name}: the fixture day should have rows"
        assert second.rows_by_table[table.name] == want[0]
        assert same_figures(warehouse_figures(dsn, table, run_date), want), table.name


def test_loading_a_date_twice_leaves_the_parquet_rows(
    analytics_lake: Lake, warehouse_dsn: str, run_date: dt.date
):
    assert_loads_idempotently(analytics_lake, warehouse_dsn, run_date)


@pytest.mark.slow
def test_the_pipelines_own_output_loads_idempotently(
    pipeline_lake: Lake, warehouse_dsn: str, run_date: dt.date
):
    assert_loads_idempotently(pipeline_lake, warehouse_dsn, run_date)


def test_load_replaces_only_its_date(
    analytics_lake: Lake, warehouse_dsn: str, tmp_path: Path, run_date: dt.date
):
    other_day = run_date + dt.timedelta(days=1)
    lake = copy_lake(analytics_lake, tmp_path)
    for table in TABLES:  # the next day holds only the first row of each table
        folder = Path(lake.table_partition(table.name, other_day))
        folder.mkdir(parents=True)
        rows = pq.read_table(lake.table_partition(table.name, run_date)).slice(0, 1)
        pq.write_table(rows, folder / "part-0.parquet")
    postgres.create_tables(warehouse_dsn)
    postgres.load(warehouse_dsn, plan_for(lake, run_date))
    with psycopg.connect(warehouse_dsn) as conn:  # a stale row the next load must remove
        conn.execute(
            "insert into orderlake.product_daily values "
            "('gone', 'Gone', 'x', 1, 1.00, 1, 1, 0, 0.00, 0.0, %s)",
            (run_date,),
        )
    postgres.load(warehouse_dsn, plan_for(lake, other_day))
    postgres.load(warehouse_dsn, plan_for(lake, run_date))

    for table in TABLES:
        want = parquet_figures(lake.table_partition(table.name, run_date), table)
        assert same_figures(warehouse_figures(warehouse_dsn, table, run_date), want), table.name
        assert warehouse_figures(warehouse_dsn, table, other_day)[0] == 1


def test_a_load_failing_half_way_leaves_the_warehouse_as_it_was(
    analytics_lake: Lake, warehouse_dsn: str, tmp_path: Path, run_date: dt.date
):
    postgres.create_tables(warehouse_dsn)
    postgres.load(warehouse_dsn, plan_for(analytics_lake, run_date))
    before = snapshot(warehouse_dsn)

    lake = copy_lake(analytics_lake, tmp_path)
    # product_daily shrinks to one row (loaded first, so changed if nothing rolled back) ...
    daily = Path(lake.table_partition("product_daily", run_date))
    one_row = pq.read_table(daily).slice(0, 1)
    shutil.rmtree(daily)
    daily.mkdir()
    pq.write_table(one_row, daily / "part-0.parquet")
    # ... and the last table holds a name longer than its column: its COPY fails mid-plan.
    customers = Path(lake.table_partition("customer_top_abandoned", run_date))
    rows = pq.read_table(customers)
    names = rows.column("product_name").to_pylist()
    names[0] = "x" * 300
    rows = rows.set_column(
        rows.schema.get_field_index("product_name"), "product_name", pa.array(names)
    )
    shutil.rmtree(customers)
    customers.mkdir()
    pq.write_table(rows, customers / "part-0.parquet")

    with pytest.raises(OrderlakeError) as failure:
        postgres.load(warehouse_dsn, plan_for(lake, run_date))

    message = str(failure.value)
    assert message.startswith("customer_top_abandoned: ")
    assert "statement 12/15 (load staging table)" in message
    assert "value too long" in message
    assert "rolled back" in message
    assert snapshot(warehouse_dsn) == before


def test_a_missing_table_is_named(analytics_lake: Lake, warehouse_dsn: str, run_date: dt.date):
    with pytest.raises(OrderlakeError, match=r"^product_daily: .* does not exist"):
        postgres.load(warehouse_dsn, plan_for(analytics_lake, run_date))


def test_a_table_with_other_columns_is_refused(
    analytics_lake: Lake, warehouse_dsn: str, run_date: dt.date
):
    postgres.create_tables(warehouse_dsn)
    with psycopg.connect(warehouse_dsn) as conn:
        conn.execute("alter table orderlake.top_abandoned_products drop column category")
    with pytest.raises(OrderlakeError, match=r"^top_abandoned_products: .* has columns"):
        postgres.load(warehouse_dsn, plan_for(analytics_lake, run_date))
    assert all(rows == [] for rows in snapshot_except(warehouse_dsn, "top_abandoned_products"))


def snapshot_except(dsn: str, skipped: str) -> list[list[tuple]]:
    with psycopg.connect(dsn) as conn:
        return [
            conn.execute(f"select * from {t.qualified}").fetchall()
            for t in TABLES
            if t.name != skipped
        ]


def test_parquet_of_another_schema_is_refused_before_any_write(
    analytics_lake: Lake, warehouse_dsn: str, tmp_path: Path, run_date: dt.date
):
    postgres.create_tables(warehouse_dsn)
    postgres.load(warehouse_dsn, plan_for(analytics_lake, run_date))
    before = snapshot(warehouse_dsn)
    lake = copy_lake(analytics_lake, tmp_path)
    folder = Path(lake.table_partition("top_abandoned_products", run_date))
    rows = pq.read_table(folder)
    index = rows.schema.get_field_index("abandoned_value")
    rows = rows.set_column(index, "abandoned_value", rows.column(index).cast(pa.float64()))
    shutil.rmtree(folder)
    folder.mkdir()
    pq.write_table(rows, folder / "part-0.parquet")

    with pytest.raises(OrderlakeError) as failure:
        postgres.load(warehouse_dsn, plan_for(lake, run_date))

    assert str(failure.value).startswith("top_abandoned_products: the Parquet at ")
    assert "abandoned_value is double precision, expected decimal(22,2)" in str(failure.value)
    assert snapshot(warehouse_dsn) == before


def test_a_missing_partition_is_named(analytics_lake: Lake, warehouse_dsn: str):
    with pytest.raises(OrderlakeError, match=r"^product_daily: no Parquet partition at .*dt="):
        postgres.load(warehouse_dsn, plan_for(analytics_lake, dt.date(2020, 1, 1)))


def test_an_unreachable_warehouse_is_named(analytics_lake: Lake, run_date: dt.date):
    with socket_closed_port() as port:
        dsn = f"host=127.0.0.1 port={port} user=orderlake password=secret dbname=wh"
        with pytest.raises(OrderlakeError) as failure:
            postgres.load(dsn, plan_for(analytics_lake, run_date))
    message = str(failure.value)
    assert message.startswith(f"cannot connect to the warehouse at host=127.0.0.1 port={port}")
    assert "secret" not in message


@contextlib.contextmanager
def socket_closed_port() -> Iterator[int]:
    with socket.socket() as sock:  # bound but never listening: connections are refused
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_create_tables_is_idempotent(warehouse_dsn: str):
    assert postgres.create_tables(warehouse_dsn) == [
        "schema",
        "product_daily",
        "top_abandoned_products",
        "customer_top_abandoned",
    ]
    postgres.create_tables(warehouse_dsn)
    with psycopg.connect(warehouse_dsn) as conn:
        tables = conn.execute(
            "select table_name from information_schema.tables "
            "where table_schema = 'orderlake' order by 1"
        ).fetchall()
    assert [t[0] for t in tables] == sorted(t.name for t in TABLES)
