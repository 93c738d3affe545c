"""Query results as text: an aligned table, CSV or JSON; and the `<query-id>.csv` result file
written under the results location, the way Athena writes to its OutputLocation."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

FORMATS = ("table", "csv", "json")


class Result(Protocol):
    columns: list[str]
    rows: list[tuple[Any, ...]]


def new_query_id() -> str:
    """An id shaped like Athena's QueryExecutionId (a UUID)."""
    return str(uuid.uuid4())


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4f}"
    return str(value)


def format_table(result: Result) -> str:
    """A plain aligned text table; numbers right-aligned."""
    cells = [[_cell(v) for v in row] for row in result.rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(result.columns)]
    numeric = [
        all(isinstance(row[i], int | float | Decimal) for row in result.rows if row[i] is not None)
        for i in range(len(result.columns))
    ]

    def line(values: list[str]) -> str:
        return "  ".join(
            v.rjust(w) if numeric[i] else v.ljust(w)
            for i, (v, w) in enumerate(zip(values, widths, strict=True))
        ).rstrip()

    out = [line(list(result.columns)), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in cells]
    return "\n".join(out)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    return str(value)


def format_csv(result: Result, quote_all: bool = False) -> str:
    """CSV with a header; quote_all as Athena writes its result files."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, lineterminator="\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL
    )
    writer.writerow(result.columns)
    writer.writerows([_text(v) for v in row] for row in result.rows)
    return buffer.getvalue()


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        # Exact for the money amounts here (well under 15 significant digits).
        return float(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def format_json(result: Result) -> str:
    """A JSON array of objects, one per row, keys in column order."""
    return json.dumps(
        [dict(zip(result.columns, map(_json_value, row), strict=True)) for row in result.rows],
        indent=2,
    )


def render(result: Result, fmt: str) -> str:
    if fmt == "table":
        return format_table(result)
    if fmt == "csv":
        return format_csv(result).rstrip("\n")
    if fmt == "json":
        return format_json(result)
    raise ValueError(f"unknown format {fmt!r}; known: {', '.join(FORMATS)}")


def write_result_file(result: Result, folder: Path, query_id: str) -> Path:
    """`<folder>/<query_id>.csv`, header and all values quoted, as Athena writes results."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{query_id}.csv"
    tmp = path.with_suffix(".csv.tmp")
    tmp.write_text(format_csv(result, quote_all=True), encoding="utf-8")
    tmp.replace(path)
    return path
