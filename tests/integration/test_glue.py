"""orderlake.glue.glue_job: the session keeps the master and app name its launcher gave it.

Each test starts a JVM of its own (about 10 s): a tiny script that only opens the job's session.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"

PROBE = """
from orderlake.glue import glue_job

with glue_job("probe_job", {}) as spark:
    print(f"MASTER={spark.sparkContext.master} APP={spark.sparkContext.appName}")
"""


def run_probe(tmp_path: Path, launcher: list[str], **env: str) -> list[str]:
    script = tmp_path / "probe.py"
    script.write_text(PROBE)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PYSPARK_")}
    result = subprocess.run(
        [*launcher, str(script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**clean, "PATH": f"{BIN}:{os.environ['PATH']}", **env},
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.splitlines()


def test_spark_submit_master_and_name_win_over_the_local_default(tmp_path):
    # ORDERLAKE_SPARK_MASTER is for launches without a launcher; spark-submit's --master wins.
    lines = run_probe(
        tmp_path,
        [str(BIN / "spark-submit"), "--master", "local[1]", "--name", "given-name"],
        ORDERLAKE_SPARK_MASTER="local[2]",
    )
    assert "MASTER=local[1] APP=given-name" in lines
    assert "orderlake: job probe_job on Spark master local[1] (app given-name)" in lines


def test_plain_python_defaults_to_local_and_the_job_name(tmp_path):
    lines = run_probe(tmp_path, [sys.executable], ORDERLAKE_SPARK_MASTER="local[2]")
    assert "MASTER=local[2] APP=probe_job" in lines
