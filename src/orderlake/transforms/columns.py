"""Column-level logic: Column in, Column out, named for what it means."""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

from orderlake import schema as S

EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$"
QUANTITY_PATTERN = r"^[0-9]{1,9}$"
# At most 8 digits before the point: the value must fit decimal(10,2).
PRICE_PATTERN = r"^[0-9]{1,8}(\.[0-9]{1,2})?$"
# ISO 8601 date and time: `T` or a space between, optional fractional seconds (up to
# microseconds, what a timestamp holds), optional offset (`Z`, `+02:00`, `-0530`; at most
# 18 hours). No offset means UTC.
TIMESTAMP_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"(Z|[+-](0[0-9]|1[0-8]):?[0-5][0-9])?$"
)
# A quoted field, with "" as an escaped quote inside it. Written as runs of non-quotes
# between escaped quotes, so Java's regex engine does not recurse once per character.
QUOTED_FIELD = r'"[^"]*(?:""[^"]*)*"'
# A quoted field that is a whole field: it starts the line or follows a separator, and ends
# the line or is followed by one (not consumed, so two quoted fields in a row both match).
WHOLE_QUOTED_FIELD = r"(^|,)" + QUOTED_FIELD + r"(?=,|$)"
# RFC 4180, spelled out: fields separated by commas, a field may be enclosed in double quotes
# (and may then hold commas and line breaks), and a double quote inside such a field is
# written twice. There is no backslash escape (Spark's CSV default is `\\`, which would
# swallow the quote after `C:\\`). A line that does not follow the grammar is not parsed by
# guessing: `is_well_formed_csv` rejects it. The grammar is read with regular expressions,
# not Spark's CSV parser (univocity), which drops NUL characters from values.
# A field of a well-formed line: it starts the line or follows a separator (a lookbehind, so
# an empty field matches too), and is quoted whole or holds no quote.
FIELD_OF_LINE = r"(?<=^|,)(" + QUOTED_FIELD + r'|[^,"]*)'


def is_blank(col: Column) -> Column:
    return col.isNull() | (F.trim(col) == "")


def is_blank_line(line: Column) -> Column:
    """Empty or whitespace only (tabs too, not only the spaces `trim` removes)."""
    return line.rlike(r"^\s*$")


def csv_field_count(line: Column) -> Column:
    """Fields in a CSV line: separators outside quoted fields, plus one."""
    return F.size(F.split(F.regexp_replace(line, QUOTED_FIELD, ""), ",", -1))


def has_balanced_quotes(line: Column) -> Column:
    quotes = F.length(line) - F.length(F.regexp_replace(line, '"', ""))
    return quotes % 2 == 0


def csv_fields(line: Column) -> Column:
    """The line's RFC 4180 field values (an array of strings: a quoted field without its
    quotes, `""` inside it as one quote). Only meaningful for a line `is_well_formed_csv`
    accepts."""
    fields = F.regexp_extract_all(line, F.lit(FIELD_OF_LINE), 1)
    return F.transform(
        fields,
        lambda field: F.when(
            field.startswith('"'),
            F.regexp_replace(field.substr(F.lit(2), F.length(field) - 2), '""', '"'),
        ).otherwise(field),
    )


def is_well_formed_csv(line: Column) -> Column:
    """Whether the line is RFC 4180 CSV of exactly the raw columns' number of fields: with
    its whole quoted fields taken out, no quote is left (a quote inside an unquoted field, text
    after a closing quote, an unclosed quote are all broken quoting) and the commas left
    separate the right number of fields."""
    rest = F.regexp_replace(line, WHOLE_QUOTED_FIELD, "$1")
    return ~rest.contains('"') & (F.size(F.split(rest, ",", -1)) == len(S.RAW_COLUMNS))


def as_valid_utf8(line: Column) -> Column:
    """Spark's text reader keeps each line's bytes as they are, valid UTF-8 or not; re-encoding
    turns invalid bytes into U+FFFD, so they can be found and written to Parquet as text."""
    return F.decode(F.encode(line, "UTF-8"), "UTF-8")


def has_replacement_char(line: Column) -> Column:
    """Bytes that were not UTF-8 are decoded as U+FFFD by Spark's text reader."""
    return line.contains("\ufffd")


def header_problem(line: Column) -> Column:
    """Null when a file's first line is the expected header (any case, spacing, quoting or
    byte-order mark); else `wrong_header` if it names any of our columns, `missing_header`."""
    names = F.split(F.lower(F.regexp_replace(line, '[\\s"\ufeff]', "")), ",", -1)
    expected = F.array(*[F.lit(name) for name in S.RAW_COLUMNS])
    return (
        F.when(names == expected, F.lit(None).cast("string"))
        .when(F.size(F.array_intersect(names, expected)) > 0, F.lit(S.REASON_WRONG_HEADER))
        .otherwise(F.lit(S.REASON_MISSING_HEADER))
    )


def is_valid_email(col: Column) -> Column:
    return col.rlike(EMAIL_PATTERN)


def is_valid_quantity(col: Column) -> Column:
    """A whole number of items, at least one."""
    return col.rlike(QUANTITY_PATTERN) & (col.cast("int") > 0)


def is_valid_price(col: Column) -> Column:
    """A non-negative amount with at most two decimals that fits decimal(10,2)."""
    return col.rlike(PRICE_PATTERN)


def order_timestamp(col: Column) -> Column:
    """The order time as a UTC timestamp, null when the text is not a real ISO 8601 time
    (TIMESTAMP_PATTERN). Text of exactly the pattern's shape is cast, in the session's UTC
    time zone: an offset is converted to UTC (so the run-date check sees the UTC day), and
    an impossible date or time casts to null. The cast is a third of `to_timestamp`'s cost."""
    return F.when(col.rlike(TIMESTAMP_PATTERN), col.cast(T.TimestampType()))


def normalised_code(col: Column) -> Column:
    return F.lower(F.trim(col))


def total_amount(quantity: Column, unit_price: Column) -> Column:
    return (quantity.cast(S.AMOUNT_TYPE) * unit_price).cast(S.AMOUNT_TYPE)
