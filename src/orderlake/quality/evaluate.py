"""The local DQDL evaluator: a parsed ruleset over a Spark DataFrame, outcomes as Glue gives them.

Aggregate rules (RowCount, Mean, Completeness, ...) measure one metric and compare it with the
rule's condition. Row rules (ColumnValues, ColumnLength, DataFreshness, row-level CustomSql)
test each row; they pass when every row does, or, `with threshold`, when the share of rows that
pass meets the threshold. As in Glue (awslabs/dqdl NumberBasedCondition): `between` is exclusive
at both ends and `not between` is its negation, so the ends are "not between"; NULL fails every
ColumnValues test except `!=` and `not in`; ColumnLength counts a NULL as length 0.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import math
import operator
import re
from collections.abc import Callable, Hashable
from functools import reduce
from typing import Any

from pyspark.errors import PySparkException
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from orderlake.quality.dqdl import (
    FILE_RULE_TYPES,
    Composite,
    Condition,
    DqdlError,
    Node,
    Rule,
    Ruleset,
    Value,
    to_seconds,
    walk,
)
from orderlake.quality.dynamic import History, NotEnoughHistory, anomaly, past_values, resolve
from orderlake.quality.files import evaluate_file_rule
from orderlake.quality.outcome import ERROR, FAILED, PASSED, Observation, RuleOutcome

PRIMARY_VIEW = "primary"

AGGREGATE_RULES = (
    "RowCount",
    "ColumnCount",
    "ColumnExists",
    "IsComplete",
    "Completeness",
    "IsUnique",
    "Uniqueness",
    "IsPrimaryKey",
    "DistinctValuesCount",
    "Mean",
    "Sum",
    "StandardDeviation",
    "Variance",
    "ColumnCorrelation",
    "ColumnNamesMatchPattern",
    "Entropy",
    "UniqueValueRatio",
)
ROW_RULES = ("ColumnValues", "ColumnLength", "DataFreshness", "CustomSql", "ColumnDataType")
# DetectAnomalies' first parameter names the rule whose metric it watches.
ANOMALY_METRICS = {
    "RowCount": "RowCount",
    "ColumnCount": "ColumnCount",
    "Completeness": "Completeness",
    "Uniqueness": "Uniqueness",
    "Mean": "Mean",
    "Sum": "Sum",
    "StandardDeviation": "StandardDeviation",
    "DistinctValuesCount": "DistinctValuesCount",
    "Entropy": "Entropy",
    "UniqueValueRatio": "UniqueValueRatio",
    "CustomSQL": "CustomSql",
    "ColumnCorrelation": "ColumnCorrelation",
}
LOCAL_RULE_TYPES = AGGREGATE_RULES + ROW_RULES + FILE_RULE_TYPES + ("DetectAnomalies",)

_COMPARE: dict[str, Callable[[float, float], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def check_supported(ruleset: Ruleset) -> None:
    """Raise a DqdlError naming the first rule the local evaluator cannot run, and its line."""
    if ruleset.analyzers:
        first = walk(ruleset.analyzers[0])[0]
        raise DqdlError(
            f"line {first.line}: Analyzers are evaluated on Glue only; move {first.text!r} "
            "into Rules with a condition"
        )
    for node in ruleset.rules:
        for rule in walk(node):
            if rule.rule_type not in LOCAL_RULE_TYPES:
                raise DqdlError(
                    f"line {rule.line}: rule {rule.text!r}: {rule.rule_type} is not supported by "
                    f"the local evaluator (supported: {', '.join(LOCAL_RULE_TYPES)})"
                )
            dynamic = [
                v for v in (rule.condition.values if rule.condition else ()) if v.kind == "expr"
            ]
            if dynamic and rule.rule_type not in AGGREGATE_RULES + ("CustomSql",):
                raise DqdlError(
                    f"line {rule.line}: rule {rule.text!r}: dynamic expressions run locally on "
                    "the aggregate rules' conditions only"
                )
            for value in rule.threshold.values if rule.threshold else ():
                if value.kind == "expr":
                    raise DqdlError(
                        f"line {rule.line}: rule {rule.text!r}: a dynamic threshold "
                        f"({value.text!r}) is evaluated on Glue only"
                    )
            if rule.rule_type == "DetectAnomalies" and rule.params[0] not in ANOMALY_METRICS:
                raise DqdlError(
                    f"line {rule.line}: rule {rule.text!r}: DetectAnomalies runs locally for "
                    f"{', '.join(ANOMALY_METRICS)}"
                )


def evaluate(
    df: DataFrame,
    ruleset: Ruleset,
    now: dt.datetime | None = None,
    data_source: str | None = None,
    history: History | None = None,
) -> list[RuleOutcome]:
    """Every rule of the ruleset over `df`, in file order. File rules without a path read
    `data_source` (a local folder or file: what `df` was read from); dynamic rules and
    DetectAnomalies read `history` (`dynamic.load_history` over curated/dq_results)."""
    return evaluate_all(df, [ruleset], now, data_source, history)[0]


def evaluate_all(
    df: DataFrame,
    rulesets: list[Ruleset],
    now: dt.datetime | None = None,
    data_source: str | None = None,
    history: History | None = None,
) -> list[list[RuleOutcome]]:
    """Several rulesets over the same `df`: their aggregate rules are measured together (one
    pass over the data for all of them), IsPrimaryKey/Uniqueness on the same columns share
    one group-by, and those passes and the CustomSql statements run as one Spark action. The
    outcomes of each ruleset, in file order."""
    for ruleset in rulesets:
        check_supported(ruleset)
    clock = (now or dt.datetime.now(dt.UTC)).replace(tzinfo=None)
    evaluator = _Evaluator(df, clock, data_source, history)
    evaluator.prefetch([rule for rs in rulesets for node in rs.rules for rule in walk(node)])
    return [[evaluator.node(node) for node in rs.rules] for rs in rulesets]


# Rule types measured by plain aggregates: many rules are answered by one pass over the data.
_BATCHED = (
    "RowCount", "IsComplete", "Completeness", "DistinctValuesCount", "Mean", "Sum",
    "StandardDeviation", "ColumnValues", "ColumnLength", "DataFreshness", "ColumnCorrelation",
    "ColumnDataType", "Variance",
)  # fmt: skip
# deequ's StandardDeviation and Variance are the population's (m2 / n).
_STATISTICS = {
    "Mean": F.avg,
    "Sum": F.sum,
    "StandardDeviation": F.stddev_pop,
    "Variance": F.var_pop,
}
# Rule types judged on one measured number.
_MEASURED = ("DistinctValuesCount", "ColumnCorrelation", *_STATISTICS)


class _Evaluator:
    def __init__(
        self,
        df: DataFrame,
        now: dt.datetime,
        data_source: str | None = None,
        history: History | None = None,
    ) -> None:
        self.data_source = data_source
        self.history = history
        self.df = df
        self.now = now
        # (rows, rows whose value occurs once) per grouped columns and `where`.
        self.grouped_counts: dict[tuple[tuple[str, ...], str | None], tuple[int, int]] = {}
        # Entropy and UniqueValueRatio per column and `where`: one group-by serves both.
        self.frequencies: dict[tuple[str, str | None], dict[str, float]] = {}
        self.values: dict[int, dict[str, Any]] = {}
        # The one-row results of the passes `prefetch` ran, by pass (see `_passes`).
        self.measured: dict[Hashable, dict[str, Any]] = {}

    def prefetch(self, rules: list[Rule]) -> None:
        """Measure ahead, in one Spark action, every rule that can be: the batchable rules'
        aggregates in one pass (a distinct count in a pass of its own: in the same aggregation
        it would have Spark expand every row once per distinct column), the group-by of each
        IsPrimaryKey/Uniqueness and Entropy/UniqueValueRatio columns, each CustomSql
        statement. A pass that cannot be planned (a bad `where`, say) is left out, and if the
        action fails each pass runs alone (`_one_row_each`): a rule left unmeasured is measured
        alone later, so only the broken one reports an error, the one it reports alone."""
        plans: dict[int, dict[str, Column]] = {}
        passes: dict[Hashable, DataFrame] = {}
        for rule in rules:
            batchable = (
                rule.rule_type == "RowCount"
                or (
                    rule.rule_type in ("IsPrimaryKey", "ColumnCorrelation")
                    and all(name in self.df.columns for name in rule.params)
                )
                or (
                    rule.rule_type in _BATCHED
                    and rule.params[:1]
                    and rule.params[0] in self.df.columns
                )
            )
            # A rule that cannot be planned is measured alone, so the error is its alone.
            with contextlib.suppress(PySparkException, ValueError):
                if batchable:
                    plans[id(rule)] = self.plan(rule)
            with contextlib.suppress(PySparkException, ValueError):
                passes |= self._passes(rule)
        distinct = [key for key, plan in plans.items() if "d" in plan]
        batches = [{key: plan for key, plan in plans.items() if key not in distinct}]
        batches += [{key: plans[key]} for key in distinct]
        aggregates: dict[Hashable, DataFrame] = {}
        for number, batch in enumerate(batches):
            columns = [
                expr.alias(f"r{key}_{name}")
                for key, plan in batch.items()
                for name, expr in plan.items()
            ]
            with contextlib.suppress(PySparkException):
                if columns:
                    aggregates[("aggregates", number)] = self.df.agg(*columns)
        self.measured = _one_row_each(aggregates | passes)
        for number, batch in enumerate(batches):
            row = self.measured.get(("aggregates", number))
            for key, plan in batch.items() if row is not None else ():
                self.values[key] = {name: row[f"r{key}_{name}"] for name in plan}

    def _passes(self, rule: Rule) -> dict[Hashable, DataFrame]:
        """The one-row queries a rule is judged on besides the batched aggregates, by the key
        it reads them back with from `measured` (rules on the same group-by share one)."""
        kind = rule.rule_type
        columns = () if kind == "CustomSql" else rule.params
        if any(name not in self.df.columns for name in columns):
            return {}  # the rule reports the missing column
        if kind in ("IsUnique", "Uniqueness", "IsPrimaryKey"):
            key = ("grouped", tuple(rule.params), rule.where)
            return {key: _hash_summary(self.rows_of(rule), list(rule.params))}
        if kind in ("Entropy", "UniqueValueRatio"):
            key = ("frequencies", rule.params[0], rule.where)
            return {key: _frequency_summary(self.rows_of(rule), rule.params[0])}
        if kind != "CustomSql":
            return {}
        df = self.rows_of(rule)
        result = _statement(rule, df)
        if rule.condition is not None:
            # The statement's first value, as first() reads it when the statement returns
            # one row (counted up to two); a statement of more rows is run alone as before.
            named = result.limit(2).toDF(*(f"_c{i}" for i in range(len(result.columns))))
            one = named.agg(F.count(F.lit(1)).alias("rows"), F.first("_c0").alias("value"))
            return {("sql", id(rule)): one}
        return {
            ("sql rows", id(rule)): df.agg(F.count(F.lit(1)).alias("rows")),
            ("sql selected", id(rule)): result.agg(F.count(F.lit(1)).alias("rows")),
        }

    def rows_of(self, rule: Rule) -> DataFrame:
        """The rows a rule reads: those its `where` keeps."""
        return self.df.where(F.expr(rule.where)) if rule.where else self.df

    def node(self, node: Node) -> RuleOutcome:
        if isinstance(node, Composite):
            parts = [self.node(part) for part in node.parts]
            ok = all(p.passed for p in parts) if node.op == "and" else any(p.passed for p in parts)
            metrics = {k: v for p in parts for k, v in p.evaluated_metrics.items()}
            reasons = "; ".join(
                f"{p.rule}: {p.failure_reason}" for p in parts if not p.passed and p.failure_reason
            )
            outcome = PASSED if ok else FAILED
            seen = tuple(x for p in parts for x in p.observations)
            return RuleOutcome(
                node.text, outcome, None if ok else reasons, metrics, observations=seen
            )
        try:
            return self.rule(node)
        except (PySparkException, ValueError, TypeError) as exc:
            message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            return RuleOutcome(node.text, ERROR, f"rule could not be evaluated: {message}")

    def rule(self, rule: Rule) -> RuleOutcome:
        kind = rule.rule_type
        if kind in FILE_RULE_TYPES:
            ok, reason, metrics = evaluate_file_rule(rule, self.data_source, self.now)
            return _outcome(rule, ok, reason, metrics)
        if kind == "DetectAnomalies":
            return self.detect_anomalies(rule)
        if rule.where:
            self._check_where(rule)
        if kind in _BATCHED:
            for name in rule.params if kind != "RowCount" else ():
                if name not in self.df.columns:
                    raise ValueError(f"column {name!r} does not exist")
            values = self.values.get(id(rule))
            if values is None:
                plan = self.plan(rule)
                row = self.df.agg(*[expr.alias(name) for name, expr in plan.items()]).first()
                assert row is not None
                values = {name: row[name] for name in plan}
            return self.judge(rule, values)
        df = self.rows_of(rule)
        if kind == "CustomSql":
            return self.custom_sql(rule, df)
        if kind == "ColumnCount":
            value = float(len(df.columns))
            return self.compare_outcome(rule, value, {"Dataset.*.ColumnCount": value})
        if kind == "ColumnNamesMatchPattern":  # Java's String.matches: the whole name
            pattern = re.compile(rule.params[0])
            misses = [name for name in df.columns if not pattern.fullmatch(name)]
            ratio = 1 - len(misses) / len(df.columns) if df.columns else 1.0
            metrics = {"Dataset.*.ColumnNamesPatternMatchRatio": ratio}
            reason = f"column name(s) not matching {rule.params[0]!r}: {', '.join(misses)}"
            return _outcome(rule, not misses, reason, metrics)
        if kind == "ColumnExists":
            exists = rule.params[0] in df.columns  # Glue reports no metric for it
            return _outcome(rule, exists, f"column {rule.params[0]!r} does not exist", {})
        if kind in ("Entropy", "UniqueValueRatio"):
            value = self.frequency_metric(rule, df)
            return self.compare_outcome(rule, value, {_metric(rule, kind): value})
        value, metrics = self.grouped(rule, df)  # IsUnique, Uniqueness, IsPrimaryKey
        if rule.condition is None:
            return _outcome(rule, value == 1.0, f"Value: {_fmt(value)} is not 1.0", metrics)
        return self.compare_outcome(rule, value, metrics)

    def _check_where(self, rule: Rule) -> None:
        """Glue rejects an invalid where clause for its rule only: so do we."""
        try:
            self.df.where(F.expr(rule.where or "true")).schema  # noqa: B018 (analysis only)
        except PySparkException as exc:
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ValueError(f"invalid where clause {rule.where!r}: {detail}") from None

    def plan(self, rule: Rule) -> dict[str, Column]:
        """The aggregates a batchable rule needs, its `where` folded into each."""
        keep = F.expr(rule.where) if rule.where else F.lit(True)
        rows = F.count(F.when(keep, 1))
        kind = rule.rule_type
        if kind == "RowCount":
            return {"n": rows}
        if kind == "IsPrimaryKey":  # each column's completeness, with the batched aggregates
            counts = {
                f"c{i}": F.count(F.when(keep, F.col(f"`{name}`")))
                for i, name in enumerate(rule.params)
            }
            return {"n": rows} | counts
        col = F.col(f"`{rule.params[0]}`")
        if kind in ("IsComplete", "Completeness"):
            return {"n": rows, "c": F.count(F.when(keep, col))}
        if kind == "DistinctValuesCount":
            return {"d": F.count_distinct(F.when(keep, col))}
        if kind == "ColumnCorrelation":  # deequ's Correlation: Pearson's
            a, b = (F.when(keep, F.col(f"`{name}`").cast("double")) for name in rule.params)
            return {"m": F.corr(a, b)}
        if kind in _STATISTICS:
            fn = _STATISTICS[kind]
            return {"m": fn(F.when(keep, col.cast("double")))}
        assert rule.condition is not None
        if kind == "ColumnValues":
            passes = self.values_predicate(col, rule.condition)
            plan = {"n": rows, "ok": F.count(F.when(keep & passes, 1))}
            if self._numeric(rule.params[0]):  # Glue reports the column's extremes
                plan |= {"lo": F.min(F.when(keep, col)), "hi": F.max(F.when(keep, col))}
            return plan
        if kind == "ColumnDataType":  # deequ: the value casts to the type (NULL does not)
            return {"n": rows, "ok": F.count(F.when(keep & _data_type_predicate(rule), 1))}
        if kind == "ColumnLength":
            length = F.coalesce(F.length(col), F.lit(0))  # Glue: NULL is a 0-length string
            passes = F.coalesce(_scalar_predicate(length, rule.condition), F.lit(False))
            return {
                "n": rows,
                "ok": F.count(F.when(keep & passes, 1)),
                "lo": F.min(F.when(keep, length)),
                "hi": F.max(F.when(keep, length)),
            }
        # DataFreshness: the age of each value, in seconds, against durations
        now = _lit(self.now).cast("long")
        age = now - col.cast("timestamp").cast("long")
        seconds = Condition(
            rule.condition.op,
            tuple(Value("number", to_seconds(v)) for v in rule.condition.values),
            rule.condition.negated,
        )
        passes = F.coalesce(_scalar_predicate(age, seconds), F.lit(False))
        return {"n": rows, "ok": F.count(F.when(keep & passes, 1))}

    def judge(self, rule: Rule, values: dict[str, Any]) -> RuleOutcome:
        kind = rule.rule_type
        if kind == "RowCount":
            value = float(values["n"])
            return self.compare_outcome(rule, value, {"Dataset.*.RowCount": value})
        if kind in ("IsComplete", "Completeness"):
            value = values["c"] / values["n"] if values["n"] else 0.0
            metrics = {_metric(rule, "Completeness"): float(value)}
            if rule.condition is None:
                return _outcome(rule, value == 1.0, f"Value: {_fmt(value)} is not 1.0", metrics)
            return self.compare_outcome(rule, value, metrics)
        if kind in _MEASURED:
            measured = values["d" if kind == "DistinctValuesCount" else "m"]
            if measured is None or measured != measured:  # None, or NaN (no variance)
                raise ValueError(f"{kind} of {rule.params[0]!r} is undefined: no non-null values")
            value = float(measured)
            metrics = {_columns_metric(list(rule.params), kind): value}
            return self.compare_outcome(rule, value, metrics)
        share = values["ok"] / values["n"] if values["n"] else 1.0
        return self._share_outcome(rule, share, _row_metrics(rule, share, values))

    def compare_outcome(self, rule: Rule, value: float, metrics: dict[str, float]) -> RuleOutcome:
        """The measured value (the first metric) against the rule's condition; dynamic
        operands (`avg(last(5))`) are resolved from the same metric's earlier runs."""
        assert rule.condition is not None
        condition = rule.condition
        if any(v.kind == "expr" for v in condition.values):
            past = past_values(self.history, rule.text, next(iter(metrics)))
            try:
                values = tuple(
                    Value("number", resolve(v.value, past, v.text)) if v.kind == "expr" else v
                    for v in condition.values
                )
            except NotEnoughHistory as exc:
                # The metric is still recorded: it is the history the next runs compare with.
                return RuleOutcome(rule.text, ERROR, f"rule could not be evaluated: {exc}", metrics)
            condition = dataclasses.replace(condition, values=values)
        ok = compare(value, condition)
        reason = f"Value: {_fmt(value)} does not meet the constraint requirement!"
        return _outcome(rule, ok, reason, metrics)

    def detect_anomalies(self, rule: Rule) -> RuleOutcome:
        """The watched rule's metric now against its history in dq_results (this rule's
        earlier runs): anomalous outside the band `dynamic.anomaly` computes."""
        watched = Rule(
            ANOMALY_METRICS[rule.params[0]],
            rule.params[1:],
            Condition(">=", (Value("number", float("-inf")),)),
            None,
            None,
            rule.line,
            rule.text,
        )
        measured = self.rule(watched).evaluated_metrics
        if not measured:
            raise ValueError(f"{rule.text}: the watched metric could not be measured")
        key, value = next(iter(measured.items()))
        try:
            anomalous, seen = anomaly(value, past_values(self.history, rule.text, key))
        except NotEnoughHistory as exc:
            return RuleOutcome(
                rule.text, ERROR, f"rule could not be evaluated: {exc}", {key: value}
            )
        lower, upper = seen["LowerLimit"], seen["UpperLimit"]
        description = (
            f"{key} = {_fmt(value)} is outside the expected range [{lower:.4g}, {upper:.4g}] "
            f"(expected {seen['ExpectedValue']:.4g})"
        )
        outcome = _outcome(rule, not anomalous, f"Observation: {description}", {key: value})
        if not anomalous:
            return outcome
        # Glue's observation of an anomaly, with the rule it would suggest from the band.
        params = "".join(f' "{p}"' for p in rule.params[1:])
        suggested = f"{watched.rule_type}{params} between {lower:.6g} and {upper:.6g}"
        observation = Observation(
            description,
            key,
            value,
            seen["ExpectedValue"],
            lower,
            upper,
            (suggested,),
        )
        return dataclasses.replace(outcome, observations=(observation,))

    def frequency_metric(self, rule: Rule, df: DataFrame) -> float:
        """Entropy or UniqueValueRatio of the rule's column, as deequ's frequency analyzers
        compute them over the non-null values: entropy -sum(p ln p) with p = count / rows
        (natural log), unique value ratio = values occurring once / distinct values."""
        name = rule.params[0]
        if name not in df.columns:
            raise ValueError(f"column {name!r} does not exist")
        key = (name, rule.where)
        if key not in self.frequencies:
            summary = self.measured.get(("frequencies", *key))
            self.frequencies[key] = _frequencies(df, name, summary)
        measured = self.frequencies[key]
        if not measured["rows"]:
            raise ValueError(f"{rule.rule_type} of {name!r} is undefined: no non-null values")
        return measured[rule.rule_type]

    def _numeric(self, column: str) -> bool:
        return isinstance(self.df.schema[column].dataType, T.NumericType)

    def grouped(self, rule: Rule, df: DataFrame) -> tuple[float, dict[str, float]]:
        """Uniqueness (share of rows whose values occur once) and, for IsPrimaryKey, each
        column's completeness too: the value judged, and the metrics as Glue names them."""
        cols = list(rule.params)
        for name in cols:
            if name not in df.columns:
                raise ValueError(f"column {name!r} does not exist")
        key = (tuple(cols), rule.where)
        if key not in self.grouped_counts:
            summary = self.measured.get(("grouped", *key))
            self.grouped_counts[key] = _value_counts(df, cols, summary)
        total, once = self.grouped_counts[key]
        share = once / total if total else 0.0
        metrics = {_columns_metric(cols, "Uniqueness"): float(share)}
        if rule.rule_type == "IsPrimaryKey":
            counts = self.values.get(id(rule)) or self._measure_alone(rule)
            for i, name in enumerate(cols):
                complete = counts[f"c{i}"] / counts["n"] if counts["n"] else 0.0
                metrics[f"Column.{name}.Completeness"] = float(complete)
        return float(share), metrics

    def _measure_alone(self, rule: Rule) -> dict[str, Any]:
        plan = self.plan(rule)
        row = self.df.agg(*[expr.alias(name) for name, expr in plan.items()]).first()
        assert row is not None
        return {name: row[name] for name in plan}

    def custom_sql(self, rule: Rule, df: DataFrame) -> RuleOutcome:
        if rule.condition is not None:  # the statement returns one number
            one = self.measured.get(("sql", id(rule)))
            if one is None or one["rows"] > 1:
                row = _statement(rule, df).first()
                one = {"value": None if row is None else row[0]}
            if one["value"] is None:
                raise ValueError("the statement returned no value")
            value = float(one["value"])
            return self.compare_outcome(rule, value, {"Dataset.*.CustomSQL": value})
        # row level: the statement selects the rows that pass
        total = self.measured.get(("sql rows", id(rule)))
        selected = self.measured.get(("sql selected", id(rule)))
        if total is None or selected is None:
            result = _statement(rule, df)
            total, selected = {"rows": df.count()}, {"rows": result.count()}
        share = selected["rows"] / total["rows"] if total["rows"] else 1.0
        metrics = {"Dataset.*.CustomSQL.Compliance": float(share)}
        return self._share_outcome(rule, share, metrics)

    def _share_outcome(self, rule: Rule, share: float, metrics: dict[str, float]) -> RuleOutcome:
        if rule.threshold is not None:
            ok = compare(share, rule.threshold)
            reason = f"Value: {_fmt(share)} does not meet the threshold {rule.threshold.text!r}"
        else:
            ok = share == 1.0
            reason = f"{share * 100:.2f} % of rows passed the threshold"
        return _outcome(rule, ok, reason, metrics)

    def values_predicate(self, col: Column, cond: Condition) -> Column:
        """Whether each row passes; NULL passes only `!=` and `not in`."""
        if cond.op == "in":
            matched = F.lit(False)
            for value in cond.values:
                matched = matched | F.coalesce(self._equals(col, value), F.lit(False))
            return ~matched if cond.negated else matched
        if cond.op == "!=":
            return F.coalesce(~self._equals(col, cond.values[0]), F.lit(True))
        if cond.op == "=":
            return F.coalesce(self._equals(col, cond.values[0]), F.lit(False))
        if cond.op == "matches":
            # Glue matches the whole value, as Java's String.matches does.
            test = col.cast("string").rlike(f"^(?:{cond.values[0].value})$")
            return F.coalesce(~test if cond.negated else test, F.lit(False))
        literal = Condition(cond.op, tuple(self._literal(v) for v in cond.values), cond.negated)
        return F.coalesce(_scalar_predicate(col, literal), F.lit(False))

    def _equals(self, col: Column, value: Value) -> Column:
        if value.kind == "keyword":
            if value.value == "NULL":
                return col.isNull()
            text = col.cast("string")
            if value.value == "EMPTY":
                return text == ""
            return (F.length(text) > 0) & (F.trim(text) == "")
        literal = self._literal(value)
        return col == _lit(literal.value)

    def _literal(self, value: Value) -> Value:
        """A value ready to compare with a column: now() offsets become timestamps."""
        if value.kind == "now":
            return Value("timestamp", self.now + dt.timedelta(seconds=float(value.value)))
        if value.kind == "duration":
            raise ValueError(f"{value.text!r}: a duration compares only with DataFreshness")
        if value.kind == "keyword":
            raise ValueError(f"{value.value} works with =, != and in only")
        return value


# Rows sharing a hash are grouped again by their values when there are at most this many
# such hashes; beyond, the values are grouped directly.
SHARED_HASHES_LIMIT = 100_000


def _value_counts(
    df: DataFrame, cols: list[str], summary: dict[str, Any] | None = None
) -> tuple[int, int]:
    """(rows, rows whose values in `cols` are all present and occur once), exactly, from
    `_hash_summary` (measured here unless given).

    Rows are grouped by a 64-bit hash of their values first: a hash aggregate on one long is
    far cheaper than one on strings, and a value that occurs twice shares its hash, so a row
    alone with its hash is unique. The few rows that share a hash (true repeats, or rare
    collisions) are then grouped by their values. A column of many repeated values has many
    shared hashes: it is grouped by value directly."""
    if summary is None:
        row = _hash_summary(df, cols).first()
        summary = None if row is None else row.asDict()
    if summary is None or not summary["total"]:
        return 0, 0
    total, once, shared = int(summary["total"]), int(summary["once"]), int(summary["shared"])
    if shared == 0:
        return total, once
    values, complete = _values(cols)
    if shared > SHARED_HASHES_LIMIT:
        return total, _once_by_value(df, values, complete)
    by_hash = _by_hash(df, cols)
    hashes = df.sparkSession.createDataFrame(
        [(r[0],) for r in by_hash.where(F.col("_n") > 1).select("_h").collect()], "_h long"
    )
    sharing = df.join(F.broadcast(hashes), _row_hash(values) == hashes["_h"], "left_semi")
    return total, once + _once_by_value(sharing, values, complete)


def _values(cols: list[str]) -> tuple[list[Column], Column]:
    """The columns, and whether a row has all of them."""
    values = [F.col(f"`{name}`") for name in cols]
    return values, reduce(Column.__and__, [value.isNotNull() for value in values])


def _by_hash(df: DataFrame, cols: list[str]) -> DataFrame:
    """Per hash of the values in `cols`: its rows (_n) and its rows with every value (_c)."""
    values, complete = _values(cols)
    # Rows are sent to the task of their hash before grouping: most hashes occur once, so a
    # partial aggregate before the shuffle would shrink nothing and only add a second one.
    return (
        df.select(_row_hash(values).alias("_h"), complete.alias("_complete"))
        .repartition("_h")
        .groupBy("_h")
        .agg(F.count(F.lit(1)).alias("_n"), F.count(F.when(F.col("_complete"), 1)).alias("_c"))
    )


def _hash_summary(df: DataFrame, cols: list[str]) -> DataFrame:
    """One row: the rows, the rows alone with their hash (and complete), the shared hashes."""
    alone = (F.col("_n") == 1) & (F.col("_c") == 1)
    return _by_hash(df, cols).agg(
        F.sum("_n").alias("total"),
        F.count(F.when(alone, 1)).alias("once"),
        F.count(F.when(F.col("_n") > 1, 1)).alias("shared"),
    )


def _frequency_summary(df: DataFrame, name: str) -> DataFrame:
    """One group-by of a column's non-null values, in one row: its rows, sum(n ln n), the
    values occurring once and the distinct values."""
    col = F.col(f"`{name}`")
    counts = df.where(col.isNotNull()).groupBy(col).agg(F.count(F.lit(1)).alias("_n"))
    return counts.agg(
        F.sum("_n").alias("rows"),
        F.sum(F.col("_n") * F.log(F.col("_n"))).alias("nlogn"),
        F.count(F.when(F.col("_n") == 1, 1)).alias("unique"),
        F.count(F.lit(1)).alias("distinct"),
    )


def _frequencies(
    df: DataFrame, name: str, summary: dict[str, Any] | None = None
) -> dict[str, float]:
    """Rows, Entropy and UniqueValueRatio of a column, from `_frequency_summary` (measured here
    unless given). Entropy is ln(rows) - sum(n ln n) / rows, which is -sum(p ln p)."""
    if summary is None:
        row = _frequency_summary(df, name).first()
        summary = None if row is None else row.asDict()
    rows = float(summary["rows"] or 0) if summary else 0.0
    if not rows:
        return {"rows": 0.0}
    assert summary is not None
    return {
        "rows": rows,
        "Entropy": math.log(rows) - float(summary["nlogn"]) / rows,
        "UniqueValueRatio": summary["unique"] / summary["distinct"],
    }


def _statement(rule: Rule, df: DataFrame) -> DataFrame:
    """A CustomSql statement over `df` as the view `primary`. The view is gone once the
    statement is analysed: its plan holds the rows it reads."""
    df.createOrReplaceTempView(PRIMARY_VIEW)
    try:
        return df.sparkSession.sql(rule.params[0])
    finally:
        df.sparkSession.catalog.dropTempView(PRIMARY_VIEW)


def _one_row_each(passes: dict[Hashable, DataFrame]) -> dict[Hashable, dict[str, Any]]:
    """The one row of each query, by key, from one Spark action: the queries as one union,
    each row tagged with its query's number and each query's columns its own (null in the
    others' rows). Each query's plan is the one it has alone, so each is computed as alone.
    If the action fails, each query runs alone; one that fails then has no row."""
    if not passes:
        return {}
    frames = list(passes.values())
    tagged = [
        frame.select(
            F.lit(number).alias("_pass"),
            *[F.col(name).alias(f"p{number}_{name}") for name in frame.columns],
        )
        for number, frame in enumerate(frames)
    ]
    rows: list[dict[str, Any] | None] = [None] * len(frames)
    try:
        union = reduce(lambda a, b: a.unionByName(b, allowMissingColumns=True), tagged)
        for row in union.collect():
            number = row["_pass"]
            rows[number] = {name: row[f"p{number}_{name}"] for name in frames[number].columns}
    except PySparkException:
        for number, frame in enumerate(frames):
            try:
                alone = frame.first()
            except PySparkException:
                continue
            rows[number] = None if alone is None else alone.asDict()
    return {key: row for key, row in zip(passes, rows, strict=True) if row is not None}


# ColumnDataType's expected types (dqdl-rule-types-ColumnDataType.html: Boolean, Date,
# Timestamp, Integer, Double, Float, Long; deequ's ColumnDataTypeRule adds DECIMAL(p, s)).
_DATA_TYPES = {
    "BOOLEAN": T.BooleanType(),
    "DATE": T.DateType(),
    "TIMESTAMP": T.TimestampType(),
    "INTEGER": T.IntegerType(),
    "DOUBLE": T.DoubleType(),
    "FLOAT": T.FloatType(),
    "LONG": T.LongType(),
}
_DECIMAL_TYPE = re.compile(r"DECIMAL\((\d+),\s*(\d+)\)")
# The `format` tag of a Date check: the full formats deequ's ColumnDataTypeRule accepts.
_DATE_FORMATS = ("dd-MM-yyyy", "MM-dd-yyyy", "yyyy-MM-dd", "dd/MM/yyyy", "MM/dd/yyyy", "yyyy/MM/dd")


def _data_type_predicate(rule: Rule) -> Column:
    """Whether each row's value casts to the expected type (Spark's cast, as Glue's: a value
    that does not cast, and NULL, is NULL after it); `!=` is the negation."""
    assert rule.condition is not None
    cond = rule.condition
    if cond.op not in ("=", "!=") or cond.negated or len(cond.values) != 1:
        raise ValueError("ColumnDataType takes = or != and one data type")
    expected = str(cond.values[0].value).upper()
    decimal = _DECIMAL_TYPE.fullmatch(expected)
    target = T.DecimalType(int(decimal[1]), int(decimal[2])) if decimal else None
    target = target or _DATA_TYPES.get(expected)
    if target is None:
        raise ValueError(f"unrecognized data type {cond.values[0].value!r}")
    col = F.col(f"`{rule.params[0]}`")
    fmt = rule.tags.get("format")
    if rule.tags and (not isinstance(target, T.DateType) or fmt not in _DATE_FORMATS):
        raise ValueError(f"tags {rule.tags} on ColumnDataType are evaluated on Glue only")
    cast = F.to_date(col.cast("string"), fmt) if fmt else col.cast(target)
    return cast.isNotNull() if cond.op == "=" else cast.isNull()


def _row_hash(values: list[Column]) -> Column:
    return F.xxhash64(*values)


def _once_by_value(df: DataFrame, values: list[Column], complete: Column) -> int:
    """Rows whose values are all present and occur once in `df`."""
    counts = df.groupBy(*values).agg(F.count(F.lit(1)).alias("_n"))
    row = counts.agg(F.count(F.when(complete & (F.col("_n") == 1), 1))).first()
    return int(row[0] or 0) if row else 0


def _scalar_predicate(col: Column, cond: Condition) -> Column:
    values = [_lit(v.value) for v in cond.values]
    if cond.op == "between":
        test = (col > values[0]) & (col < values[1])
        return ~test if cond.negated else test
    if cond.op in _COMPARE:
        return _COMPARE[cond.op](col, values[0])
    raise ValueError(f"condition {cond.text!r} does not apply to this rule")


def _lit(value: Any) -> Column:
    """A literal; a timestamp goes as text so Spark reads it in the session zone (UTC), not in
    the Python process's local zone."""
    if isinstance(value, dt.datetime):
        return F.lit(value.strftime("%Y-%m-%d %H:%M:%S.%f")).cast("timestamp")
    return F.lit(value)


def compare(value: float, cond: Condition) -> bool:
    """A measured number against a condition (`> 0.9`, `between 1 and 5`, `in [1, 2]`)."""
    numbers = []
    for item in cond.values:
        if item.kind != "number":
            raise ValueError(f"condition {cond.text!r} needs numbers for this rule")
        numbers.append(float(item.value))
    if cond.op == "between":
        result = numbers[0] < value < numbers[1]
    elif cond.op == "in":
        result = value in numbers
    elif cond.op in _COMPARE:
        result = _COMPARE[cond.op](value, numbers[0])
    else:
        raise ValueError(f"condition {cond.text!r} does not apply to a measured number")
    return not result if cond.negated else result


def _metric(rule: Rule, name: str) -> str:
    return f"Column.{rule.params[0]}.{name}"


def _columns_metric(columns: list[str], name: str) -> str:
    """deequ's entities: Column.c.X for one column, Multicolumn.a,b.X for several."""
    if len(columns) == 1:
        return f"Column.{columns[0]}.{name}"
    return f"Multicolumn.{','.join(columns)}.{name}"


def _row_metrics(rule: Rule, share: float, values: dict[str, Any]) -> dict[str, float]:
    """The metrics of a row-level rule, named as AWS's rule type reference names them:
    ColumnValues reports the column's Minimum and Maximum (numeric columns) and, for `matches`,
    PatternMatch; ColumnLength its MinimumLength, MaximumLength and LengthCompliance; the share
    of passing rows is <rule type>.Compliance where the reference names no other metric."""
    kind = rule.rule_type
    metrics: dict[str, float] = {}
    if kind == "ColumnLength":
        if values["lo"] is not None:
            metrics[_metric(rule, "MinimumLength")] = float(values["lo"])
            metrics[_metric(rule, "MaximumLength")] = float(values["hi"])
        metrics[_metric(rule, "LengthCompliance")] = float(share)
        return metrics
    if kind != "ColumnValues":
        return {_metric(rule, f"{kind}.Compliance"): float(share)}
    numeric = "lo" in values
    if numeric and values["lo"] is not None:
        metrics[_metric(rule, "Minimum")] = float(values["lo"])
        metrics[_metric(rule, "Maximum")] = float(values["hi"])
    assert rule.condition is not None
    if rule.condition.op == "matches":
        metrics[_metric(rule, "PatternMatch")] = float(share)
    elif rule.threshold is not None or not numeric:
        metrics[_metric(rule, "ColumnValues.Compliance")] = float(share)
    return metrics


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.4g}"


def _outcome(rule: Rule, ok: bool, reason: str, metrics: dict[str, float]) -> RuleOutcome:
    return RuleOutcome(rule.text, PASSED if ok else FAILED, None if ok else reason, metrics)
