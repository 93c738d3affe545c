"""The Glue path: the same DQDL text to AWS Glue Data Quality's EvaluateDataQuality.

`awsgluedq` exists only in Glue's own runtime (not in the Glue 5 container, not on PyPI), so
it is imported here, late, and only when `available()` says so.
"""

from __future__ import annotations

import importlib.util

from pyspark.sql import DataFrame

from orderlake.quality.outcome import RuleOutcome


def available() -> bool:
    return importlib.util.find_spec("awsgluedq") is not None


def evaluate_on_glue(df: DataFrame, ruleset_text: str, context: str) -> list[RuleOutcome]:
    """Outcomes as EvaluateDataQuality returns them (Rule, Outcome, FailureReason,
    EvaluatedMetrics), in the shape the local evaluator gives."""
    from awsglue.context import GlueContext
    from awsglue.dynamicframe import DynamicFrame
    from awsgluedq.transforms import EvaluateDataQuality

    glue_context = GlueContext(df.sparkSession.sparkContext)
    frame = DynamicFrame.fromDF(df, glue_context, context)
    results = EvaluateDataQuality.apply(
        frame=frame,
        ruleset=ruleset_text,
        publishing_options={
            "dataQualityEvaluationContext": context,
            # On: Glue emits the "Data Quality Evaluation Results Available" event (which
            # tells on-call, events/patterns/dq_failures.json) only with metrics published.
            "enableDataQualityCloudWatchMetrics": True,
            "enableDataQualityResultsPublishing": True,
        },
    )
    return [outcome_from_glue_row(row.asDict()) for row in results.toDF().collect()]


def outcome_from_glue_row(row: dict) -> RuleOutcome:
    metrics = row.get("EvaluatedMetrics") or {}
    return RuleOutcome(
        rule=str(row["Rule"]),
        outcome=str(row["Outcome"]),
        failure_reason=row.get("FailureReason") or None,
        evaluated_metrics={str(k): float(v) for k, v in metrics.items() if v is not None},
    )
