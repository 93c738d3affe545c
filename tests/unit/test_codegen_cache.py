"""A local session keeps more compiled generated classes than a day's jobs compile, so a plan
run again in the same session (a warm session, the test suite) is not compiled again."""

from __future__ import annotations

from pyspark.sql import SparkSession

from orderlake.spark import LOCAL_CONF

KEY = "spark.sql.codegen.cache.maxEntries"


def _compiles(spark: SparkSession) -> int:
    metrics = spark.sparkContext._jvm.org.apache.spark.metrics.source.CodegenMetrics
    return int(metrics.METRIC_COMPILATION_TIME().getCount())


def _run(spark: SparkSession, n: int) -> None:
    # A literal of a primitive type is written into the generated code: a class per n.
    spark.sql(f"SELECT one * {n} + 7 AS x FROM (SELECT 1 AS one)").collect()


def test_a_plan_is_not_compiled_again_after_more_plans_than_sparks_default_cache(
    spark: SparkSession,
) -> None:
    assert spark.conf.get(KEY) == LOCAL_CONF[KEY]
    more_than_default = 110  # Spark's default keeps 100
    assert int(LOCAL_CONF[KEY]) > more_than_default
    before = _compiles(spark)
    for n in range(more_than_default):
        _run(spark, 10_000 + n)
    assert _compiles(spark) - before >= more_than_default  # each was compiled: distinct code
    again = _compiles(spark)
    _run(spark, 10_000)  # the first, after 109 others
    assert _compiles(spark) == again
