"""A local EventBridge bus: rules from the pattern files, each delivering matched events only.

Every event put on the bus is appended to `<lake>/events/bus.jsonl` with the rules it matched,
so a local run leaves a trace of what was emitted and where it went.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from orderlake.events.patterns import matches

logger = logging.getLogger("orderlake.events.bus")

Target = Callable[[dict[str, Any]], Any]
REQUIRED_FIELDS = ("source", "detail-type", "detail")


@dataclass
class Rule:
    name: str
    pattern: dict[str, Any]
    targets: list[Target] = field(default_factory=list)


@dataclass
class LocalEventBus:
    rules: list[Rule]
    log_path: Path | None = None

    def put_event(self, event: Any) -> list[str]:
        """Deliver the event to the targets of every rule it matches; return those rules' names.

        A malformed event is logged with its reason and dropped; a failing target is logged
        and does not stop the other targets.
        """
        problem = malformed(event)
        if problem:
            logger.warning("event dropped: %s", problem)
            self._trace(event, [], problem)
            return []
        matched = [rule for rule in self.rules if matches(rule.pattern, event)]
        self._trace(event, [rule.name for rule in matched], None)
        for rule in matched:
            for target in rule.targets:
                try:
                    target(event)
                except Exception as exc:
                    logger.error(
                        "rule %s: target failed: %s: %s", rule.name, type(exc).__name__, exc
                    )
        if not matched:
            logger.info("event %s matched no rule", event.get("detail-type"))
        return [rule.name for rule in matched]

    def _trace(self, event: Any, rules: list[str], problem: str | None) -> None:
        if self.log_path is None:
            return
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("a", encoding="utf-8") as log:
            entry = {"event": event, "rules": rules, **({"dropped": problem} if problem else {})}
            log.write(json.dumps(entry, default=str) + "\n")


def malformed(event: Any) -> str | None:
    if not isinstance(event, dict):
        return f"event is a {type(event).__name__}, not a JSON object"
    missing = [name for name in REQUIRED_FIELDS if name not in event]
    if missing:
        return f"event has no {', '.join(missing)}"
    if not isinstance(event["detail"], dict):
        return "event detail is not a JSON object"
    return None
