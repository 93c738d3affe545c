"""The Glue jobs by name: their config class and body, and configs built from a lake.

A config field named `<table>_path` is the location of that table (pipeline.yaml `tables`),
so the same definition gives the local runner its folders and Terraform its S3 prefixes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pyspark.sql import SparkSession

from orderlake.errors import OrderlakeError
from orderlake.jobs import aggregate_customers, aggregate_products, clean_orders, load_redshift
from orderlake.jobs.config import JobConfig
from orderlake.lake import Lake
from orderlake.quality.rulesets import ruleset_arguments

PATH_SUFFIX = "_path"


@dataclass(frozen=True)
class JobSpec:
    name: str
    config_class: type[JobConfig]
    run: Callable[[SparkSession, Any], Any]


JOBS: dict[str, JobSpec] = {
    "clean_orders": JobSpec("clean_orders", clean_orders.CleanOrdersConfig, clean_orders.run),
    "aggregate_products": JobSpec(
        "aggregate_products", aggregate_products.AggregateProductsConfig, aggregate_products.run
    ),
    "aggregate_customers": JobSpec(
        "aggregate_customers",
        aggregate_customers.AggregateCustomersConfig,
        aggregate_customers.run,
    ),
    "load_redshift": JobSpec("load_redshift", load_redshift.LoadRedshiftConfig, load_redshift.run),
}


def job_spec(name: str) -> JobSpec:
    try:
        return JOBS[name]
    except KeyError:
        raise OrderlakeError(f"unknown job {name!r}; known jobs: {', '.join(JOBS)}") from None


def config_for(name: str, lake: Lake, run_date: dt.date, **extra: str) -> JobConfig:
    """The job's config for a date, with every `<table>_path` taken from the lake."""
    values: dict[str, Any] = {}
    rulesets = ruleset_arguments(name, lake.definition)
    for field in dataclasses.fields(job_spec(name).config_class):  # type: ignore[arg-type]
        if field.name == "run_date":
            values[field.name] = run_date
        elif field.name.endswith(PATH_SUFFIX):
            values[field.name] = lake.table(field.name.removesuffix(PATH_SUFFIX))
        elif field.name in extra:
            values[field.name] = extra[field.name]
        elif field.name in rulesets:  # pipeline.yaml `quality:` names the job's DQDL files
            values[field.name] = rulesets[field.name]
        else:
            raise OrderlakeError(f"job {name}: no value for argument --{field.name}")
    return job_spec(name).config_class(**values)
