"""orderlake: a batch analytics lake for e-commerce orders on AWS Glue + Athena."""

__version__ = "0.1.0"
