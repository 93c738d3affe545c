"""The pipeline's Spark jobs, timed, in one session: the side under test.

Run alone: python -m bench.spark_side LAKE_ROOT YYYY-MM-DD [--result FILE]
It reports per-job wall seconds and peak RSS of the Python driver and of the Spark JVM, which
is a child of this process: the JVM is stopped and waited for, so its peak is counted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from pyspark.sql import SparkSession

from bench import report
from bench.profile import profiled
from orderlake.jobs.registry import config_for, job_spec
from orderlake.lake import Lake

JOBS = ("clean_orders", "aggregate_products", "aggregate_customers")
PROFILED = "clean_orders"


def run_jobs(
    spark: SparkSession,
    lake_root: Path,
    run_date: dt.date,
    profiles: dict[str, Any] | None = None,
) -> dict[str, float]:
    """Run the three jobs for a day, in graph order; wall seconds per job. With `profiles`,
    clean_orders' Spark actions are recorded into `profiles["clean_orders"]` (bench.profile)."""
    lake = Lake.local(lake_root)
    timings: dict[str, float] = {}
    for name in JOBS:
        recording = profiled(spark) if profiles is not None and name == PROFILED else nullcontext()
        started = time.perf_counter()
        with recording as profile:
            job_spec(name).run(spark, config_for(name, lake, run_date))
        timings[name] = time.perf_counter() - started
        if profile is not None:
            profiles[name] = profile
    return timings


def stop_and_reap(spark: SparkSession) -> None:
    """Stop Spark and wait for the JVM to exit, so RUSAGE_CHILDREN includes its peak."""
    gateway = spark.sparkContext._gateway
    proc = getattr(gateway, "proc", None)
    spark.stop()
    if proc is not None:
        gateway.shutdown()
        proc.stdin.close()  # the JVM exits on EOF of its stdin
        proc.wait(timeout=60)


def cpu_seconds(who: int) -> float:
    """User + system CPU seconds: steadier than wall time on a machine others share."""
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lake", type=Path)
    parser.add_argument("run_date", type=dt.date.fromisoformat)
    parser.add_argument("--result", type=Path, help="write timings and peak RSS here (JSON)")
    parser.add_argument(
        "--profile", action="store_true", help="record clean_orders' Spark actions (bench.profile)"
    )
    args = parser.parse_args(argv)

    def work(spark: SparkSession) -> dict[str, Any]:
        profiles: dict[str, Any] | None = {} if args.profile else None
        figures = {"jobs": run_jobs(spark, args.lake, args.run_date, profiles)}
        return {**figures, "profiles": profiles} if profiles is not None else figures

    figures = run_in_session("orderlake-bench", work)
    report(figures, args.result)
    return 0


def run_in_session(app_name: str, work: Callable[[SparkSession], dict[str, Any]]) -> dict[str, Any]:
    """Run `work` in a local session with the pipeline's settings, then stop Spark and reap its
    JVM; `work`'s figures plus the session's start time, the peak RSS of the Python driver and
    of the JVM, and both processes' CPU seconds."""
    from orderlake.spark import local_session

    started = time.perf_counter()
    memory = os.environ.get("ORDERLAKE_BENCH_DRIVER_MEMORY")
    spark = local_session(app_name, {"spark.driver.memory": memory} if memory else None)
    startup = time.perf_counter() - started
    figures = work(spark)
    stop_and_reap(spark)
    return {
        **figures,
        "session_start_s": startup,
        "master": os.environ.get("ORDERLAKE_SPARK_MASTER", "local[*]"),
        "driver_peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "jvm_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "cpu_s": cpu_seconds(resource.RUSAGE_SELF) + cpu_seconds(resource.RUSAGE_CHILDREN),
    }


if __name__ == "__main__":
    sys.exit(main())
