"""Compile rules into relational plans: SQL in the DuckDB dialect, built from the resolved ruleset
and the calculators' `CalcPlan`s; `tanso.backends` renders and runs it."""
