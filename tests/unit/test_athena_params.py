"""Saved-query parameters: typed parsing, clear errors, and Athena's SQL literals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from orderlake.errors import OrderlakeError
from orderlake.local.params import QueryParameter, athena_literal, bind, from_pairs

DAY = QueryParameter("dt", "date", "the day")
AMOUNT = QueryParameter("min_amount", "decimal", "threshold")
NAME = QueryParameter("name", "varchar", "a name")
LIMIT = QueryParameter("n", "integer", "how many")


def test_pairs_become_typed_values_in_header_order() -> None:
    values = from_pairs("q", [DAY, AMOUNT], ["min_amount=400.5", "dt=2026-11-21"])
    assert values == [dt.date(2026, 11, 21), Decimal("400.5")]


def test_value_may_contain_equals_signs() -> None:
    assert from_pairs("q", [NAME], ["name=a=b"]) == ["a=b"]


@pytest.mark.parametrize(
    ("params", "pairs", "message"),
    [
        ([DAY], [], r"query q needs --param dt=<date> \(the day\)"),
        ([DAY], ["dt=21/11/2026"], r"dt must be a date YYYY-MM-DD \(date\), got '21/11/2026'"),
        ([DAY], ["dt=2026-02-30"], "dt must be a date"),
        ([AMOUNT], ["min_amount=lots"], "min_amount must be a decimal number"),
        ([AMOUNT], ["min_amount=NaN"], "min_amount must be a decimal number"),
        ([LIMIT], ["n=1.5"], "n must be a whole number"),
        ([DAY], ["day=2026-11-21"], "query q has no parameter 'day'; its parameters: dt"),
        ([DAY], ["dt"], "--param takes name=value, got 'dt'"),
        ([DAY], ["dt=2026-11-21", "dt=2026-11-22"], "parameter dt given twice"),
        ([QueryParameter("x", "uuid", "")], ["x=1"], "x has unknown type 'uuid'"),
    ],
)
def test_bad_parameters_are_one_clear_error(params, pairs, message) -> None:  # noqa: ANN001
    with pytest.raises(OrderlakeError, match=message):
        from_pairs("q", params, pairs)


def test_positional_values_are_counted() -> None:
    with pytest.raises(OrderlakeError, match=r"takes 2 parameter\(s\) \(dt, min_amount\), got 1"):
        bind("q", [DAY, AMOUNT], ["2026-11-21"])
    assert bind("q", [DAY], [dt.date(2026, 1, 2)]) == [dt.date(2026, 1, 2)]


@pytest.mark.parametrize(
    ("param", "value", "literal"),
    [
        (NAME, "O'Brien", "'O''Brien'"),
        (DAY, "2026-11-21", "DATE '2026-11-21'"),
        (DAY, dt.date(2026, 1, 2), "DATE '2026-01-02'"),
        (AMOUNT, "400", "DECIMAL '400'"),
        (AMOUNT, Decimal("400.50"), "DECIMAL '400.50'"),
        (LIMIT, "10", "10"),
        (QueryParameter("r", "double", ""), "0.5", "DOUBLE '0.5'"),
        (QueryParameter("b", "boolean", ""), "TRUE", "true"),
        (
            QueryParameter("t", "timestamp", ""),
            "2026-11-21 10:00:00",
            "TIMESTAMP '2026-11-21 10:00:00'",
        ),
    ],
)
def test_athena_execution_parameters_are_sql_literals(param, value, literal) -> None:  # noqa: ANN001
    assert athena_literal(param, value) == literal
