"""The optional warehouse load: analytics Parquet of a day into Redshift (PostgreSQL locally).

One `LoadPlan` (staging table, load, delete the date, insert, drop staging — one transaction)
is rendered for both targets; only the step that fills the staging table differs: Redshift
`COPY ... FORMAT AS PARQUET` from S3, PostgreSQL `COPY ... FROM STDIN` fed by pyarrow.
"""
