"""Local stand-ins for AWS services: the Glue Data Catalog and Athena (DuckDB), events."""
