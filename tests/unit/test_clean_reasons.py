"""Row-level validation in clean_orders: every reason code, on one file of raw lines."""

from __future__ import annotations

import datetime as dt

import pytest
from pyspark.sql import types as T

from orderlake import schema as S
from orderlake.transforms.clean import curated_from, quarantined_rows, validated_lines

RUN_DATE = dt.date(2026, 11, 21)
GOOD = {
    S.ORDER_ID: "O-1",
    S.CUSTOMER_ID: "C-1",
    S.CUSTOMER_NAME: "Ann Lee",
    S.CUSTOMER_EMAIL: "ann@example.com",
    S.PRODUCT_ID: "P-1",
    S.PRODUCT_NAME: "Desk Lamp",
    S.CATEGORY: "Home",
    S.QUANTITY: "2",
    S.UNIT_PRICE: "19.99",
    S.CURRENCY: "USD",
    S.ORDER_TS: "2026-11-21 10:00:00",
    S.STATUS: "completed",
    S.PAYMENT_METHOD: "card",
    S.COUNTRY: "US",
}


def line(order_id: str, **changes: str) -> str:
    return ",".join({**GOOD, S.ORDER_ID: order_id, **changes}[c] for c in S.RAW_COLUMNS)


# (raw line, expected reasons); line numbers follow the header, from 2.
CASES = [
    (line("O-01"), []),
    (line("O-02", product_name='"Lamp, large"', status=" Completed "), []),
    (line("O-03", customer_email=""), []),  # email is optional
    (",".join(["O-04", *list(GOOD.values())[1:-1]]), [S.REASON_UNPARSABLE_LINE]),  # 13 fields
    (line("O-05") + ",extra", [S.REASON_UNPARSABLE_LINE]),
    (line("O-06", product_name='"Lamp'), [S.REASON_UNPARSABLE_LINE]),  # broken quoting
    (line("O-07", customer_id=""), [S.REASON_MISSING_FIELD]),
    (line("", quantity="1"), [S.REASON_MISSING_FIELD]),
    (line("O-09", quantity="-1"), [S.REASON_BAD_QUANTITY]),
    (line("O-10", quantity="two"), [S.REASON_BAD_QUANTITY]),
    (line("O-11", quantity="0"), [S.REASON_BAD_QUANTITY]),
    (line("O-12", unit_price="-5.00"), [S.REASON_BAD_PRICE]),
    (line("O-13", unit_price="1.234"), [S.REASON_BAD_PRICE]),
    (line("O-14", unit_price="$5"), [S.REASON_BAD_PRICE]),
    (line("O-15", order_ts="2026-11-21T10:00"), [S.REASON_BAD_TIMESTAMP]),
    (line("O-16", order_ts="2026-13-45 10:00:00"), [S.REASON_BAD_TIMESTAMP]),
    (line("O-17", order_ts="2026-11-20 23:59:59"), [S.REASON_OUTSIDE_RUN_DATE]),
    (line("O-18", status="shipped"), [S.REASON_UNKNOWN_STATUS]),
    (line("O-19", customer_email="ann at example.com"), [S.REASON_BAD_EMAIL]),
    (line("O-20", currency="EUR"), [S.REASON_UNKNOWN_CURRENCY]),
    (line("O-21", customer_name="Jos\ufffd"), [S.REASON_BAD_ENCODING]),
    (
        line("O-22", quantity="x", unit_price="-1", currency="GBP"),
        [S.REASON_BAD_QUANTITY, S.REASON_BAD_PRICE, S.REASON_UNKNOWN_CURRENCY],
    ),
    (line("O-01", quantity="3"), []),  # a duplicate order id: valid, dropped by dedup
]

LINES_SCHEMA = T.StructType(
    [
        T.StructField(S.SOURCE_FILE, T.StringType()),
        T.StructField(S.LINE_NUMBER, T.LongType()),
        T.StructField(S.RAW_LINE, T.StringType()),
    ]
)


@pytest.fixture(scope="module")
def validated(spark):
    rows = [("f.csv", 1, S.RAW_HEADER)]
    rows += [("f.csv", number, text) for number, (text, _) in enumerate(CASES, start=2)]
    rows.append(("f.csv", len(CASES) + 2, ""))  # the empty line after a final newline
    lines = spark.createDataFrame(rows, LINES_SCHEMA)
    return lines.transform(validated_lines(RUN_DATE)).cache()


def test_every_line_gets_its_reasons(validated):
    found = {r[S.LINE_NUMBER]: list(r[S.REASONS]) for r in validated.collect()}
    assert found == {number: reasons for number, (_, reasons) in enumerate(CASES, start=2)}


def test_every_row_reason_code_is_covered():
    assert {reason for _, reasons in CASES for reason in reasons} == set(S.ROW_REASONS)


def test_quarantine_keeps_everything_needed_to_replay(validated):
    rows = {r[S.LINE_NUMBER]: r for r in validated.transform(quarantined_rows).collect()}
    assert len(rows) == sum(1 for _, reasons in CASES if reasons)
    bad_quantity = rows[10]
    assert bad_quantity[S.SOURCE_FILE] == "f.csv"
    assert bad_quantity[S.REASON] == S.REASON_BAD_QUANTITY
    assert bad_quantity[S.ORDER_ID] == "O-09"
    assert bad_quantity[S.RAW_LINE] == CASES[8][0]
    assert rows[9][S.ORDER_ID] is None  # a blank order id is null, not ""


def test_curated_keeps_the_first_occurrence_of_an_order(validated):
    curated = {r[S.ORDER_ID]: r for r in validated.transform(curated_from).collect()}
    assert sorted(curated) == ["O-01", "O-02", "O-03"]
    first = curated["O-01"]
    assert (first[S.LINE_NUMBER], first[S.QUANTITY]) == (2, 2)
    assert curated["O-02"][S.PRODUCT_NAME] == "Lamp, large"
    assert curated["O-02"][S.STATUS] == S.STATUS_COMPLETED
    assert str(first[S.TOTAL_AMOUNT]) == "39.98"
