"""The DQDL evaluator's passes: every rule measured ahead in one Spark action, with the same
outcomes and metrics as each rule measured alone, and a broken rule still an error of its own."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import pytest
from py4j.protocol import Py4JJavaError
from pyspark.errors import PySparkException
from pyspark.sql import DataFrame
from pyspark.sql import types as T

from orderlake import schema as S
from orderlake.quality.dqdl import parse
from orderlake.quality.evaluate import PRIMARY_VIEW, _Evaluator, evaluate, evaluate_all
from orderlake.quality.outcome import ERROR, FAILED, PASSED

NOW = dt.datetime(2026, 11, 21, 12, 0, 0)
QUALITY = Path(__file__).resolve().parents[2] / "quality"

# One rule of each kind of pass: the batched aggregates, a distinct count, the hash group-by
# (shared by two rules, and with a where), the frequencies, CustomSql of one value, of several
# rows with a condition (first() reads its first row) and row level.
RULES = [
    "RowCount = 4",
    'Completeness "name" > 0.5',
    'Mean "score" between 2 and 3',
    'StandardDeviation "score" > 1',
    'ColumnValues "country" in ["US", "CA"] with threshold > 0.5',
    'DistinctValuesCount "country" = 3',
    'DistinctValuesCount "name" > 1 where "score > 1"',
    'IsPrimaryKey "id"',
    'Uniqueness "id" = 1.0',
    'Uniqueness "country" > 0.4 where "id > 1"',
    'Entropy "country" > 1',
    'UniqueValueRatio "country" < 1',
    'CustomSql "select sum(score) / 3 from primary" > 3',
    'CustomSql "select score from primary order by score desc" > 4',
    'CustomSql "select id from primary where score > 0.5"',
    "CustomSql \"select count(*) from primary where country = 'US'\" = 2",
]


@pytest.fixture(scope="module")
def frame(spark):
    schema = T.StructType(
        [
            T.StructField("id", T.IntegerType()),
            T.StructField("name", T.StringType()),
            T.StructField("score", T.DoubleType()),
            T.StructField("country", T.StringType()),
        ]
    )
    rows = [
        (1, "Ann", 1.0, "US"),
        (2, "Bob", 2.1, "CA"),
        (3, "Cy", 3.3, "US"),
        (4, None, 4.7, "  "),
    ]
    return spark.createDataFrame(rows, schema).cache()


def _measured(outcomes):
    return [(o.rule, o.outcome, o.failure_reason, o.evaluated_metrics) for o in outcomes]


def _alone(frame, rules):
    """Each rule measured by itself, as without the passes measured ahead."""
    evaluator = _Evaluator(frame, NOW)
    return [evaluator.node(node) for node in parse("Rules = [\n" + ",\n".join(rules) + "\n]").rules]


@pytest.fixture
def actions(monkeypatch):
    """The Spark actions called on DataFrames, in order (first() calls take(): one action)."""
    called: list[str] = []
    depth = [0]

    def counting(name):
        original = getattr(DataFrame, name)

        def counted(self, *args, **kwargs):
            if not depth[0]:
                called.append(name)
            depth[0] += 1
            try:
                return original(self, *args, **kwargs)
            finally:
                depth[0] -= 1

        return counted

    for name in ("collect", "first", "head", "take", "count", "isEmpty", "toPandas"):
        monkeypatch.setattr(DataFrame, name, counting(name))
    return called


def test_rules_measured_ahead_in_one_action_equal_each_rule_measured_alone(spark, frame, actions):
    ruleset = parse("Rules = [\n" + ",\n".join(RULES) + "\n]")
    ahead = evaluate(frame, ruleset, now=NOW)
    # one action for all, but the several-row CustomSql's first(), which runs it alone
    assert actions == ["collect", "first"]
    assert _measured(ahead) == _measured(_alone(frame, RULES))  # doubles to the last bit
    assert ahead[13].evaluated_metrics == {"Dataset.*.CustomSQL": 4.7}
    assert all(o.outcome == PASSED for o in ahead), _measured(ahead)
    assert not spark.catalog.tableExists(PRIMARY_VIEW)


def test_if_the_one_action_fails_each_pass_runs_alone(frame, actions, monkeypatch):
    def broken(*args, **kwargs):
        raise PySparkException(message="the union failed")

    monkeypatch.setattr(DataFrame, "unionByName", broken)
    outcomes = evaluate(frame, parse("Rules = [\n" + ",\n".join(RULES) + "\n]"), now=NOW)
    # the passes alone: the batched aggregates, two distinct counts, three group-bys, five
    # statements' counts, then the several-row statement's first() as before
    assert actions == ["first"] * 12
    monkeypatch.undo()
    assert _measured(outcomes) == _measured(_alone(frame, RULES))


def test_a_statement_failing_as_it_runs_fails_the_evaluation_as_it_did(frame):
    # Spark raises a failed task as Py4JJavaError, which the evaluator has never caught.
    rules = ["RowCount = 4", "CustomSql \"select raise_error('broken') from primary\" = 1"]
    with pytest.raises(Py4JJavaError, match="broken"):
        evaluate(frame, parse("Rules = [\n" + ",\n".join(rules) + "\n]"), now=NOW)


def test_a_rule_that_cannot_be_planned_leaves_the_others_in_the_one_action(spark, frame, actions):
    rules = [
        "RowCount = 4",
        'Uniqueness "id" = 1.0 where "nope > 1"',
        'CustomSql "select count(*) from nowhere" = 1',
        'DistinctValuesCount "country" = 3',
    ]
    outcomes = evaluate(frame, parse("Rules = [\n" + ",\n".join(rules) + "\n]"), now=NOW)
    assert actions == ["collect"]
    assert [o.outcome for o in outcomes] == [PASSED, ERROR, ERROR, PASSED]
    assert _measured(outcomes) == _measured(_alone(frame, rules))


@pytest.fixture(scope="module")
def curated(spark):
    """Curated orders as clean_orders stages them, one email missing."""
    ts = dt.datetime(2026, 11, 21, 10, 0)

    def order(order_id, quantity, price, email="a@example.com"):
        price = decimal.Decimal(price)
        return (
            order_id, "C1", "Ann", email, "P1", "Mug", "home", quantity, price, "USD", ts,
            "completed", "card", "US", price * quantity, "orders.csv", 2,
        )  # fmt: skip

    rows = [order("O1", 2, "3.50"), order("O2", 1, "10.00", None), order("O3", 3, "0.25")]
    return spark.createDataFrame(rows, S.CURATED_SCHEMA)


def test_the_job_s_rulesets_take_one_spark_action(spark, curated, actions):
    rulesets = [
        parse((QUALITY / name).read_text()) for name in ("orders.dqdl", "orders_warnings.dqdl")
    ]
    ahead = evaluate_all(curated, rulesets, NOW)
    assert actions == ["collect"]
    for ruleset, outcomes in zip(rulesets, ahead, strict=True):
        evaluator = _Evaluator(curated, NOW)
        assert _measured(outcomes) == _measured([evaluator.node(node) for node in ruleset.rules])
    metrics = {o.rule: o.evaluated_metrics for rs in ahead for o in rs}
    assert metrics['Completeness "customer_email" > 0.95'] == {
        "Column.customer_email.Completeness": 2 / 3
    }
    assert metrics['DistinctValuesCount "product_id" > 1'] == {
        "Column.product_id.DistinctValuesCount": 1.0
    }


def test_values_sharing_a_hash_are_grouped_again_after_the_one_action(spark, frame, actions):
    # country: US twice, so its hash is shared and those rows are grouped by value after
    rules = ['Uniqueness "country" = 0.5', 'IsUnique "country" "name"', "RowCount = 4"]
    outcomes = evaluate(frame, parse("Rules = [\n" + ",\n".join(rules) + "\n]"), now=NOW)
    assert actions == ["collect", "collect", "first"]
    assert [o.outcome for o in outcomes] == [PASSED, FAILED, PASSED]  # a NULL name
    assert _measured(outcomes) == _measured(_alone(frame, rules))


def test_a_statement_of_no_rows_returns_no_value(spark, frame):
    (outcome,) = evaluate(
        frame, parse('Rules = [ CustomSql "select id from primary where id > 9" = 1 ]'), now=NOW
    )
    assert outcome.outcome == ERROR
    assert outcome.failure_reason == "rule could not be evaluated: the statement returned no value"
