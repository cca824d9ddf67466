"""Built-in functions for `metric` and `check` expressions."""
