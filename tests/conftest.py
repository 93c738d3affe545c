"""Shared fixtures: one Spark session for the whole test run."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from pyspark.sql import SparkSession

os.environ.setdefault("ORDERLAKE_SPARK_MASTER", "local[2]")


@pytest.fixture(scope="session")
def spark() -> Iterator[SparkSession]:
    from orderlake.spark import local_session

    session = local_session("orderlake-tests", {"spark.sql.shuffle.partitions": "2"})
    yield session
    session.stop()
