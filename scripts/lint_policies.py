"""Lint every IAM policy document Terraform rendered, with parliament (AWS's action catalogue).

Input: `terraform show -json` of an applied state (values.root_module) or of a saved plan
(planned_values.root_module), child modules included. Every managed resource's attributes are
scanned for JSON strings holding a "Statement", so a new policy type is not missed; data
sources are skipped (their documents are linted where a resource uses them).

Each document is linted as what it is:
- trust policy (an `assume_role_policy`): the role's own ARN stands in for the Resource it
  implicitly has, so sts:AssumeRole is checked against the role resource type;
- resource policy (a statement names a Principal): the Sid grammar is the service's, not
  IAM's (KMS allows spaces, SNS writes `__default_statement_ID`), so Sids are not linted;
- identity policy: everything, plus parliament's community auditors.

One line per finding; accepted findings (infra/policy_lint_accepted.yaml) print with their
reason. Exit 1 on any finding not accepted, 2 on a bad accepted file. An accepted entry that
matches nothing is a warning only: the emulator deploy lacks parts of the real one.

    python scripts/lint_policies.py STATE_JSON [...] [--accepted FILE]
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import fnmatch
import importlib
import json
import re
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # parliament imports the deprecated pkg_resources
    import parliament
    from parliament import analyze_policy_string

REPO = Path(__file__).resolve().parent.parent
DEFAULT_ACCEPTED = REPO / "infra" / "policy_lint_accepted.yaml"

# Community auditors worth running per kind. A trust policy's one action is sts:AssumeRole,
# which the credential and privilege checks would flag by design.
ALL_AUDITORS = (
    "advanced_policy_elements",
    "credentials_exposure",
    "permissions_management",
    "privilege_escalation",
    "sensitive_access",
    "single_value_condition_too_permissive",
)
AUDITORS = {
    "identity": ALL_AUDITORS,
    "resource": ALL_AUDITORS,
    "trust": ("advanced_policy_elements", "single_value_condition_too_permissive"),
}
ENTRY_KEYS = {"resource", "attribute", "sid", "issue", "action", "reason"}

parliament.override_config(
    Path(parliament.__file__).parent / "community_auditors" / "config_override.yaml"
)
ISSUES = frozenset(parliament.config)


@dataclasses.dataclass(frozen=True)
class PolicyDoc:
    address: str
    type: str
    attribute: str
    kind: str  # identity | resource | trust
    document: dict[str, Any]
    resource_arn: str | None


@dataclasses.dataclass
class Finding:
    address: str
    attribute: str
    sid: str
    issue: str
    detail: str
    actions: tuple[str, ...]
    accepted_by: dict[str, Any] | None = None

    def line(self) -> str:
        text = f"{self.address} {self.attribute} [{self.sid}] {self.issue}: {self.detail}"
        if self.accepted_by is None:
            return f"FAIL     {text}"
        return f"ACCEPTED {text} -- reason: {self.accepted_by['reason']}"


# --- collecting -------------------------------------------------------------------------------


def _modules(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield module
    for child in module.get("child_modules", []):
        yield from _modules(child)


def _json_policies(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, str):
        if '"Statement"' not in value:
            return
        try:
            document = json.loads(value)
        except ValueError:
            return
        if isinstance(document, dict) and "Statement" in document:
            yield path, document
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _json_policies(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_policies(item, f"{path}[{index}]")


def _statements(document: dict[str, Any]) -> list[Any]:
    statements = document.get("Statement")
    return statements if isinstance(statements, list) else [statements]


def _kind(attribute: str, document: dict[str, Any]) -> str:
    if attribute.rsplit(".", 1)[-1] == "assume_role_policy":
        return "trust"
    for stmt in _statements(document):
        if isinstance(stmt, dict) and ("Principal" in stmt or "NotPrincipal" in stmt):
            return "resource"
    return "identity"


def _unknown_policies(value: Any, path: str) -> Iterator[str]:
    """Paths in a plan's after_unknown whose policy attribute is known only after apply."""
    if value is True and re.search(r"(^|[._])policy$", path.rsplit(".", 1)[-1]):
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _unknown_policies(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unknown_policies(item, f"{path}[{index}]")


def _preference(policy: PolicyDoc) -> tuple[bool, bool]:
    # A provider mirrors some policies onto their parent (aws_iam_role.inline_policy,
    # aws_sns_topic.policy after a refresh): the *_policy resource's own attribute is the source.
    return ("." in policy.attribute or "[" in policy.attribute, not policy.type.endswith("_policy"))


def collect(show_json: dict[str, Any]) -> tuple[list[PolicyDoc], list[str]]:
    """The distinct policy documents of a state or plan, and notes on those not linted
    (mirrored copies, service defaults, values a plan cannot know)."""
    values = show_json.get("values") or show_json.get("planned_values") or {}
    found: dict[str, list[PolicyDoc]] = {}
    notes = []
    for module in _modules(values.get("root_module", {})):
        for resource in module.get("resources", []):
            if resource.get("mode") != "managed":
                continue
            attrs = resource.get("values") or {}
            arn = attrs.get("arn") if isinstance(attrs.get("arn"), str) else None
            for attribute, document in _json_policies(attrs, ""):
                where = f"{resource['address']} {attribute}"
                if document.get("Id") == "__default_policy_ID":
                    # What SNS/SQS write when no policy is set (read back before the *_policy
                    # resource replaced it): the service's text, not Terraform's.
                    notes.append(f"SKIPPED  {where}: the service's default policy")
                    continue
                kind = _kind(attribute, document)
                policy = PolicyDoc(
                    resource["address"], resource["type"], attribute, kind, document, arn
                )
                found.setdefault(json.dumps(document, sort_keys=True), []).append(policy)
    policies = []
    for copies in found.values():
        best = min(map(_preference, copies))
        policies.extend(p for p in copies if _preference(p) == best)
        for mirror in (p for p in copies if _preference(p) != best):
            source = next(p for p in copies if _preference(p) == best)
            notes.append(
                f"SAME     {mirror.address} {mirror.attribute}: "
                f"linted as {source.address} {source.attribute}"
            )
    for change in show_json.get("resource_changes", []):
        actions = (change.get("change") or {}).get("actions", [])
        if change.get("mode") == "managed" and "delete" not in actions:
            for path in _unknown_policies(change["change"].get("after_unknown") or {}, ""):
                notes.append(f"SKIPPED  {change['address']} {path}: unknown until apply")
    return policies, notes


# --- linting ----------------------------------------------------------------------------------


def _prepared(policy: PolicyDoc) -> tuple[dict[str, Any], list[str]]:
    """The document as parliament should see it, and each statement's Sid for reporting."""
    document = copy.deepcopy(policy.document)
    statements = _statements(document)
    sids = []
    for index, stmt in enumerate(statements):
        if not isinstance(stmt, dict):
            sids.append(f"#{index}")
            continue
        sids.append(str(stmt["Sid"]) if stmt.get("Sid") not in (None, "") else f"#{index}")
        has_resource = "Resource" in stmt or "NotResource" in stmt
        if policy.kind == "trust" and not has_resource:
            stmt["Resource"] = policy.resource_arn or "arn:aws:iam::*:role/*"
        if policy.kind == "resource" and isinstance(stmt.get("Sid"), str):
            stmt["Sid"] = re.sub(r"[^0-9A-Za-z]", "", stmt["Sid"])
    return document, sids


def _statement_actions(stmt: Any) -> tuple[str, ...]:
    if not isinstance(stmt, dict):
        return ()
    actions = stmt.get("Action", stmt.get("NotAction", []))
    return tuple(a for a in (actions if isinstance(actions, list) else [actions]) if a)


def _actions_and_detail(finding: Any, stmt_actions: tuple[str, ...]) -> tuple[tuple, str]:
    detail, location = finding.detail, finding.location or {}
    if finding.issue == "RESOURCE_MISMATCH" and isinstance(detail, list):
        actions = tuple(d["action"] for d in detail)
        text = "; ".join(f"{d['action']} needs {d['required_format']}" for d in detail)
        return actions, text
    if finding.issue == "RESOURCE_STAR" and isinstance(detail, list):
        shown = ", ".join(detail[:6]) + (f" (+{len(detail) - 6} more)" if len(detail) > 6 else "")
        return tuple(detail), f"Resource * for {shown}"
    if finding.issue in ("UNKNOWN_ACTION", "UNKNOWN_PREFIX") and "string" in location:
        return (str(location["string"]),), str(detail)
    match = re.search(r"for action (\S+)$", str(detail or ""))
    if match:
        return (match.group(1),), str(detail)
    if isinstance(location.get("actions"), list | str):
        actions = location["actions"]
        actions = tuple(sorted(actions)) if isinstance(actions, list) else (actions,)
        return actions, f"{parliament.config[finding.issue]['title']}: {', '.join(actions)}"
    text = str(detail) if detail else parliament.config.get(finding.issue, {}).get("title", "")
    if location.get("string") and not detail:
        text = f"{text} ({location['string']})"
    return stmt_actions, text


def lint(policy: PolicyDoc) -> list[Finding]:
    document, sids = _prepared(policy)
    statements = _statements(policy.document)
    raw: list[tuple[str, tuple[str, ...], Any]] = []
    try:
        result = analyze_policy_string(
            json.dumps(document), policy.address, ignore_private_auditors=True
        )
        for index, stmt in enumerate(result.statements):
            for finding in stmt.findings:
                raw.append((sids[index], _statement_actions(statements[index]), finding))
        if result.statements and result.is_valid:
            for name in AUDITORS[policy.kind]:
                module = importlib.import_module(f"parliament.community_auditors.{name}")
                module.audit(result)
        raw.extend(("-", (), finding) for finding in result._findings)
    except Exception as error:  # a document parliament cannot walk is a finding, not a crash
        raw.append(("-", (), parliament.finding.Finding("EXCEPTION", repr(error), {})))
    findings = []
    for sid, stmt_actions, finding in raw:
        actions, detail = _actions_and_detail(finding, stmt_actions)
        findings.append(
            Finding(policy.address, policy.attribute, sid, finding.issue, detail, actions)
        )
    return findings


# --- accepted findings ------------------------------------------------------------------------


def load_accepted(path: Path) -> list[dict[str, Any]]:
    """The accepted entries; ValueError names every bad one."""
    if not path.exists():
        return []
    entries = yaml.safe_load(path.read_text()) or []
    if not isinstance(entries, list):
        raise ValueError(f"{path}: expected a list of entries")
    errors = []
    for number, entry in enumerate(entries, 1):
        where = f"{path.name} entry {number}"
        if not isinstance(entry, dict):
            errors.append(f"{where}: not a mapping")
            continue
        if unknown := set(entry) - ENTRY_KEYS:
            errors.append(f"{where}: unknown keys {sorted(unknown)}")
        for key in ("resource", "issue"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                errors.append(f"{where}: '{key}' is required")
        if not isinstance(entry.get("reason"), str) or not entry["reason"].strip():
            errors.append(f"{where}: 'reason' is required (why this finding is acceptable)")
        if isinstance(entry.get("issue"), str) and entry["issue"] not in ISSUES:
            errors.append(f"{where}: unknown issue code {entry['issue']!r}")
    if errors:
        raise ValueError("\n".join(errors))
    return entries


def _glob(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value.lower(), pattern.lower())


def matches(entry: dict[str, Any], finding: Finding) -> bool:
    if entry["issue"] != finding.issue or not _glob(entry["resource"], finding.address):
        return False
    if "attribute" in entry and not _glob(entry["attribute"], finding.attribute):
        return False
    if "sid" in entry and not _glob(entry["sid"], finding.sid):
        return False
    if "action" in entry:
        patterns = entry["action"] if isinstance(entry["action"], list) else [entry["action"]]
        # Every action the finding names must be covered, so a new action is never hidden.
        if not finding.actions or not all(
            any(_glob(p, a) for p in patterns) for a in finding.actions
        ):
            return False
    return True


# --- command line -----------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("show_json", nargs="+", type=Path, help="terraform show -json output")
    parser.add_argument("--accepted", type=Path, default=DEFAULT_ACCEPTED)
    args = parser.parse_args(argv)

    started = time.monotonic()
    try:
        accepted = load_accepted(args.accepted)
    except (ValueError, yaml.YAMLError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    used = [False] * len(accepted)
    findings: list[Finding] = []
    linted = 0
    for source in args.show_json:
        policies, notes = collect(json.loads(source.read_text()))
        prefix = f"{source}: " if len(args.show_json) > 1 else ""
        for note in notes:
            print(note[:9] + prefix + note[9:])
        for policy in policies:
            linted += 1
            for finding in lint(policy):
                for index, entry in enumerate(accepted):
                    if matches(entry, finding):
                        finding.accepted_by, used[index] = entry, True
                        break
                finding.address = prefix + finding.address
                findings.append(finding)

    for finding in findings:
        print(finding.line())
    for entry, was_used in zip(accepted, used, strict=True):
        if not was_used:
            print(
                f"warning: stale accepted entry (matched nothing): {entry['resource']} "
                f"{entry['issue']}{' ' + str(entry['action']) if 'action' in entry else ''}"
            )
    n_accepted = sum(f.accepted_by is not None for f in findings)
    print(
        f"{linted} policies linted, {len(findings)} findings, {n_accepted} accepted "
        f"({time.monotonic() - started:.1f} s)"
    )
    return 1 if n_accepted < len(findings) else 0


if __name__ == "__main__":
    sys.exit(main())
