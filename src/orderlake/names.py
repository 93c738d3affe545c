"""Column names and code values: the one place they are spelled.

Plain strings and numbers, no imports: Lambdas (the generator, the archive) and every pure
module import this, while the Spark schemas built from these names live in orderlake.schema,
which re-exports them so that Spark code can keep writing `S.ORDER_ID`.
"""

# --- raw order line columns, in file order -------------------------------------------------
ORDER_ID = "order_id"
CUSTOMER_ID = "customer_id"
CUSTOMER_NAME = "customer_name"
CUSTOMER_EMAIL = "customer_email"
PRODUCT_ID = "product_id"
PRODUCT_NAME = "product_name"
CATEGORY = "category"
QUANTITY = "quantity"
UNIT_PRICE = "unit_price"
CURRENCY = "currency"
ORDER_TS = "order_ts"
STATUS = "status"
PAYMENT_METHOD = "payment_method"
COUNTRY = "country"

RAW_COLUMNS: tuple[str, ...] = (
    ORDER_ID,
    CUSTOMER_ID,
    CUSTOMER_NAME,
    CUSTOMER_EMAIL,
    PRODUCT_ID,
    PRODUCT_NAME,
    CATEGORY,
    QUANTITY,
    UNIT_PRICE,
    CURRENCY,
    ORDER_TS,
    STATUS,
    PAYMENT_METHOD,
    COUNTRY,
)
RAW_HEADER = ",".join(RAW_COLUMNS)
REQUIRED_COLUMNS: tuple[str, ...] = (
    ORDER_ID,
    CUSTOMER_ID,
    PRODUCT_ID,
    QUANTITY,
    UNIT_PRICE,
    CURRENCY,
    ORDER_TS,
    STATUS,
)

# Timestamps in raw files are ISO 8601 times: "YYYY-MM-DD HH:MM:SS" (UTC, what the generator
# writes), or with a `T`, fractional seconds and an offset (`Z`, `+02:00`), converted to UTC.
ORDER_TS_FORMAT = "yyyy-MM-dd HH:mm:ss"

# --- code values ------------------------------------------------------------------------------
STATUS_COMPLETED = "completed"
STATUS_ABANDONED = "abandoned"
STATUS_CANCELLED = "cancelled"
STATUS_RETURNED = "returned"
STATUSES: tuple[str, ...] = (STATUS_COMPLETED, STATUS_ABANDONED, STATUS_CANCELLED, STATUS_RETURNED)

# The store settles every sale in US dollars; any other code is a data error, not a rate to
# convert (multi-currency would need FX rates per day, which the lake does not hold).
CURRENCIES: tuple[str, ...] = ("USD",)

PAYMENT_METHODS: tuple[str, ...] = ("card", "paypal", "apple_pay", "google_pay", "bank_transfer")

# Quarantine reason codes: stable strings analysts group by.
REASON_UNPARSABLE_LINE = "unparsable_line"
REASON_MISSING_FIELD = "missing_required_field"
REASON_BAD_QUANTITY = "invalid_quantity"
REASON_BAD_PRICE = "invalid_unit_price"
REASON_BAD_TIMESTAMP = "unparsable_timestamp"
REASON_OUTSIDE_RUN_DATE = "timestamp_outside_run_date"
REASON_UNKNOWN_STATUS = "unknown_status"
REASON_BAD_EMAIL = "malformed_email"
REASON_UNKNOWN_CURRENCY = "unknown_currency"
REASON_BAD_ENCODING = "invalid_encoding"
# File-level reasons: every line of a rejected file is quarantined with one of these first.
REASON_MISSING_HEADER = "missing_header"
REASON_WRONG_HEADER = "wrong_header"
REASON_WRONG_PARTITION = "file_in_wrong_partition"
FILE_REASONS: tuple[str, ...] = (REASON_MISSING_HEADER, REASON_WRONG_HEADER, REASON_WRONG_PARTITION)
# Decided by the dedupe, after every row's own checks: a repeat of a kept order id whose
# values differ from the kept row's (an exact repeat is a duplicate, dropped and counted).
REASON_CONFLICTING_DUPLICATE = "conflicting_duplicate"
ROW_REASONS: tuple[str, ...] = (
    REASON_UNPARSABLE_LINE,
    REASON_MISSING_FIELD,
    REASON_BAD_QUANTITY,
    REASON_BAD_PRICE,
    REASON_BAD_TIMESTAMP,
    REASON_OUTSIDE_RUN_DATE,
    REASON_UNKNOWN_STATUS,
    REASON_BAD_EMAIL,
    REASON_UNKNOWN_CURRENCY,
    REASON_BAD_ENCODING,
)

# --- lineage and derived columns ----------------------------------------------------------------
DT = "dt"
SOURCE_FILE = "source_file"
LINE_NUMBER = "line_number"
RAW_LINE = "raw_line"
REASON = "reason"
REASONS = "reasons"
# A conflicting duplicate's quarantine row names the occurrence kept in curated.
KEPT_SOURCE_FILE = "kept_source_file"
KEPT_LINE_NUMBER = "kept_line_number"
TOTAL_AMOUNT = "total_amount"

# --- data quality results (curated/dq_results): row accounting and rule outcomes, one table -----
RUN_ID = "run_id"
JOB_NAME = "job_name"
EVALUATED_AT = "evaluated_at"
RECORD_TYPE = "record_type"
ROWS_READ = "rows_read"
ROWS_CURATED = "rows_curated"
ROWS_QUARANTINED = "rows_quarantined"
DUPLICATES_DROPPED = "duplicates_dropped"
RULESET = "ruleset"
SEVERITY = "severity"
RULE = "rule"
OUTCOME = "outcome"
FAILURE_REASON = "failure_reason"
EVALUATED_METRICS = "evaluated_metrics"
ENGINE = "engine"
OBSERVATIONS = "observations"  # Glue's Observations, snake_case; null but for anomalies

RECORD_FILE = "file"  # accounting of one input file
RECORD_RUN = "run"  # accounting of the whole run
RECORD_RULE = "rule"  # one DQDL rule's outcome

# --- analytics columns --------------------------------------------------------------------------
UNITS = "units"
REVENUE = "revenue"
ORDERS = "orders"
CARTS = "carts"
ABANDONED_CARTS = "abandoned_carts"
ABANDONED_VALUE = "abandoned_value"
ABANDONMENT_RATE = "abandonment_rate"
RANK = "rank"

TOP_ABANDONED_PRODUCTS = 50
TOP_ABANDONED_PER_CUSTOMER = 10
