"""Glue entry script for aggregate_products: arguments in, library job run, Glue job committed."""

import sys

from awsglue.utils import getResolvedOptions

from orderlake.glue import glue_job
from orderlake.jobs.aggregate_products import AggregateProductsConfig, run

if __name__ == "__main__":
    args = getResolvedOptions(sys.argv, ["JOB_NAME", *AggregateProductsConfig.arguments()])
    config = AggregateProductsConfig.from_arguments(args)
    with glue_job(args["JOB_NAME"], args) as spark:
        run(spark, config)
