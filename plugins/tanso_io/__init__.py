"""Built-in readers: CSV, Parquet, Excel and PACT files into backend relations."""
