"""Cleaning raw order lines: parse, validate with reasons, deduplicate, enrich.

Input is one row per raw text line (`source_file`, `line_number`, `raw_line`), as read by
`orderlake.io.read_raw_lines`. Every line ends in exactly one place: the curated orders, the
quarantine (with its reasons), or counted as a duplicate of an order kept.

File-level problems reject a whole file: a first line that is not the expected header
(`missing_header`, `wrong_header`), or a file none of whose valid timestamps fall on the run
date (`file_in_wrong_partition`). Every line of a rejected file is quarantined with that reason
first, so nothing is lost and the file can be fixed and replayed. Empty lines are not rows.

While rows are checked their reasons are one integer, a bit per reason code (`_reason_mask`,
0 for a good row): cheap to compute, to keep in memory and to filter on. `with_reasons` and
`quarantined_rows` turn it into the list of codes, in a fixed order (file-level reasons first).
The raw text is kept only for rejected rows, the only ones that need it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from orderlake import schema as S
from orderlake.spark import local_rows
from orderlake.transforms.columns import (
    as_valid_utf8,
    csv_fields,
    has_replacement_char,
    header_problem,
    is_blank,
    is_blank_line,
    is_valid_email,
    is_valid_price,
    is_valid_quantity,
    is_well_formed_csv,
    normalised_code,
    order_timestamp,
    total_amount,
)

Transform = Callable[[DataFrame], DataFrame]

FILE_REASON = "_file_reason"
REASON_MASK = "_reason_mask"
HEADER_LINE_NUMBER = "_header_line"

# The order reasons are listed in: file-level first, then an unparsable line, then field
# problems in the order of the line's fields.
REASON_ORDER: tuple[str, ...] = (
    S.REASON_MISSING_HEADER,
    S.REASON_WRONG_HEADER,
    S.REASON_WRONG_PARTITION,
    S.REASON_UNPARSABLE_LINE,
    S.REASON_BAD_ENCODING,
    S.REASON_MISSING_FIELD,
    S.REASON_BAD_QUANTITY,
    S.REASON_BAD_PRICE,
    S.REASON_BAD_TIMESTAMP,
    S.REASON_OUTSIDE_RUN_DATE,
    S.REASON_UNKNOWN_STATUS,
    S.REASON_BAD_EMAIL,
    S.REASON_UNKNOWN_CURRENCY,
)
REASON_BIT: dict[str, int] = {code: 1 << place for place, code in enumerate(REASON_ORDER)}

_HAS_QUOTE = "_has_quote"
_QUOTE_PARTS = "_quote_parts"
_NEEDS_CSV = "_needs_csv"
_SPLIT = "_split"
_WELL_FORMED = "_well_formed"
_QUOTED_WELL_FORMED = "_quoted_well_formed"
# Field checks, computed once a row before the reasons are read off them.
_BAD_QUANTITY = "_bad_quantity"
_BAD_PRICE = "_bad_price"
_BAD_EMAIL = "_bad_email"
_HAS_TS = "_has_ts"
_MISSING = "_missing"
# Dedupe: a file's rank among the day's files and its line number, packed in one long.
_FILE_RANK = "_file_rank"
_FIRST_KEY = "_first_key"
_KEPT_KEY = "_kept_key"
_COPIES = "_copies"
_CONTENT = "_content"
_KEPT_CONTENT = "_kept_content"
_LINE_BITS = 40


def decoded_lines(lines: DataFrame) -> DataFrame:
    """Lines as valid UTF-8 text: bytes that were not UTF-8 become U+FFFD (`invalid_encoding`)."""
    return lines.withColumn(S.RAW_LINE, as_valid_utf8(F.col(S.RAW_LINE)))


def first_lines(lines: DataFrame) -> DataFrame:
    """Each file's first line that is not blank (`source_file`, `raw_line`, `_header_line`,
    its number), taken from the lines themselves (an aggregate: the job reads them apart)."""
    return (
        lines.where(~is_blank_line(F.col(S.RAW_LINE)))
        .groupBy(S.SOURCE_FILE)
        .agg(
            F.min_by(S.RAW_LINE, S.LINE_NUMBER).alias(S.RAW_LINE),
            F.min(S.LINE_NUMBER).alias(HEADER_LINE_NUMBER),
        )
    )


def with_header_check(headers: DataFrame) -> Transform:
    """Add `_file_reason`, the file-level reason when a file's first non-blank line (in
    `headers`, one row per file, with its `_header_line`) is not the header, and
    `_header_line`."""

    def transform(lines: DataFrame) -> DataFrame:
        problems = headers.select(
            F.col(S.SOURCE_FILE),
            header_problem(F.col(S.RAW_LINE)).alias(FILE_REASON),
            F.col(HEADER_LINE_NUMBER),
        )
        # One row per file: broadcast it. A shuffle join on source_file would put all of a
        # file's lines in one task (one day is often one file), sorted on a single core.
        return lines.join(F.broadcast(problems), on=S.SOURCE_FILE, how="left")

    return transform


def data_lines(lines: DataFrame) -> DataFrame:
    """Drop each good file's header line, the blank lines before it, and empty lines (a
    trailing newline is not a row).

    A file whose first non-blank line is not the header keeps it: it may be an order, and it
    is quarantined with the rest of the file."""
    line, header = F.col(S.LINE_NUMBER), F.col(HEADER_LINE_NUMBER)
    keep_first = F.col(FILE_REASON).isNotNull()
    return lines.where(
        ((line > header) | (keep_first & (line == header))) & (F.col(S.RAW_LINE) != "")
    )


def parse_order_lines(lines: DataFrame) -> DataFrame:
    """Split each line into its RFC 4180 fields (trimmed of spaces; blank is null); keep the
    line's own text and position. One grammar (`columns`: whole quoted fields, `""` a quote
    inside one, no backslash escape) decides every line's fields; two shapes have a cheaper
    exact reading. Most lines hold no quote and are split at commas. A line whose only quotes
    enclose one whole field (`a,"b, c",d`) is split around that field. Any other line with a
    quote is checked by `is_well_formed_csv` and read by `csv_fields` (regular expressions,
    several times dearer a line, so they are kept for the lines that need them)."""
    line = F.col(S.RAW_LINE)
    keep = [S.SOURCE_FILE, S.LINE_NUMBER, S.RAW_LINE, FILE_REASON]
    quoted, parts, csv = F.col(_HAS_QUOTE), F.col(_QUOTE_PARTS), F.col(_NEEDS_CSV)
    fields = F.col(_SPLIT)
    return (
        lines.select(*keep, line.contains('"').alias(_HAS_QUOTE))
        .select(*keep, _HAS_QUOTE, F.when(quoted, F.split(line, '"', -1)).alias(_QUOTE_PARTS))
        .select(*keep, _QUOTE_PARTS, (quoted & ~_one_quoted_field(parts)).alias(_NEEDS_CSV))
        .select(
            *keep,
            _NEEDS_CSV,
            F.when(csv, is_well_formed_csv(line)).alias(_QUOTED_WELL_FORMED),
            F.when(csv, csv_fields(line)).otherwise(_split_fields(line, parts)).alias(_SPLIT),
        )
        # Each field is read off the array once it is built (inlined, it would be built once
        # a field).
        .select(
            *keep,
            F.when(csv, F.col(_QUOTED_WELL_FORMED))
            .otherwise(F.size(fields) == len(S.RAW_COLUMNS))
            .alias(_WELL_FORMED),
            *[F.trim(fields[place]).alias(name) for place, name in enumerate(S.RAW_COLUMNS)],
        )
        # A separate step, so each field is trimmed once (inlined, the trim would run twice).
        .select(*keep, _WELL_FORMED, *[_null_if_empty(name) for name in S.RAW_COLUMNS])
    )


def _one_quoted_field(parts: Column) -> Column:
    """Whether the line's quotes are exactly two, opening and closing one whole field (so
    no escaped quote is inside it): then its RFC 4180 fields are the text around the quotes
    split at commas, with the quoted text as one field between. `parts` is the line split
    at quotes."""
    before, after = parts[0], parts[2]
    return (
        (F.size(parts) == 3)
        & ((before == "") | before.endswith(","))
        & ((after == "") | after.startswith(","))
    )


def _split_fields(line: Column, parts: Column) -> Column:
    """The fields of a line without quotes (`parts` null), or of a line whose one quoted
    field `_one_quoted_field` found: the fields before it, its text, the fields after it."""
    before, after = F.split(parts[0], ",", -1), F.split(parts[2], ",", -1)
    return F.when(parts.isNull(), F.split(line, ",", -1)).otherwise(
        F.concat(
            F.slice(before, 1, F.size(before) - 1),
            F.array(parts[1]),
            F.slice(after, 2, F.size(after) - 1),
        )
    )


def _null_if_empty(name: str) -> Column:
    return F.when(F.col(name) != "", F.col(name)).alias(name)


def _flag(condition: Column, code: str) -> Column:
    return F.when(condition, F.lit(REASON_BIT[code])).otherwise(F.lit(0))


def _file_flag(file_reason: Column) -> Column:
    flag = F.lit(0)
    for code in S.FILE_REASONS:
        flag = F.when(file_reason == code, F.lit(REASON_BIT[code])).otherwise(flag)
    return flag


def validate_orders(run_date: dt.date) -> Transform:
    """Add `_reason_mask` (0 when the row is good) and the typed values of good fields; keep
    the raw text of rejected rows only.

    Two steps: each field is converted once (to its type, or to a pass/fail for the formats
    kept as text), then the reasons are read off those values. Written as one step, the
    optimizer inlines the conversions into every check that uses them, and the timestamp's
    pattern match and parse would run four times a row."""

    def transform(parsed: DataFrame) -> DataFrame:
        col = F.col
        present = {name: col(name).isNotNull() for name in S.RAW_COLUMNS}
        converted = parsed.select(
            S.SOURCE_FILE,
            S.LINE_NUMBER,
            S.RAW_LINE,
            FILE_REASON,
            _WELL_FORMED,
            *[col(name) for name in S.RAW_COLUMNS if name not in _TYPED],
            col(S.QUANTITY).cast("int").alias(S.QUANTITY),
            col(S.UNIT_PRICE).cast(S.PRICE_TYPE).alias(S.UNIT_PRICE),
            F.upper(col(S.CURRENCY)).alias(S.CURRENCY),
            order_timestamp(col(S.ORDER_TS)).alias(S.ORDER_TS),
            normalised_code(col(S.STATUS)).alias(S.STATUS),
            (present[S.QUANTITY] & ~is_valid_quantity(col(S.QUANTITY))).alias(_BAD_QUANTITY),
            (present[S.UNIT_PRICE] & ~is_valid_price(col(S.UNIT_PRICE))).alias(_BAD_PRICE),
            present[S.ORDER_TS].alias(_HAS_TS),
            (present[S.CUSTOMER_EMAIL] & ~is_valid_email(col(S.CUSTOMER_EMAIL))).alias(_BAD_EMAIL),
            reduce(lambda a, b: a | b, [col(name).isNull() for name in S.REQUIRED_COLUMNS]).alias(
                _MISSING
            ),
        )
        ts = col(S.ORDER_TS)
        field_flags = [
            _flag(has_replacement_char(col(S.RAW_LINE)), S.REASON_BAD_ENCODING),
            _flag(col(_MISSING), S.REASON_MISSING_FIELD),
            _flag(col(_BAD_QUANTITY), S.REASON_BAD_QUANTITY),
            _flag(col(_BAD_PRICE), S.REASON_BAD_PRICE),
            _flag(col(_HAS_TS) & ts.isNull(), S.REASON_BAD_TIMESTAMP),
            _flag(ts.isNotNull() & (F.to_date(ts) != F.lit(run_date)), S.REASON_OUTSIDE_RUN_DATE),
            _flag(
                col(S.STATUS).isNotNull() & ~col(S.STATUS).isin(*S.STATUSES),
                S.REASON_UNKNOWN_STATUS,
            ),
            _flag(col(_BAD_EMAIL), S.REASON_BAD_EMAIL),
            _flag(
                col(S.CURRENCY).isNotNull() & ~col(S.CURRENCY).isin(*S.CURRENCIES),
                S.REASON_UNKNOWN_CURRENCY,
            ),
        ]
        # A line that does not split into the right fields has no fields worth judging, nor
        # does a line of a file whose header is wrong (its columns may not be ours).
        mask = (
            F.when(col(FILE_REASON).isNotNull(), _file_flag(col(FILE_REASON)))
            .when(col(_WELL_FORMED), reduce(Column.bitwiseOR, field_flags))
            .otherwise(F.lit(REASON_BIT[S.REASON_UNPARSABLE_LINE]))
        )
        return converted.select(
            S.SOURCE_FILE,
            S.LINE_NUMBER,
            F.when(mask != 0, col(S.RAW_LINE)).alias(S.RAW_LINE),
            FILE_REASON,
            mask.alias(REASON_MASK),
            *[col(name) for name in S.RAW_COLUMNS],
        )

    return transform


_TYPED = {S.QUANTITY, S.UNIT_PRICE, S.CURRENCY, S.ORDER_TS, S.STATUS}


@dataclass(frozen=True)
class FileRows:
    """What one file's checked rows add up to: one aggregate over all of them gives both the
    partition check and the row accounting's per-file figures."""

    accepted: int
    quarantined: int
    file_reason: str | None  # with `file_in_wrong_partition` when the partition check failed
    first_day: dt.date | None  # of the file's valid order times
    last_day: dt.date | None


def file_rows(checked: DataFrame, run_date: dt.date) -> dict[str, FileRows]:
    """Per file, its accepted and quarantined rows and the days its valid order times span.
    A file none of whose valid order times fall on the run date is in the wrong dt= folder:
    its `file_reason` says so. Every line of such a file already has a reason of its own (its
    time is off the run date, or missing), so the counts hold as they are."""
    return _file_rows_of(_file_rows_frame(checked, run_date).collect())


def file_rows_and_duplicate_counts(
    checked: DataFrame, duplicates: DataFrame, run_date: dt.date
) -> tuple[dict[str, FileRows], tuple[int, int]]:
    """`file_rows` and `duplicate_counts` in one Spark action (both read the checked rows:
    one query, so a small day schedules its jobs once, not twice)."""
    counts = _duplicate_counts_frame(duplicates).select(
        F.lit(True).alias(_COUNTS_ROW), "_ids", "_dropped"
    )
    rows = (
        _file_rows_frame(checked, run_date)
        .withColumn(_COUNTS_ROW, F.lit(False))
        .unionByName(counts, allowMissingColumns=True)
        .collect()
    )
    (total,) = [r for r in rows if r[_COUNTS_ROW]]
    return (
        _file_rows_of([r for r in rows if not r[_COUNTS_ROW]]),
        (int(total["_ids"]), int(total["_dropped"])),
    )


_COUNTS_ROW = "_counts_row"


def _file_rows_frame(checked: DataFrame, run_date: dt.date) -> DataFrame:
    day = F.to_date(F.col(S.ORDER_TS))
    dated = F.col(S.ORDER_TS).isNotNull() & F.col(FILE_REASON).isNull()
    return checked.groupBy(S.SOURCE_FILE).agg(
        F.count(F.when(is_accepted(), 1)).alias("accepted"),
        F.count(F.when(~is_accepted(), 1)).alias("quarantined"),
        F.max(FILE_REASON).alias("file_reason"),
        F.min(day).alias("first_day"),
        F.max(day).alias("last_day"),
        F.count(F.when(dated, 1)).alias("dated"),
        F.count(F.when(dated & (day == F.lit(run_date)), 1)).alias("on_run_date"),
    )


def _file_rows_of(rows: list) -> dict[str, FileRows]:
    return {
        r[S.SOURCE_FILE]: FileRows(
            accepted=r["accepted"],
            quarantined=r["quarantined"],
            file_reason=S.REASON_WRONG_PARTITION
            if r["dated"] > 0 and r["on_run_date"] == 0
            else r["file_reason"],
            first_day=r["first_day"],
            last_day=r["last_day"],
        )
        for r in rows
    }


def in_wrong_partition(rows: dict[str, FileRows]) -> list[str]:
    """The files `file_rows` found in the wrong dt= folder: a handful of names at most."""
    return sorted(path for path, f in rows.items() if f.file_reason == S.REASON_WRONG_PARTITION)


def reject_files_in_wrong_partition(files: list[str]) -> Transform:
    """Reject every line of these files with `file_in_wrong_partition` before its own reasons.
    Every line of a file in the wrong partition already has a reason of its own (its time is
    off the run date, or missing), so its raw text is there."""
    code = S.REASON_WRONG_PARTITION

    def transform(checked: DataFrame) -> DataFrame:
        if not files:
            return checked
        rejected = F.col(S.SOURCE_FILE).isin(files)
        return checked.withColumns(
            {
                REASON_MASK: F.when(
                    rejected, F.col(REASON_MASK).bitwiseOR(F.lit(REASON_BIT[code]))
                ).otherwise(F.col(REASON_MASK)),
                FILE_REASON: F.coalesce(F.col(FILE_REASON), F.when(rejected, F.lit(code))),
            }
        )

    return transform


def reasons_of(mask: Column) -> Column:
    """The reason codes a mask holds, in REASON_ORDER."""
    return F.array_compact(
        F.array(
            *[
                F.when(mask.bitwiseAND(F.lit(bit)) != 0, F.lit(code))
                for code, bit in REASON_BIT.items()
            ]
        )
    )


def with_reasons(validated: DataFrame) -> DataFrame:
    """Add `reasons`: the list of codes (empty for a good row)."""
    return validated.withColumn(S.REASONS, reasons_of(F.col(REASON_MASK)))


def is_accepted() -> Column:
    return F.col(REASON_MASK) == 0


def quarantined_rows(validated: DataFrame) -> DataFrame:
    """Rejected lines with every reason, the first as `reason`, and the text to replay."""
    reasons = reasons_of(F.col(REASON_MASK))
    return validated.where(~is_accepted()).select(
        S.SOURCE_FILE,
        S.LINE_NUMBER,
        reasons[0].alias(S.REASON),
        reasons.alias(S.REASONS),
        F.when(~is_blank(F.col(S.ORDER_ID)), F.col(S.ORDER_ID)).alias(S.ORDER_ID),
        S.RAW_LINE,
        F.lit(None).cast(T.StringType()).alias(S.KEPT_SOURCE_FILE),
        F.lit(None).cast(T.LongType()).alias(S.KEPT_LINE_NUMBER),
    )


def _file_ranks(spark: SparkSession, files: Iterable[str]) -> DataFrame:
    """(`_file_rank`, `source_file`): each of the day's files by its place in name order."""
    return local_rows(
        spark,
        list(enumerate(sorted(files))),
        T.StructType(
            [T.StructField(_FILE_RANK, T.LongType()), T.StructField(S.SOURCE_FILE, T.StringType())]
        ),
    )


# Up to this many files, a row's file rank (and a rank's file) is looked up in a literal of
# the plan (a map of names to ranks, a list of names): no table to broadcast, so no Spark job
# for it. A map literal is searched key by key, so a day of more files joins a broadcast table
# of the ranks instead.
FILES_IN_PLAN = 16


def keyed_orders(validated: DataFrame, files: Iterable[str]) -> DataFrame:
    """The accepted rows, with `_first_key`: a long that orders rows by source file name, then
    line number (the file's rank among the day's `files`, every `source_file` the rows name,
    and the line, packed in one number)."""
    accepted = validated.where(is_accepted())
    names = sorted(files)
    line = F.col(S.LINE_NUMBER)
    if len(names) <= FILES_IN_PLAN:
        pairs = [x for rank, name in enumerate(names) for x in (F.lit(name), F.lit(rank))]
        rank = F.element_at(F.create_map(*pairs), F.col(S.SOURCE_FILE)).cast(T.LongType())
        return accepted.withColumn(_FIRST_KEY, F.shiftleft(rank, _LINE_BITS) + line)
    ranks = _file_ranks(accepted.sparkSession, names)
    return accepted.join(F.broadcast(ranks), on=S.SOURCE_FILE).select(
        *accepted.columns,
        (F.shiftleft(F.col(_FILE_RANK), _LINE_BITS) + line).alias(_FIRST_KEY),
    )


def duplicated_orders(keyed: DataFrame) -> DataFrame:
    """Order ids seen more than once: `_copies`, and `_kept_key`, the key of the occurrence
    kept (the first, by source file name then line number). A hash aggregate on the id with
    two fixed-width buffers: it neither sorts the rows nor carries their other columns. Rows
    go to the task of their id first: nearly every id occurs once, so an aggregate before the
    shuffle would shrink nothing."""
    return (
        keyed.select(S.ORDER_ID, _FIRST_KEY)
        .repartition(S.ORDER_ID)
        .groupBy(S.ORDER_ID)
        .agg(F.count(F.lit(1)).alias(_COPIES), F.min(_FIRST_KEY).alias(_KEPT_KEY))
        .where(F.col(_COPIES) > 1)
    )


def duplicate_counts(duplicates: DataFrame) -> tuple[int, int]:
    """(order ids duplicated, rows dropped as duplicates)."""
    row = _duplicate_counts_frame(duplicates).first()
    return (int(row[0]), int(row[1])) if row else (0, 0)


def _duplicate_counts_frame(duplicates: DataFrame) -> DataFrame:
    return duplicates.agg(
        F.count(F.lit(1)).alias("_ids"),
        F.coalesce(F.sum(F.col(_COPIES) - 1), F.lit(0)).alias("_dropped"),
    )


# Up to this many duplicated ids are broadcast to every task; beyond, the join shuffles.
BROADCAST_DUPLICATES = 2_000_000


def first_occurrences(keyed: DataFrame, duplicates: DataFrame, broadcast: bool) -> DataFrame:
    """One row per order id: rows whose id is not duplicated, and the kept occurrence of the
    others (the dedupe's key columns still on them). Duplicates are few, so this is normally
    a map-side join against a small table."""
    kept = duplicates.select(S.ORDER_ID, _KEPT_KEY)
    joined = keyed.join(_broadcast_if(kept, broadcast), on=S.ORDER_ID, how="left")
    return joined.where(F.col(_KEPT_KEY).isNull() | (F.col(_KEPT_KEY) == F.col(_FIRST_KEY)))


def _content() -> Column:
    """A 64-bit hash of a checked row's values (typed and normalised, as curated holds them):
    two copies of an order id are the same order when it agrees. The hash skips nulls, so a
    bit per column says which are null (`a,,b` and `a,b,` differ)."""
    values = [F.col(name) for name in S.RAW_COLUMNS]
    nulls = reduce(
        lambda acc, bit: acc.bitwiseOR(bit),
        [
            F.when(v.isNull(), F.lit(1 << place)).otherwise(F.lit(0))
            for place, v in enumerate(values)
        ],
    )
    return F.xxhash64(*values, nulls)


def conflicting_copies(
    keyed: DataFrame, duplicates: DataFrame, files: Iterable[str], broadcast: bool = True
) -> DataFrame:
    """The copies of a duplicated order id whose values differ from the kept occurrence's:
    `source_file`, `line_number`, `order_id`, and the kept row's `kept_source_file` and
    `kept_line_number`. An exact repeat is not among them (it is a duplicate, dropped). Only
    the rows of duplicated ids are hashed and compared, so this is a small result."""
    kept = duplicates.select(S.ORDER_ID, _KEPT_KEY)
    copies = keyed.join(_broadcast_if(kept, broadcast), on=S.ORDER_ID, how="inner").select(
        S.SOURCE_FILE, S.LINE_NUMBER, S.ORDER_ID, _FIRST_KEY, _KEPT_KEY, _content().alias(_CONTENT)
    )
    # One row per duplicated id, as `kept`: broadcast like it (a shuffle join would shuffle
    # both sides, two Spark jobs, for a few rows at a small day).
    kept_content = copies.where(F.col(_FIRST_KEY) == F.col(_KEPT_KEY)).select(
        S.ORDER_ID, F.col(_CONTENT).alias(_KEPT_CONTENT)
    )
    conflicts = (
        copies.where(F.col(_FIRST_KEY) != F.col(_KEPT_KEY))
        .join(_broadcast_if(kept_content, broadcast), on=S.ORDER_ID, how="inner")
        .where(F.col(_CONTENT) != F.col(_KEPT_CONTENT))
    )
    kept_rank = F.shiftright(F.col(_KEPT_KEY), _LINE_BITS)
    kept_line = F.col(_KEPT_KEY).bitwiseAND(F.lit((1 << _LINE_BITS) - 1))
    names = sorted(files)
    if len(names) <= FILES_IN_PLAN:
        kept_file = F.element_at(F.array(*map(F.lit, names)), (kept_rank + 1).cast("int"))
        return conflicts.select(
            S.SOURCE_FILE,
            S.LINE_NUMBER,
            S.ORDER_ID,
            kept_file.alias(S.KEPT_SOURCE_FILE),
            kept_line.alias(S.KEPT_LINE_NUMBER),
        )
    kept_files = _file_ranks(keyed.sparkSession, names).withColumnRenamed(
        S.SOURCE_FILE, S.KEPT_SOURCE_FILE
    )
    return (
        conflicts.withColumn(_FILE_RANK, kept_rank)
        .join(F.broadcast(kept_files), on=_FILE_RANK, how="inner")
        .select(
            S.SOURCE_FILE,
            S.LINE_NUMBER,
            S.ORDER_ID,
            S.KEPT_SOURCE_FILE,
            kept_line.alias(S.KEPT_LINE_NUMBER),
        )
    )


def _broadcast_if(table: DataFrame, broadcast: bool) -> DataFrame:
    return F.broadcast(table) if broadcast else table


def conflict_rows(conflicts: DataFrame, lines: DataFrame) -> DataFrame:
    """Quarantine rows for `conflicting_copies`, with each copy's text taken from the raw
    `lines` again (checked rows keep only the text of rows rejected by their own checks)."""
    code = S.REASON_CONFLICTING_DUPLICATE
    return lines.join(
        F.broadcast(conflicts), on=[S.SOURCE_FILE, S.LINE_NUMBER], how="inner"
    ).select(
        S.SOURCE_FILE,
        S.LINE_NUMBER,
        F.lit(code).alias(S.REASON),
        F.array(F.lit(code)).alias(S.REASONS),
        S.ORDER_ID,
        as_valid_utf8(F.col(S.RAW_LINE)).alias(S.RAW_LINE),
        S.KEPT_SOURCE_FILE,
        S.KEPT_LINE_NUMBER,
    )


def curated_orders(orders: DataFrame) -> DataFrame:
    """The curated output contract, `total_amount` added, in one `select` (each DataFrame
    step is a round trip to the JVM and an analysis of the whole plan)."""
    amount = total_amount(F.col(S.QUANTITY), F.col(S.UNIT_PRICE)).alias(S.TOTAL_AMOUNT)
    return orders.select(
        *[amount if name == S.TOTAL_AMOUNT else name for name in S.CURATED_SCHEMA.fieldNames()]
    )


def checked_lines(run_date: dt.date, headers: DataFrame | None = None) -> Transform:
    """Raw lines to one row per data line with its `_reason_mask`, all but the file-level
    check that needs every row's time (`file_rows`). `headers` gives each
    file's first line; by default it is taken from the lines."""

    def transform(lines: DataFrame) -> DataFrame:
        decoded = lines.transform(decoded_lines)
        return (
            decoded.transform(
                with_header_check(headers if headers is not None else first_lines(decoded))
            )
            .transform(data_lines)
            .transform(parse_order_lines)
            .transform(validate_orders(run_date))
        )

    return transform


def validated_lines(run_date: dt.date) -> Transform:
    """Raw lines to one validated row per data line, with `reasons` (empty = good)."""

    def transform(lines: DataFrame) -> DataFrame:
        checked = lines.transform(checked_lines(run_date))
        wrong = in_wrong_partition(file_rows(checked, run_date))
        return checked.transform(reject_files_in_wrong_partition(wrong)).transform(with_reasons)

    return transform


def to_curated_orders(keyed: DataFrame, duplicates: DataFrame, broadcast: bool = True) -> DataFrame:
    """Good rows, one per order id, with `total_amount`, in the curated contract."""
    return curated_orders(first_occurrences(keyed, duplicates, broadcast))


def curated_from(validated: DataFrame) -> DataFrame:
    """`to_curated_orders` from validated rows in one call (small data, tests)."""
    files = [r[0] for r in validated.select(S.SOURCE_FILE).distinct().collect()]
    keyed = keyed_orders(validated, files)
    return to_curated_orders(keyed, duplicated_orders(keyed))


def conflicts_from(validated: DataFrame) -> DataFrame:
    """`conflicting_copies` from validated rows in one call (small data, tests)."""
    files = [r[0] for r in validated.select(S.SOURCE_FILE).distinct().collect()]
    keyed = keyed_orders(validated, files)
    return conflicting_copies(keyed, duplicated_orders(keyed), files)
