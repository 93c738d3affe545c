"""Reading and writing lake partitions: the only place jobs touch storage."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from pathlib import Path
from urllib.parse import urlparse

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from orderlake import schema as S
from orderlake.errors import OrderlakeError
from orderlake.dates import partition

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

    Locally the new files are written beside the table and swapped in with renames, so a
    failed write leaves the previous good partition as it was. On S3, Spark's dynamic
    partition overwrite replaces the partition when the write commits.
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
    staging = local / f"_staging-{token}"
    retired = local / f"_retired-{token}"
    try:
        local.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OrderlakeError(f"cannot write to {local}: {exc.strerror}") from None
    try:
        df.write.mode("error").parquet(str(staging))
        for marker in staging.glob("*.crc"):
            marker.unlink()
        if target.exists():
            target.rename(retired)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
