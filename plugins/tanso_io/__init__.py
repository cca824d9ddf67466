"""Built-in readers: CSV, Parquet and Excel files into backend relations."""
