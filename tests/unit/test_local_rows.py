"""orderlake.spark.local_rows: a small table of local rows built in the JVM, equal to what
createDataFrame gives, in one partition, without starting Scala's runtime reflection."""

from __future__ import annotations

from chispa import assert_df_equality
from pyspark.sql import types as T

from orderlake.spark import LOCAL_ROWS_IN_PLAN, local_rows

SCHEMA = T.StructType(
    [
        T.StructField("source_file", T.StringType()),
        T.StructField("line", T.LongType()),
        T.StructField("price", T.DoubleType()),
        T.StructField("header", T.BooleanType()),
    ]
)
ROWS = [
    ("s3://raw/dt=2026-11-21/orders.csv", 1, 0.1, True),
    ('a "quoted", comma\nline break \u00e9\u6f22', 2**53 + 1, -1e300, False),
    (None, None, None, None),
]


def test_the_rows_createDataFrame_gives(spark) -> None:
    built = local_rows(spark, ROWS, SCHEMA)
    assert built.rdd.getNumPartitions() == 1
    assert_df_equality(built, spark.createDataFrame(ROWS, SCHEMA), ignore_row_order=True)


def test_no_rows(spark) -> None:
    built = local_rows(spark, [], SCHEMA)
    assert built.schema == SCHEMA
    assert built.count() == 0


def test_more_rows_than_a_plan_holds_are_parallelized(spark) -> None:
    rows = [("f", n, 1.0, False) for n in range(LOCAL_ROWS_IN_PLAN + 1)]
    assert local_rows(spark, rows, SCHEMA).count() == len(rows)
