"""One shape for a rule's outcome, whether the local evaluator or Glue's produced it."""

from __future__ import annotations

from dataclasses import dataclass, field

PASSED = "Passed"
FAILED = "Failed"
ERROR = "Error"  # the rule could not be evaluated (bad column, bad SQL): counts as a failure

BLOCKING = "blocking"
WARNING = "warning"


@dataclass(frozen=True)
class Observation:
    """What an anomaly detector saw, in the shape of Glue's DataQualityObservation
    (GetDataQualityResult `Observations`: Description and a MetricBasedObservation with
    MetricName, StatisticId, MetricValues ActualValue/ExpectedValue/LowerLimit/UpperLimit
    and NewRules, the rules Glue suggests from the band)."""

    description: str
    metric_name: str
    actual_value: float
    expected_value: float
    lower_limit: float
    upper_limit: float
    new_rules: tuple[str, ...] = ()
    statistic_id: str | None = None  # Glue's statistics store id; none locally

    def as_glue(self) -> dict[str, object]:
        """As GetDataQualityResult returns it."""
        observation: dict[str, object] = {
            "MetricName": self.metric_name,
            "MetricValues": {
                "ActualValue": self.actual_value,
                "ExpectedValue": self.expected_value,
                "LowerLimit": self.lower_limit,
                "UpperLimit": self.upper_limit,
            },
            "NewRules": list(self.new_rules),
        }
        if self.statistic_id is not None:
            observation["StatisticId"] = self.statistic_id
        return {"Description": self.description, "MetricBasedObservation": observation}


@dataclass(frozen=True)
class RuleOutcome:
    rule: str
    outcome: str
    failure_reason: str | None = None
    evaluated_metrics: dict[str, float] = field(default_factory=dict)
    severity: str = BLOCKING
    ruleset: str = ""
    observations: tuple[Observation, ...] = ()  # DetectAnomalies' finding, when anomalous

    @property
    def passed(self) -> bool:
        return self.outcome == PASSED

    def describe(self) -> str:
        metrics = ", ".join(f"{k}={_number(v)}" for k, v in self.evaluated_metrics.items())
        reason = f": {self.failure_reason}" if self.failure_reason else ""
        measured = f" [{metrics}]" if metrics else ""
        return f"{self.outcome.upper()} ({self.severity}) {self.rule}{reason}{measured}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"
