"""Each Lambda handler imports without what the Lambda runtime lacks (Spark, DuckDB, CLI tools).

A quick guard for STYLE.md "Imports follow the runtime": the handler is imported in a fresh
interpreter whose import system refuses the project's laptop- and Glue-only packages. The full
check, the built zips run beside only the runtime's packages, is tests/packaging.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = sorted(p.parent.name for p in (ROOT / "lambdas").glob("*/handler.py"))
# In the project's dependencies (pyproject.toml) but in neither the python3.11 runtime, the
# project's layer (Faker, PyYAML) nor the AWS SDK for pandas layer (numpy, pyarrow, pandas).
NOT_IN_LAMBDA = (
    "pyspark py4j awsglue duckdb sqlglot croniter tqdm psycopg psycopg_binary chispa moto "
    "aiosmtpd pytest"
)

PROBE = r"""
import importlib.abc, sys
forbidden = set(sys.argv[2].split())

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in forbidden:
            raise ModuleNotFoundError(f"{name} is not in the Lambda runtime", name=name)
        return None

sys.meta_path.insert(0, Refuse())
sys.path.insert(0, sys.argv[1])
import handler
assert callable(handler.handler)
"""


@pytest.mark.parametrize("name", HANDLERS)
def test_handler_imports_without_non_lambda_packages(name: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(ROOT / "lambdas" / name), NOT_IN_LAMBDA],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, f"lambdas/{name}/handler.py cannot import:\n{done.stderr}"


def test_every_lambda_is_checked() -> None:
    assert {"generate_orders", "archive_raw"} <= set(HANDLERS)
