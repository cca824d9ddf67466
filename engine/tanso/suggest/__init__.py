"""Factor suggestions for an input column's free text (`tanso suggest`): rank the factors a ruleset
can use for each distinct item, with a score and the reason, for a person to confirm.

`normalise` folds spellings, `vocabulary` reads the plugins' synonyms, `catalogue` lists the factors
as candidates, `matcher` ranks them, `mapping` keeps the review table and the confirmed lookup table.
The engine knows no factor or category here: the words come from the plugins' vocabularies.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from tanso.diagnostics import InputError
from tanso.plan.sql import ident
from tanso.plan.units import unit_problem
from tanso.run.inputs import load_input
from tanso.suggest import catalogue, vocabulary
from tanso.suggest.matcher import Matcher
from tanso.suggest.normalise import unit_in_text, unit_of


@dataclass(frozen=True)
class Item:
    """One distinct value of the column (and unit) in the input: how many rows, and their quantity."""

    text: str
    unit: str | None
    rows: int
    quantity: str


def load_matcher(ruleset, registry, data_dir: Path, con=None, sets: tuple[str, ...] = ()) -> tuple[Matcher, list[str]]:
    """A matcher over every factor the ruleset can use (or those of `sets`); and the factor files that could
    not be read, with why."""
    con = con or duckdb.connect()
    match = catalogue.rule_match_columns(ruleset)
    files = catalogue.factor_files(ruleset, registry, data_dir)
    unknown = sorted(set(sets) - {name for name, *_ in files})
    if unknown:
        raise InputError(f"no factor set {', '.join(unknown)} (the ruleset's and the shipped ones: "
                         f"{', '.join(name for name, *_ in files)})")
    found, skipped = [], []
    for name, title, path, provenance, sheet in [f for f in files if not sets or f[0] in sets]:
        try:
            found += catalogue.candidates(con, registry, name, title, path, provenance, match.get(name), sheet)
        except InputError as error:
            skipped.append(f"{name}: {error}")
    words = vocabulary.load([v.path for v in registry.vocabularies.values()])
    return Matcher(found, words), skipped


def distinct_items(con, registry, ruleset, data_dir: Path, table: str, column: str, unit_column: str | None = None,
                   unit: str | None = None, quantity: str | None = None) -> list[Item]:
    """The distinct (text, unit) of `table`.`column` with their rows, read and typed as a run reads the
    input; grouped by DuckDB, not in Python. The unit: `unit_column`'s, else `unit`, else one written in
    the text ("軽油 200L")."""
    declared = ruleset.inputs.get(table)
    if declared is None:
        raise InputError(f"the ruleset has no input '{table}' (its inputs: {', '.join(sorted(ruleset.inputs))})")
    columns = {c.name: c.type_name for c in declared.columns} | ({declared.key: "text"} if declared.key else {})
    for name in filter(None, (column, unit_column, quantity)):
        if name not in columns:
            raise InputError(f"input '{table}' has no column '{name}' (its columns: {', '.join(sorted(columns))})")
    if columns[column] != "text":
        raise InputError(f"column '{column}' of input '{table}' is {columns[column]}; suggestions are made for a text "
                         f"column (an item name, a description), the key of the lookup table the rules read")
    if unit is not None and unit_problem(unit_of(unit)):
        raise InputError(f"--unit '{unit}': {unit_problem(unit_of(unit))}")
    loaded = load_input(con, registry, declared, data_dir)
    unit_sql = f"CAST({ident(unit_column)} AS VARCHAR)" if unit_column else "NULL"
    amount = f"CAST(sum({ident(quantity)}) AS VARCHAR)" if quantity else "''"
    rows = con.execute(f"SELECT CAST({ident(column)} AS VARCHAR) AS text, {unit_sql} AS unit, count(*), {amount} "
                       f"FROM {loaded.relation} WHERE {ident(column)} IS NOT NULL AND trim(CAST({ident(column)} AS "
                       f"VARCHAR)) <> '' GROUP BY ALL ORDER BY ALL").fetchall()
    return [Item(text, unit_of(written) or unit_of(unit) or unit_in_text(text), count, total or "")
            for text, written, count, total in rows]
