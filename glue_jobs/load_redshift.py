"""Glue entry script for load_redshift: arguments in, library job run, Glue job committed."""

import sys

from awsglue.utils import getResolvedOptions

from orderlake.glue import glue_job
from orderlake.jobs.load_redshift import LoadRedshiftConfig, run

if __name__ == "__main__":
    args = getResolvedOptions(sys.argv, ["JOB_NAME", *LoadRedshiftConfig.arguments()])
    config = LoadRedshiftConfig.from_arguments(args)
    with glue_job(args["JOB_NAME"], args) as spark:
        run(spark, config)
