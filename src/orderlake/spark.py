"""Spark sessions: one place for the settings a local run and a Glue job share."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql import types as T

from orderlake import jvm_archive
from orderlake.errors import OrderlakeError

# Settings that hold both on a laptop's local[*] and on Glue workers: UTC everywhere (raw
# timestamps are UTC), adaptive execution to coalesce small shuffles, and dynamic partition
# overwrite so writing a date replaces exactly that date.
SHARED_CONF: dict[str, str] = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.adaptive.enabled": "true",
    "spark.sql.adaptive.coalescePartitions.enabled": "true",
    # Coalesce shuffle output to ~64 MB partitions rather than to as many as there are cores:
    # on Glue (200 shuffle partitions by default) this is what keeps a day's curated output to
    # a few files of tens of MB instead of a hundred 1 MB files.
    "spark.sql.adaptive.coalescePartitions.parallelismFirst": "false",
    "spark.sql.adaptive.advisoryPartitionSizeInBytes": "64m",
    "spark.sql.sources.partitionOverwriteMode": "dynamic",
    "spark.sql.parquet.compression.codec": "snappy",
    "spark.sql.ansi.enabled": "false",
    # Whole-stage code generation fuses a stage into one Java method; HotSpot never compiles a
    # method over 8000 bytes of bytecode to machine code, so a bigger one would run
    # interpreted, about twice as slow (clean_orders' checks did, before they converted each
    # field once). At 8000 Spark runs such a stage operator by operator instead (Spark's
    # documentation suggests this value for HotSpot JVMs).
    "spark.sql.codegen.hugeMethodLimit": "8000",
    # clean_orders keeps its checked rows cached once and reads them several times; building
    # the compressed cache gathers dictionary statistics of every string value, which cost
    # more (211 s vs 195 s for clean_orders at 10M rows) than the memory they save.
    "spark.sql.inMemoryColumnarStorage.compressed": "false",
    # An impossible date ("2026-02-30") is a null to quarantine, not an upgrade exception.
    "spark.sql.legacy.timeParserPolicy": "CORRECTED",
}

# Laptop only (settable on a running session): shuffle partitions sized for a 10M-row day
# (8 made reduce tasks of ~1M wide rows each); AQE coalesces them to ~64 MB, so a small day
# still ends in a few tasks and files...
LOCAL_SQL_CONF: dict[str, str] = {
    "spark.sql.shuffle.partitions": "64",
    # Not "true" (Spark 4's default, coalescing a cached plan's shuffles): on Spark 3.5 a
    # 10M-row clean_orders then lost the cached duplicates' shuffle files mid-query
    # (FileNotFoundException shuffle_1_73_0.data, twice in two runs, 2026-12-02).
    "spark.sql.optimizer.canChangeCachedPlanOutputPartitioning": "false",
}
# ...and settings that must be given before the JVM starts: no UI, memory, quiet logs.
LOCAL_CONF: dict[str, str] = {
    **LOCAL_SQL_CONF,
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.driver.memory": "4g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    # Compiled generated classes kept per JVM (Spark's default is 100). A day's clean_orders
    # alone compiles ~116, so with 100 every later run in a session (the tests, a warm
    # session) compiled 65-100 of them again: 2 with 1000. Warm clean_orders at 1,000 rows,
    # medians of 5 runs, 3 sessions each alternated: 4.87 / 4.36 / 3.66 s against 5.29 /
    # 4.86 / 4.61 s. A one-job Glue JVM compiles each class once either way.
    "spark.sql.codegen.cache.maxEntries": "1000",
}


# Shuffle partitions for a small input: one per this many input bytes (a 1,000-row day is
# one partition, 1M rows about eleven), never more than the session's own setting.
BYTES_PER_SHUFFLE_PARTITION = 16 * 1024 * 1024


@contextmanager
def shuffles_sized_for(spark: SparkSession, input_bytes: int) -> Iterator[None]:
    """Within the block, shuffle partitions sized to the job's input, then the session's own.
    A task a partition costs its plan's deserialization and scheduling whatever its rows, so a
    small day runs its shuffles in a task or two instead of the dozens sized for a big one."""
    key = "spark.sql.shuffle.partitions"
    configured = spark.conf.get(key)
    wanted = max(1, -(-input_bytes // BYTES_PER_SHUFFLE_PARTITION))
    if configured is None or wanted >= int(configured):
        yield
        return
    spark.conf.set(key, str(wanted))
    try:
        yield
    finally:
        spark.conf.set(key, configured)


# local_rows puts at most this many rows into the plan itself.
LOCAL_ROWS_IN_PLAN = 2000


def local_rows(
    spark: SparkSession, rows: Iterable[Sequence[Any]], schema: T.StructType
) -> DataFrame:
    """A small DataFrame of local rows (strings, numbers, booleans), as
    `spark.createDataFrame(rows, schema)` gives it, but built in the JVM: the rows go as one
    JSON literal that `from_json` reads. createDataFrame from a list parallelizes pickled rows,
    which a Python worker must unpickle: at a small day, starting those workers costs more than
    the data. For tables of a few thousand rows at most (files, blocks, lines): each row is
    part of the plan."""
    rows = list(rows)
    if len(rows) > LOCAL_ROWS_IN_PLAN:
        # A bigger table in the plan is copied into every task: a 10M-row day's records (tens
        # of thousands of rows) ran the driver out of heap. Parallelized rows instead.
        return spark.createDataFrame(rows, schema)
    names = schema.fieldNames()
    text = json.dumps([dict(zip(names, row, strict=True)) for row in rows])
    # One row to hang the literal on: spark.range would do, but its encoder starts Scala's
    # runtime reflection, ~0.5 s in a fresh JVM that nothing else in the jobs needs.
    return spark.sql("SELECT 1 AS one").select(
        F.inline(F.from_json(F.lit(text), T.ArrayType(schema))).alias(*names)
    )


@dataclass(frozen=True)
class JavaRuntime:
    path: str
    version: str  # what `java -version` says (on stderr)


def require_java() -> JavaRuntime:
    """The Java runtime that will start Spark; one clear line if there is none."""
    java_home = os.environ.get("JAVA_HOME")
    java = os.path.join(java_home, "bin", "java") if java_home else shutil.which("java")
    if not java or not os.path.exists(java):
        raise OrderlakeError(
            "Java not found: Spark 3.5 needs Java 17 "
            "(Debian/Ubuntu: sudo apt-get install openjdk-17-jre-headless; "
            "macOS: brew install openjdk@17)"
        )
    try:
        said = subprocess.run([java, "-version"], capture_output=True, check=True, timeout=30)
    except (OSError, subprocess.SubprocessError) as exc:
        raise OrderlakeError(f"Java at {java} does not run ({exc}); install Java 17") from exc
    return JavaRuntime(java, said.stderr.decode(errors="replace"))


def spark_defaults() -> dict[str, str]:
    """The settings of the spark-defaults.conf spark-submit reads (SPARK_CONF_DIR, else
    SPARK_HOME/conf): the Glue 5 image sets some there, e.g. the driver's Java options."""
    conf_dir = os.environ.get("SPARK_CONF_DIR")
    if not conf_dir and os.environ.get("SPARK_HOME"):
        conf_dir = os.path.join(os.environ["SPARK_HOME"], "conf")
    path = os.path.join(conf_dir, "spark-defaults.conf") if conf_dir else None
    settings: dict[str, str] = {}
    if path and os.path.isfile(path):
        with open(path, encoding="utf-8") as lines:
            for line in lines:  # Java properties: key, then whitespace, = or :, then value
                match = re.match(r"([^\s=:#!][^\s=:]*)\s*[\s=:]\s*(.*)", line.strip())
                if match:
                    settings[match[1]] = match[2].strip()
    return settings


def with_java_options(key: str, options: str) -> str:
    """`options` added after what spark-defaults.conf gives `key`, not in place of it."""
    existing = spark_defaults().get(key, "")
    return f"{existing} {options}".strip()


# A local day below this many raw bytes (about 180,000 generated rows) starts its session's
# JVM with only the quick JIT compiler (QUICK_JIT): there the run's time is fixed cost, much of
# it the JVM compiling Spark's code, and the quick compiler's code is ready sooner. Above it
# the optimising compiler's faster code pays for itself. Measured in docs/performance.md.
SMALL_DAY_BYTES = 32 * 1024 * 1024
QUICK_JIT = "-XX:TieredStopAtLevel=1"


def local_session(
    app_name: str = "orderlake",
    extra: dict[str, str] | None = None,
    quick_jit: bool = False,
    class_archive: bool = False,
) -> SparkSession:
    """A local[*] session with Glue's settings and Spark's console noise off; `quick_jit` for
    small work (SMALL_DAY_BYTES); `class_archive` to start the JVM from the class-sharing
    archive of Spark's classes, written by the first such session (orderlake.jvm_archive).
    An active session is returned as it is."""
    existing = SparkSession.getActiveSession()
    if existing is not None:
        return existing
    java = require_java()
    archive = (
        jvm_archive.for_session(java.path, java.version, extra or {}) if class_archive else None
    )
    log_config = files("orderlake").joinpath("log4j2.properties")
    builder = SparkSession.builder.master(os.environ.get("ORDERLAKE_SPARK_MASTER", "local[*]"))
    builder = builder.appName(app_name)
    quiet = (
        f"-Dlog4j2.configurationFile=file:{log_config} -Dlog4j.configurationFile=file:{log_config}"
    )
    java_options = f"{quiet} {QUICK_JIT}" if quick_jit else quiet
    if archive is not None:
        java_options = f"{java_options} {archive.java_options()}"
    conf = {
        **SHARED_CONF,
        **LOCAL_CONF,
        "spark.driver.extraJavaOptions": with_java_options(
            "spark.driver.extraJavaOptions", java_options
        ),
        **(extra or {}),
    }
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    jvm_archive.start(archive, spark)
    return spark
