"""CSV records that span lines: RFC 4180 lets a quoted field hold line breaks.

The raw files are read as lines (in parallel, by block). A line with an odd number of quotes
opens a quoted field that the next line with an odd number of quotes closes (the lines
between hold pairs of quotes, or none); together they are one record, numbered as its first
line. Broken quoting opens fields too, so a span is joined only when the joined text is a
well-formed record of the expected number of fields, spans no more than MAX_RECORD_LINES
lines, and no line between is a whole record by itself (that is an order between two stray
quotes, not the text of a field); otherwise each line stays a line of its own (and is
quarantined as `unparsable_line`), so one stray quote cannot swallow the good orders after it.

Pure Python: the few lines concerned are read on the driver (`orderlake.io`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache

MAX_RECORD_LINES = 50
# One RFC 4180 field: quoted whole ("" is a quote inside it; line breaks allowed), or
# holding no quote and no separator.
_FIELD = r'(?:"(?:[^"]|"")*"|[^,"]*)'


@cache
def _record_pattern(fields: int) -> re.Pattern[str]:
    return re.compile(f"{_FIELD}(?:,{_FIELD}){{{fields - 1}}}", re.DOTALL)


def is_record(text: str, fields: int) -> bool:
    """Whether `text` is one RFC 4180 record of exactly `fields` fields."""
    return _record_pattern(fields).fullmatch(text) is not None


def spans(odd_lines: list[int]) -> Iterator[tuple[int, int]]:
    """Every pair of consecutive odd-quote lines near enough to be one record: the lines whose
    text must be read (the pairs and the lines between) to decide."""
    numbers = sorted(odd_lines)
    for first, last in zip(numbers, numbers[1:], strict=False):
        if last - first < MAX_RECORD_LINES:
            yield first, last


@dataclass(frozen=True)
class Record:
    first: int  # line number of the record's first physical line
    last: int
    text: str  # its lines joined with "\n"

    @property
    def continuation_lines(self) -> range:
        return range(self.first + 1, self.last + 1)


def joined_records(lines: Mapping[int, str], odd_lines: list[int], fields: int) -> list[Record]:
    """The records of several lines in one file. `odd_lines` are the line numbers with an odd
    number of quotes (the header excluded), `lines` the text of every line `spans` names.
    Pairs are taken in order; a pair that does not join into a record leaves its first line
    alone and its second line may open the next record."""
    numbers = sorted(odd_lines)
    records = []
    place = 0
    while place + 1 < len(numbers):
        first, last = numbers[place], numbers[place + 1]
        if last - first < MAX_RECORD_LINES:
            text = "\n".join(lines[n] for n in range(first, last + 1))
            between = (lines[n] for n in range(first + 1, last))
            if is_record(text, fields) and not any(is_record(b, fields) for b in between):
                records.append(Record(first, last, text))
                place += 2
                continue
        place += 1
    return records


def data_records(text: str, fields: int) -> list[str]:
    """A whole file's data records as the cleaner reads them, for checks written in plain
    Python: its lines after the header (split at "\\n"), the lines of a record whose quoted
    field holds a line break joined into one."""
    lines = dict(enumerate(text.split("\n"), start=1))
    odd = [n for n, line in lines.items() if n > 1 and line.count('"') % 2]
    joined = joined_records(lines, odd, fields)
    first = {r.first: r.text for r in joined}
    continued = {n for r in joined for n in r.continuation_lines}
    return [first.get(n, line) for n, line in lines.items() if n > 1 and n not in continued]
