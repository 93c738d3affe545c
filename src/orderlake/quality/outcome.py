"""One shape for a rule's outcome, whether the local evaluator or Glue's produced it."""

from __future__ import annotations

from dataclasses import dataclass, field

PASSED = "Passed"
FAILED = "Failed"
ERROR = "Error"  # the rule could not be evaluated (bad column, bad SQL): counts as a failure

BLOCKING = "blocking"
WARNING = "warning"


@dataclass(frozen=True)
class RuleOutcome:
    rule: str
    outcome: str
    failure_reason: str | None = None
    evaluated_metrics: dict[str, float] = field(default_factory=dict)
    severity: str = BLOCKING
    ruleset: str = ""

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
