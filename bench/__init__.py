"""Benchmark harness: the pipeline's Spark jobs against the same work in DuckDB."""
