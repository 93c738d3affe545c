"""Spark schemas: the raw, curated, quality and analytics StructTypes.

Raw CSV is read as text and parsed with RAW_SCHEMA (every field a string, so that a bad value
is quarantined with its reason rather than silently nulled). Curated and analytics schemas are
the output contracts the transforms end with. Column names and code values are spelled in
orderlake.names (which imports no Spark, so Lambdas can use them) and re-exported here, so
Spark code reads `S.ORDER_ID` and `S.CURATED_SCHEMA` from one module.
"""

from pyspark.sql import types as T

from orderlake import names as N
from orderlake.names import *  # noqa: F403  (re-export: S.ORDER_ID, S.STATUSES, ...)

RAW_SCHEMA = T.StructType([T.StructField(name, T.StringType(), True) for name in N.RAW_COLUMNS])

# Money: unit prices, and line totals (quantity * unit price) with room to spare.
PRICE_TYPE = T.DecimalType(10, 2)
AMOUNT_TYPE = T.DecimalType(12, 2)

CURATED_SCHEMA = T.StructType(
    [
        T.StructField(N.ORDER_ID, T.StringType(), False),
        T.StructField(N.CUSTOMER_ID, T.StringType(), False),
        T.StructField(N.CUSTOMER_NAME, T.StringType(), True),
        T.StructField(N.CUSTOMER_EMAIL, T.StringType(), True),
        T.StructField(N.PRODUCT_ID, T.StringType(), False),
        T.StructField(N.PRODUCT_NAME, T.StringType(), True),
        T.StructField(N.CATEGORY, T.StringType(), True),
        T.StructField(N.QUANTITY, T.IntegerType(), False),
        T.StructField(N.UNIT_PRICE, PRICE_TYPE, False),
        T.StructField(N.CURRENCY, T.StringType(), False),
        T.StructField(N.ORDER_TS, T.TimestampType(), False),
        T.StructField(N.STATUS, T.StringType(), False),
        T.StructField(N.PAYMENT_METHOD, T.StringType(), True),
        T.StructField(N.COUNTRY, T.StringType(), True),
        T.StructField(N.TOTAL_AMOUNT, AMOUNT_TYPE, False),
        T.StructField(N.SOURCE_FILE, T.StringType(), False),
        T.StructField(N.LINE_NUMBER, T.LongType(), False),
    ]
)

QUARANTINE_SCHEMA = T.StructType(
    [
        T.StructField(N.SOURCE_FILE, T.StringType(), False),
        T.StructField(N.LINE_NUMBER, T.LongType(), False),
        T.StructField(N.REASON, T.StringType(), False),
        T.StructField(N.REASONS, T.ArrayType(T.StringType(), False), False),
        T.StructField(N.ORDER_ID, T.StringType(), True),
        T.StructField(N.RAW_LINE, T.StringType(), True),
        T.StructField(N.KEPT_SOURCE_FILE, T.StringType(), True),
        T.StructField(N.KEPT_LINE_NUMBER, T.LongType(), True),
    ]
)

# Glue's DataQualityObservation (GetDataQualityResult `Observations`), fields in snake_case.
OBSERVATION_TYPE = T.StructType(
    [
        T.StructField("description", T.StringType(), True),
        T.StructField(
            "metric_based_observation",
            T.StructType(
                [
                    T.StructField("metric_name", T.StringType(), True),
                    T.StructField("statistic_id", T.StringType(), True),
                    T.StructField(
                        "metric_values",
                        T.StructType(
                            [
                                T.StructField(name, T.DoubleType(), True)
                                for name in (
                                    "actual_value",
                                    "expected_value",
                                    "lower_limit",
                                    "upper_limit",
                                )
                            ]
                        ),
                        True,
                    ),
                    T.StructField("new_rules", T.ArrayType(T.StringType(), False), True),
                ]
            ),
            True,
        ),
    ]
)

DQ_RESULTS_SCHEMA = T.StructType(
    [
        T.StructField(N.RUN_ID, T.StringType(), False),
        T.StructField(N.JOB_NAME, T.StringType(), False),
        T.StructField(N.EVALUATED_AT, T.TimestampType(), False),
        T.StructField(N.RECORD_TYPE, T.StringType(), False),
        T.StructField(N.SOURCE_FILE, T.StringType(), True),
        T.StructField(N.ROWS_READ, T.LongType(), True),
        T.StructField(N.ROWS_CURATED, T.LongType(), True),
        T.StructField(N.ROWS_QUARANTINED, T.LongType(), True),
        T.StructField(N.DUPLICATES_DROPPED, T.LongType(), True),
        T.StructField(N.RULESET, T.StringType(), True),
        T.StructField(N.SEVERITY, T.StringType(), True),
        T.StructField(N.RULE, T.StringType(), True),
        T.StructField(N.OUTCOME, T.StringType(), False),
        T.StructField(N.FAILURE_REASON, T.StringType(), True),
        T.StructField(N.EVALUATED_METRICS, T.MapType(T.StringType(), T.DoubleType(), False), True),
        T.StructField(N.ENGINE, T.StringType(), False),
        # Added last and nullable: earlier partitions, without it, read as null (by name).
        T.StructField(N.OBSERVATIONS, T.ArrayType(OBSERVATION_TYPE, False), True),
    ]
)

PRODUCT_DAILY_SCHEMA = T.StructType(
    [
        T.StructField(N.PRODUCT_ID, T.StringType(), False),
        T.StructField(N.PRODUCT_NAME, T.StringType(), True),
        T.StructField(N.CATEGORY, T.StringType(), True),
        T.StructField(N.UNITS, T.LongType(), False),
        T.StructField(N.REVENUE, T.DecimalType(22, 2), False),
        T.StructField(N.ORDERS, T.LongType(), False),
        T.StructField(N.CARTS, T.LongType(), False),
        T.StructField(N.ABANDONED_CARTS, T.LongType(), False),
        T.StructField(N.ABANDONED_VALUE, T.DecimalType(22, 2), False),
        T.StructField(N.ABANDONMENT_RATE, T.DoubleType(), False),
    ]
)

TOP_ABANDONED_PRODUCTS_SCHEMA = T.StructType(
    [
        T.StructField(N.RANK, T.IntegerType(), False),
        T.StructField(N.PRODUCT_ID, T.StringType(), False),
        T.StructField(N.PRODUCT_NAME, T.StringType(), True),
        T.StructField(N.CATEGORY, T.StringType(), True),
        T.StructField(N.ABANDONED_CARTS, T.LongType(), False),
        T.StructField(N.ABANDONED_VALUE, T.DecimalType(22, 2), False),
    ]
)

CUSTOMER_TOP_ABANDONED_SCHEMA = T.StructType(
    [
        T.StructField(N.CUSTOMER_ID, T.StringType(), False),
        T.StructField(N.CUSTOMER_NAME, T.StringType(), True),
        T.StructField(N.RANK, T.IntegerType(), False),
        T.StructField(N.PRODUCT_ID, T.StringType(), False),
        T.StructField(N.PRODUCT_NAME, T.StringType(), True),
        T.StructField(N.ABANDONED_CARTS, T.LongType(), False),
        T.StructField(N.ABANDONED_VALUE, T.DecimalType(22, 2), False),
    ]
)
