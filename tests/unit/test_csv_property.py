"""Property: whatever a standard CSV writer writes, the curated value of every field is the
value written (RFC 4180: quote `"`, a quote inside a quoted field written twice, no backslash
escape, newlines inside quoted fields).

Hypothesis draws the rows; Python's `csv` module writes them (minimal and full quoting, CRLF
and LF line ends) to the files of one raw day, and one pass of the job's own reading and
cleaning checks them all at once (a Spark job per example would take minutes). Values are
compared as the cleaner documents them: surrounding spaces trimmed, blank is null."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderlake import schema as S
from orderlake.io import read_raw_lines
from orderlake.transforms.clean import curated_from, validated_lines

RUN_DATE = dt.date(2026, 11, 21)
EXAMPLES = 200
# The characters CSV writers must quote or escape, and a few that trip parsers (NUL: Spark's
# CSV parser drops it). A line break inside a value is drawn as "\n" (a lone "\r" is a line
# end to the text reader).
HOSTILE = ",\"\\ \t;'#\n\x00"
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(HOSTILE),
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\ufffd"),
    ),
    max_size=12,
)
REQUIRED_TEXT = TEXT.filter(lambda value: value.strip(" ") != "")
WRITERS = {  # file name: csv.writer options
    "minimal_crlf.csv": {},
    "minimal_lf.csv": {"lineterminator": "\n"},
    "all_crlf.csv": {"quoting": csv.QUOTE_ALL},
    "all_lf.csv": {"quoting": csv.QUOTE_ALL, "lineterminator": "\n"},
}


@st.composite
def order_rows(draw: st.DrawFn) -> tuple[str, dict[str, str]]:
    """(file to write it to, the row's values by column): free text hostile, typed fields
    valid, so every row must be curated."""
    values = {
        S.ORDER_ID: draw(TEXT),  # prefixed with a unique number when written
        S.CUSTOMER_ID: draw(REQUIRED_TEXT),
        S.CUSTOMER_NAME: draw(TEXT),
        S.CUSTOMER_EMAIL: draw(st.sampled_from(["", "ann@example.com", "b.o+x@mail.example.org"])),
        S.PRODUCT_ID: draw(REQUIRED_TEXT),
        S.PRODUCT_NAME: draw(TEXT),
        S.CATEGORY: draw(TEXT),
        S.QUANTITY: str(draw(st.integers(1, 999))),
        S.UNIT_PRICE: f"{draw(st.integers(0, 99_999)) / 100:.2f}",
        S.CURRENCY: "USD",
        S.ORDER_TS: f"{RUN_DATE} {draw(st.integers(0, 23)):02d}:{draw(st.integers(0, 59)):02d}:07",
        S.STATUS: draw(st.sampled_from(S.STATUSES)),
        S.PAYMENT_METHOD: draw(TEXT),
        S.COUNTRY: draw(TEXT),
    }
    return draw(st.sampled_from(sorted(WRITERS))), values


def drawn_rows() -> list[tuple[str, dict[str, str]]]:
    rows: list[tuple[str, dict[str, str]]] = []

    @settings(
        max_examples=EXAMPLES,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(order_rows())
    def collect(row: tuple[str, dict[str, str]]) -> None:
        rows.append(row)

    collect()
    return rows


def expected(value: str) -> str | None:
    """What the cleaner stores for a field: trimmed of spaces, blank as null."""
    return value.strip(" ") or None


def test_curated_values_are_exactly_the_written_values(spark, tmp_path: Path) -> None:
    rows = drawn_rows()
    folder = tmp_path / f"dt={RUN_DATE}"
    folder.mkdir()
    written: dict[str, dict[str, str]] = {}
    handles = {name: (folder / name).open("w", newline="", encoding="utf-8") for name in WRITERS}
    writers = {name: csv.writer(handles[name], **options) for name, options in WRITERS.items()}
    for writer in writers.values():
        writer.writerow(S.RAW_COLUMNS)
    for number, (name, values) in enumerate(rows):
        values = {**values, S.ORDER_ID: f"O{number:05d}{values[S.ORDER_ID]}"}
        writers[name].writerow([values[c] for c in S.RAW_COLUMNS])
        written[values[S.ORDER_ID].strip(" ")] = values
    for handle in handles.values():
        handle.close()

    raw = read_raw_lines(spark, str(folder))
    validated = raw.lines.transform(validated_lines(RUN_DATE)).cache()
    try:
        rejected = [
            (r[S.RAW_LINE], list(r[S.REASONS]))
            for r in validated.where("size(reasons) > 0").collect()
        ]
        curated = curated_from(validated).collect()
    finally:
        validated.unpersist()
    assert rejected == []
    assert len(curated) == len(rows)
    text_columns = [c for c in S.RAW_COLUMNS if c not in (S.QUANTITY, S.UNIT_PRICE, S.ORDER_TS)]
    mismatches = []
    for row in curated:
        values = written.get(row[S.ORDER_ID])
        if values is None:  # the id itself was read wrong: find the row by its number
            values = next(v for k, v in written.items() if k[:6] == row[S.ORDER_ID][:6])
        got = {c: row[c] for c in text_columns}
        want = {c: expected(values[c]) for c in text_columns if c != S.STATUS}
        want[S.STATUS] = values[S.STATUS]
        want[S.UNIT_PRICE], got[S.UNIT_PRICE] = values[S.UNIT_PRICE], str(row[S.UNIT_PRICE])
        differ = {c: (want[c], got[c]) for c in want if want[c] != got[c]}
        if differ:
            mismatches.append((values[S.ORDER_ID], differ))
    # The shortest failing value first: the one to read.
    mismatches.sort(key=lambda m: min(len(repr(w)) for w, _ in m[1].values()))
    assert mismatches == [], mismatches[:3]
