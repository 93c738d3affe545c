"""A real PostgreSQL server for the warehouse tests: one per test session, a database per test.

initdb/pg_ctl on a temp directory, listening on a free loopback port with trust auth for
127.0.0.1 only (no Unix socket), stopped and removed at teardown. PostgreSQL refuses to run
as root, so under root the server runs as the `postgres` user.
"""

from __future__ import annotations

import datetime as dt
import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import psycopg
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyspark.sql import SparkSession
from pyspark.sql import types as T

from orderlake.generator import GeneratorSettings, write_day
from orderlake.jobs.registry import config_for, job_spec
from orderlake.lake import Lake
from orderlake.storage import LocalStore
from orderlake.warehouse.tables import warehouse_table

SUPERUSER = "orderlake"


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int

    def dsn(self, dbname: str = "postgres") -> str:
        return f"host={self.host} port={self.port} user={SUPERUSER} dbname={dbname}"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run_as() -> str | None:
    """PostgreSQL will not run as root: use the `postgres` (or `nobody`) account then."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    pytest.skip("running as root and no unprivileged account to run PostgreSQL as")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    for tool in ("initdb", "pg_ctl"):
        if shutil.which(tool) is None:
            pytest.skip(f"PostgreSQL's {tool} is not on PATH (apt-get install postgresql)")
    user = _run_as()
    base = Path(tempfile.mkdtemp(prefix="orderlake-pg-"))
    data, log = base / "data", base / "server.log"
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(base, entry.pw_uid, entry.pw_gid)
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run(args, check=True, capture_output=True, user=user, cwd=base, timeout=60)

    run("initdb", "-D", str(data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--no-sync")
    (data / "pg_hba.conf").write_text("host all all 127.0.0.1/32 trust\n")
    with (data / "postgresql.conf").open("a") as conf:
        # A throwaway server: loopback only, no socket file, durability off for speed.
        conf.write(
            f"listen_addresses = '127.0.0.1'\nport = {port}\nunix_socket_directories = ''\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        )
    try:
        run("pg_ctl", "-D", str(data), "-l", str(log), "-w", "-t", "30", "start")
    except subprocess.CalledProcessError as exc:
        server_log = log.read_text() if log.exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {exc.stderr.decode()}\n{server_log}")
    try:
        yield PostgresServer("127.0.0.1", port)
    finally:
        run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def warehouse_dsn(postgres_server: PostgresServer) -> Iterator[str]:
    """A fresh, empty database on the session's server, dropped after the test."""
    name = f"wh_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_server.dsn(), autocommit=True) as admin:
        admin.execute(f"create database {name}")
    yield postgres_server.dsn(name)
    with psycopg.connect(postgres_server.dsn(), autocommit=True) as admin:
        admin.execute(f"drop database {name} with (force)")


RUN_DATE = dt.date(2026, 11, 21)


def arrow_schema(schema: T.StructType) -> pa.Schema:
    types = {
        T.StringType: lambda t: pa.string(),
        T.LongType: lambda t: pa.int64(),
        T.IntegerType: lambda t: pa.int32(),
        T.DoubleType: lambda t: pa.float64(),
        T.DecimalType: lambda t: pa.decimal128(t.precision, t.scale),
    }
    return pa.schema(
        [pa.field(f.name, types[type(f.dataType)](f.dataType), f.nullable) for f in schema.fields]
    )


def analytics_rows(seed: int) -> dict[str, list[dict]]:
    """A day of analytics rows shaped like the aggregate jobs' output (ranks dense from 1)."""
    rng = random.Random(seed)
    cents = lambda: Decimal(rng.randint(100, 500_000)) / 100  # noqa: E731
    daily = []
    for i in range(60):
        carts = rng.randint(1, 30)
        abandoned = rng.randint(0, carts)
        daily.append(
            {
                "product_id": f"P{i:04d}",
                "product_name": f"Product {i} «{rng.choice('abc')}»",
                "category": rng.choice(["books", "garden", None]),
                "units": rng.randint(0, 90),
                "revenue": cents(),
                "orders": carts - abandoned,
                "carts": carts,
                "abandoned_carts": abandoned,
                "abandoned_value": cents(),
                "abandonment_rate": abandoned / carts,
            }
        )
    ranked = sorted(daily, key=lambda r: (-r["abandoned_value"], r["product_id"]))[:50]
    top = [
        {
            "rank": rank,
            **{k: r[k] for k in ("product_id", "product_name", "category")},
            "abandoned_carts": r["abandoned_carts"],
            "abandoned_value": r["abandoned_value"],
        }
        for rank, r in enumerate(ranked, start=1)
    ]
    customers = []
    for c in range(30):
        for rank, r in enumerate(rng.sample(daily, rng.randint(1, 10)), start=1):
            customers.append(
                {
                    "customer_id": f"C{c:05d}",
                    "customer_name": None if c == 3 else f"Customer {c}",
                    "rank": rank,
                    "product_id": r["product_id"],
                    "product_name": r["product_name"],
                    "abandoned_carts": rng.randint(1, 4),
                    "abandoned_value": cents(),
                }
            )
    return {
        "product_daily": daily,
        "top_abandoned_products": top,
        "customer_top_abandoned": customers,
    }


def write_analytics_day(lake: Lake, run_date: dt.date, seed: int = 7) -> None:
    """Write a day's analytics partitions as Spark leaves them: part files and _SUCCESS."""
    for name, rows in analytics_rows(seed).items():
        folder = Path(lake.table_partition(name, run_date))
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pylist(rows, schema=arrow_schema(warehouse_table(name).schema))
        pq.write_table(table, folder / "part-00000-test.snappy.parquet")
        (folder / "_SUCCESS").write_bytes(b"")


@pytest.fixture(scope="session")
def run_date() -> dt.date:
    """The day the analytics fixtures hold."""
    return RUN_DATE


@pytest.fixture(scope="session")
def analytics_lake(tmp_path_factory: pytest.TempPathFactory) -> Lake:
    """A lake holding one day of analytics Parquet (read-only for tests: copy to change it)."""
    lake = Lake.local(tmp_path_factory.mktemp("warehouse-lake"))
    write_analytics_day(lake, RUN_DATE)
    return lake


@pytest.fixture(scope="session")
def pipeline_lake(spark: SparkSession, tmp_path_factory: pytest.TempPathFactory) -> Lake:
    """A lake holding one real day of analytics Parquet, written by the pipeline's own jobs."""
    lake = Lake.local(tmp_path_factory.mktemp("pipeline-lake"))
    settings = GeneratorSettings(rows=400, seed=11, malformed_share=0.0)
    raw_prefix = lake.definition.tables["raw_orders"].prefix
    write_day(LocalStore(lake.roots["raw"]), RUN_DATE, settings, raw_prefix)
    for name in ("clean_orders", "aggregate_products", "aggregate_customers"):
        job_spec(name).run(spark, config_for(name, lake, RUN_DATE))
    return lake
