"""Which paths start clean_orders for a day in a deployment: at most one, the one expected.

A path is a chain that ends in a Glue trigger starting clean_orders:
- schedule: the daily workflow's SCHEDULED trigger, activated;
- upload:   the upload workflow's EVENT trigger, fed by an enabled EventBridge rule on the raw
            bucket's Object Created events, which the bucket sends to EventBridge.
Two at once run the same date twice (the second fails: its raw partition is archived). Reads
`terraform show -json` of the applied state (or of a saved plan: its planned values) and, with
--endpoint, the trigger's state from the Glue API, which must agree with the state file.

    python scripts/check_switches.py STATE_JSON --expect schedule|upload|none [--endpoint URL]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def resources(module: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield from module.get("resources", [])
    for child in module.get("child_modules", []):
        yield from resources(child)


def find(state: dict[str, Any], kind: str, name: str) -> list[dict[str, Any]]:
    root = (state.get("values") or state.get("planned_values") or {}).get("root_module", {})
    return [r for r in resources(root) if r["type"] == kind and r["name"] == name]


def starts_clean_orders(trigger: dict[str, Any], job_name: str) -> bool:
    return any(action.get("job_name") == job_name for action in trigger["values"]["actions"])


def paths(state: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    (job,) = [j for j in find(state, "aws_glue_job", "this") if j["index"] == "clean_orders"]
    clean = job["values"]["name"]
    found = []
    (start,) = find(state, "aws_glue_trigger", "start")
    if start["values"]["enabled"] and starts_clean_orders(start, clean):
        found.append("schedule")
    upload = find(state, "aws_glue_trigger", "upload")
    rules = [r for r in find(state, "aws_cloudwatch_event_rule", "upload")]
    notifications = find(state, "aws_s3_bucket_notification", "raw")
    if (
        upload
        and starts_clean_orders(upload[0], clean)
        and any(r["values"].get("state") == "ENABLED" for r in rules)
        and any(n["values"].get("eventbridge") for n in notifications)
    ):
        found.append("upload")
    return found, start["values"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("state", type=Path, help="terraform show -json output")
    parser.add_argument("--expect", required=True, choices=["schedule", "upload", "none"])
    parser.add_argument("--endpoint", help="moto (or AWS) endpoint to read the trigger from")
    args = parser.parse_args(argv)
    found, start = paths(json.loads(args.state.read_text()))
    expected = [] if args.expect == "none" else [args.expect]
    problems = []
    if found != expected:
        problems.append(
            f"paths starting clean_orders: {found or 'none'}, expected {expected or 'none'}"
        )
    if args.endpoint:
        import boto3

        glue = boto3.client("glue", endpoint_url=args.endpoint)
        live = glue.get_trigger(Name=start["name"])["Trigger"]["State"]
        if (live == "ACTIVATED") != bool(start["enabled"]):
            problems.append(
                f"trigger {start['name']} is {live} in Glue, enabled={start['enabled']} in state"
            )
    print(f"paths starting clean_orders: {', '.join(found) or 'none'}")
    for problem in problems:
        print(f"FAIL {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
