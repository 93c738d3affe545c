"""A per-action profile of a job: every Spark action it calls, with wall time and rows.

    python -m bench --rows 1000 --reps 1 --profile     (clean_orders, printed per repetition)
    python -m bench.profile --warm 5 --rows 1000      (in one warm session: min/median/max)

No SparkListener and no change to the job: for the duration of `profiled`, PySpark's action
methods (DataFrame.count, collect, take, isEmpty, toPandas, ...; DataFrameWriter's writes)
are wrapped so each outermost call records its wall time, the calling line in orderlake's
code, its rows (the count, the rows collected, or the rows in the Parquet files the write
left) and how many Spark jobs it ran (the status tracker's job ids before and after). Spark
jobs started by anything else (a broadcast, a file listing) show as the difference between
the session's jobs and the actions' jobs.
"""

from __future__ import annotations

import contextlib
import functools
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from pyspark.sql import DataFrame, DataFrameWriter, SparkSession

DATAFRAME_ACTIONS = (
    "count",
    "collect",
    "take",
    "head",
    "first",
    "tail",
    "isEmpty",
    "toPandas",
    "toLocalIterator",
    "foreach",
    "foreachPartition",
    "show",
)
WRITER_ACTIONS = ("save", "parquet", "csv", "json", "text", "orc", "insertInto", "saveAsTable")


def _caller() -> str:
    """The innermost frame in orderlake's code: the line that called the action."""
    for frame in reversed(traceback.extract_stack()[:-2]):
        if "/orderlake/" in frame.filename and "/bench/" not in frame.filename:
            return f"{frame.filename.rsplit('/orderlake/', 1)[1]}:{frame.lineno}"
    return "?"


def _rows(name: str, args: tuple, result: Any, started: float) -> int | None:
    if name == "count":
        return result
    if name in ("collect", "take", "head", "tail") and isinstance(result, list):
        return len(result)
    if name in ("first", "head"):
        return 0 if result is None else 1
    if name == "toPandas":
        return len(result)
    if name in WRITER_ACTIONS:
        path = args[0] if args and isinstance(args[0], str) else None
        if path and Path(path.removeprefix("file:")).exists():
            # Parquet files this write left: their footers hold the row counts.
            written = [
                f
                for f in Path(path.removeprefix("file:")).rglob("*.parquet")
                if f.stat().st_mtime >= started - 1
            ]
            return sum(pq.ParquetFile(f).metadata.num_rows for f in written)
    return None


def _job_ids(spark: SparkSession) -> set[int]:
    return set(spark.sparkContext.statusTracker().getJobIdsForGroup(None))


@contextlib.contextmanager
def profiled(spark: SparkSession) -> Iterator[dict[str, Any]]:
    """Record every outermost Spark action until the block ends, in
    `profile["actions"]` (and the session's Spark jobs in `profile["spark_jobs"]`)."""
    profile: dict[str, Any] = {"actions": [], "spark_jobs": 0}
    depth = [0]
    originals = []

    def wrap(cls: type, name: str) -> None:
        original = getattr(cls, name)
        originals.append((cls, name, original))

        @functools.wraps(original)
        def timed(self, *args, **kwargs):
            if depth[0]:  # first() calls head() calls take(): only the outermost counts
                return original(self, *args, **kwargs)
            depth[0] += 1
            before = _job_ids(spark)
            wall_started = time.time()
            started = time.perf_counter()
            try:
                result = original(self, *args, **kwargs)
            finally:
                depth[0] -= 1
            wall = time.perf_counter() - started
            kind = "write." + name if cls is DataFrameWriter else name
            profile["actions"].append(
                {
                    "action": kind,
                    "at": _caller(),
                    "wall_s": wall,
                    "rows": _rows(name, args, result, wall_started),
                    "spark_jobs": len(_job_ids(spark) - before),
                }
            )
            return result

        setattr(cls, name, timed)

    for name in DATAFRAME_ACTIONS:
        wrap(DataFrame, name)
    for name in WRITER_ACTIONS:
        wrap(DataFrameWriter, name)
    before = _job_ids(spark)
    started = time.perf_counter()
    try:
        yield profile
    finally:
        profile["wall_s"] = time.perf_counter() - started
        profile["spark_jobs"] = len(_job_ids(spark) - before)
        for cls, name, original in originals:
            setattr(cls, name, original)


def profile_lines(profile: dict[str, Any]) -> list[str]:
    """The profile as a table: one line per action, then the totals."""
    lines = [f"{'#':>3} {'action':18} {'at':38} {'wall s':>8} {'rows':>12} {'jobs':>5}"]
    for number, action in enumerate(profile["actions"], start=1):
        rows = "" if action["rows"] is None else f"{action['rows']:,}"
        lines.append(
            f"{number:>3} {action['action']:18} {action['at']:38} {action['wall_s']:>8.3f}"
            f" {rows:>12} {action['spark_jobs']:>5}"
        )
    in_actions = sum(a["wall_s"] for a in profile["actions"])
    jobs = sum(a["spark_jobs"] for a in profile["actions"])
    lines.append(
        f"{len(profile['actions'])} actions {in_actions:.3f} s of {profile['wall_s']:.3f} s"
        f" ({profile['wall_s'] - in_actions:.3f} s between them); Spark jobs {jobs} in actions,"
        f" {profile['spark_jobs'] - jobs} outside"
    )
    return lines


def warm_session(rows: int, reps: int, seed: int = 42, job: str = "clean_orders") -> dict[str, Any]:
    """`job` on one generated day, `reps` times in one session after a first run that warms
    the JVM up (class loading, JIT, codegen caches): the wall of each timed run, and the
    profile of the last."""
    import statistics
    import tempfile

    from bench.generate import RUN_DATE, generate
    from orderlake.jobs.registry import config_for, job_spec
    from orderlake.lake import Lake
    from orderlake.spark import local_session

    with tempfile.TemporaryDirectory(prefix="orderlake-warm-") as work:
        lake = Lake.local(Path(work) / "lake")
        generate(lake, rows, seed)
        started = time.perf_counter()
        spark = local_session("orderlake-warm")
        session_s = time.perf_counter() - started

        jobs = ("clean_orders", "aggregate_products", "aggregate_customers")
        timed = jobs if job == "all" else (job,)

        def once(names: tuple[str, ...] = timed) -> float:
            began = time.perf_counter()
            for name in names:
                job_spec(name).run(spark, config_for(name, lake, RUN_DATE))
            return time.perf_counter() - began

        # The warm-up runs every job up to the timed ones: an aggregate reads curated orders.
        first = once(jobs[: max(jobs.index(name) for name in timed) + 1])
        walls = []
        for _ in range(reps - 1):
            walls.append(once())
        with profiled(spark) as profile:
            walls.append(once())
        spark.stop()
    return {
        "session_start_s": session_s,
        "first_s": first,
        "walls_s": walls,
        "min": min(walls),
        "median": statistics.median(walls),
        "max": max(walls),
        "profile": profile,
    }


def main(argv: list[str] | None = None) -> int:
    """python -m bench.profile --warm N [--rows R] [--job clean_orders|all]"""
    import argparse
    import os

    parser = argparse.ArgumentParser(description="a job's wall in a warm session, profiled")
    parser.add_argument("--warm", type=int, default=3, help="timed runs after the warm-up")
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--job", default="clean_orders", help="a job, or all (the three)")
    args = parser.parse_args(argv)
    os.environ.setdefault("ORDERLAKE_SPARK_MASTER", "local[2]")
    figures = warm_session(args.rows, max(args.warm, 1), job=args.job)
    print(
        f"{args.job} at {args.rows:,} rows, {os.environ['ORDERLAKE_SPARK_MASTER']}, load "
        f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}: session start "
        f"{figures['session_start_s']:.1f} s, first run {figures['first_s']:.1f} s, then "
        f"min/median/max {figures['min']:.2f}/{figures['median']:.2f}/{figures['max']:.2f} s"
        f" over {len(figures['walls_s'])} runs"
    )
    print("last run's actions:")
    print("\n".join(profile_lines(figures["profile"])))
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main())
