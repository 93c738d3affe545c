"""The infrastructure CI cycle: scripts/infra_test.sh against moto in server mode.

fmt -check, validate, apply, a re-plan that must be empty, the policy lint, boto3 checks of the
deployed resources against pipeline.yaml and the event/query files, each component's calls with
its own role while moto enforces IAM, every switch combination (one path per day, a clean
re-plan), settings refused at plan time, destroy. About seven to nine minutes.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform not on PATH")
def test_apply_replan_destroy_on_moto():
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "infra_test.sh")],
        cwd=ROOT, capture_output=True, text=True, timeout=1500,
    )  # fmt: skip
    report = done.stdout[-6000:] + done.stderr[-3000:]
    assert done.returncode == 0, report
    assert "no changes" in done.stdout, report
    assert " 0 failed" in done.stdout, report
    assert "IAM enforced:" in done.stdout and "policies linted" in done.stdout, report
    assert done.stdout.count("paths starting clean_orders: upload") == 2, report
    assert done.stdout.count("refused at plan time") == 2, report
    assert "Destroy complete!" in done.stdout, report
