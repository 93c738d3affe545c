"""The clean and aggregate jobs' work in DuckDB SQL: the single-node reference.

Same rules as orderlake.transforms (clean.py, columns.py, aggregates.py) and
orderlake.csv_records: number the lines of each file, join the lines of an RFC 4180 record
whose quoted field holds a line break into one record (numbered as its first line), validate
each record with its reasons, quarantine, keep the first occurrence of an order id (by source
file name then line number; a later copy whose values differ is a `conflicting_duplicate`),
add total_amount, write Parquet, then product and customer aggregates. That is the core work.
The rest of what clean_orders does is done too, so the two sides do equal work: the row
accounting per file and for the run (quality/accounting.py) and the metrics of the DQDL rules
of quality/*.dqdl over the curated orders (`_RULE_METRICS`), written to dq_results.json.
If the Spark rules change and this file does not, the harness's equality check fails.

Run alone: python -m bench.duckdb_reference RAW_DAY_FOLDER OUT_FOLDER YYYY-MM-DD
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import sys
import time
from pathlib import Path

import duckdb

from bench import report
from orderlake import schema as S
from orderlake.csv_records import MAX_RECORD_LINES
from orderlake.transforms import columns as C

# One quoted field ("" escapes a quote) or one unquoted field, then its separator.
_FIELD = r'("(?:[^"]|"")*"|[^,"]*)(,|$)'
# A whole RFC 4180 line of the raw columns: every field quoted whole, or holding no quote.
_ONE_FIELD = r'(?:"(?:[^"]|"")*"|[^,"]*)'
_WELL_FORMED = f"{_ONE_FIELD}(?:,{_ONE_FIELD}){{{len(S.RAW_COLUMNS) - 1}}}"
# The first field of any line, as columns.FIELD_OF_LINE's first match reads it.
_FIRST_FIELD = r'^("[^"]*(?:""[^"]*)*"|[^,"]*)'


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


# A line opens or closes a quoted field holding a line break when its quote count is odd; a
# pair of such lines is joined when they are near (csv_records.MAX_RECORD_LINES), the joined
# text is one record of the raw columns, and no line between is a record by itself. Pairs are
# taken in order, a pair that does not join leaving its first line alone: within a run of
# consecutive joinable pairs the 1st, 3rd, 5th... join (the greedy walk of
# csv_records.joined_records, as window functions).
def _records_sql() -> str:
    quotes = "(length(raw_line) - length(replace(raw_line, '\"', '')))"
    return f"""
with odd as (
    -- The header (line 1) opens no record.
    select source_file, line_number,
        row_number() over (partition by source_file order by line_number) as k
    from lines where line_number > 1 and {quotes} % 2 = 1
),
pairs as (
    select source_file, line_number as first_line,
        lead(line_number) over (partition by source_file order by k) as last_line, k
    from odd
),
near as (
    select * from pairs
    where last_line is not null and last_line - first_line < {MAX_RECORD_LINES}
),
span_lines as (
    select source_file, first_line, last_line, k,
        unnest(range(first_line, last_line + 1)) as line_number
    from near
),
spans as (
    select s.source_file, s.first_line, s.last_line, s.k,
        string_agg(l.raw_line, chr(10) order by l.line_number) as text,
        coalesce(bool_or(l.line_number > s.first_line and l.line_number < s.last_line
            and regexp_full_match(l.raw_line, '{_WELL_FORMED}')), false) as record_between
    from span_lines s join lines l using (source_file, line_number)
    group by all
),
joinable as (
    select source_file, first_line, last_line, k, text,
        k - row_number() over (partition by source_file order by k) as island
    from spans
    where not record_between and regexp_full_match(text, '{_WELL_FORMED}')
)
select source_file, first_line, last_line, text from (
    select *, row_number() over (partition by source_file, island order by k) as place
    from joinable
) where place % 2 = 1
"""


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
    from record_lines
    where line_number > 1 and raw_line <> ''
),
quoted as (
    -- Only lines with a quote need the (slow) quote-aware regular expressions.
    select
        source_file, line_number, raw_line, contains(raw_line, '"') as has_quote,
        case when has_quote then regexp_full_match(raw_line, '{_WELL_FORMED}')
        else len(string_split(raw_line, ',')) = {len(S.RAW_COLUMNS)} end as well_formed
    from data_lines
),
split as materialized (
    -- A broken line's only field worth reading is its first (the order id the quarantine
    -- keeps): a quoted field or the text up to the first comma or quote, as Spark reads it.
    select source_file, line_number, raw_line, well_formed,
        case when not has_quote then string_split(raw_line, ',')
        when well_formed then regexp_extract_all(raw_line, '{_FIELD}', 1)
        else [regexp_extract(raw_line, '{_FIRST_FIELD}', 1)] end as fields
    from quoted
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
    row's (`conflicting_duplicate`, with the kept row's file and line; an exact repeat is a
    duplicate dropped)."""
    values = ", ".join(f"{name} := {name}" for name in S.RAW_COLUMNS)
    return f"""
with repeats as (
    select source_file, line_number, {S.ORDER_ID}, raw_line,
        row_number() over kept_first as _copy,
        struct_pack({values}) as _values,
        first_value(struct_pack({values})) over kept_first as _kept,
        first_value(source_file) over kept_first as _kept_file,
        first_value(line_number) over kept_first as _kept_line
    from validated where len(reasons) = 0
    window kept_first as (partition by {S.ORDER_ID} order by source_file, line_number)
)
select source_file, line_number, reasons[1] as reason, reasons,
    case when {_present(S.ORDER_ID)} then {S.ORDER_ID} end as {S.ORDER_ID}, raw_line,
    cast(null as varchar) as {S.KEPT_SOURCE_FILE}, cast(null as bigint) as {S.KEPT_LINE_NUMBER}
from validated where len(reasons) > 0
union all
select source_file, line_number, '{S.REASON_CONFLICTING_DUPLICATE}' as reason,
    ['{S.REASON_CONFLICTING_DUPLICATE}'] as reasons, {S.ORDER_ID}, raw_line,
    _kept_file as {S.KEPT_SOURCE_FILE}, _kept_line as {S.KEPT_LINE_NUMBER}
from repeats where _copy > 1 and _values is distinct from _kept
"""


_RANK_ORDER = f"{S.ABANDONED_CARTS} desc, {S.ABANDONED_VALUE} desc, {S.PRODUCT_ID} asc"


def _product_daily_sql() -> str:
    done = f"{S.STATUS} = '{S.STATUS_COMPLETED}'"
    gone = f"{S.STATUS} = '{S.STATUS_ABANDONED}'"
    # A product's names: of its distinct (name, category) pairs, the one with the largest
    # name, then category (aggregates._largest_names): the category goes with the name.
    return f"""
with names as (
    select {S.PRODUCT_ID}, {S.PRODUCT_NAME}, {S.CATEGORY} from (
        select *, row_number() over (
            partition by {S.PRODUCT_ID}
            order by {S.PRODUCT_NAME} desc nulls last, {S.CATEGORY} desc nulls last
        ) as _place
        from (select distinct {S.PRODUCT_ID}, {S.PRODUCT_NAME}, {S.CATEGORY} from curated)
    ) where _place = 1
),
figures as (
select
    {S.PRODUCT_ID},
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
)
select f.{S.PRODUCT_ID}, n.{S.PRODUCT_NAME}, n.{S.CATEGORY}, f.* exclude ({S.PRODUCT_ID})
from figures f join names n using ({S.PRODUCT_ID})
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


def _accounting_sql(curated: Path, quarantine: Path) -> str:
    """Per file: rows read (records, a record of several lines once; not the header nor empty
    lines), curated, quarantined and duplicates dropped, each counted apart as clean_orders
    counts them (quality/accounting.py): read from the numbered records, curated from the
    curated file as written, quarantined from the quarantine as written, duplicates from the
    accepted rows (every accepted repeat of a kept id that is not a conflict)."""
    return f"""
with read as (
    select source_file, count(*) filter (where raw_line <> '') - 1 as rows_read
    from record_lines group by source_file
),
curated as (
    select source_file, count(*) as rows_curated from read_parquet('{curated}') group by 1
),
quarantined as (
    select source_file, count(*) as rows_quarantined,
        count(*) filter (where reason = '{S.REASON_CONFLICTING_DUPLICATE}') as conflicts
    from read_parquet('{quarantine}') group by 1
),
accepted as (
    select source_file, count(*) as accepted from validated where len(reasons) = 0 group by 1
)
select source_file, rows_read,
    coalesce(rows_curated, 0) as rows_curated,
    coalesce(rows_quarantined, 0) as rows_quarantined,
    coalesce(accepted, 0) - coalesce(rows_curated, 0) - coalesce(conflicts, 0)
        as duplicates_dropped
from read
left join curated using (source_file)
left join quarantined using (source_file)
left join accepted using (source_file)
order by source_file
"""


# The metrics of every rule of quality/orders.dqdl and quality/orders_warnings.dqdl, named as
# dq_results names them (Glue's names), each a SQL aggregate over the curated orders. Keyed by
# the rule's text: the harness compares them with Spark's dq_results rule by rule, so a rule
# added or changed there and not here stops the bench.
_EMAIL_RULE_PATTERN = "[^@ ]+@[^@ ]+[.][A-Za-z]+"
_PAYMENT_METHODS = ("card", "paypal", "apple_pay", "google_pay", "bank_transfer")
_PAYMENT_RULE = (
    'ColumnValues "payment_method" in [' + ", ".join(f'"{m}"' for m in _PAYMENT_METHODS) + "]"
)


def _share(condition: str) -> str:
    return f"coalesce(count(*) filter (where coalesce({condition}, false)) / count(*), 0.0)"


def _completeness(name: str) -> str:
    return f"coalesce(count({name}) / count(*), 0.0)"


def _min_max(name: str, where: str = "true") -> dict[str, str]:
    return {
        f"Column.{name}.Minimum": f"min({name}) filter (where {where})",
        f"Column.{name}.Maximum": f"max({name}) filter (where {where})",
    }


_UNIQUE_ORDER_IDS = "(select count(*) from _unique_ids)"
_RULE_METRICS: dict[str, dict[str, str]] = {
    "RowCount > 0": {"Dataset.*.RowCount": "count(*)"},
    "ColumnCount = 17": {"Dataset.*.ColumnCount": "_column_count"},
    'IsPrimaryKey "order_id"': {
        "Column.order_id.Uniqueness": f"coalesce({_UNIQUE_ORDER_IDS} / count(*), 0.0)",
        "Column.order_id.Completeness": _completeness(S.ORDER_ID),
    },
    'IsComplete "customer_id"': {"Column.customer_id.Completeness": _completeness("customer_id")},
    'IsComplete "product_id"': {"Column.product_id.Completeness": _completeness("product_id")},
    'IsComplete "order_ts"': {"Column.order_ts.Completeness": _completeness("order_ts")},
    'ColumnValues "quantity" > 0': _min_max("quantity"),
    'ColumnValues "unit_price" >= 0': _min_max("unit_price"),
    'ColumnValues "currency" in ["USD"]': {
        "Column.currency.ColumnValues.Compliance": _share("currency = 'USD'")
    },
    'ColumnValues "status" in ["completed", "abandoned", "cancelled", "returned"]': {
        "Column.status.ColumnValues.Compliance": _share(f"status in ({_in(S.STATUSES)})")
    },
    'CustomSql "select count(*) from primary where total_amount <> quantity * unit_price" = 0': {
        "Dataset.*.CustomSQL": "count(*) filter (where total_amount <> quantity * unit_price)"
    },
    'Completeness "customer_email" > 0.95': {
        "Column.customer_email.Completeness": _completeness("customer_email")
    },
    f'ColumnValues "customer_email" matches "{_EMAIL_RULE_PATTERN}" with threshold > 0.95': {
        "Column.customer_email.PatternMatch": _share(
            f"regexp_full_match(customer_email, '{_EMAIL_RULE_PATTERN}')"
        )
    },
    'ColumnLength "country" = 2': {
        # A NULL is a string of length 0 (Glue).
        "Column.country.MinimumLength": "min(coalesce(length(country), 0))",
        "Column.country.MaximumLength": "max(coalesce(length(country), 0))",
        "Column.country.LengthCompliance": _share("coalesce(length(country), 0) = 2"),
    },
    _PAYMENT_RULE: {
        "Column.payment_method.ColumnValues.Compliance": _share(
            f"payment_method in ({_in(_PAYMENT_METHODS)})"
        )
    },
    'DistinctValuesCount "product_id" > 1': {
        "Column.product_id.DistinctValuesCount": "count(distinct product_id)"
    },
    'Uniqueness "order_id" = 1.0': {
        "Column.order_id.Uniqueness": f"coalesce({_UNIQUE_ORDER_IDS} / count(*), 0.0)"
    },
    'Mean "quantity" between 1 and 5': {"Column.quantity.Mean": "avg(cast(quantity as double))"},
    'Sum "total_amount" > 0': {"Column.total_amount.Sum": "sum(cast(total_amount as double))"},
    'StandardDeviation "unit_price" < 10000': {
        "Column.unit_price.StandardDeviation": "stddev_pop(cast(unit_price as double))"
    },
    '(ColumnValues "total_amount" > 0) and (ColumnValues "quantity" <= 100)': {
        **_min_max("total_amount"),
        **_min_max("quantity"),
    },
    'ColumnValues "total_amount" > 0 where "status = \'completed\'"': _min_max(
        "total_amount", f"status = '{S.STATUS_COMPLETED}'"
    ),
    'DataFreshness "order_ts" <= 3650 days': {
        "Column.order_ts.DataFreshness.Compliance": _share("order_ts >= now() - interval 3650 days")
    },
    'ColumnExists "total_amount"': {},
}


def rule_metrics(con: duckdb.DuckDBPyConnection, curated: Path) -> dict[str, dict[str, float]]:
    """Every rule's metrics over the curated orders, in one aggregate pass (plus the
    order ids that occur once, for the uniqueness rules, and the column count)."""
    con.execute(f"create or replace view _curated as select * from read_parquet('{curated}')")
    con.execute(
        "create or replace temp table _unique_ids as select order_id from _curated "
        "where order_id is not null group by order_id having count(*) = 1"
    )
    columns = len(con.execute("select * from _curated limit 0").description)
    items = [
        (rule, metric, sql)
        for rule, metrics in _RULE_METRICS.items()
        for metric, sql in metrics.items()
    ]
    select = ", ".join(
        f"cast({sql.replace('_column_count', str(columns))} as double)" for _, _, sql in items
    )
    values = con.execute(f"select {select} from _curated").fetchone()
    con.execute("drop table _unique_ids")
    found: dict[str, dict[str, float]] = {rule: {} for rule in _RULE_METRICS}
    for (rule, metric, _), value in zip(items, values, strict=True):
        if value is not None:
            found[rule][metric] = float(value)
    return found


def run_reference(
    raw_day: Path, out: Path, run_date: dt.date, con: duckdb.DuckDBPyConnection | None = None
) -> dict[str, dict[str, float]]:
    """Clean, then aggregate, one raw day folder into `out`: wall seconds per job (`jobs`, all
    the work) and of clean_orders' core work alone (`core`: without the row accounting and
    the rules' metrics).

    Outputs (one Parquet file each): orders, quarantine, product_daily,
    top_abandoned_products, customer_top_abandoned; and dq_results.json: the row accounting
    per file and for the run, and each DQDL rule's metrics.
    """
    con = con or duckdb.connect()
    con.execute("set TimeZone = 'UTC'")  # raw times without an offset are UTC, as in Spark
    timings: dict[str, float] = {}
    files = sorted(str(p) for p in raw_day.glob("*.csv"))
    if not files:
        raise FileNotFoundError(f"no CSV files in {raw_day}")
    started = time.perf_counter()
    # Whole lines as text: a table keeps insertion order, so rowid gives line numbers. An
    # empty line is read as NULL: it is ''.
    con.execute(
        "create or replace table raw as select filename as source_file, raw_line from "
        "read_csv($files, columns = {'raw_line': 'VARCHAR'}, header = false, "
        "delim = '\x01', quote = '', escape = '', filename = true, auto_detect = false, "
        "strict_mode = false, skip = 0)",
        {"files": files},
    )
    con.execute(
        "create or replace table lines as select r.source_file, coalesce(r.raw_line, '') "
        "as raw_line, r.rowid - f.first_row + 1 as line_number from raw r join "
        "(select source_file, min(rowid) as first_row from raw group by 1) f using (source_file)"
    )
    con.execute("drop table raw")
    con.execute(f"create or replace table records as {_records_sql()}")
    # Each record of several lines at its first line's number, its other lines gone.
    con.execute(
        "create or replace view record_lines as "
        "with continued as (select source_file, unnest(range(first_line + 1, last_line + 1)) "
        "as line_number from records) "
        "select l.source_file, l.line_number, coalesce(r.text, l.raw_line) as raw_line "
        "from lines l anti join continued c using (source_file, line_number) "
        "left join records r on r.source_file = l.source_file and r.first_line = l.line_number"
    )
    con.execute(f"create or replace table validated as {_validated_sql(run_date)}")
    _copy(con, _curated_sql(), out / "orders.parquet")
    _copy(con, _quarantine_sql(), out / "quarantine.parquet")
    core = time.perf_counter() - started

    extra_started = time.perf_counter()
    accounting = con.execute(
        _accounting_sql(out / "orders.parquet", out / "quarantine.parquet")
    ).fetchall()
    names = ("source_file", "rows_read", "rows_curated", "rows_quarantined", "duplicates_dropped")
    per_file = [dict(zip(names, row, strict=True)) for row in accounting]
    run = {name: sum(f[name] for f in per_file) for name in names[1:]}
    metrics = rule_metrics(con, out / "orders.parquet")
    (out / "dq_results.json").write_text(
        json.dumps({"files": per_file, "run": run, "rules": metrics}, indent=1)
    )
    con.execute("drop table validated")
    con.execute("drop view record_lines")
    con.execute("drop table records")
    con.execute("drop table lines")
    extra = time.perf_counter() - extra_started
    timings["clean_orders"] = core + extra

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
    core_timings = {**timings, "clean_orders": core}
    return {"jobs": timings, "core": core_timings}


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
        **timings,
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
