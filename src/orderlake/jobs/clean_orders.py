"""clean_orders: raw CSV lines of a day -> curated orders + quarantine + dq_results.

Order of work, so a bad day never replaces a good one: validate every line, write the new
curated orders and quarantine to staging folders, count every row (per file and per run),
evaluate the DQDL rulesets on the staged orders, write dq_results (always), then fail if the
counts do not reconcile or a blocking rule failed. Only a run that passes publishes the staged
curated and quarantine partitions.

Work done once per run, for speed: the raw CSV is read twice as plain text (a cheap count per
block that numbers the lines, then the parse); the checked rows are the one thing kept in
memory (typed fields, a reason bitmask, the raw text of rejected rows only); the dedupe is a
hash aggregate on the order id; curated orders are written once and read back from Parquet
for the accounting and the rules.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from pyspark import StorageLevel
from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import types as T

from orderlake import schema as S
from orderlake.dates import partition
from orderlake.errors import OrderlakeError
from orderlake.io import (
    RAW_SUFFIXES,
    RawLines,
    StagedPartition,
    commit_partition,
    discard_partition,
    hadoop_path,
    is_raw_csv,
    keep_failed_partition,
    read_raw_lines,
    stage_partition,
    write_partition,
)
from orderlake.jobs.config import JobConfig
from orderlake.quality import checks
from orderlake.quality.accounting import RunAccount, account, rows_written
from orderlake.quality.dynamic import load_history
from orderlake.quality.outcome import BLOCKING, WARNING, RuleOutcome
from orderlake.spark import local_rows, shuffles_sized_for
from orderlake.transforms.clean import (
    BROADCAST_DUPLICATES,
    HEADER_LINE_NUMBER,
    checked_lines,
    conflict_rows,
    conflicting_copies,
    duplicate_counts,
    duplicated_orders,
    file_rows_and_duplicate_counts,
    in_wrong_partition,
    keyed_orders,
    quarantined_rows,
    reject_files_in_wrong_partition,
    to_curated_orders,
)

JOB_NAME = "clean_orders"
LINES_SCHEMA = T.StructType(
    [
        T.StructField(S.SOURCE_FILE, T.StringType()),
        T.StructField(S.LINE_NUMBER, T.LongType()),
        T.StructField(S.RAW_LINE, T.StringType()),
    ]
)
HEADERS_SCHEMA = T.StructType(
    [
        T.StructField(S.SOURCE_FILE, T.StringType()),
        T.StructField(S.RAW_LINE, T.StringType()),
        T.StructField(HEADER_LINE_NUMBER, T.LongType()),
    ]
)
# A compressed file's bytes stand for about this many bytes of text (gzip on CSV: 5-10x).
COMPRESSION_RATIO = 8


@dataclass(frozen=True)
class CleanOrdersConfig(JobConfig):
    run_date: dt.date
    raw_orders_path: str
    orders_path: str
    quarantine_path: str
    dq_results_path: str
    # DQDL files (a local path, or an S3 URI on Glue): pipeline.yaml `quality:` names them.
    blocking_ruleset: str
    warning_ruleset: str


@dataclass(frozen=True)
class CleanOrdersResult:
    rows_read: int
    rows_curated: int
    rows_quarantined: int
    duplicates_dropped: int
    files_read: int
    files_rejected: int
    rules_passed: int
    rules_failed: int


def list_raw_files(spark: SparkSession, folder: str) -> dict[str, int]:
    """Every file in a raw partition with its size, empty ones included (Spark's readers skip
    files of 0 bytes, which would otherwise vanish from the accounting). Only CSV files are
    read (`io.RAW_SUFFIXES`: `.csv` in any case, plain or `.gz`/`.bz2`); the others are listed
    in dq_results as ignored. Hidden files (`.x`, `_x`) are not."""
    try:
        fs, path = hadoop_path(spark, folder)
        statuses = fs.listStatus(path) if fs.exists(path) else None
    except Exception as exc:  # py4j wraps the Hadoop error; its first line says what failed
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise OrderlakeError(f"cannot list raw partition {folder}: {first}") from None
    if statuses is None:
        raise OrderlakeError(f"no raw partition at {folder}: generate or upload that day first")
    files = {
        s.getPath().toString(): int(s.getLen())
        for s in statuses
        if s.isFile() and not s.getPath().getName().startswith((".", "_"))
    }
    if not any(is_raw_csv(path) for path in files):
        unread = ", ".join(sorted(path.rsplit("/", 1)[-1] for path in files)) or "no files"
        raise OrderlakeError(
            f"raw partition {folder} holds no .csv files: nothing to clean (found: {unread}; "
            f"read are {', '.join(RAW_SUFFIXES)}, the .csv in any case)"
        )
    return files


def _read_lines(spark: SparkSession, folder: str, files: dict[str, int]) -> RawLines:
    if not any(size for path, size in files.items() if is_raw_csv(path)):
        return RawLines(local_rows(spark, [], LINES_SCHEMA), {})
    try:
        return read_raw_lines(spark, folder)
    except AnalysisException as exc:
        raise OrderlakeError(f"cannot read raw partition {folder}: {exc.desc}") from None


def _headers(spark: SparkSession, raw: RawLines) -> DataFrame:
    rows = [(path, f.first_line or "", f.header_line) for path, f in raw.files.items()]
    return local_rows(spark, rows, HEADERS_SCHEMA)


def run(
    spark: SparkSession, config: CleanOrdersConfig, now: dt.datetime | None = None
) -> CleanOrdersResult:
    started = now or dt.datetime.now(dt.UTC)
    run_id = f"{JOB_NAME}-{config.run_date.isoformat()}-{uuid.uuid4().hex[:12]}"
    # Rulesets first: a syntax error stops the run before any data is read.
    rulesets = [
        checks.load(spark, config.blocking_ruleset, BLOCKING),
        checks.load(spark, config.warning_ruleset, WARNING),
    ]
    folder = f"{config.raw_orders_path}/{partition(config.run_date)}"
    files = list_raw_files(spark, folder)
    with shuffles_sized_for(spark, _text_bytes(files)):
        return _clean(spark, config, rulesets, folder, files, started, run_id)


def _text_bytes(files: dict[str, int]) -> int:
    """About how many bytes of text the raw files hold."""
    return sum(
        size * (1 if path.lower().endswith(".csv") else COMPRESSION_RATIO)
        for path, size in files.items()
        if is_raw_csv(path)
    )


def _clean(
    spark: SparkSession,
    config: CleanOrdersConfig,
    rulesets: list[checks.LoadedRuleset],
    folder: str,
    files: dict[str, int],
    started: dt.datetime,
    run_id: str,
) -> CleanOrdersResult:
    raw = _read_lines(spark, folder, files)
    checked = raw.lines.transform(checked_lines(config.run_date, _headers(spark, raw))).persist(
        StorageLevel.MEMORY_AND_DISK
    )
    duplicates = None
    staged: list[StagedPartition] = []
    try:
        # The dedupe's aggregate is computed with the per-file counts, in one action, over
        # every file's accepted rows; a file found in the wrong partition (rare) is no
        # order of the day, so then the dedupe runs again without it.
        keyed = keyed_orders(checked, raw.files)
        duplicates = duplicated_orders(keyed).persist(StorageLevel.MEMORY_AND_DISK)
        per_file, (duplicated_ids, duplicates_dropped) = file_rows_and_duplicate_counts(
            checked, duplicates, config.run_date
        )
        wrong_partition = in_wrong_partition(per_file)
        validated = checked.transform(reject_files_in_wrong_partition(wrong_partition))
        if wrong_partition:
            keyed = keyed_orders(validated, raw.files)
            duplicates.unpersist()
            duplicates = duplicated_orders(keyed).persist(StorageLevel.MEMORY_AND_DISK)
            duplicated_ids, duplicates_dropped = duplicate_counts(duplicates)
        broadcast = duplicated_ids <= BROADCAST_DUPLICATES
        curated = to_curated_orders(keyed, duplicates, broadcast=broadcast)
        staged.append(stage_partition(curated, config.orders_path, config.run_date))
        written = staged[0].read()
        # repartition, not coalesce: the scan of every checked row stays parallel, and only
        # the rejected rows meet in the one task that writes the file.
        quarantine = validated.transform(quarantined_rows)
        if duplicated_ids:
            # No emptiness check first (an action of its own): the conflicts are broadcast
            # to the join with the raw lines, and when there are none adaptive execution
            # drops the join, so the raw lines are read a third time only for real ones.
            conflicts = conflicting_copies(keyed, duplicates, raw.files, broadcast)
            quarantine = quarantine.unionByName(conflict_rows(conflicts, raw.lines))
        staged.append(
            stage_partition(quarantine.repartition(1), config.quarantine_path, config.run_date)
        )
        # Nothing reads the checked rows again: their memory goes to the rules' aggregates.
        duplicates.unpersist()
        checked.unpersist()
        curated_by_file, conflicts_by_file = rows_written(written, staged[1].read())
        accounting = account(
            files,
            raw.files,
            per_file,
            curated_by_file,
            duplicates_dropped,
            config.run_date,
            conflicts=conflicts_by_file,
        )
        outcomes = checks.run_rulesets(
            written,
            rulesets,
            now=started,
            # Locally, file rules without a path read the day's raw partition, and dynamic
            # rules the metrics of earlier runs in dq_results (on Glue, Glue does both).
            data_source=f"{config.raw_orders_path.rstrip('/')}/{partition(config.run_date)}",
            history=load_history(config.dq_results_path, before=_naive_utc(started)),
        )
        results = checks.results_frame(
            spark,
            run_id=run_id,
            job_name=JOB_NAME,
            accounting=accounting,
            outcomes=outcomes,
            evaluated_at=started,
        )
        write_partition(results.coalesce(1), config.dq_results_path, config.run_date)
        _fail_unless_good(config.run_date, accounting, outcomes)
        # Both outputs are complete before either is published: two renames, back to back.
        while staged:
            commit_partition(staged.pop(0))
    finally:
        for partial in staged:
            # A failed run's rejected rows stay inspectable (orderlake quarantine), unpublished.
            if partial.table_path == config.quarantine_path:
                keep_failed_partition(partial)
            else:
                discard_partition(partial)
        if duplicates is not None:
            duplicates.unpersist()
        checked.unpersist()
    return _result(accounting, outcomes)


def _fail_unless_good(run_date: dt.date, accounting: RunAccount, outcomes: list[RuleOutcome]):
    kept = f"the previous curated output for {run_date.isoformat()} is left in place"
    if not accounting.reconciles:
        raise OrderlakeError(
            f"row accounting for {run_date.isoformat()} does not reconcile "
            f"({accounting.mismatch()}); {kept}"
        )
    failures = checks.blocking_failures(outcomes)
    if failures:
        described = "; ".join(f"[{o.ruleset}] {o.describe()}" for o in failures)
        raise OrderlakeError(
            f"{len(failures)} blocking data quality rule(s) failed for {run_date.isoformat()}: "
            f"{described}{_files_not_curated(run_date, accounting)}; results in dq_results; {kept}"
        )


def _files_not_curated(run_date: dt.date, accounting: RunAccount) -> str:
    """When no row was curated, each file and why: what the rules found nothing in."""
    if accounting.rows_curated:
        return ""
    named = []
    for f in accounting.files:
        name = f.source_file.rsplit("/", 1)[-1]
        if f.message:
            named.append(f.message.replace(f.source_file, name))
        elif f.rows_quarantined:
            named.append(f"{name}: all {f.rows_quarantined} row(s) quarantined")
    if not named:
        return ""
    return (
        f"; no row was curated: {'; '.join(named)} (rejected rows: orderlake quarantine "
        f"--date {run_date.isoformat()})"
    )


def _result(accounting: RunAccount, outcomes: list[RuleOutcome]) -> CleanOrdersResult:
    return CleanOrdersResult(
        rows_read=accounting.rows_read,
        rows_curated=accounting.rows_curated,
        rows_quarantined=accounting.rows_quarantined,
        duplicates_dropped=accounting.duplicates_dropped,
        files_read=len(accounting.files),
        files_rejected=len(accounting.rejected),
        rules_passed=sum(o.passed for o in outcomes),
        rules_failed=sum(not o.passed for o in outcomes),
    )


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is None else moment.astimezone(dt.UTC).replace(tzinfo=None)
