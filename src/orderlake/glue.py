"""The edge between a Glue entry script and the library.

`glue_job` gives the script a SparkSession: Glue's (GlueContext + Job init/commit) where the
Glue JVM is present — in AWS and in the Glue 5 container — and the plain session spark-submit
made where it is not. Nothing else differs, so the scripts that run on a laptop are the ones
that deploy.
"""

from __future__ import annotations

import os
import sys
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


def launch_conf(job_name: str) -> SparkConf:
    """The conf the job's SparkContext starts with: what its launcher set, defaults only below.

    spark-submit (and Glue, which launches the script the same way) starts the JVM first and
    hands the Python driver its gateway (PYSPARK_GATEWAY_PORT), with --master and --name already
    in the JVM's properties. A SparkConf made before the gateway is connected is a plain dict
    that loads none of them, and SparkContext copies it over the JVM's: so connect first and
    read the conf from the JVM. Only a script started by plain `python` has no launcher; pyspark
    then starts a JVM itself (with PYSPARK_SUBMIT_ARGS, which still wins), and a local master
    (ORDERLAKE_SPARK_MASTER, as in orderlake.spark) is its default.
    """
    if SparkContext._gateway is None and "PYSPARK_GATEWAY_PORT" not in os.environ:
        defaults = SparkConf(loadDefaults=False)
        defaults.setMaster(os.environ.get("ORDERLAKE_SPARK_MASTER", "local[*]"))
        defaults.setAppName(job_name)
        SparkContext._ensure_initialized(conf=defaults)
    else:
        SparkContext._ensure_initialized()
    conf = SparkConf()  # backed by the JVM now: spark-submit's, Glue's or the defaults above
    # Without --name spark-submit names the app after the script file; the job's name says more.
    if conf.get("spark.app.name", None) in (None, os.path.basename(sys.argv[0])):
        conf.setAppName(job_name)
    return conf


@contextmanager
def glue_job(job_name: str, args: dict[str, str]) -> Iterator[SparkSession]:
    """Yield the job's SparkSession; commit the Glue job when the body succeeds."""
    require_java()
    sc = SparkContext.getOrCreate(launch_conf(job_name))
    # One line in the driver's log (CloudWatch on Glue) says where the job really runs.
    print(f"orderlake: job {job_name} on Spark master {sc.master} (app {sc.appName})", flush=True)
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
