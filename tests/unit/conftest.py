"""Fixtures shared by the unit tests that check documentation and CI files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def make_targets() -> set[str]:
    """The Makefile's targets (a documented or CI `make x` must name one of them)."""
    text = (ROOT / "Makefile").read_text()
    return set(re.findall(r"^([A-Za-z][\w-]*):(?!=)", text, flags=re.MULTILINE))
