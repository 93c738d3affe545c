"""EventBridge event patterns: the rule files and a matcher with EventBridge's semantics.

The rule files live in `events/patterns/` at the top of the repository, one JSON pattern per
rule, named `<rule>.json`; Terraform reads the same files (`fileset` + `file`) for its rules.
Every rule targets the job-events SNS topic.

Matching (EventBridge "Event patterns" docs): every field the pattern names must match; a leaf
is a list of alternatives (exact values or a filter such as `prefix`, `suffix`,
`anything-but`, `exists`, `numeric`, `equals-ignore-case`, `wildcard`); an array in the event
matches when any of its elements does; `$or` takes a list of sub-patterns.
"""

from __future__ import annotations

import json
import operator
import re
from pathlib import Path
from typing import Any

from orderlake.definition import project_root
from orderlake.errors import OrderlakeError

PATTERNS_DIR = "events/patterns"


class _Missing:
    def __repr__(self) -> str:
        return "<missing>"


MISSING = _Missing()
_NUMERIC = {
    "<": operator.lt,
    "<=": operator.le,
    "=": operator.eq,
    ">=": operator.ge,
    ">": operator.gt,
}


def patterns_dir() -> Path:
    return project_root() / PATTERNS_DIR


def load_patterns(folder: Path | None = None) -> dict[str, dict[str, Any]]:
    """Rule name (file stem) -> pattern, for every `*.json` in the folder, sorted by name."""
    folder = folder or patterns_dir()
    found: dict[str, dict[str, Any]] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            pattern = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise OrderlakeError(f"event pattern {path} is not readable JSON: {exc}") from None
        validate(pattern, str(path))
        found[path.stem] = pattern
    if not found:
        raise OrderlakeError(f"no event patterns (*.json) in {folder}")
    return found


def validate(pattern: Any, where: str = "pattern") -> None:
    """EventBridge's own rule: every value is an object or a non-empty array."""
    if not isinstance(pattern, dict):
        raise OrderlakeError(f"{where}: an event pattern must be a JSON object")
    for key, value in pattern.items():
        if key == "$or" and isinstance(value, list) and value:
            for sub in value:
                validate(sub, where)
        elif isinstance(value, dict):
            validate(value, f"{where}: {key}")
        elif not isinstance(value, list) or not value:
            raise OrderlakeError(f"{where}: {key!r} must be an object or a non-empty array")


def matches(pattern: dict[str, Any], event: Any) -> bool:
    """Does the event match the pattern? An empty pattern matches everything."""
    for key, expected in pattern.items():
        if key == "$or":
            if not any(matches(sub, event) for sub in expected):
                return False
            continue
        value = event.get(key, MISSING) if isinstance(event, dict) else MISSING
        if isinstance(expected, dict):
            if not matches(expected, value if isinstance(value, dict) else {}):
                return False
        elif not _leaf_matches(value, expected):
            return False
    return True


def _leaf_matches(value: Any, alternatives: list[Any]) -> bool:
    if isinstance(value, dict):
        return False  # a leaf filter never matches an object
    return any(_alternative_matches(value, alt) for alt in alternatives)


def _alternative_matches(value: Any, alt: Any) -> bool:
    if isinstance(alt, dict):
        return _filter_matches(value, alt)
    if value is MISSING:
        return False
    if isinstance(value, list):
        return any(_same(item, alt) for item in value)
    return _same(value, alt)


def _same(value: Any, alt: Any) -> bool:
    # JSON true is not the number 1 (Python's True == 1 is).
    return (
        type(value) is type(alt)
        and value == alt
        or (_is_number(value) and _is_number(alt) and value == alt)
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _filter_matches(value: Any, named: dict[str, Any]) -> bool:
    ((name, arg),) = named.items()
    if name == "exists":
        return (value is not MISSING) == bool(arg)
    if value is MISSING:
        return False
    if isinstance(value, list):
        return any(_scalar_filter(name, arg, item) for item in value)
    return _scalar_filter(name, arg, value)


def _scalar_filter(name: str, arg: Any, value: Any) -> bool:
    if name in ("prefix", "suffix"):
        if not isinstance(value, str):
            return False
        ends = value.startswith if name == "prefix" else value.endswith
        if isinstance(arg, dict) and "equals-ignore-case" in arg:
            low = value.lower()
            target = arg["equals-ignore-case"].lower()
            return low.startswith(target) if name == "prefix" else low.endswith(target)
        return any(ends(a) for a in (arg if isinstance(arg, list) else [arg]))
    if name == "equals-ignore-case":
        options = arg if isinstance(arg, list) else [arg]
        return isinstance(value, str) and any(value.lower() == a.lower() for a in options)
    if name == "anything-but":
        if isinstance(arg, dict):
            return not _scalar_filter(*next(iter(arg.items())), value)
        options = arg if isinstance(arg, list) else [arg]
        return not any(_same(value, a) for a in options)
    if name == "numeric":
        if not _is_number(value):
            return False
        pairs = zip(arg[::2], arg[1::2], strict=True)
        return all(_NUMERIC[op](value, bound) for op, bound in pairs)
    if name == "wildcard":
        options = arg if isinstance(arg, list) else [arg]
        return isinstance(value, str) and any(_wildcard(value, a) for a in options)
    raise OrderlakeError(f"unsupported event pattern filter {name!r}")


def _wildcard(value: str, pattern: str) -> bool:
    parts = re.split(r"(?<!\\)\*", pattern)
    regex = ".*".join(re.escape(p.replace("\\*", "*").replace("\\\\", "\\")) for p in parts)
    return re.fullmatch(regex, value, flags=re.DOTALL) is not None
