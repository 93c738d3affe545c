"""Every saved query, run locally over a fixed generated lake, against plain Python.

The pipeline runs once (2 days x 2000 generated rows, a fixed seed). Each query's answer is
compared with the same figures computed in plain Python from the crawled tables' Parquet rows,
read with pyarrow: no SQL and no Spark on the expected side.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from orderlake.cli import main
from orderlake.generator import GeneratorSettings
from orderlake.lake import Lake
from orderlake.local import athena, catalog
from orderlake.runner import LocalPipeline

DAYS = (dt.date(2026, 11, 20), dt.date(2026, 11, 21))
ROWS = 2000
FIRST, LAST = DAYS[0].isoformat(), DAYS[-1].isoformat()


@pytest.fixture(scope="module")
def lake_root(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("queries-lake")
    pipeline = LocalPipeline(lake_root=root)
    for day in DAYS:
        pipeline.run_day(day, GeneratorSettings(rows=ROWS, seed=11))
    return root


@pytest.fixture(scope="module")
def con(lake_root: Path) -> Iterator[Any]:
    with catalog.connect(lake_root, read_only=True) as connection:
        yield connection


def rows_of(lake_root: Path, table: str) -> list[dict[str, Any]]:
    """Every row of a table, read partition by partition with pyarrow, with its dt."""
    folder = Path(Lake.local(lake_root).table(table))
    out: list[dict[str, Any]] = []
    for part in sorted(folder.glob("dt=*")):
        day = part.name.split("=", 1)[1]
        for row in pq.read_table(part).to_pylist():
            row["dt"] = day
            out.append(row)
    return out


def run(con: Any, name: str, *params: str) -> list[dict[str, Any]]:
    result = athena.run_local(con, athena.saved_query(name), list(params))
    return [dict(zip(result.columns, row, strict=True)) for row in result.rows]


def within_rounding(actual: float, exact: float, places: int) -> bool:
    """A value the query rounded to `places` decimals is within half a unit of the exact one."""
    return abs(actual - exact) <= 0.5 * 10**-places + 1e-12


# --- one check per saved query -------------------------------------------------------------


def check_top_products_by_revenue(con: Any, root: Path) -> None:
    day = LAST
    by_product: dict[str, dict[str, Any]] = {}
    for r in rows_of(root, "orders"):
        if r["dt"] != day or r["status"] != "completed":
            continue
        p = by_product.setdefault(
            r["product_id"],
            {"name": r["product_name"], "cat": r["category"], "n": 0, "u": 0, "rev": Decimal(0)},
        )
        p["n"] += 1
        p["u"] += r["quantity"]
        p["rev"] += r["total_amount"]
    expected = sorted(
        ((k, v["name"], v["cat"], v["n"], v["u"], v["rev"]) for k, v in by_product.items()),
        key=lambda t: (-t[5], t[0]),
    )[:10]
    actual = [tuple(r.values()) for r in run(con, "top_products_by_revenue", day)]
    assert actual == expected


def _abandoned_by(rows: list[dict[str, Any]], day: str, keys: tuple[str, ...]) -> dict:
    groups: dict[tuple, dict[str, Any]] = {}
    for r in rows:
        if r["dt"] == day and r["status"] == "abandoned":
            g = groups.setdefault(tuple(r[k] for k in keys), {"carts": 0, "value": Decimal(0)})
            g["carts"] += 1
            g["value"] += r["total_amount"]
            g["row"] = r
    return groups


def check_top_abandoned_products(con: Any, root: Path) -> None:
    groups = _abandoned_by(rows_of(root, "orders"), FIRST, ("product_id",))
    ranked = sorted(groups.items(), key=lambda kv: (-kv[1]["carts"], -kv[1]["value"], kv[0]))
    expected = [
        (i, pid, g["row"]["product_name"], g["row"]["category"], g["carts"], g["value"])
        for i, ((pid,), g) in enumerate(ranked[:50], start=1)
    ]
    actual = [tuple(r.values()) for r in run(con, "top_abandoned_products", FIRST)]
    assert len(expected) == 50
    assert actual == expected


def check_customer_top_abandoned_products(con: Any, root: Path) -> None:
    groups = _abandoned_by(rows_of(root, "orders"), LAST, ("customer_id", "product_id"))
    per_customer: dict[str, list] = defaultdict(list)
    for (cid, pid), g in groups.items():
        per_customer[cid].append((pid, g))
    expected = []
    for cid in sorted(per_customer):
        ranked = sorted(per_customer[cid], key=lambda pg: (-pg[1]["carts"], -pg[1]["value"], pg[0]))
        for i, (pid, g) in enumerate(ranked[:10], start=1):
            row = g["row"]
            expected.append(
                (cid, row["customer_name"], i, pid, row["product_name"], g["carts"], g["value"])
            )
    actual = [tuple(r.values()) for r in run(con, "customer_top_abandoned_products", LAST)]
    assert actual == expected


def check_daily_revenue_trend(con: Any, root: Path) -> None:
    days: dict[str, dict[str, Any]] = {}
    for r in rows_of(root, "orders"):
        if r["status"] == "completed":
            d = days.setdefault(r["dt"], {"n": 0, "u": 0, "rev": Decimal(0)})
            d["n"] += 1
            d["u"] += r["quantity"]
            d["rev"] += r["total_amount"]
    actual = run(con, "daily_revenue_trend", FIRST, LAST)
    assert [r["dt"] for r in actual] == sorted(days) == [FIRST, LAST]
    for r in actual:
        d = days[r["dt"]]
        assert (r["orders"], r["units"], r["revenue"]) == (d["n"], d["u"], d["rev"])
        assert within_rounding(r["avg_order_value"], float(d["rev"]) / d["n"], 2)
    # The range is inclusive and filters: one day asked, one day answered.
    assert [r["dt"] for r in run(con, "daily_revenue_trend", LAST, LAST)] == [LAST]


def check_abandonment_rate_by_category(con: Any, root: Path) -> None:
    cats: dict[str, dict[str, Any]] = {}
    for r in rows_of(root, "orders"):
        c = cats.setdefault(r["category"], {"carts": 0, "ab": 0, "value": Decimal(0)})
        c["carts"] += 1
        if r["status"] == "abandoned":
            c["ab"] += 1
            c["value"] += r["total_amount"]
    actual = run(con, "abandonment_rate_by_category", FIRST, LAST)
    assert {r["category"] for r in actual} == set(cats)
    for r in actual:
        c = cats[r["category"]]
        assert (r["carts"], r["abandoned_carts"], r["abandoned_value"]) == (
            c["carts"],
            c["ab"],
            c["value"],
        )
        assert within_rounding(r["abandonment_rate"], c["ab"] / c["carts"], 4)
    rates = [r["abandonment_rate"] for r in actual]
    assert rates == sorted(rates, reverse=True)


def check_high_value_transactions(con: Any, root: Path) -> None:
    threshold = Decimal("400")
    expected = sorted(
        (
            (
                r["order_id"],
                r["order_ts"],
                r["customer_id"],
                r["customer_name"],
                r["product_id"],
                r["product_name"],
                r["quantity"],
                r["unit_price"],
                r["total_amount"],
            )
            for r in rows_of(root, "orders")
            if r["dt"] == LAST and r["status"] == "completed" and r["total_amount"] > threshold
        ),
        key=lambda t: (-t[8], t[0]),
    )
    actual = [tuple(r.values()) for r in run(con, "high_value_transactions", LAST, "400")]
    assert expected, "the fixed dataset should hold sales over $400"
    assert actual == expected


def check_quarantine_reasons_by_day(con: Any, root: Path) -> None:
    counts = Counter((r["dt"], r["reason"]) for r in rows_of(root, "quarantine"))
    per_day = Counter(r["dt"] for r in rows_of(root, "quarantine"))
    expected = sorted(counts.items(), key=lambda kv: (kv[0][0], -kv[1], kv[0][1]))
    actual = run(con, "quarantine_reasons_by_day", FIRST, LAST)
    assert [(r["dt"], r["reason"], r["quarantined_rows"]) for r in actual] == [
        (d, reason, n) for (d, reason), n in expected
    ]
    for r in actual:
        exact = r["quarantined_rows"] / per_day[r["dt"]]
        assert within_rounding(r["share_of_day"], exact, 4)


def check_top_customers_by_revenue(con: Any, root: Path) -> None:
    spend: dict[str, dict[str, Any]] = {}
    for r in rows_of(root, "orders"):
        if r["status"] == "completed":
            s = spend.setdefault(
                r["customer_id"], {"name": r["customer_name"], "n": 0, "rev": Decimal(0)}
            )
            s["n"] += 1
            s["rev"] += r["total_amount"]
    expected = sorted(
        ((cid, s["name"], s["n"], s["rev"]) for cid, s in spend.items()),
        key=lambda t: (-t[3], t[0]),
    )[:20]
    actual = [tuple(r.values()) for r in run(con, "top_customers_by_revenue", FIRST, LAST)]
    assert actual == expected


def check_sales_by_country_and_payment(con: Any, root: Path) -> None:
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for r in rows_of(root, "orders"):
        if r["status"] == "completed":
            g = groups.setdefault((r["country"], r["payment_method"]), {"n": 0, "rev": Decimal(0)})
            g["n"] += 1
            g["rev"] += r["total_amount"]
    total = sum(g["rev"] for g in groups.values())
    expected = sorted(
        ((c, p, g["n"], g["rev"]) for (c, p), g in groups.items()),
        key=lambda t: (-t[3], t[0], t[1]),
    )
    actual = run(con, "sales_by_country_and_payment", FIRST, LAST)
    assert [(r["country"], r["payment_method"], r["orders"], r["revenue"]) for r in actual] == (
        expected
    )
    for r in actual:
        assert within_rounding(r["revenue_share"], float(r["revenue"] / total), 4)


def check_dq_outcomes_by_day(con: Any, root: Path) -> None:
    dq = rows_of(root, "dq_results")
    if not dq:
        pytest.skip("clean_orders writes no dq_results in this checkout")
    groups: dict[tuple[str, str], dict[str, int]] = {}
    for r in dq:
        g = groups.setdefault((r["dt"], r["job_name"]), Counter())
        if r["record_type"] == "rule":
            g["rules"] += 1
            passed = r["outcome"] == "Passed"
            g["passed"] += passed
            g["failed"] += not passed
            g["blocking"] += (not passed) and r["severity"] == "blocking"
        elif r["record_type"] == "run":
            for k in ("rows_read", "rows_curated", "rows_quarantined", "duplicates_dropped"):
                g[k] += r[k]
    actual = run(con, "dq_outcomes_by_day", FIRST, LAST)
    assert [(r["dt"], r["job_name"]) for r in actual] == sorted(groups)
    for r in actual:
        g = groups[(r["dt"], r["job_name"])]
        assert (r["rules_evaluated"], r["rules_passed"], r["rules_failed"]) == (
            g["rules"],
            g["passed"],
            g["failed"],
        )
        assert r["blocking_failures"] == g["blocking"]
        assert (r["rows_read"], r["rows_curated"], r["rows_quarantined"]) == (
            g["rows_read"],
            g["rows_curated"],
            g["rows_quarantined"],
        )
        assert r["rows_reconciled"] is True


CHECKS: dict[str, Callable[[Any, Path], None]] = {
    name.removeprefix("check_"): fn for name, fn in globals().items() if name.startswith("check_")
}


def test_every_saved_query_has_an_independent_check() -> None:
    assert sorted(CHECKS) == sorted(athena.saved_queries())


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_saved_query_matches_plain_python(con: Any, lake_root: Path, name: str) -> None:
    CHECKS[name](con, lake_root)


def test_an_empty_answer_is_empty_not_an_error(con: Any) -> None:
    assert run(con, "top_products_by_revenue", "2020-01-01") == []


# --- the `orderlake query` command over the same lake -----------------------------------------


def test_query_command_prints_and_writes_an_athena_style_result_file(
    lake_root: Path, con: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["query", "top_products_by_revenue", "--param", f"dt={LAST}", "--lake", str(lake_root)]
    assert main([*args, "--format", "csv"]) == 0
    captured = capsys.readouterr()
    expected = athena.run_local(con, athena.saved_query("top_products_by_revenue"), [LAST])
    printed = list(csv.reader(io.StringIO(captured.out)))
    assert printed[0] == expected.columns
    assert printed[1:] == [[str(v) for v in row] for row in expected.rows]
    query_id = re.search(r"query id ([0-9a-f-]{36})", captured.err).group(1)  # type: ignore[union-attr]
    result_file = lake_root / "athena-results" / f"{query_id}.csv"
    assert str(result_file) in captured.err
    text = result_file.read_text()
    assert text.startswith('"product_id","product_name"')  # Athena quotes every field
    assert list(csv.reader(io.StringIO(text))) == printed


def test_query_command_json_and_table(lake_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base = ["query", "daily_revenue_trend", "--lake", str(lake_root)]
    params = ["--param", f"start_date={FIRST}", "--param", f"end_date={LAST}"]
    assert main([*base, *params, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["dt"] for r in rows] == [FIRST, LAST]
    assert all(isinstance(r["revenue"], float) and r["orders"] > 0 for r in rows)
    assert main([*base, *params]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["dt", "orders", "units", "revenue", "avg_order_value"]
    assert [line.split()[0] for line in table[2:]] == [FIRST, LAST]


def test_query_command_says_when_the_answer_is_empty(
    lake_root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["query", "top_products_by_revenue", "--param", "dt=2020-01-01"]
    assert main([*args, "--lake", str(lake_root)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "top_products_by_revenue returned no rows for dt=2020-01-01" in captured.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope"], "unknown saved query 'nope'; known: abandonment_rate_by_category"),
        (["daily_revenue_trend"], "needs --param start_date=<date>"),
        (["top_products_by_revenue", "--param", "dt=yesterday"], "dt must be a date YYYY-MM-DD"),
        ([], "name a saved query (or --list)"),
    ],
)
def test_query_command_bad_input_is_one_clear_line(
    lake_root: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main(["query", *args, "--lake", str(lake_root)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_query_list_shows_descriptions_and_parameters(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["query", "--list"]) == 0
    out = capsys.readouterr().out
    for query in athena.saved_queries().values():
        assert query.name in out and query.description in out
        for p in query.parameters:
            assert f"--param {p.name}=<{p.type}>" in out
