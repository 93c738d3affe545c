"""moto's server, telling moto's IAM evaluation the resource of the Glue and SNS calls that
orderlake's components make, and CloudWatch's IAM action prefix.

moto can enforce IAM (scripts/check_iam.py turns it on through /moto-api/reset-auth). It checks
S3 requests against their bucket and key ARN, but every other service's request against the
resource "*", so a least-privilege statement that names the pipeline's Glue jobs or SNS topic
would never match and every such call would be denied. Here the Glue and SNS responses say
which ARN a request touches, as AWS's service authorization reference defines it; moto's own
evaluator then decides. A call not listed keeps moto's "*".

    python scripts/moto_server.py -H 127.0.0.1 -p PORT     (the arguments of moto_server)
"""

from __future__ import annotations

from typing import Any

from moto import server
from moto.glue.responses import GlueResponse
from moto.iam.access_control import IAMRequestBase
from moto.sns.responses import SNSResponse

# Glue actions and the parameters naming what they touch.
_JOB_PARAMETERS = ("JobName", "Name")
_JOB_ACTIONS = {"GetJob", "GetJobRun", "GetJobRuns", "StartJobRun", "BatchStopJobRun"}
_CATALOG_ACTIONS = {
    "GetDatabase": "database",
    "GetTable": "table",
    "GetTables": "database",
    "CreateTable": "table",
    "UpdateTable": "table",
    "GetPartition": "table",
    "GetPartitions": "table",
    "BatchGetPartition": "table",
    "CreatePartition": "table",
    "BatchCreatePartition": "table",
    "UpdatePartition": "table",
    "BatchUpdatePartition": "table",
}


def _glue_resource(self: Any) -> str:
    action = self._get_action()
    params: dict[str, Any] = self.parameters
    prefix = f"arn:aws:glue:{self.region}:{self.current_account}"
    if action in _JOB_ACTIONS:
        name = next((params[p] for p in _JOB_PARAMETERS if p in params), None)
        return f"{prefix}:job/{name}" if name else "*"
    if action == "GetTrigger" and "Name" in params:
        return f"{prefix}:trigger/{params['Name']}"
    kind = _CATALOG_ACTIONS.get(action)
    if kind is None:
        return "*"
    database = params.get("DatabaseName") or params.get("Name")
    if kind == "database":
        return f"{prefix}:database/{database}"
    table = params.get("TableName") or (params.get("TableInput") or {}).get("Name")
    return f"{prefix}:table/{database}/{table}"


def _sns_resource(self: Any) -> str:
    return self._get_param("TopicArn") or self._get_param("TargetArn") or "*"


# moto names an action by the request's signing name, which for CloudWatch is `monitoring`;
# IAM's prefix for the service is `cloudwatch` (cloudwatch:PutMetricData).
_SIGNING_TO_IAM_PREFIX = {"monitoring:": "cloudwatch:"}
_moto_iam_request_init = IAMRequestBase.__init__


def _iam_request_init(self: Any, *args: Any, **kwargs: Any) -> None:
    _moto_iam_request_init(self, *args, **kwargs)
    for signing, prefix in _SIGNING_TO_IAM_PREFIX.items():
        if self._action.startswith(signing):
            self._action = prefix + self._action.removeprefix(signing)


GlueResponse._determine_resource = _glue_resource  # type: ignore[attr-defined]
SNSResponse._determine_resource = _sns_resource  # type: ignore[attr-defined]
IAMRequestBase.__init__ = _iam_request_init  # type: ignore[method-assign]

if __name__ == "__main__":
    server.main()
