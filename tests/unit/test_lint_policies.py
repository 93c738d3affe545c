"""scripts/lint_policies.py on synthetic `terraform show -json` states (no Terraform, no AWS)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "lint_policies.py"
_spec = importlib.util.spec_from_file_location("lint_policies", SCRIPT)
lint_policies = importlib.util.module_from_spec(_spec)
sys.modules["lint_policies"] = lint_policies
_spec.loader.exec_module(lint_policies)

OBJECTS = "arn:aws:s3:::orderlake-raw/*"
ROLE_ARN = "arn:aws:iam::123456789012:role/orderlake-job"


def policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str, resource: str, **extra: Any) -> dict[str, Any]:
    return {"Sid": "Stmt", "Effect": "Allow", "Action": action, "Resource": resource, **extra}


def role_policy(name: str, document: str) -> dict[str, Any]:
    return {
        "address": f"aws_iam_role_policy.{name}",
        "mode": "managed",
        "type": "aws_iam_role_policy",
        "name": name,
        "values": {"name": name, "role": "orderlake-job", "policy": document},
    }


def state(*resources: dict[str, Any], children: list[dict] | None = None) -> dict[str, Any]:
    root: dict[str, Any] = {"resources": list(resources)}
    if children:
        root["child_modules"] = children
    return {"format_version": "1.0", "values": {"root_module": root}}


@pytest.fixture
def lint(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    """Run the script on a state and accepted entries; its exit code and output."""

    def _lint(show_json: dict, accepted: list | None = None) -> tuple[int, str]:
        state_path = tmp_path / "state.json"
        state_path.write_text(json.dumps(show_json))
        accepted_path = tmp_path / "accepted.yaml"
        accepted_path.write_text(json.dumps(accepted or []))  # JSON is YAML
        code = lint_policies.main([str(state_path), "--accepted", str(accepted_path)])
        captured = capsys.readouterr()
        return code, captured.out + captured.err

    return _lint


def test_a_clean_policy_passes(lint) -> None:
    code, out = lint(state(role_policy("job", policy(allow("s3:GetObject", OBJECTS)))))
    assert code == 0, out
    assert "1 policies linted, 0 findings, 0 accepted" in out


def test_an_unknown_action_fails(lint) -> None:
    code, out = lint(state(role_policy("job", policy(allow("s3:GetObjekt", OBJECTS)))))
    assert code == 1
    assert "FAIL     aws_iam_role_policy.job policy [Stmt] UNKNOWN_ACTION" in out


@pytest.mark.parametrize(
    ("action", "resource"),
    [
        ("s3:GetObject", "arn:aws:s3:::orderlake-raw"),  # a bucket, not an object
        ("glue:GetJobRun", OBJECTS),
    ],
)
def test_a_resource_the_action_cannot_match_fails(lint, action: str, resource: str) -> None:
    code, out = lint(state(role_policy("job", policy(allow(action, resource)))))
    assert code == 1
    assert f"RESOURCE_MISMATCH: {action} needs" in out


@pytest.mark.parametrize(
    ("condition", "issue"),
    [
        ({"StringEqualz": {"aws:SourceAccount": "123456789012"}}, "UNKNOWN_OPERATOR"),
        ({"DateGreaterThan": {"aws:CurrentTime": "yesterday"}}, "MISMATCHED_TYPE"),
        ({"Bool": {"aws:SecureTransport": "maybe"}}, "MISMATCHED_TYPE_OPERATION_TO_NULL"),
        ({"StringEquals": "not-a-block"}, "EXCEPTION"),
    ],
)
def test_a_malformed_condition_fails(lint, condition: dict, issue: str) -> None:
    document = policy(allow("s3:GetObject", OBJECTS, Condition=condition))
    code, out = lint(state(role_policy("job", document)))
    assert code == 1
    assert f" {issue}: " in out


def test_an_accepted_finding_passes_and_shows_its_reason(lint) -> None:
    show = state(role_policy("job", policy(allow("s3:GetObject", "*"))))
    entry = {
        "resource": "aws_iam_role_policy.*",
        "issue": "RESOURCE_STAR",
        "action": "s3:Get*",
        "reason": "objects are named at run time",
    }
    code, out = lint(show, [entry])
    assert code == 0, out
    assert "ACCEPTED aws_iam_role_policy.job policy [Stmt] RESOURCE_STAR" in out
    assert "-- reason: objects are named at run time" in out
    assert "1 policies linted, 1 findings, 1 accepted" in out


def test_an_accepted_action_pattern_does_not_cover_other_actions(lint) -> None:
    show = state(role_policy("job", policy(allow(["s3:GetObject", "s3:PutObject"], "*"))))
    entry = {"resource": "*", "issue": "RESOURCE_STAR", "action": "s3:Get*", "reason": "r"}
    code, out = lint(show, [entry])
    assert code == 1
    assert "warning: stale accepted entry" in out


@pytest.mark.parametrize("reason", [None, "", "  "])
def test_an_accepted_entry_without_a_reason_is_an_error(lint, reason: str | None) -> None:
    entry = {"resource": "*", "issue": "RESOURCE_STAR"}
    if reason is not None:
        entry["reason"] = reason
    code, out = lint(state(role_policy("job", policy(allow("s3:GetObject", "*")))), [entry])
    assert code == 2
    assert "'reason' is required" in out


def test_an_accepted_entry_with_an_unknown_issue_code_is_an_error(lint) -> None:
    entry = {"resource": "*", "issue": "RESOURCE_STARS", "reason": "typo"}
    code, out = lint(state(), [entry])
    assert code == 2
    assert "unknown issue code 'RESOURCE_STARS'" in out


def test_a_stale_accepted_entry_is_a_warning(lint) -> None:
    entry = {"resource": "aws_iam_role_policy.gone", "issue": "RESOURCE_STAR", "reason": "r"}
    code, out = lint(state(role_policy("job", policy(allow("s3:GetObject", OBJECTS)))), [entry])
    assert code == 0
    assert "warning: stale accepted entry (matched nothing): aws_iam_role_policy.gone" in out


def test_policies_in_child_modules_are_found(lint) -> None:
    inner = role_policy("job", policy(allow("s3:GetObjekt", OBJECTS)))
    inner["address"] = "module.glue.module.inner.aws_iam_role_policy.job"
    children = [
        {
            "address": "module.glue",
            "resources": [],
            "child_modules": [{"address": "module.glue.module.inner", "resources": [inner]}],
        }
    ]
    code, out = lint(state(children=children))
    assert code == 1
    assert "module.glue.module.inner.aws_iam_role_policy.job policy [Stmt] UNKNOWN_ACTION" in out


def test_any_attribute_holding_a_policy_is_found_and_named(lint) -> None:
    queue = {
        "address": "aws_sqs_queue.dlq",
        "mode": "managed",
        "type": "aws_sqs_queue",
        "values": {
            "arn": "arn:aws:sqs:us-east-1:123456789012:dlq",
            "redrive_allow_policy": json.dumps({"redrivePermission": "allowAll"}),
            "settings": [{"access": policy(allow("sqs:SendMesage", "*"))}],
        },
    }
    code, out = lint(state(queue))
    assert code == 1
    assert "aws_sqs_queue.dlq settings[0].access [Stmt] UNKNOWN_ACTION" in out
    assert "1 policies linted" in out


def test_trust_policies_are_linted_against_their_role(lint) -> None:
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "glue.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    role = {
        "address": "aws_iam_role.job",
        "mode": "managed",
        "type": "aws_iam_role",
        "values": {"arn": ROLE_ARN, "assume_role_policy": json.dumps(trust)},
    }
    assert lint(state(role))[0] == 0
    trust["Statement"][0]["Action"] = "sts:AssumeRol"
    role["values"]["assume_role_policy"] = json.dumps(trust)
    code, out = lint(state(role))
    assert code == 1
    assert "aws_iam_role.job assume_role_policy [#0] UNKNOWN_ACTION" in out


def test_a_resource_policy_keeps_its_service_sid_and_checks_principals(lint) -> None:
    statement = {
        "Sid": "Enable IAM User Permissions",  # KMS allows spaces, IAM does not
        "Effect": "Allow",
        "Principal": {"AWS": "not-an-account"},
        "Action": "kms:Decrypt",
        "Resource": "*",
    }
    key = {
        "address": "aws_kms_key.this",
        "mode": "managed",
        "type": "aws_kms_key",
        "values": {"policy": policy(statement)},
    }
    code, out = lint(state(key))
    assert code == 1
    assert "[Enable IAM User Permissions] UNKNOWN_PRINCIPAL" in out
    assert "INVALID_SID" not in out


def test_a_mirrored_copy_is_linted_once_under_its_policy_resource(lint) -> None:
    document = policy(allow("s3:GetObjekt", OBJECTS))
    role = {
        "address": "aws_iam_role.job",
        "mode": "managed",
        "type": "aws_iam_role",
        "values": {"inline_policy": [{"name": "job", "policy": document}]},
    }
    code, out = lint(state(role, role_policy("job", document)))
    assert code == 1
    assert "1 policies linted, 1 findings" in out
    assert "SAME     aws_iam_role.job inline_policy[0].policy" in out


def test_data_sources_and_service_default_policies_are_not_linted(lint) -> None:
    data = role_policy("doc", policy(allow("s3:GetObjekt", OBJECTS)))
    data["mode"] = "data"
    default = policy(allow("SNS:Publish", "*"))
    topic = {
        "address": "aws_sns_topic.events",
        "mode": "managed",
        "type": "aws_sns_topic",
        "values": {"policy": json.dumps({**json.loads(default), "Id": "__default_policy_ID"})},
    }
    code, out = lint(state(data, topic))
    assert code == 0, out
    assert "0 policies linted" in out
