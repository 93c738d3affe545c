"""A data quality evaluation's full result, looked up by its result id.

Glue Data Quality's "Data Quality Evaluation Results Available" event counts the rules but does
not name them: the rules are in `glue.get_data_quality_result(ResultId=...)` (`RuleResults`,
each with `Name`, `Description`, `Result` PASS/FAIL/ERROR, `EvaluationMessage`,
`EvaluatedMetrics`). Locally the runner records each evaluation in that response's shape
(`<lake>/events/quality_results/<result id>.json`), so the notifier makes one call in both
places, as it does for GetJobRun (orderlake.events.job_runs).

Which rulesets hold a day back is pipeline.yaml's `quality:` (a job's `blocking` and `warning`
DQDL files); the names Glue may give a ruleset are listed by `pipeline_rulesets`.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from orderlake.definition import PipelineDefinition
from orderlake.quality.outcome import BLOCKING, ERROR, FAILED, PASSED, WARNING

QUALITY_RESULTS_DIR = "events/quality_results"
RESULT_PASS, RESULT_FAIL, RESULT_ERROR = "PASS", "FAIL", "ERROR"
# The local evaluator's outcomes (dq_results) as GetDataQualityResult writes them.
RESULT_OF_OUTCOME = {PASSED: RESULT_PASS, FAILED: RESULT_FAIL, ERROR: RESULT_ERROR}


class QualityResultLookup(Protocol):
    def get_data_quality_result(self, ResultId: str) -> dict[str, Any]: ...  # noqa: N803


class GlueQualityResults:
    """AWS: the Glue API through a boto3 client passed in."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def get_data_quality_result(self, ResultId: str) -> dict[str, Any]:  # noqa: N803
        return self.client.get_data_quality_result(ResultId=ResultId)


class LocalQualityResults:
    """Locally: the evaluations the runner recorded, one JSON file per result id."""

    def __init__(self, lake_root: Path | str) -> None:
        self.folder = Path(lake_root) / QUALITY_RESULTS_DIR

    def record(self, result: dict[str, Any]) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{result['ResultId']}.json"
        path.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")
        return path

    def get_data_quality_result(self, ResultId: str) -> dict[str, Any]:  # noqa: N803
        path = self.folder / f"{Path(ResultId).name}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise LookupError(
                f"no record of data quality result {ResultId} in {self.folder}"
            ) from None


@dataclass(frozen=True)
class PipelineRuleset:
    job: str  # pipeline.yaml job key
    severity: str  # blocking | warning
    path: str  # quality/<file>.dqdl


def evaluation_context(path: str) -> str:
    """The name a Glue job evaluates a DQDL file under (orderlake.quality.glue_dq passes the
    file's stem as `dataQualityEvaluationContext`): `quality/orders.dqdl` -> `orders`."""
    return path.rsplit("/", 1)[-1].removesuffix(".dqdl")


def pipeline_rulesets(definition: PipelineDefinition) -> dict[str, PipelineRuleset]:
    """Every name a pipeline ruleset may carry in an event or a result -> what it is: the
    evaluation context the Glue job passes (the file's stem, `orders`), the file name as
    dq_results records it (`orders.dqdl`) and the registered ruleset (`<project>-orders`)."""
    project = str(definition.raw.get("project", "orderlake"))
    found: dict[str, PipelineRuleset] = {}
    for job, spec in (definition.raw.get("quality") or {}).items():
        for severity in (BLOCKING, WARNING):
            path = (spec or {}).get(severity)
            if not path:
                continue
            file = str(path).rsplit("/", 1)[-1]
            stem = evaluation_context(file)
            for name in (stem, file, f"{project}-{stem}"):
                found[name] = PipelineRuleset(str(job), severity, str(path))
    return found


def result_record(
    result_id: str,
    ruleset: str,
    job_name: str,
    job_run_id: str,
    started: dt.datetime,
    completed: dt.datetime,
    rules: list[dict[str, Any]],
) -> dict[str, Any]:
    """A GetDataQualityResult response for one ruleset evaluated in a job run."""
    passed = sum(rule["Result"] == RESULT_PASS for rule in rules)
    return {
        "ResultId": result_id,
        "Score": round(passed / len(rules), 4) if rules else 0.0,
        "RulesetName": ruleset,
        "EvaluationContext": ruleset,
        "StartedOn": started.isoformat(),
        "CompletedOn": completed.isoformat(),
        "JobName": job_name,
        "JobRunId": job_run_id,
        "RuleResults": rules,
    }


def rule_result(
    index: int,
    rule: str,
    outcome: str,
    failure_reason: str | None,
    metrics: dict[str, float],
) -> dict[str, Any]:
    """One RuleResults entry: Glue names rules Rule_1, Rule_2, ... in ruleset order and gives
    the rule's text as its description."""
    entry: dict[str, Any] = {
        "Name": f"Rule_{index}",
        "Description": rule,
        "Result": RESULT_OF_OUTCOME.get(outcome, RESULT_ERROR),
        "EvaluatedMetrics": {str(k): float(v) for k, v in metrics.items()},
        "EvaluatedRule": rule,
    }
    if failure_reason:
        entry["EvaluationMessage"] = failure_reason
    return entry


def quality_result_of(lookup: QualityResultLookup | None, result_id: str | None) -> dict[str, Any]:
    """The evaluation's result, or LookupError saying why it cannot be read."""
    if result_id is None:
        raise LookupError("the event has no resultId")
    if lookup is None:
        raise LookupError("no data quality result lookup is configured")
    try:
        result = lookup.get_data_quality_result(ResultId=result_id)
    except LookupError:
        raise
    except Exception as exc:  # the Glue API's errors (EntityNotFound, AccessDenied, ...)
        why = " ".join(str(exc).split())  # one line: an error may carry a whole HTML page
        why = why if len(why) <= 300 else why[:297] + "..."
        raise LookupError(f"cannot look up data quality result {result_id}: {why}") from None
    if not isinstance(result, dict) or not isinstance(result.get("RuleResults"), list):
        raise LookupError(f"data quality result {result_id} has no RuleResults")
    return result


def failed_rules(result: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        rule
        for rule in result.get("RuleResults") or []
        if isinstance(rule, dict) and rule.get("Result") != RESULT_PASS
    ]
