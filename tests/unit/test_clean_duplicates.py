"""Repeated order ids: the first valid occurrence (by file name, then line) is kept; an exact
repeat is a duplicate dropped; a repeat whose values differ is a `conflicting_duplicate`,
naming the kept row's file and line."""

from __future__ import annotations

import datetime as dt

import pytest

from orderlake import schema as S
from orderlake.transforms import clean
from orderlake.transforms.clean import (
    conflicts_from,
    curated_from,
    duplicate_counts,
    duplicated_orders,
    keyed_orders,
    validated_lines,
)

RUN_DATE = dt.date(2026, 11, 21)
ROW = "{id},C-1,{name},{email},P-1,Lamp,Home,{qty},5.00,USD,2026-11-21 10:00:00,{status},card,US"


def row(order_id: str, qty: str = "1", status: str = "completed", name="Ann", email="") -> str:
    return ROW.format(id=order_id, qty=qty, status=status, name=name, email=email)


FILES = {
    "a.csv": [
        S.RAW_HEADER,
        row("O-1"),
        row("O-1", status=" Completed "),  # the same order once normalised: a duplicate
        row("O-2"),
        row("O-3", name="x", email=""),
    ],
    "b.csv": [
        S.RAW_HEADER,
        row("O-1", qty="2"),  # another quantity: a conflict with a.csv line 2
        row("O-2", qty="x"),  # invalid: quarantined for itself, not a repeat of O-2
        row("O-3", name="", email="x@example.com"),  # a null moved: a conflict
        row("O-4"),
    ],
}


# A day of up to FILES_IN_PLAN files looks file ranks up in the plan, a bigger day joins them.
@pytest.fixture(params=["ranks in the plan", "ranks joined"])
def files_in_plan(request, monkeypatch):
    if request.param == "ranks joined":
        monkeypatch.setattr(clean, "FILES_IN_PLAN", 1)


@pytest.mark.usefixtures("files_in_plan")
def test_exact_repeats_are_dropped_and_differing_ones_are_conflicts(spark):
    rows = [(f, n, text) for f, lines in FILES.items() for n, text in enumerate(lines, start=1)]
    lines = spark.createDataFrame(rows, f"{S.SOURCE_FILE} string, {S.LINE_NUMBER} long, raw string")
    # Persisted, as clean_orders persists its checked lines: each query below otherwise plans
    # and compiles the whole validation again (a ~370,000-character plan, ~10 s per query).
    validated = lines.withColumnRenamed("raw", S.RAW_LINE).transform(validated_lines(RUN_DATE))
    validated.persist()
    curated = {
        (r[S.ORDER_ID], r[S.SOURCE_FILE], r[S.LINE_NUMBER])
        for r in curated_from(validated).collect()
    }
    assert curated == {
        ("O-1", "a.csv", 2),
        ("O-2", "a.csv", 4),
        ("O-3", "a.csv", 5),
        ("O-4", "b.csv", 5),
    }
    conflicts = sorted(tuple(r) for r in conflicts_from(validated).collect())
    assert conflicts == [("b.csv", 2, "O-1", "a.csv", 2), ("b.csv", 4, "O-3", "a.csv", 5)]
    files = ["a.csv", "b.csv"]
    # Every repeat of a kept id, conflicts included: the accounting takes the conflicts out.
    assert duplicate_counts(duplicated_orders(keyed_orders(validated, files))) == (2, 3)
