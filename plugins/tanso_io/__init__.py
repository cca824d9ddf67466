"""Built-in readers: CSV, Parquet, Excel, JSON and PACT files into backend relations."""
