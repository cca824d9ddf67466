"""How much memory a comparison's DuckDB databases may hold.

A comparison keeps its scenarios' plan-time tables while a later scenario may reuse them (run/reuse.py),
and where the revision redeclares an input the base runs in a database of its own that stays open to
the end. Bounded, DuckDB spills what is above the limit to the system's temporary folder, in-memory
tables too (benchmarks/README.md, "compare's peak memory").
"""

from __future__ import annotations

import logging

import duckdb

from tanso.run.execute import EVALUATE_MEMORY_LIMIT
from tanso.run.session import Session

log = logging.getLogger(__name__)

# DuckDB's memory limit for a comparison given none: evaluate's.
COMPARE_MEMORY_LIMIT = EVALUATE_MEMORY_LIMIT
# What a finished run's own database keeps in memory: it is later read only for its ledger's rows.
FINISHED_MEMORY_LIMIT = "64MB"


def finished(session: Session) -> None:
    """Let a finished run's database keep FINISHED_MEMORY_LIMIT in memory, the rest of its tables spilled,
    so two databases do not each hold a whole limit through the scenarios. Where DuckDB cannot free that
    much (a block still pinned) it keeps its limit: this bounds memory and changes no result."""
    try:
        session.con.execute("SET memory_limit = ?", [FINISHED_MEMORY_LIMIT])
    except duckdb.OutOfMemoryException as error:
        log.debug("the finished run's database keeps its memory limit: %s", error)
