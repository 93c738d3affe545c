"""Glue job bodies: `run(spark, config)`, called by the entry scripts and the local runner."""
