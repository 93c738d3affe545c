"""Which DQDL files a job runs: pipeline.yaml `quality:`, paths relative to the repository.

Terraform reads the same section (and uploads quality/*.dqdl with fileset) and passes the S3
locations as the job's `--blocking_ruleset` and `--warning_ruleset` arguments.
"""

from __future__ import annotations

from orderlake.definition import PipelineDefinition, project_root
from orderlake.errors import OrderlakeError
from orderlake.quality.outcome import BLOCKING, WARNING

SEVERITIES = (BLOCKING, WARNING)
ARGUMENT_SUFFIX = "_ruleset"


def ruleset_arguments(job_name: str, definition: PipelineDefinition) -> dict[str, str]:
    """`{"blocking_ruleset": "/repo/quality/orders.dqdl", ...}` for a job, local paths."""
    spec = (definition.raw.get("quality") or {}).get(job_name) or {}
    unknown = set(spec) - set(SEVERITIES) - {"table"}
    if unknown:
        raise OrderlakeError(
            f"pipeline.yaml quality.{job_name}: unknown key(s) {', '.join(sorted(unknown))}; "
            f"expected {', '.join(SEVERITIES)}"
        )
    root = project_root()
    return {
        f"{severity}{ARGUMENT_SUFFIX}": str(root / spec[severity])
        for severity in SEVERITIES
        if severity in spec
    }
