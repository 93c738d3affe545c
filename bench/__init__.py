"""Benchmark harness: the pipeline's Spark jobs against the same work in DuckDB."""

import json
from pathlib import Path
from typing import Any


def report(figures: dict[str, Any], result: Path | None) -> None:
    """A side's figures as JSON: to the --result file the harness reads, else to stdout."""
    text = json.dumps(figures)
    if result:
        result.write_text(text)
    else:
        print(text)
