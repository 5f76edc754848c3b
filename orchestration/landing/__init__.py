"""The landing zone: typed Parquet files, one per (source, stream, local day)."""
