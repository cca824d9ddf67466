"""Views of a ledger-only plan (a comparison's scenarios), made when a statement first reads them.

A scenario sums its rules' ledgers; the views of their rejects, claims and exclusions (the engine's and
the calculators' own, e.g. market-based Scope 2's tier rejects) are never read there. Creating a view
costs DuckDB a bind of everything under it (a few ms for a deep plan, thousands of times in a
comparison), so a view here is held until a statement names it and is never made where none does.

This changes no result: DuckDB binds a view's relations by name when it is read, so a view made later
reads what the same view made at once would read. Only a view nothing reads can no longer fail.
"""

from __future__ import annotations

import re
from typing import Callable

_VIEW = re.compile(r"\s*CREATE OR REPLACE VIEW (\w+) AS ", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class LazyViews:
    """Views held back, by name, and the statements that make them when something reads them."""

    def __init__(self, make: Callable[[str], None]) -> None:
        self._make = make                       # runs a held `CREATE OR REPLACE VIEW` statement
        self._held: dict[str, str] = {}         # view name (lower case) → its latest statement

    def hold(self, statement: str) -> bool:
        """Hold a `CREATE OR REPLACE VIEW` statement (True); anything else is not for here (False)."""
        match = _VIEW.match(statement)
        if match is None:
            return False
        self._held[match[1].lower()] = statement
        return True

    def reading(self, sql: str) -> None:
        """Make every held view `sql` names, and the held views those read, before `sql` runs."""
        if not self._held:
            return
        for name in {w[0].lower() for w in _WORD.finditer(sql)} & self._held.keys():
            statement = self._held.pop(name, None)
            if statement is not None:   # popped first: a view is made once
                self.reading(statement[_VIEW.match(statement).end():])
                self._make(statement)

    @property
    def held(self) -> frozenset[str]:
        """The views not made (so far)."""
        return frozenset(self._held)
