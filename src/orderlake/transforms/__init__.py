"""Pure transforms: DataFrame in, DataFrame out; no reads, writes, collects or counts."""
