"""Reading and writing lake partitions: the only place jobs touch storage."""

from __future__ import annotations

import ctypes
import datetime as dt
import errno
import os
import shutil
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from orderlake import schema as S
from orderlake.dates import partition
from orderlake.errors import OrderlakeError

_BLOCK = "_block_start"
_ROW = "_row_id"


def _local_path(path: str) -> Path | None:
    """The local folder a path names, or None for a remote one (s3://...)."""
    if path.startswith("file:"):
        return Path(urlparse(path).path)
    if "://" in path:
        return None
    return Path(path)


def read_raw_lines(spark: SparkSession, folder: str) -> DataFrame:
    """Every line of every CSV file in a raw partition, with its file and 1-based line number.

    Spark splits big files into blocks and reads blocks in parallel; a line's number is the
    lines in earlier blocks of its file plus its place in its own block. Block sizes come from a
    first, cheap pass (a count per block), so no sort over all lines is needed.
    """
    local = _local_path(folder)
    if local is not None and not local.is_dir():
        raise OrderlakeError(f"no raw partition at {folder}: generate or upload that day first")
    try:
        text = spark.read.format("text").option("pathGlobFilter", "*.csv").load(folder)
    except AnalysisException as exc:
        raise OrderlakeError(f"cannot read raw partition {folder}: {exc.desc}") from None
    text = text.select(
        F.col("value").alias(S.RAW_LINE),
        F.col("_metadata.file_path").alias(S.SOURCE_FILE),
        F.col("_metadata.file_block_start").alias(_BLOCK),
        F.monotonically_increasing_id().alias(_ROW),
    )
    blocks = (
        text.groupBy(S.SOURCE_FILE, _BLOCK)
        .agg(F.count(F.lit(1)).alias("lines"), F.min(_ROW).alias("first_row"))
        .collect()
    )
    if not blocks:
        raise OrderlakeError(f"raw partition {folder} holds no CSV lines")
    offsets = []
    lines_before: dict[str, int] = {}
    for block in sorted(blocks, key=lambda b: (b[S.SOURCE_FILE], b[_BLOCK])):
        before = lines_before.get(block[S.SOURCE_FILE], 0)
        offsets.append((block[S.SOURCE_FILE], block[_BLOCK], block["first_row"] - before - 1))
        lines_before[block[S.SOURCE_FILE]] = before + block["lines"]
    offset_schema = T.StructType(
        [
            T.StructField(S.SOURCE_FILE, T.StringType()),
            T.StructField(_BLOCK, T.LongType()),
            T.StructField("_offset", T.LongType()),
        ]
    )
    block_offsets = spark.createDataFrame(offsets, offset_schema)
    return text.join(F.broadcast(block_offsets), on=[S.SOURCE_FILE, _BLOCK], how="inner").select(
        S.SOURCE_FILE,
        (F.col(_ROW) - F.col("_offset")).alias(S.LINE_NUMBER),
        S.RAW_LINE,
    )


def read_partition(spark: SparkSession, table_path: str, run_date: dt.date) -> DataFrame:
    path = f"{table_path}/{partition(run_date)}"
    local = _local_path(path)
    if local is not None and not local.is_dir():
        raise OrderlakeError(f"no partition at {path}: run the job that writes it first")
    try:
        return spark.read.parquet(path)
    except AnalysisException as exc:
        raise OrderlakeError(f"cannot read {path}: {exc.desc}") from None


def write_partition(df: DataFrame, table_path: str, run_date: dt.date) -> None:
    """Replace one dt= partition of a Parquet table with `df`'s rows, leaving the others.

    Locally the new files are written to a hidden staging folder beside the partition (Spark,
    DuckDB and Athena skip names starting with `_`), then swapped in. On Linux the swap is one
    atomic `renameat2(RENAME_EXCHANGE)`: at every instant `dt=X/` holds either the complete old
    files or the complete new ones, so a process killed at any point leaves the previous good
    partition readable. Elsewhere the swap is two renames (old to `_retired-...`, staging to
    `dt=X`); a crash between them is repaired by the next write of that date
    (`recover_partition`). On S3, Spark's dynamic partition overwrite replaces the partition
    when the write commits.
    """
    local = _local_path(table_path)
    if local is None:
        (
            df.withColumn(S.DT, F.lit(run_date.isoformat()))
            .write.mode("overwrite")
            .partitionBy(S.DT)
            .parquet(table_path)
        )
        return
    target = local / partition(run_date)
    token = uuid.uuid4().hex[:12]
    staging = local / f"{_STAGING}{partition(run_date)}-{token}"
    retired = local / f"{_RETIRED}{partition(run_date)}-{token}"
    try:
        local.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OrderlakeError(f"cannot write to {local}: {exc.strerror}") from None
    recover_partition(local, run_date)
    try:
        df.write.mode("error").parquet(str(staging))
        for marker in staging.glob("*.crc"):
            marker.unlink()
        _pause_for_crash_test(local.name)
        if not target.exists():
            staging.rename(target)
        elif not _exchange(staging, target):
            target.rename(retired)
            staging.rename(target)
    finally:
        # After an exchange the staging folder holds the old files: either way, discard it.
        shutil.rmtree(staging, ignore_errors=True)
        if target.exists():
            shutil.rmtree(retired, ignore_errors=True)
        elif retired.exists():  # the new partition never arrived: put the old one back
            retired.rename(target)


_STAGING = "_staging-"
_RETIRED = "_retired-"
# Crash tests set this to a file path: the write (of the table named by PAUSE_TABLE_ENV, or
# any) creates the file once its staging copy is complete and then waits, so the test can kill
# the process at that moment.
PAUSE_AFTER_STAGING_ENV = "ORDERLAKE_TEST_PAUSE_AFTER_STAGING"
PAUSE_TABLE_ENV = "ORDERLAKE_TEST_PAUSE_TABLE"


def recover_partition(table_folder: Path, run_date: dt.date) -> None:
    """Repair what a killed write of this date left: put back a retired partition if the
    new one never arrived, and remove stale staging/retired folders. Callers hold the date's
    lock (orderlake.locks), so no live write of the date owns those folders."""
    name = partition(run_date)
    target = table_folder / name
    retired = sorted(
        table_folder.glob(f"{_RETIRED}{name}-*"), key=lambda p: p.stat().st_mtime, reverse=True
    )
    if retired and not target.exists():
        retired.pop(0).rename(target)
    for stale in [*retired, *table_folder.glob(f"{_STAGING}{name}-*")]:
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
