"""A local day whose blocking rules fail: clean_orders' own dq_results rows become Glue Data
Quality's results events on the local bus, and on-call gets the data quality email (then the
job's FAILED email) from the same notifier code as in AWS."""

from __future__ import annotations

import email
import json
from email import policy
from pathlib import Path
from typing import Any

from orderlake import cli

DAY = "2026-11-21"


def test_a_failed_blocking_ruleset_mails_on_call_locally(
    spark: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    monkeypatch.setenv("ORDERLAKE_ONCALL_EMAILS", "oncall@example.com")
    monkeypatch.delenv("ORDERLAKE_SMTP_HOST", raising=False)
    lake = tmp_path / "lake"
    raw = lake / "raw" / "orders" / f"dt={DAY}"
    raw.mkdir(parents=True)
    # Every line rejected (no header): no row is curated and RowCount > 0 fails.
    (raw / "orders-bad.csv").write_text("bogus,header\n1,2\n")

    assert cli.main(["run", "--date", DAY, "--no-generate", "--lake", str(lake)]) == 2

    trace = [json.loads(line) for line in (lake / "events" / "bus.jsonl").open()]
    seen = [
        (t["event"]["detail-type"], t["event"]["detail"].get("rulesetNames"), t["rules"])
        for t in trace
    ]
    assert seen == [
        ("Data Quality Evaluation Results Available", ["orders"], ["dq_failures"]),
        ("Data Quality Evaluation Results Available", ["orders_warnings"], ["dq_failures"]),
        ("Glue Job State Change", None, ["job_failures"]),
    ]
    run_id = trace[-1]["event"]["detail"]["jobRunId"]
    assert trace[0]["event"]["detail"]["context"]["jobId"] == run_id
    result_id = trace[0]["event"]["detail"]["resultId"]
    assert (lake / "events" / "quality_results" / f"{result_id}.json").is_file()

    mails = [
        email.message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted((lake / "outbox").glob("*.eml"))
    ]
    subjects = [m["Subject"] for m in mails]
    assert len(mails) == 2, subjects  # the warning ruleset's failure is not mailed
    quality, job = mails
    assert quality["Subject"].startswith(f"[orderlake] data quality FAILED for {DAY}: orders (")
    assert job["Subject"].startswith(f"[orderlake] orderlake-clean_orders FAILED for {DAY}")
    body = quality.get_content().replace("\r\n", "\n")
    for text in (
        "Ruleset:   orders (blocking, quality/orders.dqdl)",
        f"Run id:    {run_id}",
        f"Run date:  {DAY}\n",
        f"Result id: {result_id}",
        "  Rule_1: RowCount > 0\n    FAIL: Value: 0 does not meet the constraint requirement!\n"
        "    measured: Dataset.*.RowCount=0\n",
    ):
        assert text in body, text
