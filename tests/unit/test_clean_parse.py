"""Splitting raw lines into fields: the cheap paths give exactly what the RFC 4180 grammar gives.

Lines without quotes are split at commas, and lines whose only quotes enclose one whole field
are split around it; every other line with a quote is read by the grammar's regular
expressions (`csv_fields`, `is_well_formed_csv`). Each line here is parsed both by
`parse_order_lines` and by that path alone: the fields must agree on every line that counts as
well formed, and well-formedness must be what the grammar says. Every line the grammar accepts
has the fields Python's `csv` module reads in it."""

from __future__ import annotations

import csv

import pytest
from pyspark.sql import functions as F

from orderlake import schema as S
from orderlake.transforms.clean import _WELL_FORMED, FILE_REASON, parse_order_lines
from orderlake.transforms.columns import csv_fields, is_well_formed_csv

FIELDS = [f"f{place}" for place in range(len(S.RAW_COLUMNS))]


def joined(**changes: str) -> str:
    """A line of 14 fields, some replaced by raw text (quotes and all)."""
    return ",".join(changes.get(name, name) for name in FIELDS)


LINES = [
    joined(),
    joined(f5='"Lamp, large"'),  # the usual quoted line: one field with a comma
    joined(f0='"first, field"'),
    joined(f13='"last, field"'),
    joined(f5='""'),  # an empty quoted field
    joined(f5='"  padded , inside  "'),
    joined(f5='" "'),
    joined(f4="", f5='"a,b"', f6=""),  # empty fields around the quoted one
    joined(f5='"a,b,c,d"'),
    joined(f5='"one"', f6='"two, three"'),  # two quoted fields: the CSV parser
    joined(f5='"say ""hi"""'),  # escaped quotes: the CSV parser
    joined(f5='"back\\slash, here"'),  # the parser's escape character: the CSV parser
    joined(f5='"back\\"slash"'),
    joined(f5='x"y"z'),  # quotes inside a field, not around it
    joined(f5=' "spaced" '),  # blanks outside the quotes
    joined(f5='"a"b'),
    joined(f5='b"a"'),
    joined(f5='"unbalanced, x'),
    joined(f5='"a,b"') + ",extra",  # one field too many
    ",".join(FIELDS[:-1]).replace("f5", '"a,b"'),  # one field too few
    '"only one field"',
    '""',
    ",".join(['""'] * len(FIELDS)),
    joined(f0='"a"', f13='"b"'),
    joined(f12="\u00e9\u00e8", f5='"caf\u00e9, cr\u00e8me"'),  # multi-byte text
    # RFC 4180 escapes: a quote inside a quoted field is written twice; a backslash is text.
    joined(f5='"12"" Pizza Stone"'),
    joined(f5='"Lamp 17"", white, large"'),
    joined(f5='"Folders, C:\\"'),
    joined(f5='"C:\\"', f6='"x"'),
    joined(f5='"a\\"b"'),  # a lone quote inside a quoted field: broken quoting
]
# Lines whose RFC 4180 fields are known: (line, field f5's value, f6's value).
RFC_VALUES = [
    (joined(f5='"12"" Pizza Stone"'), '12" Pizza Stone', "f6"),
    (joined(f5='"Lamp 17"", white, large"'), 'Lamp 17", white, large', "f6"),
    (joined(f5='"Folders, C:\\"'), "Folders, C:\\", "f6"),
    (joined(f5='"C:\\"', f6='"x, y"'), "C:\\", "x, y"),
    (joined(f5='"""quoted"""'), '"quoted"', "f6"),
]


@pytest.fixture(scope="module")
def parsed(spark):
    lines = spark.createDataFrame(
        [("f.csv", number, text, None) for number, text in enumerate(LINES, start=2)],
        f"{S.SOURCE_FILE} string, {S.LINE_NUMBER} long, {S.RAW_LINE} string, {FILE_REASON} string",
    )
    line = F.col(S.RAW_LINE)
    reference = lines.select(
        S.LINE_NUMBER,
        is_well_formed_csv(line).alias("_expected"),
        csv_fields(line).alias("_csv"),
    ).select(
        S.LINE_NUMBER,
        "_expected",
        *[
            F.trim(F.col("_csv")[place]).alias(f"_csv_{name}")
            for place, name in enumerate(S.RAW_COLUMNS)
        ],
    )
    rows = parse_order_lines(lines).join(reference, on=S.LINE_NUMBER).collect()
    return {row[S.LINE_NUMBER]: row for row in rows}


@pytest.mark.parametrize("number", range(2, len(LINES) + 2))
def test_a_line_splits_as_the_csv_parser_splits_it(parsed, number):
    row = parsed[number]
    assert row[_WELL_FORMED] == row["_expected"], row[S.RAW_LINE]
    if row[_WELL_FORMED]:
        for name in S.RAW_COLUMNS:
            expected = row[f"_csv_{name}"] or None  # blank is null
            assert row[name] == expected, (row[S.RAW_LINE], name)


def test_the_usual_quoted_line_keeps_its_comma(parsed):
    row = parsed[3]
    assert row[_WELL_FORMED] and row[S.PRODUCT_NAME] == "Lamp, large"


@pytest.mark.parametrize(("text", "f5", "f6"), RFC_VALUES)
def test_escaped_quotes_and_backslashes_read_as_rfc_4180(spark, text, f5, f6):
    lines = spark.createDataFrame(
        [("f.csv", 2, text, None)],
        f"{S.SOURCE_FILE} string, {S.LINE_NUMBER} long, {S.RAW_LINE} string, {FILE_REASON} string",
    )
    (row,) = parse_order_lines(lines).collect()
    fields = [row[name] for name in S.RAW_COLUMNS]
    assert row[_WELL_FORMED], text
    assert fields == [*FIELDS[:5], f5, f6, *FIELDS[7:]]


def test_well_formed_lines_have_the_fields_pythons_csv_reads(parsed):
    for row in parsed.values():
        if row[_WELL_FORMED]:
            (fields,) = csv.reader([row[S.RAW_LINE]], strict=True)
            read = [row[name] for name in S.RAW_COLUMNS]
            assert read == [f.strip(" ") or None for f in fields], row[S.RAW_LINE]
