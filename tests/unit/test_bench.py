"""The benchmark harness: Spark jobs and the DuckDB reference agree, and the check can fail."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import pytest

# bench/ lives beside src/, not inside the installed package.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.compare import compare_outputs, partition_files  # noqa: E402
from bench.duckdb_reference import run_reference  # noqa: E402
from bench.generate import RUN_DATE, generate  # noqa: E402
from bench.spark_side import run_jobs  # noqa: E402
from orderlake.lake import Lake  # noqa: E402


@pytest.fixture(scope="module")
def both_sides(spark, tmp_path_factory):
    work = tmp_path_factory.mktemp("bench")
    lake = Lake.local(work / "lake")
    stats = generate(lake, rows=2000, seed=7)
    timings = run_jobs(spark, work / "lake", RUN_DATE)
    raw_day = Path(lake.table_partition("raw_orders", RUN_DATE))
    reference = run_reference(raw_day, work / "duckdb", RUN_DATE)
    return lake, work / "duckdb", stats, timings, reference


def test_spark_and_duckdb_agree_on_every_aggregate(both_sides):
    lake, reference, stats, timings, ref_timings = both_sides
    assert compare_outputs(lake, reference, RUN_DATE) == []
    assert stats["rows"] == 2000 and stats["csv_mb"] > 0
    assert (
        set(timings)
        == set(ref_timings)
        == {
            "clean_orders",
            "aggregate_products",
            "aggregate_customers",
        }
    )
    files = partition_files(lake, RUN_DATE)
    assert files["product_daily"]["files"] == 1


def test_a_one_cent_difference_is_reported(both_sides, tmp_path):
    lake, reference, *_ = both_sides
    tampered = tmp_path / "duckdb"
    tampered.mkdir()
    for table in reference.glob("*.parquet"):
        (tampered / table.name).write_bytes(table.read_bytes())
    duckdb.execute(
        "copy (select * replace (revenue + 0.01 as revenue)"
        f" from '{reference}/product_daily.parquet')"
        f" to '{tampered}/product_daily.parquet' (format parquet)"
    )
    problems = compare_outputs(lake, tampered, RUN_DATE)
    assert any(p.startswith("product_daily:") and "spark only" in p for p in problems)
    assert any(p.startswith("product_daily:") and "duckdb only" in p for p in problems)


def test_a_missing_quarantined_row_is_reported(both_sides, tmp_path):
    lake, reference, *_ = both_sides
    tampered = tmp_path / "duckdb"
    tampered.mkdir()
    for table in reference.glob("*.parquet"):
        (tampered / table.name).write_bytes(table.read_bytes())
    duckdb.execute(
        f"copy (select * from '{reference}/quarantine.parquet' limit 1 offset 1)"
        f" to '{tampered}/quarantine.parquet' (format parquet)"
    )
    problems = compare_outputs(lake, tampered, RUN_DATE)
    assert [p for p in problems if p.startswith("quarantine:")]
