"""Progress lines on stderr, so stdout carries only results."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager


class Progress:
    def __init__(self, total: int, stream=None, enabled: bool = True) -> None:
        self.total = total
        self.step = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled

    def say(self, text: str) -> None:
        if self.enabled:
            print(text, file=self.stream, flush=True)

    @contextmanager
    def stage(self, name: str) -> Iterator[dict[str, str]]:
        """`[i/n] name ...` when it starts, `done in s` (plus a detail) when it ends."""
        self.step += 1
        prefix = f"[{self.step}/{self.total}] {name}"
        self.say(f"{prefix} ...")
        started = time.monotonic()
        detail: dict[str, str] = {}
        try:
            yield detail
        except BaseException:
            self.say(f"{prefix} failed after {time.monotonic() - started:.1f}s")
            raise
        extra = f" ({detail['text']})" if detail.get("text") else ""
        self.say(f"{prefix} done in {time.monotonic() - started:.1f}s{extra}")
