"""Shared fixtures: one Spark session for the whole test run."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pyspark.sql import SparkSession

os.environ.setdefault("ORDERLAKE_SPARK_MASTER", "local[2]")
# No class-sharing archive for the CLI runs tests start: the suite writes nothing into the
# user's cache (tests/integration/test_jvm_archive.py tests the archive in a folder of its own).
os.environ.setdefault("ORDERLAKE_CLASS_ARCHIVE", "off")


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    from orderlake.spark import local_session

    session = local_session("orderlake-tests", {"spark.sql.shuffle.partitions": "2"})
    yield session
    session.stop()


@pytest.fixture
def date_lock_holder() -> Iterator[Callable[[Path, dt.date], subprocess.Popen]]:
    """Start another process that takes a date's lock on a lake and holds it (until killed,
    or two minutes); returns once the lock is held. Every holder is killed afterwards."""
    holders: list[subprocess.Popen] = []

    def start(lake_root: Path, day: dt.date) -> subprocess.Popen:
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import datetime, sys, time; from orderlake.locks import date_lock\n"
                "with date_lock(sys.argv[1], datetime.date.fromisoformat(sys.argv[2])):\n"
                "    print('held', flush=True); time.sleep(120)",
                str(lake_root),
                day.isoformat(),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        holders.append(holder)
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        return holder

    yield start
    for holder in holders:
        holder.kill()
        holder.wait()
