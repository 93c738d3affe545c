"""Saved-query parameters: typed from the query's header, given as `name=value` text.

Locally a value is bound to DuckDB as a Python value of its type. In Athena, execution
parameters are SQL literals (`'2026-11-21'`, `DATE '2026-11-21'`, `400`), so each value also
renders as the literal Athena substitutes for its `?`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from orderlake.errors import OrderlakeError


@dataclass(frozen=True)
class QueryParameter:
    name: str
    type: str
    description: str


def _integer(text: str) -> int:
    if not text.strip().lstrip("+-").isdigit():
        raise ValueError
    return int(text)


def _decimal(text: str) -> Decimal:
    value = Decimal(text.strip())
    if not value.is_finite():
        raise ValueError
    return value


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered not in ("true", "false"):
        raise ValueError
    return lowered == "true"


def _timestamp(text: str) -> dt.datetime:
    return dt.datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")


# type -> (parse text, what a valid value looks like)
PARSERS: dict[str, tuple[Callable[[str], Any], str]] = {
    "varchar": (str, "text"),
    "date": (lambda t: dt.date.fromisoformat(t.strip()), "a date YYYY-MM-DD"),
    "timestamp": (_timestamp, "a timestamp YYYY-MM-DD HH:MM:SS"),
    "integer": (_integer, "a whole number"),
    "bigint": (_integer, "a whole number"),
    "decimal": (_decimal, "a decimal number such as 400.00"),
    "double": (lambda t: float(t), "a number"),
    "boolean": (_boolean, "true or false"),
}


def parse_value(query: str, param: QueryParameter, value: Any) -> Any:
    """A parameter's typed value from its text (a value already typed passes through)."""
    if param.type not in PARSERS:
        raise OrderlakeError(
            f"query {query}: parameter {param.name} has unknown type {param.type!r} "
            f"(known: {', '.join(PARSERS)})"
        )
    if not isinstance(value, str):
        return value
    parse, expected = PARSERS[param.type]
    try:
        return parse(value)
    except (ValueError, InvalidOperation):
        raise OrderlakeError(
            f"query {query}: parameter {param.name} must be {expected} ({param.type}), "
            f"got {value!r}"
        ) from None


def bind(query: str, params: Sequence[QueryParameter], values: Sequence[Any]) -> list[Any]:
    """Typed values in `?` order, from values given positionally."""
    if len(values) != len(params):
        names = ", ".join(p.name for p in params) or "none"
        raise OrderlakeError(
            f"query {query} takes {len(params)} parameter(s) ({names}), got {len(values)}"
        )
    return [parse_value(query, p, v) for p, v in zip(params, values, strict=True)]


def from_pairs(query: str, params: Sequence[QueryParameter], pairs: Sequence[str]) -> list[Any]:
    """Typed values in `?` order from `name=value` texts, each named parameter exactly once."""
    given: dict[str, str] = {}
    known = {p.name for p in params}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise OrderlakeError(f"--param takes name=value, got {pair!r}")
        if name not in known:
            raise OrderlakeError(
                f"query {query} has no parameter {name!r}; its parameters: "
                f"{', '.join(p.name for p in params) or 'none'}"
            )
        if name in given:
            raise OrderlakeError(f"parameter {name} given twice")
        given[name] = value
    missing = [p for p in params if p.name not in given]
    if missing:
        raise OrderlakeError(
            f"query {query} needs "
            + ", ".join(f"--param {p.name}=<{p.type}> ({p.description})" for p in missing)
        )
    return [parse_value(query, p, given[p.name]) for p in params]


def athena_literal(param: QueryParameter, value: Any) -> str:
    """The SQL literal Athena substitutes for a `?` (ExecutionParameters are literals)."""
    typed = parse_value("", param, value) if isinstance(value, str) else value
    kind = param.type
    if kind == "varchar":
        return "'" + str(typed).replace("'", "''") + "'"
    if kind == "date":
        return f"DATE '{typed.isoformat()}'"
    if kind == "timestamp":
        return f"TIMESTAMP '{typed:%Y-%m-%d %H:%M:%S}'"
    if kind in ("integer", "bigint"):
        return str(int(typed))
    if kind == "decimal":
        return f"DECIMAL '{Decimal(typed)}'"
    if kind == "double":
        return f"DOUBLE '{float(typed)!r}'"
    if kind == "boolean":
        return "true" if typed else "false"
    raise OrderlakeError(f"parameter {param.name}: unknown type {kind!r}")
