"""The local Glue Data Catalog: a DuckDB database file in the lake, filled by a crawler.

The crawler does locally what the AWS Glue crawlers in pipeline.yaml do: it scans the curated
and analytics zones, reads each table's Parquet schemas and `dt=` partitions, and registers one
view per table under the Glue database and table names, so saved Athena queries name the same
tables in both places. What it found (tables, columns, partitions, schema conflicts) is kept in
the `crawler` schema of the same file, so a query can tell "not crawled yet" from "no such table".

Like Glue, a view lists the crawled partitions (by folder), not a glob over the table: a
partition written after the crawl is invisible until the next crawl. A column whose type differs
between partitions is a conflict: the table keeps its previous registration and the conflict is
reported, rather than DuckDB silently casting both to a common type.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from orderlake import names as N
from orderlake.errors import OrderlakeError
from orderlake.lake import Lake

CATALOG_FILE = "catalog.duckdb"
META = "crawler"
CRAWL_COMMAND = "orderlake crawl"
LOCK_WAIT_SECONDS = 10.0
# Tables crawled for querying: everything but the raw CSV landing zone.
RAW_ZONE = "raw"

_META_DDL = (
    f"create schema if not exists {META}",
    f"""create table if not exists {META}.tables (
        database varchar, table_name varchar, zone varchar, location varchar,
        partitions integer, crawled_at timestamp)""",
    f"""create table if not exists {META}.columns (
        table_name varchar, position integer, column_name varchar, data_type varchar,
        partition_key boolean)""",
    f"""create table if not exists {META}.partitions (
        table_name varchar, dt varchar, location varchar, files integer)""",
    f"""create table if not exists {META}.conflicts (
        table_name varchar, column_name varchar, data_type varchar, first_dt varchar,
        other_type varchar, other_dt varchar)""",
)


def catalog_path(lake_root: Path | str) -> Path:
    return Path(lake_root) / CATALOG_FILE


def connect(lake_root: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = catalog_path(lake_root)
    if read_only and not path.is_file():
        raise OrderlakeError(
            f"no local catalog at {path}: run `{CRAWL_COMMAND} --lake {lake_root}` first"
        )
    # DuckDB allows one writer process: a crawl in progress locks the file for a moment.
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            # DuckDB's progress bar would mix into printed CSV/JSON results.
            con.execute("set enable_progress_bar = false")
            return con
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower() and time.monotonic() < deadline:
                time.sleep(0.2)
                continue
            error = exc
            break
    detail = str(error).splitlines()[0]
    hint = " (in use by another orderlake process?)" if "lock" in detail.lower() else ""
    raise OrderlakeError(f"cannot open the catalog {path}{hint}: {detail}") from None


# --- what the crawler finds -----------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    table: str
    column: str
    data_type: str
    first_dt: str
    other_type: str
    other_dt: str

    def __str__(self) -> str:
        return (
            f"{self.table}.{self.column} is {self.data_type} in dt={self.first_dt} "
            f"but {self.other_type} in dt={self.other_dt}"
        )


@dataclass
class TableCrawl:
    name: str
    columns: dict[str, str] = field(default_factory=dict)
    partitions: dict[str, int] = field(default_factory=dict)  # dt -> parquet files
    new_partitions: list[str] = field(default_factory=list)
    added_columns: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)


@dataclass
class CrawlReport:
    database: str
    tables: list[TableCrawl] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)  # defined but no partitions yet

    @property
    def registered(self) -> list[str]:
        return [t.name for t in self.tables if not t.conflicts]

    @property
    def conflicts(self) -> list[Conflict]:
        return [c for t in self.tables for c in t.conflicts]


def glue_type(data_type: pa.DataType) -> str:
    """The Glue/Athena (Hive DDL) name of an Arrow type, as a Glue crawler would record it."""
    simple = {
        pa.string(): "string",
        pa.large_string(): "string",
        pa.int8(): "tinyint",
        pa.int16(): "smallint",
        pa.int32(): "int",
        pa.int64(): "bigint",
        pa.float32(): "float",
        pa.float64(): "double",
        pa.bool_(): "boolean",
        pa.date32(): "date",
        pa.binary(): "binary",
    }
    if data_type in simple:
        return simple[data_type]
    if pa.types.is_decimal(data_type):
        return f"decimal({data_type.precision},{data_type.scale})"
    if pa.types.is_timestamp(data_type):
        return "timestamp"
    if pa.types.is_list(data_type) or pa.types.is_large_list(data_type):
        return f"array<{glue_type(data_type.value_type)}>"
    if pa.types.is_map(data_type):
        return f"map<{glue_type(data_type.key_type)},{glue_type(data_type.item_type)}>"
    if pa.types.is_struct(data_type):
        fields = ",".join(f"{f.name}:{glue_type(f.type)}" for f in data_type)
        return f"struct<{fields}>"
    return str(data_type)


def crawler_tables(lake: Lake) -> list[str]:
    """The tables the pipeline's crawlers catalog (pipeline.yaml `crawlers`), in file order."""
    names = [t for c in lake.definition.crawlers.values() for t in c.get("tables", [])]
    if names:
        return names
    return [n for n, t in lake.definition.tables.items() if t.zone != RAW_ZONE]


def _partition_folders(folder: Path) -> list[Path]:
    """dt=YYYY-MM-DD folders holding Parquet files; staging/retired folders are not data."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_dir() and p.name.startswith(f"{N.DT}=") and any(p.glob("*.parquet"))
    )


def scan_table(name: str, folder: Path) -> TableCrawl:
    """Read every partition's Parquet footers: columns in first-seen order, conflicts."""
    crawl = TableCrawl(name=name)
    first_seen: dict[str, str] = {}
    for part in _partition_folders(folder):
        day = part.name.split("=", 1)[1]
        files = sorted(part.glob("*.parquet"))
        crawl.partitions[day] = len(files)
        for file in files:
            try:
                file_schema = pq.read_schema(file)
            except (OSError, pa.ArrowInvalid) as exc:
                raise OrderlakeError(f"cannot read Parquet schema of {file}: {exc}") from None
            for column in file_schema:
                if column.name == N.DT:
                    continue
                type_name = glue_type(column.type)
                known = crawl.columns.get(column.name)
                if known is None:
                    crawl.columns[column.name] = type_name
                    first_seen[column.name] = day
                elif known != type_name and not any(
                    c.column == column.name and c.other_type == type_name for c in crawl.conflicts
                ):
                    crawl.conflicts.append(
                        Conflict(name, column.name, known, first_seen[column.name], type_name, day)
                    )
    return crawl


# --- the catalog file -----------------------------------------------------------------------


def _ensure_meta(con: duckdb.DuckDBPyConnection) -> None:
    for ddl in _META_DDL:
        con.execute(ddl)


def _previous(con: duckdb.DuckDBPyConnection, name: str) -> tuple[set[str], set[str]]:
    cols = con.execute(
        f"select column_name from {META}.columns where table_name = ?", [name]
    ).fetchall()
    parts = con.execute(f"select dt from {META}.partitions where table_name = ?", [name]).fetchall()
    return {c for (c,) in cols}, {p for (p,) in parts}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _register(
    con: duckdb.DuckDBPyConnection, lake: Lake, database: str, crawl: TableCrawl, folder: Path
) -> None:
    globs = ", ".join(_quote(f"{folder}/{N.DT}={day}/*.parquet") for day in crawl.partitions)
    con.execute(
        f'create or replace view "{database}"."{crawl.name}" as '
        f"select * from read_parquet([{globs}], hive_partitioning = true, "
        "hive_types = {'dt': 'VARCHAR'}, union_by_name = true)"
    )
    for table in ("tables", "columns", "partitions"):
        con.execute(f"delete from {META}.{table} where table_name = ?", [crawl.name])
    con.execute(
        f"insert into {META}.tables values (?, ?, ?, ?, ?, ?)",
        [
            database,
            crawl.name,
            lake.definition.tables[crawl.name].zone,
            str(folder),
            len(crawl.partitions),
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
        ],
    )
    columns = [(crawl.name, i, c, t, False) for i, (c, t) in enumerate(crawl.columns.items())]
    columns.append((crawl.name, len(columns), N.DT, "string", True))
    con.executemany(f"insert into {META}.columns values (?, ?, ?, ?, ?)", columns)
    con.executemany(
        f"insert into {META}.partitions values (?, ?, ?, ?)",
        [(crawl.name, d, f"{folder}/{N.DT}={d}", n) for d, n in crawl.partitions.items()],
    )


def crawl(con: duckdb.DuckDBPyConnection, lake: Lake) -> CrawlReport:
    """Scan the crawled zones and (re)register every table without a schema conflict."""
    database = lake.definition.glue_database
    con.execute(f'create schema if not exists "{database}"')
    _ensure_meta(con)
    report = CrawlReport(database=database)
    for name in crawler_tables(lake):
        folder = Path(lake.table(name))
        found = scan_table(name, folder)
        if not found.partitions:
            # Deleted since the last crawl: forget it, as a crawler deletes a vanished table.
            con.execute(f'drop view if exists "{database}"."{name}"')
            for meta_table in ("tables", "columns", "partitions", "conflicts"):
                con.execute(f"delete from {META}.{meta_table} where table_name = ?", [name])
            report.empty.append(name)
            continue
        old_columns, old_partitions = _previous(con, name)
        found.new_partitions = [d for d in found.partitions if d not in old_partitions]
        if old_columns:
            found.added_columns = [c for c in found.columns if c not in old_columns]
        con.execute(f"delete from {META}.conflicts where table_name = ?", [name])
        if found.conflicts:
            con.executemany(
                f"insert into {META}.conflicts values (?, ?, ?, ?, ?, ?)",
                [
                    (c.table, c.column, c.data_type, c.first_dt, c.other_type, c.other_dt)
                    for c in found.conflicts
                ],
            )
        else:
            _register(con, lake, database, found, folder)
        report.tables.append(found)
    return report


def register_tables(con: duckdb.DuckDBPyConnection, lake: Lake) -> list[str]:
    """Crawl and return the registered tables; a schema conflict is an error here."""
    report = crawl(con, lake)
    if report.conflicts:
        raise OrderlakeError("schema conflict: " + "; ".join(str(c) for c in report.conflicts))
    return report.registered


def check_crawled(con: duckdb.DuckDBPyConnection, database: str, tables: list[str]) -> None:
    """Raise a clear error for a table the crawler has not registered (or could not)."""
    known = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? "
        "and table_name = 'tables'",
        [META],
    ).fetchone()
    crawled: set[str] = set()
    conflicts: dict[str, list[str]] = {}
    if known and known[0]:
        crawled = {
            t
            for (t,) in con.execute(
                f"select table_name from {META}.tables where database = ?", [database]
            ).fetchall()
        }
        for row in con.execute(f"select * from {META}.conflicts").fetchall():
            conflicts.setdefault(row[0], []).append(str(Conflict(*row)))
    for table in tables:
        if table in crawled:
            continue
        if table in conflicts:
            raise OrderlakeError(
                f"table {database}.{table} has a schema conflict ({'; '.join(conflicts[table])}):"
                f" fix the data, then run `{CRAWL_COMMAND}`"
            )
        raise OrderlakeError(
            f"table {database}.{table} not crawled yet: run `{CRAWL_COMMAND}` "
            "(after the job that writes it)"
        )


def crawled_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [
        (c, t)
        for c, t in con.execute(
            f"select column_name, data_type from {META}.columns where table_name = ? "
            "order by position",
            [table],
        ).fetchall()
    ]
