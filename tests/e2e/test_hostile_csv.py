"""`orderlake run` over a day written by Python's `csv.writer` with hostile values: every row
is curated with exactly the values written (issue 17's acceptance check, through the CLI and
the whole day's pipeline, not the reader alone as tests/unit/test_csv_property.py does)."""

from __future__ import annotations

import csv
import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq

from orderlake import schema as S
from orderlake.cli import main

DAY = dt.date(2026, 11, 21)
# What CSV writers must quote or double, what trips parsers (a backslash before a closing
# quote, a quoted line break), and text around them. A CRLF inside a quoted value is read as
# LF (docs/data-quality.md, "Known limits"), so it is not drawn here.
PIECES = ['"', ",", "\\", "\n", " ", "'", ";", "#", '""', '12" Pizza Stone', "C:\\", "é"]
FREE_TEXT = (S.CUSTOMER_NAME, S.PRODUCT_NAME, S.CATEGORY, S.PAYMENT_METHOD, S.COUNTRY)


def hostile(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 6)))


ID_TAILS = ("", ",x", ' "q"')
CUSTOMER_TAILS = ("", "\\")
PRODUCT_TAILS = ("", "\n", ",")


def rows(count: int) -> list[dict[str, str]]:
    rng = random.Random(17)
    written = []
    for number in range(count):
        values = {column: hostile(rng) for column in FREE_TEXT}
        values |= {
            S.ORDER_ID: f"O-{number:04d}" + rng.choice(ID_TAILS),
            S.CUSTOMER_ID: f'C,{number % 7}"' + rng.choice(CUSTOMER_TAILS),
            S.CUSTOMER_EMAIL: rng.choice(["", "ann@example.com"]),
            S.PRODUCT_ID: f"P-{number % 5}" + rng.choice(PRODUCT_TAILS) + "x",
            S.QUANTITY: str(rng.randint(1, 9)),
            S.UNIT_PRICE: f"{rng.randint(0, 99_999) / 100:.2f}",
            S.CURRENCY: "USD",
            S.ORDER_TS: f"{DAY} {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:05",
            S.STATUS: rng.choice(S.STATUSES),
        }
        written.append(values)
    return written


def stored(value: str) -> str | None:
    """The cleaner's documented reading of a text field: spaces trimmed, blank is null."""
    return value.strip(" ") or None


def test_every_hostile_row_is_curated_with_its_written_values(tmp_path: Path, spark, capsys):
    raw = tmp_path / "raw" / "orders" / f"dt={DAY}"
    raw.mkdir(parents=True)
    written = rows(120)
    for name, options, part in [
        ("minimal.csv", {}, written[:60]),
        ("quote_all.csv", {"quoting": csv.QUOTE_ALL, "lineterminator": "\n"}, written[60:]),
    ]:
        with (raw / name).open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, **options)
            writer.writerow(S.RAW_COLUMNS)
            writer.writerows([row[c] for c in S.RAW_COLUMNS] for row in part)

    args = ["run", "--date", DAY.isoformat(), "--no-generate", "--lake", str(tmp_path)]
    code = main(args)
    assert code == 0, capsys.readouterr().err

    table = pq.read_table(tmp_path / "curated" / "orders" / f"dt={DAY}")
    curated = {row[S.ORDER_ID]: row for row in table.to_pylist()}
    assert len(curated) == len(written)
    assert not list((tmp_path / "curated" / "quarantine" / f"dt={DAY}").glob("*.parquet")) or (
        pq.read_table(tmp_path / "curated" / "quarantine" / f"dt={DAY}").num_rows == 0
    )
    text = (*FREE_TEXT, S.CUSTOMER_ID, S.CUSTOMER_EMAIL, S.PRODUCT_ID, S.CURRENCY)
    for values in written:
        row = curated[stored(values[S.ORDER_ID])]
        assert {c: row[c] for c in text} == {c: stored(values[c]) for c in text}, values
        assert row[S.QUANTITY] == int(values[S.QUANTITY])
        assert row[S.UNIT_PRICE] == Decimal(values[S.UNIT_PRICE])
        assert row[S.STATUS] == values[S.STATUS]
