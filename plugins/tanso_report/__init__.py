"""Built-in reporters: a terminal table and a JSON document of the run's results."""
