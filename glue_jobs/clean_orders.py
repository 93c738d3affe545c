"""Glue entry script for clean_orders: arguments in, library job run, Glue job committed."""

import sys

from awsglue.utils import getResolvedOptions

from orderlake.glue import glue_job
from orderlake.jobs.clean_orders import CleanOrdersConfig, run

if __name__ == "__main__":
    args = getResolvedOptions(sys.argv, ["JOB_NAME", *CleanOrdersConfig.arguments()])
    config = CleanOrdersConfig.from_arguments(args)
    with glue_job(args["JOB_NAME"], args) as spark:
        run(spark, config)
