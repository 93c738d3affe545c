"""The local crawler over Parquet partitions written with pyarrow (no Spark needed)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orderlake.cli import main
from orderlake.errors import OrderlakeError
from orderlake.lake import Lake
from orderlake.local import athena, catalog


def write(
    root: Path, table: str, day: str, data: dict[str, pa.Array], name: str = "part-0"
) -> None:
    folder = Path(Lake.local(root).table(table)) / f"dt={day}"
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(pa.table(data), folder / f"{name}.parquet")


def orders(ids: list[str], amounts: list[str]) -> dict[str, pa.Array]:
    return {
        "order_id": pa.array(ids),
        "total_amount": pa.array([Decimal(a) for a in amounts], pa.decimal128(12, 2)),
    }


def saved(tmp_path: Path, sql: str, params: str = "") -> athena.SavedQuery:
    path = tmp_path / "q.sql"
    path.write_text(f"-- description: test\n-- grain: test\n{params}{sql}\n")
    return athena.load_query(path)


def crawl(root: Path) -> catalog.CrawlReport:
    with catalog.connect(root) as con:
        return catalog.crawl(con, Lake.local(root))


COUNT_BY_DAY = (
    "select dt, count(*) as n, sum(total_amount) as amount from orderlake.orders "
    "group by dt order by dt"
)


def query(root: Path, q: athena.SavedQuery, *params: str) -> list[tuple]:
    with catalog.connect(root, read_only=True) as con:
        return athena.run_local(con, q, list(params)).rows


def test_crawl_registers_tables_partitions_and_columns(tmp_path: Path) -> None:
    write(tmp_path, "orders", "2026-11-20", orders(["a", "b"], ["1.50", "2.25"]))
    write(tmp_path, "orders", "2026-11-20", orders(["c"], ["3.00"]), name="part-1")
    write(tmp_path, "quarantine", "2026-11-20", {"reason": pa.array(["x"])})
    report = crawl(tmp_path)
    assert report.registered == ["orders", "quarantine"]
    assert "product_daily" in report.empty
    orders_crawl = report.tables[0]
    assert orders_crawl.partitions == {"2026-11-20": 2}
    assert orders_crawl.new_partitions == ["2026-11-20"]
    with catalog.connect(tmp_path, read_only=True) as con:
        assert catalog.crawled_columns(con, "orders") == [
            ("order_id", "string"),
            ("total_amount", "decimal(12,2)"),
            ("dt", "string"),
        ]
    q = saved(tmp_path, COUNT_BY_DAY)
    assert query(tmp_path, q) == [("2026-11-20", 3, Decimal("6.75"))]


def test_new_partition_is_invisible_until_recrawled(tmp_path: Path) -> None:
    write(tmp_path, "orders", "2026-11-20", orders(["a"], ["1.00"]))
    crawl(tmp_path)
    write(tmp_path, "orders", "2026-11-21", orders(["b", "c"], ["2.00", "3.00"]))
    q = saved(tmp_path, COUNT_BY_DAY)
    assert [r[0] for r in query(tmp_path, q)] == ["2026-11-20"]
    report = crawl(tmp_path)
    assert report.tables[0].new_partitions == ["2026-11-21"]
    assert [r[:2] for r in query(tmp_path, q)] == [("2026-11-20", 1), ("2026-11-21", 2)]


def test_schema_addition_is_picked_up_and_old_partitions_read_null(tmp_path: Path) -> None:
    write(tmp_path, "orders", "2026-11-20", orders(["a"], ["1.00"]))
    crawl(tmp_path)
    newer = orders(["b"], ["2.00"]) | {"channel": pa.array(["web"])}
    write(tmp_path, "orders", "2026-11-21", newer)
    report = crawl(tmp_path)
    assert report.tables[0].added_columns == ["channel"]
    q = saved(tmp_path, "select order_id, channel from orderlake.orders order by order_id")
    assert query(tmp_path, q) == [("a", None), ("b", "web")]


def test_type_conflict_is_reported_and_previous_registration_kept(tmp_path: Path) -> None:
    write(tmp_path, "orders", "2026-11-20", orders(["a"], ["1.00"]))
    crawl(tmp_path)
    write(
        tmp_path,
        "orders",
        "2026-11-21",
        {"order_id": pa.array(["b"]), "total_amount": pa.array([2.0], pa.float64())},
    )
    report = crawl(tmp_path)
    assert [str(c) for c in report.conflicts] == [
        "orders.total_amount is decimal(12,2) in dt=2026-11-20 but double in dt=2026-11-21"
    ]
    assert "orders" not in report.registered
    q = saved(tmp_path, COUNT_BY_DAY)
    assert query(tmp_path, q) == [("2026-11-20", 1, Decimal("1.00"))]
    with catalog.connect(tmp_path) as con, pytest.raises(OrderlakeError, match="schema conflict"):
        catalog.register_tables(con, Lake.local(tmp_path))


def test_conflict_on_a_table_never_registered_is_named_by_query(tmp_path: Path) -> None:
    write(tmp_path, "orders", "2026-11-20", orders(["a"], ["1.00"]))
    write(tmp_path, "orders", "2026-11-21", {"order_id": pa.array([1], pa.int64())})
    crawl(tmp_path)
    with pytest.raises(OrderlakeError, match=r"orders has a schema conflict \(orders.order_id"):
        query(tmp_path, saved(tmp_path, COUNT_BY_DAY))


def test_table_not_crawled_says_which_command_creates_it(tmp_path: Path) -> None:
    write(tmp_path, "orders", "2026-11-20", orders(["a"], ["1.00"]))
    q = saved(tmp_path, "select count(*) from orderlake.quarantine")
    with pytest.raises(OrderlakeError, match="no local catalog .* run `orderlake crawl"):
        query(tmp_path, q)
    crawl(tmp_path)
    with pytest.raises(
        OrderlakeError, match=r"table orderlake.quarantine not crawled yet: run `orderlake crawl`"
    ):
        query(tmp_path, q)


def test_function_duckdb_lacks_fails_with_a_clear_message(tmp_path: Path) -> None:
    write(tmp_path, "orders", "2026-11-20", orders(["a"], ["1.00"]))
    crawl(tmp_path)
    # approx_set is Athena-only (HyperLogLog sketches): locally this must fail, not be rewritten.
    q = saved(tmp_path, "select cardinality(approx_set(order_id)) from orderlake.orders")
    with pytest.raises(OrderlakeError, match="uses something DuckDB cannot run locally"):
        query(tmp_path, q)


def test_construct_sqlglot_cannot_translate_fails_with_a_clear_message(tmp_path: Path) -> None:
    write(tmp_path, "orders", "2026-11-20", orders(["a"], ["1.00"]))
    crawl(tmp_path)
    q = saved(
        tmp_path,
        "select reduce(array[1, 2], 0, (s, x) -> s + x, s -> s * 2) from orderlake.orders",
    )
    with pytest.raises(OrderlakeError, match="DuckDB cannot run locally .*only run in Athena"):
        query(tmp_path, q)


def test_crawl_command_prints_tables_and_fails_on_conflict(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(tmp_path, "orders", "2026-11-20", orders(["a"], ["1.00"]))
    assert main(["crawl", "--lake", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "orderlake.orders" in out and "registered" in out
    assert "orderlake.quarantine" in out and "no data yet" in out
    write(tmp_path, "orders", "2026-11-21", {"order_id": pa.array([1], pa.int64())})
    assert main(["crawl", "--lake", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert "conflict" in captured.out
    assert "orders.order_id is string in dt=2026-11-20 but bigint in dt=2026-11-21" in (
        captured.err
    )


def test_crawl_command_without_a_lake(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["crawl", "--lake", str(tmp_path / "missing")]) == 2
    assert "no lake at" in capsys.readouterr().err


def test_catalog_is_a_duckdb_file_analysts_can_open(tmp_path: Path) -> None:
    write(tmp_path, "orders", "2026-11-20", orders(["a"], ["1.00"]))
    crawl(tmp_path)
    con = duckdb.connect(str(tmp_path / "catalog.duckdb"), read_only=True)
    assert con.execute("select count(*) from orderlake.orders").fetchone() == (1,)
    assert con.execute("select table_name, partitions from crawler.tables").fetchall() == [
        ("orders", 1)
    ]


def _hold_lock(path: Path, seconds: float) -> subprocess.Popen:
    """Another process holding the catalog open for writing, as a crawl does."""
    code = (
        "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
        "print('locked', flush=True); time.sleep(float(sys.argv[2]))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
    return proc


def test_a_locked_catalog_is_waited_for_then_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "orders", "2026-11-20", orders(["a"], ["1.00"]))
    crawl(tmp_path)
    holder = _hold_lock(tmp_path / "catalog.duckdb", 1.0)
    try:
        with catalog.connect(tmp_path, read_only=True) as con:  # waits for the holder to exit
            assert con.execute("select count(*) from orderlake.orders").fetchone() == (1,)
    finally:
        holder.wait()
    monkeypatch.setattr(catalog, "LOCK_WAIT_SECONDS", 0.3)
    holder = _hold_lock(tmp_path / "catalog.duckdb", 30.0)
    try:
        with pytest.raises(OrderlakeError, match="in use by another orderlake process"):
            catalog.connect(tmp_path, read_only=True)
    finally:
        holder.kill()
        holder.wait()


def test_removed_partitions_and_tables_leave_the_catalog_on_recrawl(tmp_path: Path) -> None:
    write(tmp_path, "orders", "2026-11-20", orders(["a"], ["1.00"]))
    write(tmp_path, "orders", "2026-11-21", orders(["b"], ["2.00"]))
    write(tmp_path, "quarantine", "2026-11-20", {"reason": pa.array(["x"])})
    crawl(tmp_path)
    shutil.rmtree(Path(Lake.local(tmp_path).table("orders")) / "dt=2026-11-20")
    shutil.rmtree(Lake.local(tmp_path).table("quarantine"))
    report = crawl(tmp_path)
    assert "quarantine" in report.empty
    assert [r[0] for r in query(tmp_path, saved(tmp_path, COUNT_BY_DAY))] == ["2026-11-21"]
    with pytest.raises(OrderlakeError, match="orderlake.quarantine not crawled yet"):
        query(tmp_path, saved(tmp_path, "select count(*) from orderlake.quarantine"))
