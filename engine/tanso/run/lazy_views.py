"""Views of a ledger-only plan (a comparison's scenarios), never made in DuckDB unless needed.

A scenario sums its rules' ledgers. Creating a view costs DuckDB a bind of everything under it (a few ms
for a deep plan, thousands of times in a comparison, then bound again by the query that reads it), and
the views of the rejects, claims and exclusions (the engine's and the calculators' own, e.g. market-based
Scope 2's tier rejects) are never read there at all. So a view is held here: a query or table that reads
held views gets them as its own common table expressions (`AS NOT MATERIALIZED`: inlined where read, as a
view is), and any other statement that names one gets it made first, with the held views it reads.

This changes no result: DuckDB binds a view's relations by name when it is read, and a query's CTE of the
same name shadows the relation, so each statement reads each view's latest definition, as it would with
the views made at once. Only a view nothing reads can no longer fail.
"""

from __future__ import annotations

import re
from typing import Callable

from tanso.plan.sql import SQL_WORD

_VIEW = re.compile(r"\s*CREATE OR REPLACE VIEW (\w+) AS ", re.IGNORECASE)
_TABLE = re.compile(r"\s*CREATE OR REPLACE TABLE (\w+) AS ", re.IGNORECASE)
_QUERY = re.compile(r"\s*(SELECT|WITH)\b", re.IGNORECASE)
_WITH = re.compile(r"\s*WITH(\s+RECURSIVE)?\s", re.IGNORECASE)
_DROP = re.compile(r"\s*DROP\b", re.IGNORECASE)


class LazyViews:
    """Views held back, by name; the statements to run in their place."""

    def __init__(self, make: Callable[[str], None]) -> None:
        self._make = make                       # runs a `CREATE OR REPLACE VIEW` statement
        self._held: dict[str, str] = {}         # view name (lower case) → its latest SQL
        self._words: dict[str, frozenset[str]] = {}   # view name → the names its SQL holds (lower case)
        self._tables: set[str] = set()          # tables defined here: a view replacing one is made at once

    def hold(self, statement: str) -> tuple[str, str] | None:
        """Hold a `CREATE OR REPLACE VIEW` statement: its (name, SQL); None where it is to run now."""
        match = _VIEW.match(statement)
        if match is None or match[1].lower() in self._tables:
            return None
        name, sql = match[1].lower(), statement[match.end():]
        self._held[name], self._words[name] = sql, _words(sql)
        return name, sql

    def runnable(self, statement: str) -> str:
        """What to run for `statement`: a query or a table's query with the held views it reads as CTEs;
        a view with the held views it reads made first; anything else after the held views it names."""
        view, table = _VIEW.match(statement), _TABLE.match(statement)
        if view is not None:
            self.reading(statement[view.end():])
            self._held.pop(view[1].lower(), None)
            return statement
        if table is not None:
            body = self._with_held(statement[table.end():])
            self._held.pop(table[1].lower(), None)
            self._tables.add(table[1].lower())
            return statement[:table.end()] + body
        if _QUERY.match(statement) is not None:
            return self._with_held(statement)
        if _DROP.match(statement) is None:
            self.reading(statement)
        return statement

    def reading(self, sql: str) -> None:
        """Make every held view `sql` names, and the held views those read."""
        for name in self._named(sql):
            body = self._held.pop(name, None)
            if body is not None:   # popped first: a view is made once
                self.reading(body)
                self._make(f"CREATE OR REPLACE VIEW {name} AS {body}")

    def _with_held(self, sql: str) -> str:
        order: list[str] = []
        for name in sorted(self._named(sql)):
            self._after_its_reads(name, order, frozenset())
        if not order:
            return sql
        ctes = ", ".join(f"{name} AS NOT MATERIALIZED ({self._held[name]})" for name in order)
        merged = _WITH.match(sql)
        if merged is None:
            return f"WITH {ctes} {sql}"
        return f"{sql[:merged.end()]}{ctes}, {sql[merged.end():]}"

    def _after_its_reads(self, name: str, order: list[str], within: frozenset[str]) -> None:
        """Place a held view in `order` after the held views it reads (a CTE reads only earlier ones)."""
        if name in order or name in within:
            return
        for other in sorted(self._words[name] & self._held.keys()):
            self._after_its_reads(other, order, within | {name})
        order.append(name)

    def _named(self, sql: str) -> set[str]:
        return _words(sql) & self._held.keys() if self._held else set()

    @property
    def held(self) -> frozenset[str]:
        """The views not made (so far)."""
        return frozenset(self._held)


def _words(sql: str) -> frozenset[str]:
    return frozenset(w[0].lower() for w in SQL_WORD.finditer(sql))
