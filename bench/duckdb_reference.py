"""The clean and aggregate jobs' work in DuckDB SQL: the single-node reference.

Same rules as orderlake.transforms (clean.py, columns.py, aggregates.py): validate each line
with its reasons, quarantine, keep the first occurrence of an order id (by source file name
then line number), add total_amount, write Parquet, then product and customer aggregates.
If the Spark rules change and this file does not, the harness's equality check fails.

Run alone: python -m bench.duckdb_reference RAW_DAY_FOLDER OUT_FOLDER YYYY-MM-DD
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

import duckdb

from bench import report
from orderlake import schema as S
from orderlake.transforms import columns as C

# One quoted field ("" escapes a quote) or one unquoted field, then its separator.
_FIELD = r'("(?:[^"]|"")*"|[^,"]*)(,|$)'
# A whole RFC 4180 line of the raw columns: every field quoted whole, or holding no quote.
_ONE_FIELD = r'(?:"(?:[^"]|"")*"|[^,"]*)'
_WELL_FORMED = f"{_ONE_FIELD}(?:,{_ONE_FIELD}){{{len(S.RAW_COLUMNS) - 1}}}"


def _field(i: int) -> str:
    """Field i (0-based) of a well-formed line, unquoted and trimmed; '' is null as in Spark."""
    raw = f"fields[{i + 1}]"
    unquoted = (
        f"case when starts_with({raw}, '\"') then replace({raw}[2:-2], '\"\"', '\"') else {raw} end"
    )
    return f"nullif(trim({unquoted}), '')"


def _blank(name: str) -> str:
    return f"({name} is null or trim({name}) = '')"


def _present(name: str) -> str:
    return f"not {_blank(name)}"


def _in(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _validated_sql(run_date: dt.date) -> str:
    ts = (
        f"case when regexp_matches({S.ORDER_TS}, '{C.TIMESTAMP_PATTERN}') "
        f"then try_cast({S.ORDER_TS} as timestamptz) at time zone 'UTC' end"
    )
    missing = " or ".join(_blank(n) for n in S.REQUIRED_COLUMNS)
    status = f"lower(trim({S.STATUS}))"
    reasons = [
        ("contains(raw_line, '\ufffd')", S.REASON_BAD_ENCODING),
        (missing, S.REASON_MISSING_FIELD),
        (
            f"{_present(S.QUANTITY)} and not (regexp_matches({S.QUANTITY}, "
            f"'{C.QUANTITY_PATTERN}') and coalesce(try_cast({S.QUANTITY} as int) > 0, false))",
            S.REASON_BAD_QUANTITY,
        ),
        (
            f"{_present(S.UNIT_PRICE)} and not regexp_matches({S.UNIT_PRICE}, '{C.PRICE_PATTERN}')",
            S.REASON_BAD_PRICE,
        ),
        (f"{_present(S.ORDER_TS)} and _ts is null", S.REASON_BAD_TIMESTAMP),
        (
            f"_ts is not null and cast(_ts as date) <> date '{run_date.isoformat()}'",
            S.REASON_OUTSIDE_RUN_DATE,
        ),
        (
            f"{_present(S.STATUS)} and {status} not in ({_in(S.STATUSES)})",
            S.REASON_UNKNOWN_STATUS,
        ),
        (
            f"{_present(S.CUSTOMER_EMAIL)} and not regexp_matches({S.CUSTOMER_EMAIL}, "
            f"'{C.EMAIL_PATTERN}')",
            S.REASON_BAD_EMAIL,
        ),
        (
            f"{_present(S.CURRENCY)} and upper({S.CURRENCY}) not in ({_in(S.CURRENCIES)})",
            S.REASON_UNKNOWN_CURRENCY,
        ),
    ]
    field_reasons = ", ".join(
        f"case when coalesce({cond}, false) then '{code}' end" for cond, code in reasons
    )
    fields = ",\n".join(f"{_field(i)} as {name}" for i, name in enumerate(S.RAW_COLUMNS))
    return f"""
with data_lines as (
    select source_file, line_number, raw_line
    from lines
    where line_number > 1 and raw_line <> ''
),
split as materialized (
    -- Only lines with a quote need the (slow) quote-aware regular expressions.
    select
        source_file, line_number, raw_line,
        case when contains(raw_line, '"') then regexp_full_match(raw_line, '{_WELL_FORMED}')
        else len(string_split(raw_line, ',')) = {len(S.RAW_COLUMNS)} end as well_formed,
        case when contains(raw_line, '"') then regexp_extract_all(raw_line, '{_FIELD}', 1)
        else string_split(raw_line, ',') end as fields
    from data_lines
),
parsed as (
    select source_file, line_number, raw_line, well_formed,
{fields}
    from split
),
typed as (
    select *, {ts} as _ts from parsed
)
select
    source_file, line_number, raw_line,
    case when well_formed then list_filter([{field_reasons}], lambda r: r is not null)
         else ['{S.REASON_UNPARSABLE_LINE}'] end as reasons,
    {S.ORDER_ID}, {S.CUSTOMER_ID}, {S.CUSTOMER_NAME}, {S.CUSTOMER_EMAIL}, {S.PRODUCT_ID},
    {S.PRODUCT_NAME}, {S.CATEGORY}, {S.PAYMENT_METHOD}, {S.COUNTRY},
    try_cast({S.QUANTITY} as int) as {S.QUANTITY},
    try_cast({S.UNIT_PRICE} as decimal(10, 2)) as {S.UNIT_PRICE},
    upper({S.CURRENCY}) as {S.CURRENCY},
    _ts as {S.ORDER_TS},
    {status} as {S.STATUS}
from typed
"""


def _curated_sql() -> str:
    columns = ", ".join(S.CURATED_SCHEMA.fieldNames())
    return f"""
with accepted as (
    select * from validated where len(reasons) = 0
),
first_seen as (
    select * from accepted
    qualify row_number() over (
        partition by {S.ORDER_ID} order by source_file, line_number
    ) = 1
)
select {columns} from (
    select *,
        cast(cast({S.QUANTITY} as decimal(12, 2)) * {S.UNIT_PRICE} as decimal(12, 2))
            as {S.TOTAL_AMOUNT}
    from first_seen
)
"""


def _quarantine_sql() -> str:
    """Rejected rows, then the repeats of a kept order id whose values differ from the kept
    row's (`conflicting_duplicate`; an exact repeat is a duplicate dropped)."""
    values = ", ".join(f"{name} := {name}" for name in S.RAW_COLUMNS)
    return f"""
with repeats as (
    select source_file, line_number, {S.ORDER_ID}, raw_line,
        row_number() over kept_first as _copy,
        struct_pack({values}) as _values,
        first_value(struct_pack({values})) over kept_first as _kept
    from validated where len(reasons) = 0
    window kept_first as (partition by {S.ORDER_ID} order by source_file, line_number)
)
select source_file, line_number, reasons[1] as reason, reasons,
    case when {_present(S.ORDER_ID)} then {S.ORDER_ID} end as {S.ORDER_ID}, raw_line
from validated where len(reasons) > 0
union all
select source_file, line_number, '{S.REASON_CONFLICTING_DUPLICATE}' as reason,
    ['{S.REASON_CONFLICTING_DUPLICATE}'] as reasons, {S.ORDER_ID}, raw_line
from repeats where _copy > 1 and _values is distinct from _kept
"""


_RANK_ORDER = f"{S.ABANDONED_CARTS} desc, {S.ABANDONED_VALUE} desc, {S.PRODUCT_ID} asc"


def _product_daily_sql() -> str:
    done = f"{S.STATUS} = '{S.STATUS_COMPLETED}'"
    gone = f"{S.STATUS} = '{S.STATUS_ABANDONED}'"
    return f"""
select
    {S.PRODUCT_ID},
    max({S.PRODUCT_NAME}) as {S.PRODUCT_NAME},
    max({S.CATEGORY}) as {S.CATEGORY},
    cast(coalesce(sum({S.QUANTITY}) filter (where {done}), 0) as bigint) as {S.UNITS},
    cast(coalesce(sum({S.TOTAL_AMOUNT}) filter (where {done}), 0) as decimal(22, 2))
        as {S.REVENUE},
    count(*) filter (where {done}) as {S.ORDERS},
    count(*) as {S.CARTS},
    count(*) filter (where {gone}) as {S.ABANDONED_CARTS},
    cast(coalesce(sum({S.TOTAL_AMOUNT}) filter (where {gone}), 0) as decimal(22, 2))
        as {S.ABANDONED_VALUE},
    cast(count(*) filter (where {gone}) as double) / count(*) as {S.ABANDONMENT_RATE}
from curated
group by {S.PRODUCT_ID}
"""


def _top_products_sql() -> str:
    return f"""
select * from (
    select cast(row_number() over (order by {_RANK_ORDER}) as int) as {S.RANK},
        {S.PRODUCT_ID}, {S.PRODUCT_NAME}, {S.CATEGORY}, {S.ABANDONED_CARTS}, {S.ABANDONED_VALUE}
    from product_daily where {S.ABANDONED_CARTS} > 0
) where {S.RANK} <= {S.TOP_ABANDONED_PRODUCTS}
"""


def _customer_top_sql() -> str:
    return f"""
with per_product as (
    select {S.CUSTOMER_ID}, {S.PRODUCT_ID},
        max({S.CUSTOMER_NAME}) as {S.CUSTOMER_NAME},
        max({S.PRODUCT_NAME}) as {S.PRODUCT_NAME},
        count(*) as {S.ABANDONED_CARTS},
        cast(sum({S.TOTAL_AMOUNT}) as decimal(22, 2)) as {S.ABANDONED_VALUE}
    from curated
    where {S.STATUS} = '{S.STATUS_ABANDONED}'
    group by {S.CUSTOMER_ID}, {S.PRODUCT_ID}
),
ranked as (
    select *, cast(row_number() over (
        partition by {S.CUSTOMER_ID} order by {_RANK_ORDER}) as int) as {S.RANK}
    from per_product
)
select {S.CUSTOMER_ID}, {S.CUSTOMER_NAME}, {S.RANK}, {S.PRODUCT_ID}, {S.PRODUCT_NAME},
    {S.ABANDONED_CARTS}, {S.ABANDONED_VALUE}
from ranked where {S.RANK} <= {S.TOP_ABANDONED_PER_CUSTOMER}
"""


def _copy(con: duckdb.DuckDBPyConnection, sql: str, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    con.execute(f"copy ({sql}) to '{path}' (format parquet, compression snappy)")


def run_reference(
    raw_day: Path, out: Path, run_date: dt.date, con: duckdb.DuckDBPyConnection | None = None
) -> dict[str, float]:
    """Clean, then aggregate, one raw day folder into `out`; wall seconds per job.

    Outputs (one Parquet file each): orders, quarantine, product_daily,
    top_abandoned_products, customer_top_abandoned.
    """
    con = con or duckdb.connect()
    con.execute("set TimeZone = 'UTC'")  # raw times without an offset are UTC, as in Spark
    timings: dict[str, float] = {}
    files = sorted(str(p) for p in raw_day.glob("*.csv"))
    if not files:
        raise FileNotFoundError(f"no CSV files in {raw_day}")
    started = time.perf_counter()
    # Whole lines as text: a table keeps insertion order, so rowid gives line numbers.
    con.execute(
        "create or replace table raw as select filename as source_file, raw_line from "
        "read_csv($files, columns = {'raw_line': 'VARCHAR'}, header = false, "
        "delim = '\x01', quote = '', escape = '', filename = true, auto_detect = false, "
        "strict_mode = false, skip = 0)",
        {"files": files},
    )
    con.execute(
        "create or replace view lines as select source_file, raw_line, "
        "rowid - min(rowid) over (partition by source_file) + 1 as line_number from raw"
    )
    con.execute(f"create or replace table validated as {_validated_sql(run_date)}")
    con.execute("drop table raw")
    _copy(con, _curated_sql(), out / "orders.parquet")
    _copy(con, _quarantine_sql(), out / "quarantine.parquet")
    con.execute("drop table validated")
    timings["clean_orders"] = time.perf_counter() - started

    started = time.perf_counter()
    con.execute(f"create or replace view curated as select * from '{out / 'orders.parquet'}'")
    con.execute(f"create or replace table product_daily as {_product_daily_sql()}")
    _copy(con, "select * from product_daily", out / "product_daily.parquet")
    _copy(con, _top_products_sql(), out / "top_abandoned_products.parquet")
    con.execute("drop table product_daily")
    timings["aggregate_products"] = time.perf_counter() - started

    started = time.perf_counter()
    _copy(con, _customer_top_sql(), out / "customer_top_abandoned.parquet")
    timings["aggregate_customers"] = time.perf_counter() - started
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("raw_day", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("run_date", type=dt.date.fromisoformat)
    parser.add_argument("--result", type=Path, help="write timings and peak RSS here (JSON)")
    args = parser.parse_args(argv)
    timings = run_reference(args.raw_day, args.out, args.run_date)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    figures = {
        "jobs": timings,
        "peak_rss_mb": _peak_rss_mb(),
        "cpu_s": usage.ru_utime + usage.ru_stime,
    }
    report(figures, args.result)
    return 0


def _peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    sys.exit(main())
