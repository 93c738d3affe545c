"""The warehouse DDL in sql/redshift/: schema.sql first, then one file per table.

The files are written for Redshift; PostgreSQL gets the same statements with Redshift's table
attributes (DISTSTYLE, SORTKEY) removed, through sqlglot.
"""

from __future__ import annotations

from pathlib import Path

import sqlglot
from sqlglot import exp

from orderlake.definition import project_root
from orderlake.errors import OrderlakeError
from orderlake.warehouse.tables import TABLES

SCHEMA_FILE = "schema.sql"


def ddl_folder() -> Path:
    return project_root() / "sql" / "redshift"


def ddl_files(folder: Path | None = None) -> list[Path]:
    base = folder or ddl_folder()
    files = [base / SCHEMA_FILE, *(base / f"{t.name}.sql" for t in TABLES)]
    for file in files:
        if not file.is_file():
            raise OrderlakeError(f"warehouse DDL file {file} is missing")
    return files


def redshift_statement(file: Path) -> str:
    """The file's one statement, without its header comments."""
    text = "\n".join(
        line
        for line in file.read_text(encoding="utf-8").splitlines()
        if not line.lstrip().startswith("--")
    )
    return text.strip().rstrip(";").strip()


def postgres_statement(file: Path) -> str:
    parsed = sqlglot.parse_one(redshift_statement(file), read="redshift")
    if isinstance(parsed, exp.Create):
        parsed.set("properties", None)  # Redshift-only table attributes
    return parsed.sql(dialect="postgres")
