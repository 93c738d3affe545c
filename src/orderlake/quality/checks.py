"""Running a job's rulesets and recording the results: one entry point for local and Glue.

A job names a blocking and a warning ruleset (files under quality/, pipeline.yaml `quality:`).
Both are parsed here first, in both places, so a syntax error is caught with its line number
before any data is read. Where `awsgluedq` is importable the text goes to Glue Data Quality;
elsewhere the local evaluator runs it. Either way the outcomes have one shape.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from pyspark.errors import AnalysisException
from pyspark.sql import DataFrame, SparkSession

from orderlake import schema as S
from orderlake.errors import OrderlakeError
from orderlake.quality import glue_dq
from orderlake.quality.accounting import NOT_RECONCILED, RECONCILED, RunAccount
from orderlake.quality.dqdl import DqdlError, Ruleset, parse
from orderlake.quality.dynamic import History
from orderlake.quality.evaluate import check_supported, evaluate_all
from orderlake.quality.outcome import BLOCKING, Observation, RuleOutcome

ENGINE_LOCAL = "local"
ENGINE_GLUE = "glue"


@dataclasses.dataclass(frozen=True)
class LoadedRuleset:
    name: str  # the file name, e.g. orders.dqdl
    severity: str
    text: str
    ruleset: Ruleset


def read_text(spark: SparkSession, path: str) -> str:
    """A ruleset file: a local path, or an S3 URI read through Spark (as Glue passes it)."""
    if "://" not in path or path.startswith("file:"):
        local = Path(path.removeprefix("file:"))
        try:
            return local.read_text(encoding="utf-8")
        except OSError as exc:
            raise OrderlakeError(f"cannot read ruleset {path}: {exc.strerror}") from None
    try:
        row = spark.read.option("wholetext", True).text(path).first()
    except AnalysisException as exc:
        raise OrderlakeError(f"cannot read ruleset {path}: {exc.desc}") from None
    if row is None:
        raise OrderlakeError(f"ruleset {path} is empty")
    return str(row[0])


def load(spark: SparkSession, path: str, severity: str) -> LoadedRuleset:
    name = path.rstrip("/").rsplit("/", 1)[-1]
    text = read_text(spark, path)
    try:
        ruleset = parse(text)
        if not glue_dq.available():
            check_supported(ruleset)
    except DqdlError as exc:
        raise DqdlError(f"ruleset {name}: {exc}") from None
    return LoadedRuleset(name, severity, text, ruleset)


def engine() -> str:
    return ENGINE_GLUE if glue_dq.available() else ENGINE_LOCAL


def run_rulesets(
    df: DataFrame,
    rulesets: list[LoadedRuleset],
    now: dt.datetime | None = None,
    data_source: str | None = None,
    history: History | None = None,
) -> list[RuleOutcome]:
    """Every ruleset's outcomes. Locally, file rules without a path read `data_source` and
    dynamic rules the metric `history` (orderlake.quality.dynamic.load_history)."""
    if glue_dq.available():
        found = [
            glue_dq.evaluate_on_glue(df, loaded.text, loaded.name.removesuffix(".dqdl"))
            for loaded in rulesets
        ]
    else:  # measured together: one pass over the data for every ruleset's aggregates
        found = evaluate_all(df, [loaded.ruleset for loaded in rulesets], now, data_source, history)
    return [
        dataclasses.replace(o, severity=loaded.severity, ruleset=loaded.name)
        for loaded, outcomes in zip(rulesets, found, strict=True)
        for o in outcomes
    ]


def blocking_failures(outcomes: list[RuleOutcome]) -> list[RuleOutcome]:
    return [o for o in outcomes if o.severity == BLOCKING and not o.passed]


def results_frame(
    spark: SparkSession,
    *,
    run_id: str,
    job_name: str,
    accounting: RunAccount,
    outcomes: list[RuleOutcome],
    evaluated_at: dt.datetime,
) -> DataFrame:
    """The dq_results rows of one run: a row per input file, one for the run, one per rule."""
    at = evaluated_at.astimezone(dt.UTC).replace(tzinfo=None)
    base = {name: None for name in S.DQ_RESULTS_SCHEMA.fieldNames()}
    base.update({S.RUN_ID: run_id, S.JOB_NAME: job_name, S.EVALUATED_AT: at, S.ENGINE: engine()})
    rows = []
    for f in accounting.files:
        rows.append(
            base
            | _counts(f)
            | {
                S.RECORD_TYPE: S.RECORD_FILE,
                S.SOURCE_FILE: f.source_file,
                S.OUTCOME: f.status,
                S.FAILURE_REASON: f.message,
            }
        )
    rows.append(
        base
        | _counts(accounting)
        | {
            S.RECORD_TYPE: S.RECORD_RUN,
            S.OUTCOME: RECONCILED if accounting.reconciles else NOT_RECONCILED,
            S.FAILURE_REASON: accounting.mismatch(),
        }
    )
    for o in outcomes:
        rows.append(
            base
            | {
                S.RECORD_TYPE: S.RECORD_RULE,
                S.RULESET: o.ruleset,
                S.SEVERITY: o.severity,
                S.RULE: o.rule,
                S.OUTCOME: o.outcome,
                S.FAILURE_REASON: o.failure_reason,
                S.EVALUATED_METRICS: dict(o.evaluated_metrics),
                S.OBSERVATIONS: [_observation_row(x) for x in o.observations] or None,
            }
        )
    names = S.DQ_RESULTS_SCHEMA.fieldNames()
    return spark.createDataFrame([tuple(r[n] for n in names) for r in rows], S.DQ_RESULTS_SCHEMA)


def _observation_row(o: Observation) -> tuple:
    """An Observation as a row of schema.OBSERVATION_TYPE."""
    values = (o.actual_value, o.expected_value, o.lower_limit, o.upper_limit)
    return (o.description, (o.metric_name, o.statistic_id, values, list(o.new_rules)))


def _counts(item: object) -> dict[str, int]:
    return {
        name: getattr(item, name)
        for name in (S.ROWS_READ, S.ROWS_CURATED, S.ROWS_QUARANTINED, S.DUPLICATES_DROPPED)
    }
