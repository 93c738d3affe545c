"""Result rendering: table, CSV, JSON, and the Athena-style result file."""

from __future__ import annotations

import csv
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest

from orderlake.local.athena import QueryResult
from orderlake.local.output import format_table, render, write_result_file

RESULT = QueryResult(
    columns=["product", "revenue", "rate", "day"],
    rows=[
        ("Lamp, blue", Decimal("1234.50"), 0.25, dt.date(2026, 11, 21)),
        ('Mug "XL"', Decimal("7.00"), None, dt.date(2026, 11, 22)),
    ],
)


def test_table_aligns_numbers_right_and_text_left() -> None:
    lines = format_table(RESULT).splitlines()
    assert lines[0].split() == ["product", "revenue", "rate", "day"]
    assert lines[2].startswith("Lamp, blue  1234.50  0.2500")
    assert lines[3].startswith('Mug "XL"       7.00')


def test_csv_round_trips_quotes_and_commas() -> None:
    parsed = list(csv.reader(render(RESULT, "csv").splitlines()))
    assert parsed == [
        ["product", "revenue", "rate", "day"],
        ["Lamp, blue", "1234.50", "0.25", "2026-11-21"],
        ['Mug "XL"', "7.00", "", "2026-11-22"],
    ]


def test_json_is_objects_with_numbers_and_iso_dates() -> None:
    assert json.loads(render(RESULT, "json")) == [
        {"product": "Lamp, blue", "revenue": 1234.5, "rate": 0.25, "day": "2026-11-21"},
        {"product": 'Mug "XL"', "revenue": 7.0, "rate": None, "day": "2026-11-22"},
    ]


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format 'xml'"):
        render(RESULT, "xml")


def test_result_file_is_named_by_query_id_and_quotes_every_field(tmp_path: Path) -> None:
    path = write_result_file(RESULT, tmp_path / "athena-results", "0f-id")
    assert path == tmp_path / "athena-results" / "0f-id.csv"
    assert path.read_text().splitlines()[:2] == [
        '"product","revenue","rate","day"',
        '"Lamp, blue","1234.50","0.25","2026-11-21"',
    ]
    assert [p.name for p in path.parent.iterdir()] == ["0f-id.csv"]
