"""Data quality: DQDL rulesets (AWS Glue Data Quality syntax) evaluated locally or on Glue,
and the row accounting that proves no raw row was lost."""
