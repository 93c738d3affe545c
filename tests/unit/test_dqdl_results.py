"""One outcome shape for both engines, and the dq_results rows it is written as."""

from __future__ import annotations

import datetime as dt

from pyspark.sql import functions as F

from orderlake import schema as S
from orderlake.quality.accounting import FileAccount, RunAccount
from orderlake.quality.checks import results_frame
from orderlake.quality.glue_dq import available, outcome_from_glue_row
from orderlake.quality.outcome import FAILED, WARNING, RuleOutcome


def test_glue_results_map_to_the_local_shape():
    # A row as EvaluateDataQuality returns it (Rule, Outcome, FailureReason, EvaluatedMetrics).
    row = {
        "Rule": 'Completeness "email" > 0.9',
        "Outcome": "Failed",
        "FailureReason": "Value: 0.8 does not meet the constraint requirement!",
        "EvaluatedMetrics": {"Column.email.Completeness": 0.8},
    }
    assert outcome_from_glue_row(row) == RuleOutcome(
        rule='Completeness "email" > 0.9',
        outcome=FAILED,
        failure_reason="Value: 0.8 does not meet the constraint requirement!",
        evaluated_metrics={"Column.email.Completeness": 0.8},
    )
    assert not available()  # awsgluedq exists only inside AWS Glue


def test_accounting_that_does_not_add_up_says_where():
    good = FileAccount("a.csv", 5, 3, 1, 1, "accepted")
    bad = FileAccount("b.csv", 5, 3, 1, 0, "accepted")
    assert RunAccount(5, 3, 1, 1, (good,)).reconciles
    run = RunAccount(10, 6, 2, 1, (good, bad))
    assert not run.reconciles
    assert run.mismatch() == (
        "b.csv: read 5 != curated 3 + quarantined 1 + duplicates 0; "
        "run: read 10 != curated 6 + quarantined 2 + duplicates 1"
    )


def test_results_rows_share_one_schema_athena_can_read(spark):
    accounting = RunAccount(5, 3, 1, 1, (FileAccount("a.csv", 5, 3, 1, 1, "accepted"),))
    outcome = RuleOutcome("RowCount > 9", FAILED, "Value: 3", {"Dataset.*.RowCount": 3.0})
    df = results_frame(
        spark,
        run_id="r1",
        job_name="clean_orders",
        accounting=accounting,
        outcomes=[RuleOutcome(**{**outcome.__dict__, "severity": WARNING, "ruleset": "x.dqdl"})],
        evaluated_at=dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC),
    )
    assert df.schema == S.DQ_RESULTS_SCHEMA
    rows = {r[S.RECORD_TYPE]: r for r in df.collect()}
    assert set(rows) == {S.RECORD_FILE, S.RECORD_RUN, S.RECORD_RULE}
    assert rows[S.RECORD_RUN][S.OUTCOME] == "reconciled"
    rule = rows[S.RECORD_RULE]
    assert (rule[S.RULESET], rule[S.SEVERITY], rule[S.OUTCOME]) == ("x.dqdl", WARNING, FAILED)
    assert rule[S.EVALUATED_METRICS] == {"Dataset.*.RowCount": 3.0}
    # Stored as UTC wall-clock time; Spark hands timestamps back in the local zone.
    stored = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC).astimezone().replace(tzinfo=None)
    assert rule[S.EVALUATED_AT] == stored


def test_where_glue_data_quality_exists_the_ruleset_text_goes_to_it(spark, monkeypatch, tmp_path):
    from orderlake.quality import checks, glue_dq

    ruleset = tmp_path / "orders.dqdl"
    # SchemaMatch is not evaluated locally, but on Glue it is: loading must not refuse it there.
    ruleset.write_text('Rules = [ RowCount > 0, SchemaMatch "ref" = 1.0 ]')
    sent = []

    def fake_glue(df, text, context):
        sent.append((text, context))
        return [outcome_from_glue_row({"Rule": "RowCount > 0", "Outcome": "Passed"})]

    monkeypatch.setattr(glue_dq, "available", lambda: True)
    monkeypatch.setattr(glue_dq, "evaluate_on_glue", fake_glue)
    loaded = checks.load(spark, str(ruleset), WARNING)
    outcomes = checks.run_rulesets(spark.range(1), [loaded])
    assert sent == [(ruleset.read_text(), "orders")]
    assert [(o.rule, o.outcome, o.severity, o.ruleset) for o in outcomes] == [
        ("RowCount > 0", "Passed", WARNING, "orders.dqdl")
    ]
    assert checks.engine() == "glue"


def test_observations_are_stored_and_earlier_partitions_without_them_still_read(spark, tmp_path):
    # dq_results gained `observations` (Glue's DataQualityObservation, snake_case) last and
    # nullable: a partition written before it, and one after, read together by column name
    # (DuckDB's union_by_name for the saved queries, pyarrow for the history and the report).
    import duckdb

    from orderlake.local.catalog import scan_table
    from orderlake.quality.dynamic import load_history
    from orderlake.quality.outcome import Observation

    seen = Observation("Dataset.*.RowCount = 4 is outside", "Dataset.*.RowCount", 4.0, 100.0,
                       97.5, 102.5, ("RowCount between 97.5 and 102.5",))  # fmt: skip
    outcomes = [
        RuleOutcome(
            'DetectAnomalies "RowCount"',
            FAILED,
            "x",
            {"Dataset.*.RowCount": 4.0},
            observations=(seen,),
        ),  # fmt: skip
        RuleOutcome("RowCount > 0", "Passed", None, {"Dataset.*.RowCount": 4.0}),
    ]
    accounting = RunAccount(4, 4, 0, 0, ())
    at = dt.datetime(2026, 11, 22, 1, 0, tzinfo=dt.UTC)
    new = results_frame(
        spark, run_id="r2", job_name="clean_orders", accounting=accounting,
        outcomes=outcomes, evaluated_at=at,
    )  # fmt: skip
    rows = {r[S.RULE]: r for r in new.collect() if r[S.RECORD_TYPE] == S.RECORD_RULE}
    (stored,) = rows['DetectAnomalies "RowCount"'][S.OBSERVATIONS]
    assert stored["metric_based_observation"]["metric_values"]["lower_limit"] == 97.5
    assert stored["metric_based_observation"]["new_rules"] == ["RowCount between 97.5 and 102.5"]
    assert rows["RowCount > 0"][S.OBSERVATIONS] is None
    new.write.parquet(str(tmp_path / "dt=2026-11-22"))
    old = new.drop(S.OBSERVATIONS).withColumn(S.RUN_ID, F.lit("r1"))
    old.write.parquet(str(tmp_path / "dt=2026-11-21"))
    glob = str(tmp_path / "dt=*" / "*.parquet")
    found = duckdb.sql(
        f"select run_id, rule, observations[1].metric_based_observation.metric_name as m "
        f"from read_parquet('{glob}', hive_partitioning = true, union_by_name = true) "
        "where record_type = 'rule' order by run_id, rule"
    ).fetchall()
    assert found == [
        ("r1", 'DetectAnomalies "RowCount"', None),
        ("r1", "RowCount > 0", None),
        ("r2", 'DetectAnomalies "RowCount"', "Dataset.*.RowCount"),
        ("r2", "RowCount > 0", None),
    ]
    history = load_history(tmp_path, before=dt.datetime(2026, 11, 23))
    assert history["RowCount > 0"] == [{"Dataset.*.RowCount": 4.0}] * 2
    # the crawler (local stand-in) sees an added column, not a schema conflict
    crawled = scan_table("dq_results", tmp_path)
    assert crawled.conflicts == []
    assert crawled.columns[S.OBSERVATIONS].startswith("array<struct<description:string,")
