"""The order generator: shape, determinism, and the malformed rows it must produce."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from orderlake import schema as S
from orderlake.generator import GeneratorSettings, generate_csv, write_day
from orderlake.storage import LocalStore

DAY = dt.date(2026, 11, 21)


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


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
        assert row[index[S.ORDER_TS]].startswith(DAY.isoformat())
        assert row[index[S.STATUS]] in S.STATUSES
        assert row[index[S.CURRENCY]] in S.CURRENCIES
        assert 1 <= int(row[index[S.QUANTITY]]) <= 5
        assert float(row[index[S.UNIT_PRICE]]) > 0
        assert "@" in row[index[S.CUSTOMER_EMAIL]]
    statuses = {row[index[S.STATUS]] for row in rows}
    assert statuses == set(S.STATUSES)
    # some product names carry commas, so quoting is exercised every day
    assert any("," in row[index[S.PRODUCT_NAME]] for row in rows)


def test_malformed_share_breaks_that_many_rows_in_every_way():
    settings = GeneratorSettings(rows=5000, malformed_share=0.1, duplicate_share=0.0)
    text = generate_csv(DAY, settings).decode()
    lines = text.splitlines()[1:]
    index = {name: i for i, name in enumerate(S.RAW_COLUMNS)}
    broken = 0
    seen = set()
    for line in lines:
        fields = next(csv.reader([line]))
        if len(fields) != len(S.RAW_COLUMNS) or line.count('"') % 2:
            seen.add("line")
            broken += 1
            continue
        value = dict(zip(S.RAW_COLUMNS, fields, strict=True))
        checks = {
            "customer": value[S.CUSTOMER_ID] == "",
            "quantity": value[S.QUANTITY] in ("-2", "two"),
            "price": value[S.UNIT_PRICE] == "12.3.4",
            "timestamp": not value[S.ORDER_TS].startswith(DAY.isoformat()),
            "status": value[S.STATUS] not in S.STATUSES,
            "email": "@" not in value[S.CUSTOMER_EMAIL],
            "currency": value[S.CURRENCY] not in S.CURRENCIES,
        }
        hits = [k for k, v in checks.items() if v]
        seen.update(hits)
        broken += bool(hits)
        assert index  # columns known
    assert broken == 500
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


def test_duplicates_repeat_earlier_order_ids():
    rows = _rows(
        generate_csv(DAY, GeneratorSettings(rows=4000, malformed_share=0.0, duplicate_share=0.01))
    )[1:]
    ids = [r[0] for r in rows]
    assert len(ids) - len(set(ids)) == 40


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
