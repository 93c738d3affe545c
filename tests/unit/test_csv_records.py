"""Records of several lines: a quoted field's line breaks join lines into one record, and
broken quoting does not swallow the lines after it."""

from __future__ import annotations

from orderlake.csv_records import MAX_RECORD_LINES, Record, is_record, joined_records, spans


def test_is_record_follows_rfc_4180():
    assert is_record('a,"b\nc",d', 3)
    assert is_record('a,"b "" c\n",d', 3)
    assert is_record(",,", 3)
    assert not is_record('a,"b\nc",d,e', 3)
    assert not is_record('a,"b\nc"x,d', 3)  # text after the closing quote
    assert not is_record('a,"b\nc,d', 3)  # never closed


def test_lines_between_odd_quote_lines_join_into_one_record():
    lines = {
        2: 'O-1,"two',
        3: "",  # a blank line inside the quoted field
        4: 'lines",x',
        # Line 5 opens a field that line 7 closes, but line 6 is an order of its own.
        5: 'O-2,"broken,x',
        6: "O-3,fine,x",
        7: 'O-4,17",x',
    }
    assert list(spans([2, 4, 5, 7])) == [(2, 4), (4, 5), (5, 7)]
    assert joined_records(lines, [2, 4, 5, 7], 3) == [Record(2, 4, 'O-1,"two\n\nlines",x')]
    assert list(Record(2, 4, "").continuation_lines) == [3, 4]


def test_a_span_longer_than_the_limit_is_not_read():
    assert list(spans([2, 2 + MAX_RECORD_LINES])) == []
