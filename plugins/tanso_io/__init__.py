"""Built-in readers: CSV and Parquet files into backend relations."""
