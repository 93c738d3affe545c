"""Cleaning raw order lines: parse, validate with reasons, deduplicate, enrich.

Input is one row per raw text line (`source_file`, `line_number`, `raw_line`), as read by
`orderlake.io.read_raw_lines`. Every line ends in exactly one place: the curated orders, the
quarantine (with its reasons), or counted as a duplicate of an order kept.

File-level problems reject a whole file: a first line that is not the expected header
(`missing_header`, `wrong_header`), or a file none of whose valid timestamps fall on the run
date (`file_in_wrong_partition`). Every line of a rejected file is quarantined with that reason
first, so nothing is lost and the file can be fixed and replayed. Empty lines are not rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from orderlake import schema as S
from orderlake.transforms.columns import (
    as_valid_utf8,
    csv_field_count,
    has_balanced_quotes,
    has_replacement_char,
    header_problem,
    is_blank,
    is_valid_email,
    is_valid_price,
    is_valid_quantity,
    normalised_code,
    order_timestamp,
    total_amount,
)

Transform = Callable[[DataFrame], DataFrame]

PARSED = "_parsed"
FILE_REASON = "_file_reason"
HEADER_LINE = 1


def decoded_lines(lines: DataFrame) -> DataFrame:
    """Lines as valid UTF-8 text: bytes that were not UTF-8 become U+FFFD (`invalid_encoding`)."""
    return lines.withColumn(S.RAW_LINE, as_valid_utf8(F.col(S.RAW_LINE)))


def with_header_check(lines: DataFrame) -> DataFrame:
    """Add `_file_reason`: the file-level reason when a file's first line is not the header."""
    headers = lines.where(F.col(S.LINE_NUMBER) == HEADER_LINE).select(
        F.col(S.SOURCE_FILE), header_problem(F.col(S.RAW_LINE)).alias(FILE_REASON)
    )
    # One row per file: broadcast it. A shuffle join on source_file would put all of a
    # file's lines in one task (one day is often one file), sorted on a single core.
    return lines.join(F.broadcast(headers), on=S.SOURCE_FILE, how="left")


def data_lines(lines: DataFrame) -> DataFrame:
    """Drop each good file's header line and empty lines (a trailing newline is not a row).

    A file whose first line is not the header keeps it: it may be an order, and it is
    quarantined with the rest of the file."""
    keep_first = F.col(FILE_REASON).isNotNull()
    return lines.where(
        ((F.col(S.LINE_NUMBER) > HEADER_LINE) | keep_first) & (F.col(S.RAW_LINE) != "")
    )


def parse_order_lines(lines: DataFrame) -> DataFrame:
    """Split each line into the raw string fields; keep the line's own text and position."""
    parsed = F.from_csv(F.col(S.RAW_LINE), S.RAW_SCHEMA.simpleString(), {"mode": "PERMISSIVE"})
    well_formed = (csv_field_count(F.col(S.RAW_LINE)) == len(S.RAW_COLUMNS)) & has_balanced_quotes(
        F.col(S.RAW_LINE)
    )
    return lines.select(
        S.SOURCE_FILE,
        S.LINE_NUMBER,
        S.RAW_LINE,
        FILE_REASON,
        well_formed.alias("_well_formed"),
        parsed.alias(PARSED),
    ).select(
        S.SOURCE_FILE,
        S.LINE_NUMBER,
        S.RAW_LINE,
        FILE_REASON,
        "_well_formed",
        *[F.trim(F.col(f"{PARSED}.{name}")).alias(name) for name in S.RAW_COLUMNS],
    )


def _present(col: Column) -> Column:
    return ~is_blank(col)


def _reason(condition: Column, code: str) -> Column:
    return F.when(condition, F.lit(code))


def validate_orders(run_date: dt.date) -> Transform:
    """Add `reasons` (empty when the row is good) and the typed values of good fields."""

    def transform(parsed: DataFrame) -> DataFrame:
        col = F.col
        ts = order_timestamp(col(S.ORDER_TS))
        missing = F.lit(False)
        for name in S.REQUIRED_COLUMNS:
            missing = missing | is_blank(col(name))
        field_reasons = F.array_compact(
            F.array(
                _reason(has_replacement_char(col(S.RAW_LINE)), S.REASON_BAD_ENCODING),
                _reason(missing, S.REASON_MISSING_FIELD),
                _reason(
                    _present(col(S.QUANTITY)) & ~is_valid_quantity(col(S.QUANTITY)),
                    S.REASON_BAD_QUANTITY,
                ),
                _reason(
                    _present(col(S.UNIT_PRICE)) & ~is_valid_price(col(S.UNIT_PRICE)),
                    S.REASON_BAD_PRICE,
                ),
                _reason(_present(col(S.ORDER_TS)) & ts.isNull(), S.REASON_BAD_TIMESTAMP),
                _reason(
                    ts.isNotNull() & (F.to_date(ts) != F.lit(run_date)), S.REASON_OUTSIDE_RUN_DATE
                ),
                _reason(
                    _present(col(S.STATUS)) & ~normalised_code(col(S.STATUS)).isin(*S.STATUSES),
                    S.REASON_UNKNOWN_STATUS,
                ),
                _reason(
                    _present(col(S.CUSTOMER_EMAIL)) & ~is_valid_email(col(S.CUSTOMER_EMAIL)),
                    S.REASON_BAD_EMAIL,
                ),
                _reason(
                    _present(col(S.CURRENCY)) & ~F.upper(col(S.CURRENCY)).isin(*S.CURRENCIES),
                    S.REASON_UNKNOWN_CURRENCY,
                ),
            )
        )
        # A line that does not split into the right fields has no fields worth judging, nor
        # does a line of a file whose header is wrong (its columns may not be ours).
        reasons = (
            F.when(col(FILE_REASON).isNotNull(), F.array(col(FILE_REASON)))
            .when(col("_well_formed"), field_reasons)
            .otherwise(F.array(F.lit(S.REASON_UNPARSABLE_LINE)))
        )
        return parsed.select(
            S.SOURCE_FILE,
            S.LINE_NUMBER,
            S.RAW_LINE,
            FILE_REASON,
            reasons.alias(S.REASONS),
            *[col(name) for name in S.RAW_COLUMNS if name not in _TYPED],
            col(S.QUANTITY).cast("int").alias(S.QUANTITY),
            col(S.UNIT_PRICE).cast(S.PRICE_TYPE).alias(S.UNIT_PRICE),
            F.upper(col(S.CURRENCY)).alias(S.CURRENCY),
            ts.alias(S.ORDER_TS),
            normalised_code(col(S.STATUS)).alias(S.STATUS),
        )

    return transform


_TYPED = {S.QUANTITY, S.UNIT_PRICE, S.CURRENCY, S.ORDER_TS, S.STATUS}


def reject_files_in_wrong_partition(run_date: dt.date) -> Transform:
    """Reject a file none of whose valid order times fall on the run date: it was put in the
    wrong dt= folder. Its lines keep their own reasons after `file_in_wrong_partition`."""

    def transform(validated: DataFrame) -> DataFrame:
        dated = F.col(S.ORDER_TS).isNotNull() & F.col(FILE_REASON).isNull()
        on_day = dated & (F.to_date(F.col(S.ORDER_TS)) == F.lit(run_date))
        wrong = (
            validated.groupBy(S.SOURCE_FILE)
            .agg(F.count(F.when(dated, 1)).alias("_dated"), F.count(F.when(on_day, 1)).alias("_on"))
            .where((F.col("_dated") > 0) & (F.col("_on") == 0))
            .select(S.SOURCE_FILE, F.lit(S.REASON_WRONG_PARTITION).alias("_wrong"))
        )
        joined = validated.join(F.broadcast(wrong), on=S.SOURCE_FILE, how="left")
        is_wrong = F.col("_wrong").isNotNull()
        return joined.withColumns(
            {
                S.REASONS: F.when(
                    is_wrong, F.array_distinct(F.concat(F.array("_wrong"), F.col(S.REASONS)))
                ).otherwise(F.col(S.REASONS)),
                FILE_REASON: F.coalesce(F.col(FILE_REASON), F.col("_wrong")),
            }
        ).drop("_wrong")

    return transform


def accepted_rows(validated: DataFrame) -> DataFrame:
    return validated.where(F.size(S.REASONS) == 0)


def quarantined_rows(validated: DataFrame) -> DataFrame:
    """Rejected lines with every reason, the first as `reason`, and the text to replay."""
    return validated.where(F.size(S.REASONS) > 0).select(
        S.SOURCE_FILE,
        S.LINE_NUMBER,
        F.col(S.REASONS)[0].alias(S.REASON),
        S.REASONS,
        F.when(~is_blank(F.col(S.ORDER_ID)), F.col(S.ORDER_ID)).alias(S.ORDER_ID),
        S.RAW_LINE,
    )


def deduplicate_orders(orders: DataFrame) -> DataFrame:
    """One row per order id: the first occurrence, by source file name then line number.

    An aggregate over a struct, not a window, so it stays a hash aggregation.
    """
    others = [c for c in orders.columns if c not in (S.ORDER_ID, S.SOURCE_FILE, S.LINE_NUMBER)]
    first = F.min(F.struct(S.SOURCE_FILE, S.LINE_NUMBER, *others)).alias("_first")
    return orders.groupBy(S.ORDER_ID).agg(first).select(S.ORDER_ID, "_first.*")


def with_total_amount(orders: DataFrame) -> DataFrame:
    return orders.withColumn(S.TOTAL_AMOUNT, total_amount(F.col(S.QUANTITY), F.col(S.UNIT_PRICE)))


def curated_orders(orders: DataFrame) -> DataFrame:
    """The curated output contract."""
    return orders.select(*S.CURATED_SCHEMA.fieldNames())


def validated_lines(run_date: dt.date) -> Transform:
    """Raw lines to one validated row per data line, with `reasons` (empty = good)."""

    def transform(lines: DataFrame) -> DataFrame:
        return (
            lines.transform(decoded_lines)
            .transform(with_header_check)
            .transform(data_lines)
            .transform(parse_order_lines)
            .transform(validate_orders(run_date))
            .transform(reject_files_in_wrong_partition(run_date))
        )

    return transform


def to_curated_orders(validated: DataFrame) -> DataFrame:
    """Good rows, one per order id, with `total_amount`, in the curated contract."""
    return (
        validated.transform(accepted_rows)
        .transform(deduplicate_orders)
        .transform(with_total_amount)
        .transform(curated_orders)
    )
