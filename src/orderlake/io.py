"""Reading and writing lake partitions: the only place jobs touch storage."""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from orderlake import schema as S
from orderlake.csv_records import Record, joined_records, spans
from orderlake.dates import partition
from orderlake.errors import OrderlakeError
from orderlake.spark import local_rows
from orderlake.transforms.columns import has_balanced_quotes

# Raw order files: CSV, plain or compressed with a codec Spark (Hadoop) and Athena both read,
# the `.csv` in any case. Hadoop picks the codec by the exact lower-case suffix, so `.CSV.GZ`
# is not read (it would be read as compressed bytes); it is listed as not read instead.
RAW_SUFFIXES: tuple[str, ...] = (".csv", ".csv.gz", ".csv.bz2")
_RAW_GLOB = "*.{" + ",".join("[cC][sS][vV]" + suffix[4:] for suffix in RAW_SUFFIXES) + "}"

_BLOCK = "_block_start"
_ROW = "_row_id"
# A first line longer than this is not a header of ours: reading stops there.
_FIRST_LINE_LIMIT = 64 * 1024


def hadoop_path(spark: SparkSession, path: str, encoded: bool = False) -> tuple[Any, Any]:
    """(Hadoop FileSystem, Hadoop Path) through the session's JVM: the file systems Spark
    reads and writes (local, s3:// on Glue). `path` is spelled as the configuration spells it,
    or, with `encoded`, as a percent-encoded URI (Spark's `_metadata.file_path`)."""
    jvm = spark.sparkContext._jvm
    hadoop = jvm.org.apache.hadoop.fs.Path(jvm.java.net.URI(path) if encoded else path)
    return hadoop.getFileSystem(spark.sparkContext._jsc.hadoopConfiguration()), hadoop


def is_raw_csv(path: str) -> bool:
    """Whether the raw reader reads this file (RAW_SUFFIXES: `ORDERS.CSV`, `x.csv.gz`)."""
    name = path.rsplit("/", 1)[-1]
    for suffix in RAW_SUFFIXES:
        codec = suffix.removeprefix(".csv")
        if name.endswith(codec) and name[: len(name) - len(codec)].lower().endswith(".csv"):
            return True
    return False


def _local_path(path: str) -> Path | None:
    """The local folder a path names, or None for a remote one (s3://...)."""
    if path.startswith("file:"):
        return Path(urlparse(path).path)
    if "://" in path:
        return None
    return Path(path)


@dataclass(frozen=True)
class RawFile:
    """What the numbering pass learnt of one file: its lines and its first line's text."""

    lines: int  # every line, blank ones included
    nonblank_lines: int  # a record of several lines counted once
    # The first line that is not blank (whitespace only): decoded (bad bytes as U+FFFD); None
    # when there is none. It is the header, or the file has none.
    first_line: str | None
    header_line: int = 1  # its line number
    blank_before_header: int = 0  # lines of whitespace (not empty) before it: not rows


@dataclass(frozen=True)
class RawLines:
    """A raw partition's lines (`source_file`, `line_number`, `raw_line`), not yet read, and
    per file (named as in `source_file`: as the file system lists it, not percent-encoded) the
    counts and first line the numbering pass found."""

    lines: DataFrame
    files: dict[str, RawFile]


def read_raw_lines(spark: SparkSession, folder: str) -> RawLines:
    """Every line of every CSV file in a raw partition, with its file and 1-based line number.

    Spark splits big files into blocks and reads blocks in parallel; a line's number is the
    lines in earlier blocks of its file plus its place in its own block. Block sizes come from a
    first, cheap pass (a count per block, a hash aggregate), so no sort over all lines is
    needed; the same pass counts each file's lines for the row accounting, and each file's
    first line is read on its own (a few bytes), so nothing needs the lines kept in memory.
    """
    local = _local_path(folder)
    if local is not None and not local.is_dir():
        raise OrderlakeError(f"no raw partition at {folder}: generate or upload that day first")
    try:
        text = spark.read.format("text").option("pathGlobFilter", _RAW_GLOB).load(folder)
    except AnalysisException as exc:
        raise OrderlakeError(f"cannot read raw partition {folder}: {exc.desc}") from None
    text = text.select(
        F.col("value").alias(S.RAW_LINE),
        F.col("_metadata.file_path").alias(S.SOURCE_FILE),
        F.col("_metadata.file_block_start").alias(_BLOCK),
        F.monotonically_increasing_id().alias(_ROW),
    )
    line = F.col(S.RAW_LINE)
    blocks = (
        text.groupBy(S.SOURCE_FILE, _BLOCK)
        .agg(
            F.count(F.lit(1)).alias("lines"),
            F.count(F.when(line != "", 1)).alias("nonblank"),
            F.min(_ROW).alias("first_row"),
            # Lines that open or close a quoted field holding a line break (csv_records).
            F.collect_list(
                F.when(line.contains('"') & ~has_balanced_quotes(line), F.col(_ROW))
            ).alias("odd_rows"),
        )
        .collect()
    )
    if not blocks:
        raise OrderlakeError(f"raw partition {folder} holds no CSV lines")
    offsets = []
    lines_before: dict[str, int] = {}
    nonblank: dict[str, int] = {}
    odd_lines: dict[str, list[int]] = {}
    uris: dict[str, str] = {}
    for block in sorted(blocks, key=lambda b: (b[S.SOURCE_FILE], b[_BLOCK])):
        # Spark names a file by its URI, percent-encoded (`orders%202026.csv`); rows name it
        # as its writer did, as the file system lists it (`orders 2026.csv`).
        uri = block[S.SOURCE_FILE]
        path = unquote(uri)
        uris[path] = uri
        before = lines_before.get(path, 0)
        offset = block["first_row"] - before - 1
        offsets.append((uri, block[_BLOCK], offset, path))
        lines_before[path] = before + block["lines"]
        nonblank[path] = nonblank.get(path, 0) + block["nonblank"]
        # A header on line 1 opens no record (nor could one of blank lines before it).
        odd = [row - offset for row in block["odd_rows"] if row - offset > 1]
        odd_lines.setdefault(path, []).extend(odd)
    offset_schema = T.StructType(
        [
            T.StructField(S.SOURCE_FILE, T.StringType()),
            T.StructField(_BLOCK, T.LongType()),
            T.StructField("_offset", T.LongType()),
            T.StructField("_name", T.StringType()),
        ]
    )
    block_offsets = local_rows(spark, offsets, offset_schema)
    lines = text.join(F.broadcast(block_offsets), on=[S.SOURCE_FILE, _BLOCK], how="inner").select(
        F.col("_name").alias(S.SOURCE_FILE),
        (F.col(_ROW) - F.col("_offset")).alias(S.LINE_NUMBER),
        S.RAW_LINE,
    )
    records = _records_of_several_lines(spark, lines, odd_lines)
    if records:
        lines = _with_records(spark, lines, records)
    for path, (_, continued) in records.items():
        nonblank[path] -= continued  # a record is counted once, at its first line
    files = {}
    for path in lines_before:
        text, number, blank = first_line(spark, uris[path])
        files[path] = RawFile(lines_before[path], nonblank[path], text, number, blank)
    return RawLines(lines, files)


def _records_of_several_lines(
    spark: SparkSession, lines: DataFrame, odd_lines: dict[str, list[int]]
) -> dict[str, tuple[list[Record], int]]:
    """Per file, the records whose quoted fields hold line breaks, and how many non-blank
    lines continue them. Reads only the few lines that may join, and only when some line
    opens a quoted field."""
    wanted = [
        (path, number)
        for path, numbers in odd_lines.items()
        for first, last in spans(numbers)
        for number in range(first, last + 1)
    ]
    if not wanted:
        return {}
    keys = local_rows(
        spark,
        sorted(set(wanted)),
        T.StructType(
            [
                T.StructField(S.SOURCE_FILE, T.StringType()),
                T.StructField(S.LINE_NUMBER, T.LongType()),
            ]
        ),
    )
    texts: dict[str, dict[int, str]] = {}
    for row in lines.join(F.broadcast(keys), on=[S.SOURCE_FILE, S.LINE_NUMBER]).collect():
        texts.setdefault(row[S.SOURCE_FILE], {})[row[S.LINE_NUMBER]] = row[S.RAW_LINE]
    found = {}
    for path, numbers in odd_lines.items():
        joined = joined_records(texts.get(path, {}), numbers, len(S.RAW_COLUMNS))
        if joined:
            continued = sum(1 for r in joined for n in r.continuation_lines if texts[path][n])
            found[path] = (joined, continued)
    return found


def _with_records(
    spark: SparkSession, lines: DataFrame, records: dict[str, tuple[list[Record], int]]
) -> DataFrame:
    """`lines` with each record of several lines as one row: the text of the whole record at
    its first line's number, its other lines gone."""
    rows = []
    for path, (joined, _) in records.items():
        for record in joined:
            rows.append((path, record.first, record.text, False))
            rows += [(path, n, None, True) for n in record.continuation_lines]
    joined_lines = local_rows(
        spark,
        rows,
        T.StructType(
            [
                T.StructField(S.SOURCE_FILE, T.StringType()),
                T.StructField(S.LINE_NUMBER, T.LongType()),
                T.StructField("_record", T.StringType()),
                T.StructField("_continuation", T.BooleanType()),
            ]
        ),
    )
    return (
        lines.join(F.broadcast(joined_lines), on=[S.SOURCE_FILE, S.LINE_NUMBER], how="left")
        .where(F.col("_continuation").isNull() | ~F.col("_continuation"))
        .select(
            S.SOURCE_FILE,
            S.LINE_NUMBER,
            F.coalesce(F.col("_record"), F.col(S.RAW_LINE)).alias(S.RAW_LINE),
        )
    )


def first_line(spark: SparkSession, file_path: str) -> tuple[str | None, int, int]:
    """A file's first line that is not blank (whitespace only), as the text reader splits
    lines (at \\n, \\r\\n or \\r; a compressed file decompressed by its suffix's codec, as
    the text reader does), decoded as UTF-8 with bad bytes as U+FFFD: (its text, or None if
    there is none; its line number; the lines of whitespace, not empty, before it). A
    spreadsheet export may start with a blank line; the header is the line after it.
    `file_path` is spelled as Spark's `_metadata.file_path` (a URI, percent-encoded), so it
    names the file whatever characters its name holds."""
    fs, path = hadoop_path(spark, file_path, encoded=True)
    jvm = spark.sparkContext._jvm
    codec = jvm.org.apache.hadoop.io.compress.CompressionCodecFactory(
        spark.sparkContext._jsc.hadoopConfiguration()
    ).getCodec(path)
    stream = fs.open(path) if codec is None else codec.createInputStream(fs.open(path))
    try:
        head, ended = b"", False
        while len(head) < _FIRST_LINE_LIMIT:
            chunk = bytes(stream.readNBytes(8192))
            head += chunk
            ended = not chunk
            # Decided once a non-blank line is complete (a final \r may be half of \r\n).
            complete = _LINE_BREAK.split(head)[:-1]
            if ended or (any(p.strip() for p in complete) and not head.endswith(b"\r")):
                break
    finally:
        stream.close()
    parts = _LINE_BREAK.split(head)
    for number, part in enumerate(parts, start=1):
        if part.strip():
            blank = sum(1 for p in parts[: number - 1] if p)
            return part.decode("utf-8", errors="replace"), number, blank
    return None, 1, sum(1 for p in parts if p)


_LINE_BREAK = re.compile(rb"\r\n|\r|\n")


def read_partition(spark: SparkSession, table_path: str, run_date: dt.date) -> DataFrame:
    path = f"{table_path}/{partition(run_date)}"
    local = _local_path(path)
    if local is not None and not local.is_dir():
        raise OrderlakeError(f"no partition at {path}: run the job that writes it first")
    try:
        return spark.read.parquet(path)
    except AnalysisException as exc:
        raise OrderlakeError(f"cannot read {path}: {exc.desc}") from None


def partition_bytes(spark: SparkSession, table_path: str, run_date: dt.date) -> int:
    """The bytes one dt= partition's files hold (0 if it is missing): a job's input size."""
    fs, path = hadoop_path(spark, f"{table_path}/{partition(run_date)}")
    return int(fs.getContentSummary(path).getLength()) if fs.exists(path) else 0


def write_partition(df: DataFrame, table_path: str, run_date: dt.date) -> None:
    """Replace one dt= partition of a Parquet table with `df`'s rows, leaving the others:
    `stage_partition` then `commit_partition`."""
    commit_partition(stage_partition(df, table_path, run_date))


@dataclass(frozen=True)
class StagedPartition:
    """A partition's new files, written in full to a hidden staging folder beside the
    partition (Spark, DuckDB and Athena skip names starting with `_`), not yet published."""

    spark: SparkSession
    table_path: str
    run_date: dt.date
    path: str
    # The written frame's schema: read with it, Spark takes the files' schema as given
    # (nullable, as it would infer it) instead of running a job to read a footer.
    schema: T.StructType | None = None

    def read(self) -> DataFrame:
        """The staged rows, exactly as they will be published."""
        reader = self.spark.read if self.schema is None else self.spark.read.schema(self.schema)
        return reader.parquet(self.path)


def stage_partition(df: DataFrame, table_path: str, run_date: dt.date) -> StagedPartition:
    """Write `df` to a staging folder of the table; `commit_partition` publishes it as the
    date's partition, `discard_partition` drops it. Readers of the table never see it."""
    name = f"{_STAGING}{_hidden_stem(run_date)}-{uuid.uuid4().hex[:12]}"
    local = _local_path(table_path)
    if local is None:
        staged = StagedPartition(
            df.sparkSession, table_path, run_date, f"{table_path.rstrip('/')}/{name}", df.schema
        )
        df.write.mode("error").parquet(staged.path)
        return staged
    try:
        local.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OrderlakeError(f"cannot write to {local}: {exc.strerror}") from None
    recover_partition(local, run_date)
    staging = local / name
    try:
        df.write.mode("error").parquet(str(staging))
        for marker in staging.glob("*.crc"):
            marker.unlink()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return StagedPartition(df.sparkSession, table_path, run_date, str(staging), df.schema)


def commit_partition(staged: StagedPartition) -> None:
    """Publish staged files as the date's partition, replacing what was there.

    Locally, on Linux, the swap is one atomic `renameat2(RENAME_EXCHANGE)`: at every instant
    `dt=X/` holds either the complete old files or the complete new ones, so a process killed
    at any point leaves the previous good partition readable. Elsewhere the swap is two renames
    (old to `_retired-...`, staging to `dt=X`); a crash between them is repaired by the next
    write of that date (`recover_partition`). On S3 the staged files are written into the
    table with Spark's dynamic partition overwrite, which replaces the partition when the
    write commits (no rows: the partition's prefix is deleted, since such an overwrite writes
    nothing), and the staging prefix is deleted.
    """
    local = _local_path(staged.table_path)
    target_name = partition(staged.run_date)
    if local is None:
        rows = staged.read()
        if rows.isEmpty():  # an overwrite replaces only the partitions it writes rows into
            _delete_remote(staged.spark, f"{staged.table_path.rstrip('/')}/{target_name}")
        else:
            (
                rows.withColumn(S.DT, F.lit(staged.run_date.isoformat()))
                .write.mode("overwrite")
                .partitionBy(S.DT)
                .parquet(staged.table_path)
            )
        discard_partition(staged)
        _delete_remote(staged.spark, _failed_uri(staged.table_path, staged.run_date))
        return
    staging = Path(staged.path)
    target = local / target_name
    retired = local / f"{_RETIRED}{staging.name.removeprefix(_STAGING)}"
    try:
        _pause_for_crash_test(local.name)
        if not target.exists():
            staging.rename(target)
        elif not _exchange(staging, target):
            target.rename(retired)
            staging.rename(target)
    finally:
        # After an exchange the staging folder holds the old files: either way, discard it.
        shutil.rmtree(staging, ignore_errors=True)
        if target.exists():  # a failed run's rows of the date are stale now
            shutil.rmtree(local / f"{_FAILED}{_hidden_stem(staged.run_date)}", ignore_errors=True)
        if target.exists():
            shutil.rmtree(retired, ignore_errors=True)
        elif retired.exists():  # the new partition never arrived: put the old one back
            retired.rename(target)


def keep_failed_partition(staged: StagedPartition) -> None:
    """Keep staged files of a run that failed beside the table, as `_failed-dt-YYYY-MM-DD`
    (hidden from readers of the table, like staging; replacing an older one), so its rows can
    be inspected (`orderlake quarantine`). The next write of the date that commits removes
    it. On S3 the staged prefix is renamed the same way (a copy and a delete, by Hadoop's file
    system); docs/operations.md says how to read it from there."""
    local = _local_path(staged.table_path)
    if local is None:
        kept_uri = _failed_uri(staged.table_path, staged.run_date)
        _delete_remote(staged.spark, kept_uri)
        fs, staged_path = hadoop_path(staged.spark, staged.path)
        if not fs.rename(staged_path, hadoop_path(staged.spark, kept_uri)[1]):
            discard_partition(staged)  # nothing to keep is better than a half-kept copy
        return
    kept = local / f"{_FAILED}{_hidden_stem(staged.run_date)}"
    shutil.rmtree(kept, ignore_errors=True)
    Path(staged.path).rename(kept)


def failed_partition(table_path: str, run_date: dt.date) -> Path | None:
    """The folder `keep_failed_partition` left for the date, if the date's last run failed."""
    local = _local_path(table_path)
    kept = local / f"{_FAILED}{_hidden_stem(run_date)}" if local is not None else None
    return kept if kept is not None and kept.is_dir() else None


def _failed_uri(table_path: str, run_date: dt.date) -> str:
    return f"{table_path.rstrip('/')}/{_FAILED}{_hidden_stem(run_date)}"


def _delete_remote(spark: SparkSession, uri: str) -> None:
    fs, path = hadoop_path(spark, uri)
    if fs.exists(path):
        fs.delete(path, True)


def discard_partition(staged: StagedPartition) -> None:
    """Drop staged files that will not be published; the table is as it was."""
    local = _local_path(staged.path)
    if local is not None:
        shutil.rmtree(local, ignore_errors=True)
        return
    fs, path = hadoop_path(staged.spark, staged.path)
    fs.delete(path, True)


_STAGING = "_staging-"
_RETIRED = "_retired-"
_FAILED = "_failed-"


def _hidden_stem(run_date: dt.date) -> str:
    """`dt-YYYY-MM-DD`: a staging or retired folder's name must hold no `=`, or Spark's
    partition discovery takes it for a partition folder (`_staging-dt=...` is read as a
    column `_staging-dt`) and refuses to read the table while it exists."""
    return partition(run_date).replace("=", "-")


# Crash tests set this to a file path: the write (of the table named by PAUSE_TABLE_ENV, or
# any) creates the file once its staging copy is complete and then waits, so the test can kill
# the process at that moment.
PAUSE_AFTER_STAGING_ENV = "ORDERLAKE_TEST_PAUSE_AFTER_STAGING"
PAUSE_TABLE_ENV = "ORDERLAKE_TEST_PAUSE_TABLE"


def recover_partition(table_folder: Path, run_date: dt.date) -> None:
    """Repair what a killed write of this date left: put back a retired partition if the
    new one never arrived, and remove stale staging/retired folders. Callers hold the date's
    lock (orderlake.locks), so no live write of the date owns those folders."""
    target = table_folder / partition(run_date)
    # Also the `dt=` spelling that earlier versions used for these folders.
    stems = (_hidden_stem(run_date), partition(run_date))
    retired = sorted(
        (p for stem in stems for p in table_folder.glob(f"{_RETIRED}{stem}-*")),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    if retired and not target.exists():
        retired.pop(0).rename(target)
    staging = [p for stem in stems for p in table_folder.glob(f"{_STAGING}{stem}-*")]
    for stale in [*retired, *staging]:
        shutil.rmtree(stale, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Atomically swap two folders (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    renameat2 = getattr(_libc(), "renameat2", None)
    if renameat2 is None:
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p] * 2 + [ctypes.c_uint]
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, bytes(first), at_fdcwd, bytes(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _pause_for_crash_test(table: str) -> None:
    marker = os.environ.get(PAUSE_AFTER_STAGING_ENV)
    if marker and os.environ.get(PAUSE_TABLE_ENV, table) == table:
        Path(marker).write_text(str(os.getpid()))
        time.sleep(600)
