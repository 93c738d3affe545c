"""File-level checks in clean_orders: a bad header or a file in the wrong dt= folder rejects
the whole file, and each of its lines is quarantined with the file's reason first."""

from __future__ import annotations

import datetime as dt

from chispa import assert_column_equality
from pyspark.sql import functions as F
from pyspark.sql import types as T

from orderlake import schema as S
from orderlake.transforms.clean import validated_lines
from orderlake.transforms.columns import header_problem

RUN_DATE = dt.date(2026, 11, 21)
ROW = "O-{n},C-1,Ann,ann@example.com,P-1,Lamp,Home,1,5.00,USD,{day} 10:00:00,completed,card,US"


def test_header_problem(spark):
    cases = [
        (S.RAW_HEADER, None),
        (S.RAW_HEADER.upper(), None),
        ("\ufeff" + S.RAW_HEADER, None),  # a byte-order mark from a spreadsheet export
        (",".join(f'"{c}"' for c in S.RAW_COLUMNS), None),
        (", ".join(S.RAW_COLUMNS), None),
        (S.RAW_HEADER + ",coupon", S.REASON_WRONG_HEADER),
        (S.RAW_HEADER.rsplit(",", 1)[0], S.REASON_WRONG_HEADER),
        (",".join(reversed(S.RAW_COLUMNS)), S.REASON_WRONG_HEADER),
        (ROW.format(n=1, day="2026-11-21"), S.REASON_MISSING_HEADER),
        ("", S.REASON_MISSING_HEADER),
    ]
    schema = T.StructType(
        [T.StructField("line", T.StringType()), T.StructField("expected", T.StringType())]
    )
    df = spark.createDataFrame(cases, schema).withColumn("result", header_problem(F.col("line")))
    assert_column_equality(df, "result", "expected")


def test_rejected_files_quarantine_every_line_with_the_file_reason(spark):
    good_day, other_day = RUN_DATE.isoformat(), "2026-11-20"
    files = {
        "a_good.csv": [S.RAW_HEADER, ROW.format(n=1, day=good_day), ROW.format(n=2, day=other_day)],
        "b_no_header.csv": [ROW.format(n=3, day=good_day), ROW.format(n=4, day=good_day)],
        "c_extra.csv": [S.RAW_HEADER + ",coupon", ROW.format(n=5, day=good_day) + ",X"],
        "d_wrong_day.csv": [
            S.RAW_HEADER,
            ROW.format(n=6, day=other_day),
            ROW.format(n=7, day=other_day).replace(",1,", ",x,"),
            "not,an,order",
        ],
    }
    rows = [(f, n, text) for f, lines in files.items() for n, text in enumerate(lines, start=1)]
    lines = spark.createDataFrame(rows, f"{S.SOURCE_FILE} string, {S.LINE_NUMBER} long, raw string")
    lines = lines.withColumnRenamed("raw", S.RAW_LINE)
    found = {
        (r[S.SOURCE_FILE], r[S.LINE_NUMBER]): list(r[S.REASONS])
        for r in lines.transform(validated_lines(RUN_DATE)).collect()
    }
    wrong_day = [S.REASON_WRONG_PARTITION, S.REASON_OUTSIDE_RUN_DATE]
    assert found == {
        ("a_good.csv", 2): [],
        # One stray order of another day in a file of this day is that row's problem only.
        ("a_good.csv", 3): [S.REASON_OUTSIDE_RUN_DATE],
        ("b_no_header.csv", 1): [S.REASON_MISSING_HEADER],
        ("b_no_header.csv", 2): [S.REASON_MISSING_HEADER],
        ("c_extra.csv", 1): [S.REASON_WRONG_HEADER],
        ("c_extra.csv", 2): [S.REASON_WRONG_HEADER],
        ("d_wrong_day.csv", 2): wrong_day,
        ("d_wrong_day.csv", 3): [
            S.REASON_WRONG_PARTITION,
            S.REASON_BAD_QUANTITY,
            S.REASON_OUTSIDE_RUN_DATE,
        ],
        ("d_wrong_day.csv", 4): [S.REASON_WRONG_PARTITION, S.REASON_UNPARSABLE_LINE],
    }
    assert {r for reasons in found.values() for r in reasons} >= set(S.FILE_REASONS)
