"""The order generator: shape, determinism, and the malformed rows it must produce."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from orderlake import schema as S
from orderlake.csv_records import data_records, is_record
from orderlake.generator import GeneratorSettings, generate_csv, write_day
from orderlake.storage import LocalStore

DAY = dt.date(2026, 11, 21)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


def _utc_day(text: str) -> dt.date:
    ts = dt.datetime.fromisoformat(text)
    return (ts.astimezone(dt.UTC) if ts.tzinfo else ts).date()


def _records(text: str) -> list[str]:
    """Data records as the cleaner reads them (orderlake.csv_records), empty lines left out."""
    return [record for record in data_records(text, len(S.RAW_COLUMNS)) if record]


def test_header_and_row_count():
    rows = _rows(generate_csv(DAY, GeneratorSettings(rows=500, malformed_share=0.0)))
    assert rows[0] == list(S.RAW_COLUMNS)
    assert len(rows) == 501
    assert all(len(r) == len(S.RAW_COLUMNS) for r in rows[1:])


def test_same_seed_same_bytes_other_seed_other_bytes():
    a = generate_csv(DAY, GeneratorSettings(rows=300, seed=7))
    assert a == generate_csv(DAY, GeneratorSettings(rows=300, seed=7))
    assert a != generate_csv(DAY, GeneratorSettings(rows=300, seed=8))
    assert a != generate_csv(DAY + dt.timedelta(days=1), GeneratorSettings(rows=300, seed=7))


def test_clean_rows_are_valid_orders_of_the_day():
    rows = _rows(generate_csv(DAY, GeneratorSettings(rows=2000, malformed_share=0.0)))[1:]
    index = {name: i for i, name in enumerate(S.RAW_COLUMNS)}
    for row in rows:
        assert _utc_day(row[index[S.ORDER_TS]]) == DAY
        assert row[index[S.STATUS]] in S.STATUSES
        assert row[index[S.CURRENCY]] in S.CURRENCIES
        assert 1 <= int(row[index[S.QUANTITY]]) <= 5
        assert float(row[index[S.UNIT_PRICE]]) > 0
        assert "@" in row[index[S.CUSTOMER_EMAIL]]
    statuses = {row[index[S.STATUS]] for row in rows}
    assert statuses == set(S.STATUSES)
    # some product names carry commas, so quoting is exercised every day
    assert any("," in row[index[S.PRODUCT_NAME]] for row in rows)


def test_valid_rows_hold_what_csv_writers_write():
    """Escaped quotes with a comma, a backslash before the closing quote, a quoted line
    break, and ISO 8601 times: valid orders, each read back exactly by Python's csv module."""
    data = generate_csv(DAY, GeneratorSettings(rows=20_000, malformed_share=0.0))
    rows = _rows(data)[1:]
    assert len(rows) == 20_000 and all(len(r) == len(S.RAW_COLUMNS) for r in rows)
    names = {r[S.RAW_COLUMNS.index(S.PRODUCT_NAME)] for r in rows}
    assert any('12" ' in n and n.endswith("Stone, large") for n in names)
    assert any(n.endswith("Folders, C:\\") for n in names)
    assert any("\n" in n for n in names)
    assert b'"12"" ' in data and b'C:\\",' in data
    times = [r[S.RAW_COLUMNS.index(S.ORDER_TS)] for r in rows]
    assert all(_utc_day(t) == DAY for t in times)
    iso = [t for t in times if "T" in t or "." in t]
    assert 0.01 < len(iso) / len(times) < 0.03
    assert {"Z", "+02:00", "."} <= {m for t in iso for m in ("Z", "+02:00", ".") if m in t}


def test_malformed_share_breaks_that_many_rows_in_every_way():
    settings = GeneratorSettings(rows=5000, malformed_share=0.1, duplicate_share=0.0)
    text = generate_csv(DAY, settings).decode()
    index = {name: i for i, name in enumerate(S.RAW_COLUMNS)}
    broken = 0
    seen = set()
    for line in _records(text):
        fields = next(csv.reader([line]))
        if len(fields) != len(S.RAW_COLUMNS) or not is_record(line, len(S.RAW_COLUMNS)):
            seen.add("line")
            broken += 1
            continue
        value = dict(zip(S.RAW_COLUMNS, fields, strict=True))
        checks = {
            "customer": value[S.CUSTOMER_ID] == "",
            "quantity": value[S.QUANTITY] in ("-2", "two"),
            "price": value[S.UNIT_PRICE] == "12.3.4",
            "timestamp": not _on_day(value[S.ORDER_TS]),
            "status": value[S.STATUS] not in S.STATUSES,
            "email": "@" not in value[S.CUSTOMER_EMAIL],
            "currency": value[S.CURRENCY] not in S.CURRENCIES,
        }
        hits = [k for k, v in checks.items() if v]
        seen.update(hits)
        broken += bool(hits)
        assert index  # columns known
    # Every malformed row is found; two broken quotes with no whole record between them may
    # pair into one record (csv_records), which is then judged by its fields.
    assert 495 <= broken <= 500
    assert seen == {
        "line",
        "customer",
        "quantity",
        "price",
        "timestamp",
        "status",
        "email",
        "currency",
    }


def _on_day(text: str) -> bool:
    try:
        return _utc_day(text) == DAY
    except ValueError:
        return False


def test_duplicates_repeat_earlier_orders_most_exactly():
    settings = GeneratorSettings(rows=4000, malformed_share=0.0, duplicate_share=0.01)
    records = _records(generate_csv(DAY, settings).decode())
    first: dict[str, str] = {}
    exact = conflicting = 0
    for record in records:
        order_id = record.split(",", 1)[0]
        if order_id not in first:
            first[order_id] = record
            continue
        kept = next(csv.reader([first[order_id]]))
        repeat = next(csv.reader([record]))
        differs = [name for name, a, b in zip(S.RAW_COLUMNS, kept, repeat, strict=True) if a != b]
        if not differs:
            exact += 1
        else:  # a conflicting copy: the same order id, another valid quantity
            assert differs == [S.QUANTITY] and repeat[S.RAW_COLUMNS.index(S.QUANTITY)] in "12345"
            conflicting += 1
    assert exact + conflicting == 40
    # conflict_share (0.1) of them conflict
    assert 1 <= conflicting <= 10 and exact > 3 * conflicting


def test_zero_rows_is_a_header_only_file():
    assert generate_csv(DAY, GeneratorSettings(rows=0)) == (S.RAW_HEADER + "\n").encode()


@pytest.mark.parametrize(
    "kwargs", [{"rows": -1}, {"malformed_share": 1.5}, {"duplicate_share": -0.1}]
)
def test_bad_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        GeneratorSettings(**kwargs)


def test_write_day_is_idempotent_for_a_seed(tmp_path):
    store = LocalStore(tmp_path)
    first = write_day(store, DAY, GeneratorSettings(rows=50))
    second = write_day(store, DAY, GeneratorSettings(rows=50))
    assert first.key == second.key == "orders/dt=2026-11-21/orders-seed42.csv"
    assert [o.key for o in store.list("orders/")] == [first.key]
