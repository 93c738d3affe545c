"""Column-level logic, each on one DataFrame with an expected column."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from chispa import assert_column_equality
from pyspark.sql import functions as F
from pyspark.sql import types as T

from orderlake.transforms import columns as C


def _frame(spark, values, expected, expected_type):
    schema = T.StructType(
        [T.StructField("value", T.StringType()), T.StructField("expected", expected_type)]
    )
    return spark.createDataFrame(list(zip(values, expected, strict=True)), schema)


def test_is_valid_email(spark):
    df = _frame(
        spark,
        ["ann.lee1@example.com", "a+b@mail.example.org", "ann at example.com", "a@b", "@x.com"],
        [True, True, False, False, False],
        T.BooleanType(),
    ).withColumn("result", C.is_valid_email(F.col("value")))
    assert_column_equality(df, "result", "expected")


def test_is_valid_quantity_wants_a_whole_number_of_at_least_one(spark):
    df = _frame(
        spark,
        ["1", "12", "0", "-2", "two", "1.5", "9999999999"],
        [True, True, False, False, False, False, False],
        T.BooleanType(),
    ).withColumn("result", C.is_valid_quantity(F.col("value")))
    assert_column_equality(df, "result", "expected")


def test_is_valid_price_wants_a_non_negative_amount_that_fits_decimal_10_2(spark):
    df = _frame(
        spark,
        ["19.99", "0", "7.5", "-5.00", "12.3.4", "1.999", "123456789.00", "abc"],
        [True, True, True, False, False, False, False, False],
        T.BooleanType(),
    ).withColumn("result", C.is_valid_price(F.col("value")))
    assert_column_equality(df, "result", "expected")


def test_order_timestamp_is_null_for_anything_but_a_real_utc_time(spark):
    import datetime as dt

    df = _frame(
        spark,
        ["2026-11-21 14:03:22", "2026-02-30 10:00:00", "21/11/2026 25:61", "2026-11-21T14:03:2"],
        [dt.datetime(2026, 11, 21, 14, 3, 22), None, None, None],
        T.TimestampType(),
    ).withColumn("result", C.order_timestamp(F.col("value")))
    assert_column_equality(df, "result", "expected")


@pytest.mark.parametrize(
    ("line", "fields", "balanced"),
    [
        ("a,b,c", 3, True),
        ('a,"b, with comma",c', 3, True),
        ('a,"say ""hi""",c', 3, True),
        ('a,"unbalanced,c', 3, False),
        ("a,b,c,", 4, True),
        ("", 1, True),
    ],
)
def test_csv_field_count_and_quote_balance(spark, line, fields, balanced):
    row = (
        spark.createDataFrame([(line,)], "line string")
        .select(
            C.csv_field_count(F.col("line")).alias("fields"),
            C.has_balanced_quotes(F.col("line")).alias("balanced"),
        )
        .first()
    )
    assert (row["fields"], row["balanced"]) == (fields, balanced)


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2026-11-21T10:00:00", dt.datetime(2026, 11, 21, 10)),
        ("2026-11-21T10:00:00Z", dt.datetime(2026, 11, 21, 10)),
        ("2026-11-21T10:00:00+02:00", dt.datetime(2026, 11, 21, 8)),
        ("2026-11-21T01:00:00+02:00", dt.datetime(2026, 11, 20, 23)),  # the day before in UTC
        ("2026-11-21T23:30:00-0100", dt.datetime(2026, 11, 22, 0, 30)),
        ("2026-11-21T10:00:00.5Z", dt.datetime(2026, 11, 21, 10, 0, 0, 500000)),
        ("2026-11-21 10:00:00.123456+00:00", dt.datetime(2026, 11, 21, 10, 0, 0, 123456)),
        ("2026-11-21T10:00:00.1234567Z", None),  # finer than a timestamp holds
        ("2026-11-21T10:00:00+19:00", None),
        ("2026-11-21T10:00:00 +02:00", None),
        ("2026-11-21T10:00", None),
    ],
)
def test_order_timestamp_reads_iso_8601_and_converts_offsets_to_utc(spark, text, utc):
    row = (
        spark.createDataFrame([(text,)], "value string")
        .select(C.order_timestamp(F.col("value")).alias("ts"))
        .first()
    )
    assert row["ts"] == utc


def test_total_amount_is_quantity_times_unit_price_to_the_cent(spark):
    schema = T.StructType(
        [
            T.StructField("quantity", T.IntegerType()),
            T.StructField("unit_price", T.DecimalType(10, 2)),
            T.StructField("expected", T.DecimalType(12, 2)),
        ]
    )
    df = spark.createDataFrame(
        [
            (3, Decimal("19.99"), Decimal("59.97")),
            (1, Decimal("0.10"), Decimal("0.10")),
            (7, Decimal("12345678.99"), Decimal("86419752.93")),
        ],
        schema,
    ).withColumn("result", C.total_amount(F.col("quantity"), F.col("unit_price")))
    assert_column_equality(df, "result", "expected")
