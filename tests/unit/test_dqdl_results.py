"""One outcome shape for both engines, and the dq_results rows it is written as."""

from __future__ import annotations

import datetime as dt

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
