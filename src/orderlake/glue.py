"""The edge between a Glue entry script and the library.

`glue_job` gives the script a SparkSession: Glue's (GlueContext + Job init/commit) where the
Glue JVM is present — in AWS and in the Glue 5 container — and the plain session spark-submit
made where it is not. Nothing else differs, so the scripts that run on a laptop are the ones
that deploy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from pyspark import SparkConf, SparkContext
from pyspark.sql import SparkSession

from orderlake.spark import LOCAL_SQL_CONF, SHARED_CONF, require_java


def has_glue_jvm(sc: SparkContext) -> bool:
    try:
        sc._jvm.java.lang.Class.forName("com.amazonaws.services.glue.GlueContext")
    except Exception:
        return False
    return True


@contextmanager
def glue_job(job_name: str, args: dict[str, str]) -> Iterator[SparkSession]:
    """Yield the job's SparkSession; commit the Glue job when the body succeeds."""
    require_java()
    # SparkConf() holds what spark-submit (or Glue) set; only fill in what nobody set.
    conf = (
        SparkConf()
        .setIfMissing("spark.master", "local[*]")
        .setIfMissing("spark.app.name", job_name)
    )
    sc = SparkContext.getOrCreate(conf)
    spark = SparkSession(sc)
    for key, value in SHARED_CONF.items():
        spark.conf.set(key, value)
    if not has_glue_jvm(sc):
        sc.setLogLevel("ERROR")
        for key, value in LOCAL_SQL_CONF.items():
            spark.conf.set(key, value)
        yield spark
        return
    from awsglue.context import GlueContext
    from awsglue.job import Job

    glue_context = GlueContext(sc)
    job = Job(glue_context)
    job.init(job_name, args)
    yield glue_context.spark_session
    job.commit()
