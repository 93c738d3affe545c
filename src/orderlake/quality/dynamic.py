"""Dynamic DQDL rules (`RowCount > avg(last(10))`) and DetectAnomalies, from the metric history
that earlier runs wrote to curated/dq_results.

AWS's reference page: `last(k)` is the rule's metric in the previous k runs, most recent first
(`last()` is `last(1)`, one number; fewer than k runs gives what there is); avg, median, max,
min, sum, std reduce such a list, abs takes a number, index(last(k), i) picks the i-th most
recent. Glue compares with 0.0 when no earlier run exists; here a rule with no history is an
Error that says so, not a pass. Arithmetic reads left to right, one precedence, as the grammar.

Pure Python (pyarrow reads the history), so nothing here starts a JVM.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from orderlake import names as N

# rule text -> the evaluated_metrics of its earlier runs, most recent first
History = Mapping[str, list[dict[str, float]]]

# DetectAnomalies needs this many earlier values of the metric before it judges anything.
MIN_ANOMALY_HISTORY = 3


class NotEnoughHistory(ValueError):
    """A dynamic rule whose metric has no (or too little) history to compare with."""


def load_history(dq_results: str | Path, before: dt.datetime) -> dict[str, list[dict[str, float]]]:
    """Every rule's metrics from the dq_results partitions under `dq_results`, runs evaluated
    before `before` only (naive UTC), most recent first. A missing folder is no history."""
    import pyarrow.parquet as pq

    root = Path(str(dq_results).removeprefix("file:"))
    rows: list[tuple[dt.datetime, str, dict[str, float]]] = []
    for file in sorted(root.glob("dt=*/*.parquet")) if root.is_dir() else []:
        table = pq.read_table(
            file, columns=[N.RECORD_TYPE, N.RULE, N.EVALUATED_AT, N.EVALUATED_METRICS]
        )
        for row in table.to_pylist():
            at = row[N.EVALUATED_AT]
            if at is not None and at.tzinfo is not None:  # a UTC-adjusted Parquet timestamp
                at = at.astimezone(dt.UTC).replace(tzinfo=None)
            if row[N.RECORD_TYPE] != N.RECORD_RULE or at is None or at >= before:
                continue
            rows.append((at, row[N.RULE], dict(row[N.EVALUATED_METRICS] or [])))
    history: dict[str, list[dict[str, float]]] = {}
    for _, rule, metrics in sorted(rows, key=lambda r: r[0], reverse=True):
        history.setdefault(rule, []).append(metrics)
    return history


def past_values(history: History | None, rule_text: str, metric: str) -> list[float]:
    """The metric's values in the rule's earlier runs, most recent first."""
    runs = (history or {}).get(rule_text, [])
    return [float(m[metric]) for m in runs if metric in m and m[metric] is not None]


def resolve(tree: tuple[Any, ...], past: list[float], text: str) -> float:
    """A dynamic expression's value, given the metric's history (most recent first)."""
    value = _value(tree, past, text)
    if isinstance(value, list):
        raise ValueError(f"{text}: last(k) with k > 1 is a list; reduce it, e.g. avg(last(k))")
    return value


def _value(tree: tuple[Any, ...], past: list[float], text: str) -> float | list[float]:
    kind = tree[0]
    if kind == "num":
        return float(tree[1])
    if kind == "null":
        raise ValueError(f"{text}: NULL is not a number")
    if kind == "op":
        left, right = (_number(_value(t, past, text), text) for t in tree[2:])
        symbol = tree[1]
        if symbol == "+":
            return left + right
        if symbol == "-":
            return left - right
        if symbol == "*":
            return left * right
        if right == 0:
            raise ValueError(f"{text}: division by zero")
        return left / right
    name, args = tree[1], tree[2]
    if name == "last":
        count = int(_number(_value(args[0], past, text), text)) if args else 1
        if count < 1:
            raise ValueError(f"{text}: last(k) needs k >= 1")
        if not past:
            raise NotEnoughHistory(
                f"{text}: no earlier run of this rule in dq_results to compare with (Glue "
                "would use 0.0)"
            )
        values = past[:count]
        return values[0] if count == 1 else values
    if name == "index":
        if len(args) != 2:
            raise ValueError(f"{text}: index(last(k), i) takes two arguments")
        values = _list(_value(args[0], past, text))
        position = int(_number(_value(args[1], past, text), text))
        if not 0 <= position < len(values):
            raise ValueError(f"{text}: index {position} of {len(values)} earlier value(s)")
        return values[position]
    if name == "abs":
        return abs(_number(_value(args[0], past, text), text))
    reducers = {
        "avg": statistics.fmean,
        "median": statistics.median,
        "max": max,
        "min": min,
        "sum": sum,
        "std": statistics.pstdev,
    }
    if name not in reducers or len(args) != 1:
        raise ValueError(
            f"{text}: unknown function {name}() (avg, median, max, min, sum, std, abs, index)"
        )
    return float(reducers[name](_list(_value(args[0], past, text))))


def _number(value: float | list[float], text: str) -> float:
    if isinstance(value, list):
        raise ValueError(f"{text}: last(k) with k > 1 is a list; reduce it, e.g. avg(last(k))")
    return value


def _list(value: float | list[float]) -> list[float]:
    return value if isinstance(value, list) else [value]


def anomaly(value: float, past: list[float]) -> tuple[bool, dict[str, float]]:
    """Whether `value` is anomalous against its history, and the observation's figures
    (ExpectedValue, LowerLimit, UpperLimit, as Glue's MetricBasedObservation names them).
    Glue's own detector is not public; this is the plain three-sigma band over the history."""
    if len(past) < MIN_ANOMALY_HISTORY:
        raise NotEnoughHistory(
            f"DetectAnomalies needs {MIN_ANOMALY_HISTORY} earlier values of the metric in "
            f"dq_results, found {len(past)}"
        )
    expected = statistics.fmean(past)
    spread = 3 * statistics.pstdev(past)
    lower, upper = expected - spread, expected + spread
    observation = {
        "ActualValue": value,
        "ExpectedValue": expected,
        "LowerLimit": lower,
        "UpperLimit": upper,
    }
    return not (lower <= value <= upper), observation
