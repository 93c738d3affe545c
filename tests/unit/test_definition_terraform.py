"""The local runner and Terraform read the same pipeline.yaml.

Terraform's side is infra/modules/definition, the module every other module gets jobs, graph,
schedule and crawlers from; it has no provider, so `terraform console` evaluates it in about a
second without init or AWS.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from orderlake.definition import load_definition
from orderlake.jobs.registry import JOBS, PATH_SUFFIX

ROOT = Path(__file__).resolve().parents[2]
MODULE = ROOT / "infra" / "modules" / "definition"
# Arguments Terraform adds outside pipeline.yaml, from the Redshift module (enable_redshift).
REDSHIFT_ARGUMENTS = {"redshift_workgroup", "redshift_database", "redshift_iam_role_arn"}

pytestmark = pytest.mark.skipif(shutil.which("terraform") is None, reason="terraform not on PATH")


def terraform_definition(pipeline_file: Path, optional_jobs: list[str] | None = None) -> dict:
    expression = "jsonencode({jobs = local.jobs, workflow = local.raw.workflow})"
    done = subprocess.run(
        ["terraform", "console", f"-var=pipeline_file={pipeline_file}",
         f"-var=optional_jobs={json.dumps(optional_jobs or [])}"],
        cwd=MODULE, input=expression, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    # The console prints the JSON as an HCL string literal, whose escapes are JSON's.
    return json.loads(json.loads(done.stdout.strip().splitlines()[-1]))


def test_renaming_a_job_renames_it_for_the_runner_and_for_terraform(tmp_path):
    text = (ROOT / "pipeline.yaml").read_text()
    renamed = tmp_path / "pipeline.yaml"
    renamed.write_text(re.sub(r"\bclean_orders\b(?!\.py)", "scrub_orders", text))

    before_runner = load_definition(ROOT / "pipeline.yaml").job_order()
    after_runner = load_definition(renamed).job_order()
    before_tf = terraform_definition(ROOT / "pipeline.yaml")["jobs"]
    after_tf = terraform_definition(renamed)["jobs"]

    assert "clean_orders" in before_runner and "clean_orders" in before_tf
    assert "scrub_orders" in after_runner and "clean_orders" not in after_runner
    assert "scrub_orders" in after_tf and "clean_orders" not in after_tf
    # The graph follows too: the aggregates now wait for the renamed job on both sides.
    assert after_tf["aggregate_products"]["after"] == ["scrub_orders"]
    assert load_definition(renamed).jobs["aggregate_products"].after == ("scrub_orders",)
    # And both sides deploy/run the same set of jobs, with the same predecessors.
    for runner_order, tf_jobs in ((before_runner, before_tf), (after_runner, after_tf)):
        assert sorted(runner_order) == sorted(tf_jobs)


def test_terraform_follows_the_graph_and_schedule_of_the_runner():
    definition = load_definition(ROOT / "pipeline.yaml")
    tf = terraform_definition(ROOT / "pipeline.yaml")
    order = definition.job_order()
    assert tf["workflow"] == definition.workflow
    for name, job in tf["jobs"].items():
        assert all(order.index(dep) < order.index(name) for dep in job["after"])
        assert job["script"] == definition.jobs[name].script
        assert job["worker_type"] == definition.jobs[name].worker_type


def test_terraform_passes_every_argument_each_job_config_takes():
    """Each Glue job gets --run_date (from its trigger), one --<table>_path per table it reads or
    writes, one --<kind>_ruleset per DQDL file, and nothing its config would not take."""
    tf_jobs = terraform_definition(ROOT / "pipeline.yaml", ["load_redshift"])["jobs"]
    assert sorted(tf_jobs) == sorted(load_definition(ROOT / "pipeline.yaml").jobs)
    for name, job in tf_jobs.items():
        fields = {f.name for f in dataclasses.fields(JOBS[name].config_class)}
        passed = {"run_date", *(t + PATH_SUFFIX for t in job["tables"]), *job["rulesets"]}
        if name == "load_redshift":
            passed |= REDSHIFT_ARGUMENTS
        assert passed == fields, name


def test_ruleset_files_named_by_the_definition_exist():
    for job in terraform_definition(ROOT / "pipeline.yaml")["jobs"].values():
        for path in job["rulesets"].values():
            assert (ROOT / path).is_file(), path
