"""`orderlake load-warehouse` end to end: DSN from the environment, exit codes, output."""

from __future__ import annotations

import datetime as dt

import duckdb
import pytest

from orderlake.cli import main
from orderlake.lake import Lake


def parquet_rows(lake: Lake, table: str, run_date: dt.date) -> int:
    folder = lake.table_partition(table, run_date)
    with duckdb.connect() as con:
        return con.execute(f"select count(*) from read_parquet('{folder}/*.parquet')").fetchone()[0]


def test_load_warehouse_takes_the_dsn_from_the_environment(
    analytics_lake: Lake,
    warehouse_dsn: str,
    run_date: dt.date,
    monkeypatch: pytest.MonkeyPatch,
    capsys,
):
    monkeypatch.setenv("ORDERLAKE_WAREHOUSE_DSN", warehouse_dsn)
    lake_root = analytics_lake.roots["analytics"].rsplit("/", 1)[0]
    argv = ["load-warehouse", "--date", run_date.isoformat(), "--lake", lake_root]

    assert main([*argv, "--create-tables"]) == 0
    assert main(argv) == 0

    out = capsys.readouterr().out
    assert "warehouse DDL applied: schema, product_daily" in out
    for table in ("product_daily", "top_abandoned_products", "customer_top_abandoned"):
        assert out.count(f"  {table}: {parquet_rows(analytics_lake, table, run_date)} rows\n") == 2


def test_load_warehouse_without_a_dsn_says_how_to_give_one(
    tmp_path, monkeypatch: pytest.MonkeyPatch, capsys
):
    monkeypatch.delenv("ORDERLAKE_WAREHOUSE_DSN", raising=False)
    assert main(["load-warehouse", "--date", "2026-11-21", "--lake", str(tmp_path)]) == 2
    assert "set ORDERLAKE_WAREHOUSE_DSN or pass --dsn" in capsys.readouterr().err


def test_load_warehouse_reports_a_missing_table(analytics_lake: Lake, warehouse_dsn: str, capsys):
    lake_root = analytics_lake.roots["analytics"].rsplit("/", 1)[0]
    argv = ["load-warehouse", "--date", "2026-11-21", "--lake", lake_root, "--dsn", warehouse_dsn]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "orderlake: error: product_daily: warehouse table orderlake.product_daily"
    )
    assert "--create-tables" in err
