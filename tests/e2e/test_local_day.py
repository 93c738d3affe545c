"""A whole local day through the CLI, checked against a plain-Python reading of the raw CSV."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest

from orderlake import schema as S
from orderlake.cli import main
from orderlake.csv_records import data_records, is_record
from orderlake.errors import OrderlakeError
from orderlake.spark import require_java

DAY = dt.date(2026, 11, 21)
ROWS = 3000


def reference_top_products(raw_file: Path, run_date: dt.date, limit: int = 10):
    """Top products by completed revenue, computed from the CSV text alone, line by line."""
    email = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
    price = re.compile(r"^[0-9]{1,8}(\.[0-9]{1,2})?$")
    seen: set[str] = set()
    revenue: dict[str, Decimal] = defaultdict(Decimal)
    orders: dict[str, int] = defaultdict(int)
    units: dict[str, int] = defaultdict(int)
    for line in data_records(raw_file.read_text(encoding="utf-8"), len(S.RAW_COLUMNS)):
        if not line:
            continue
        if not is_record(line, len(S.RAW_COLUMNS)):
            continue
        fields = next(csv.reader([line]))
        row = dict(zip(S.RAW_COLUMNS, (f.strip(" ") for f in fields), strict=True))
        if any(not row[c] for c in S.REQUIRED_COLUMNS):
            continue
        if not row[S.QUANTITY].isdigit() or int(row[S.QUANTITY]) < 1:
            continue
        if not price.match(row[S.UNIT_PRICE]):
            continue
        try:  # ISO 8601 (`T` or a space, `Z` or an offset, fractions); no offset is UTC
            ts = dt.datetime.fromisoformat(row[S.ORDER_TS])
        except ValueError:
            continue
        if ts.tzinfo is not None:
            ts = ts.astimezone(dt.UTC)
        if ts.date() != run_date or row[S.STATUS].lower() not in S.STATUSES:
            continue
        if row[S.CUSTOMER_EMAIL] and not email.match(row[S.CUSTOMER_EMAIL]):
            continue
        if row[S.CURRENCY].upper() not in S.CURRENCIES or row[S.ORDER_ID] in seen:
            continue
        seen.add(row[S.ORDER_ID])
        if row[S.STATUS].lower() == S.STATUS_COMPLETED:
            product = row[S.PRODUCT_ID]
            revenue[product] += int(row[S.QUANTITY]) * Decimal(row[S.UNIT_PRICE])
            orders[product] += 1
            units[product] += int(row[S.QUANTITY])
    ranked = sorted(revenue, key=lambda p: (-revenue[p], p))[:limit]
    return [(p, orders[p], units[p], revenue[p]) for p in ranked]


def parse_printed_table(out: str):
    lines = out.strip().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("product_id"))
    header = lines[start].split()
    rows = []
    for line in lines[start + 2 :]:
        if not line.strip() or not line.startswith("P"):
            break
        cells = line.split()
        # product_id first; the last three numeric columns: orders, units, revenue
        rows.append((cells[0], int(cells[-3]), int(cells[-2]), Decimal(cells[-1])))
    assert header[0] == "product_id" and header[-3:] == ["orders", "units", "revenue"]
    return rows


@pytest.fixture(scope="module")
def lake(tmp_path_factory, spark):
    return tmp_path_factory.mktemp("lake")


def test_a_local_day_prints_the_top_products_by_revenue(lake, capsys):
    code = main(["run", "--date", DAY.isoformat(), "--rows", str(ROWS), "--lake", str(lake)])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    raw_file = lake / "raw" / "orders" / f"dt={DAY}" / "orders-seed42.csv"
    expected = reference_top_products(raw_file, DAY)
    assert len(expected) == 10
    assert parse_printed_table(captured.out) == expected
    # progress went to stderr, one line per stage, Spark's console noise did not
    assert "[1/" in captured.err and "clean_orders" in captured.err
    assert "WARN" not in captured.err and "INFO" not in captured.err


def test_rerunning_a_day_replaces_it(lake, capsys):
    before = sorted(p.name for p in (lake / "curated/orders" / f"dt={DAY}").glob("*.parquet"))
    assert main(["run", "--date", DAY.isoformat(), "--rows", str(ROWS), "--lake", str(lake)]) == 0
    first = capsys.readouterr().out
    after = sorted(p.name for p in (lake / "curated/orders" / f"dt={DAY}").glob("*.parquet"))
    assert before and after and set(before).isdisjoint(after)  # replaced, not appended to
    raw_file = lake / "raw" / "orders" / f"dt={DAY}" / "orders-seed42.csv"
    assert parse_printed_table(first) == reference_top_products(raw_file, DAY)


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
        and p.suffix != ".duckdb"
        and ".wal" not in p.name
        and "outbox" not in p.parts
        and "runs" not in p.name
    }


def test_a_missing_raw_partition_is_one_clear_line_and_changes_nothing(lake, capsys):
    zones = ["raw", "curated", "analytics"]
    before = {zone: _digest(lake / zone) for zone in zones}
    code = main(["run", "--date", "2026-11-01", "--no-generate", "--lake", str(lake)])
    err = capsys.readouterr().err
    assert code != 0
    assert "no raw partition at" in err and "dt=2026-11-01" in err
    assert "Traceback" not in err
    assert {zone: _digest(lake / zone) for zone in zones} == before


def test_an_unwritable_lake_is_one_clear_line(tmp_path, capsys):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the lake should be")
    code = main(["run", "--date", DAY.isoformat(), "--lake", str(blocker / "lake")])
    err = capsys.readouterr().err
    assert code == 2
    assert "is not writable" in err and "Traceback" not in err


@pytest.mark.parametrize("bad", ["2026-13-01", "21-11-2026", "tomorrow"])
def test_a_malformed_date_is_refused_before_anything_runs(bad, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--date", bad, "--lake", str(tmp_path / "lake")])
    assert exit_info.value.code == 2
    assert "expected a calendar date as YYYY-MM-DD" in capsys.readouterr().err
    assert not (tmp_path / "lake").exists()


def test_missing_java_is_one_line_saying_how_to_install_it(monkeypatch, tmp_path):
    monkeypatch.setenv("JAVA_HOME", str(tmp_path / "no-java-here"))
    with pytest.raises(OrderlakeError, match="Java not found: .*apt-get install openjdk-17"):
        require_java()
