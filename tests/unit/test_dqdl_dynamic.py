"""Dynamic DQDL rules and DetectAnomalies, from the metric history in curated/dq_results."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orderlake.quality.dqdl import parse
from orderlake.quality.dynamic import NotEnoughHistory, load_history, resolve
from orderlake.quality.evaluate import evaluate

NOW = dt.datetime(2026, 11, 21, 12, 0, 0)


def _tree(expression):
    (rule,) = parse(f"Rules = [ RowCount > {expression} ]\n").rules
    return rule.condition.values[0].value


@pytest.mark.parametrize(
    ("expression", "value"),
    [
        ("last()", 5.0),  # the most recent earlier run
        ("avg(last(3))", 4.0),
        ("avg(last(10))", 3.5),  # fewer runs than asked: what there is (reference page)
        ("min(last(10))-1", 1.0),
        ("max(last(10))+1", 6.0),
        ("median(last(4))", 3.5),
        ("sum(last(2))", 9.0),
        ("index(last(3), 0)", 5.0),
        ("index(last(3), 2)", 3.0),
        ("abs(0 - last())", 5.0),
        ("avg(last(2)) * 0.5 + 1", 3.25),
        ("1 + last() * 2", 12.0),  # left to right, one precedence (the grammar's)
    ],
)
def test_dynamic_expressions_read_the_metric_history(expression, value):
    past = [5.0, 4.0, 3.0, 2.0]  # most recent first
    assert resolve(_tree(expression), past, expression) == value


def test_dynamic_expressions_that_glue_rejects_or_cannot_answer():
    with pytest.raises(ValueError, match="is a list"):  # "RowCount > last(5) will produce an error"
        resolve(_tree("last(5)"), [1.0, 2.0], "last(5)")
    with pytest.raises(ValueError, match="index 3 of 3"):
        resolve(_tree("index(last(3), 3)"), [1.0, 2.0, 3.0], "index(last(3), 3)")
    with pytest.raises(NotEnoughHistory, match="no earlier run of this rule"):
        resolve(_tree("avg(last(3))"), [], "avg(last(3))")


def _write_history(folder, runs):
    """dq_results partitions as clean_orders writes them (the columns the history reads)."""
    schema = pa.schema(
        [
            ("record_type", pa.string()),
            ("rule", pa.string()),
            ("evaluated_at", pa.timestamp("us")),
            ("evaluated_metrics", pa.map_(pa.string(), pa.float64())),
        ]
    )
    for day, at, rule, metrics in runs:
        part = folder / f"dt={day}"
        part.mkdir(parents=True, exist_ok=True)
        rows = [
            {"record_type": "run", "rule": None, "evaluated_at": at, "evaluated_metrics": None},
            {
                "record_type": "rule",
                "rule": rule,
                "evaluated_at": at,
                "evaluated_metrics": list(metrics.items()),
            },
        ]
        pq.write_table(pa.Table.from_pylist(rows, schema), part / "part-0.parquet")


def test_dynamic_rules_and_anomalies_run_over_the_history_in_dq_results(spark, tmp_path):
    dynamic, anomalies = "RowCount > avg(last(2))", 'DetectAnomalies "RowCount"'
    runs = []
    for i, count in enumerate([10.0, 3.0, 5.0, 9.0]):  # oldest first
        at = NOW - dt.timedelta(days=4 - i)
        day = at.date().isoformat()
        runs.append((day, at, dynamic, {"Dataset.*.RowCount": count}))
    _write_history(tmp_path, runs)
    _write_history(tmp_path / "other", [])
    history = load_history(tmp_path, before=NOW)
    assert [m["Dataset.*.RowCount"] for m in history[dynamic]] == [9.0, 5.0, 3.0, 10.0]
    assert load_history(tmp_path / "missing", before=NOW) == {}

    df = spark.createDataFrame([(i,) for i in range(4)], "id int")
    ruleset = parse(f"Rules = [\n  {dynamic},\n  RowCount >= min(last(4)),\n  {anomalies}\n]\n")
    grows, no_history, no_anomaly_history = evaluate(df, ruleset, now=NOW, history=history)
    assert grows.outcome == "Failed"  # 4 rows, against the average of 9 and 5
    assert grows.failure_reason == "Value: 4 does not meet the constraint requirement!"
    assert no_history.outcome == "Error"  # another rule's history is not this rule's
    assert "no earlier run of this rule" in no_history.failure_reason
    assert no_anomaly_history.outcome == "Error"
    assert "needs 3 earlier values" in no_anomaly_history.failure_reason

    steady = {anomalies: [{"Dataset.*.RowCount": v} for v in (4.0, 4.0, 5.0, 3.0)]}
    (normal,) = evaluate(df, parse(f"Rules = [ {anomalies} ]\n"), now=NOW, history=steady)
    assert normal.outcome == "Passed" and normal.evaluated_metrics == {"Dataset.*.RowCount": 4.0}
    jump = {anomalies: [{"Dataset.*.RowCount": v} for v in (100.0, 101.0, 99.0)]}
    (outlier,) = evaluate(df, parse(f"Rules = [ {anomalies} ]\n"), now=NOW, history=jump)
    assert outlier.outcome == "Failed"
    assert outlier.failure_reason.startswith(
        "Observation: Dataset.*.RowCount = 4 is outside the expected range [97.55, 102.4]"
    )
    assert normal.observations == ()  # Glue reports an observation for an anomaly


def test_an_anomaly_is_reported_as_glue_s_observation(spark):
    # dqdl-rule-types-DetectAnomalies.html: "DetectAnomalies rule fails when anomaly is
    # detected. More info about what anomaly was detected can be obtained from Observations."
    # GetDataQualityResult's Observations: Description and a MetricBasedObservation (MetricName,
    # MetricValues ActualValue/ExpectedValue/LowerLimit/UpperLimit, NewRules, StatisticId).
    df = spark.range(4)
    rule = 'DetectAnomalies "RowCount"'
    jump = {rule: [{"Dataset.*.RowCount": v} for v in (100.0, 101.0, 99.0)]}
    (outlier,) = evaluate(df, parse(f"Rules = [ {rule} ]\n"), now=NOW, history=jump)
    (observation,) = outlier.observations
    glue = observation.as_glue()
    assert glue["Description"] == outlier.failure_reason.removeprefix("Observation: ")
    found = glue["MetricBasedObservation"]
    assert found["MetricName"] == "Dataset.*.RowCount"
    assert found["MetricValues"]["ActualValue"] == 4.0
    assert found["MetricValues"]["ExpectedValue"] == 100.0
    assert found["MetricValues"]["LowerLimit"] == pytest.approx(100 - 3 * (2 / 3) ** 0.5)
    assert found["NewRules"] == ["RowCount between 97.5505 and 102.449"]
    assert parse("Rules = [ " + found["NewRules"][0] + " ]").rules  # a rule Glue would read
    assert "StatisticId" not in found  # Glue's statistics store: none locally


def test_history_reads_dq_results_as_spark_writes_them(spark, tmp_path):
    """dq_results as clean_orders' Spark writes them (evaluated_at as Spark's Parquet timestamp),
    read against the naive UTC `before` the job passes; a time-zone-aware read (a writer with
    isAdjustedToUTC timestamps) is normalised the same way."""
    from pyspark.sql import types as T

    schema = T.StructType(
        [
            T.StructField("record_type", T.StringType()),
            T.StructField("rule", T.StringType()),
            T.StructField("evaluated_at", T.TimestampType()),
            T.StructField("evaluated_metrics", T.MapType(T.StringType(), T.DoubleType())),
        ]
    )
    rows = [
        ("rule", "RowCount > 0", dt.datetime(2026, 11, 20, 2, 0), {"Dataset.*.RowCount": 7.0}),
        ("rule", "RowCount > 0", dt.datetime(2026, 11, 22, 2, 0), {"Dataset.*.RowCount": 9.0}),
    ]
    spark.createDataFrame(rows, schema).write.parquet(str(tmp_path / "dt=2026-11-20"))
    history = load_history(tmp_path, before=NOW)
    assert history == {"RowCount > 0": [{"Dataset.*.RowCount": 7.0}]}
