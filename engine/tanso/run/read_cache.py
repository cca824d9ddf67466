"""Small files read once per process, kept by what determines their rows.

A ruleset's YAML tests evaluate it many times in one process, each case in a fresh session (its own
DuckDB connection) on mostly the same files: the test factor files, and a header-only file for every
input the case does not give. Reading, checking and typing a file costs 10–20 statements; restoring
its rows from Arrow costs one. A key names everything the rows depend on (the reader, the file's
sha256, the reader's options, the SQL that types them), never the file's path, which the callers
put into messages themselves. Only relations of at most SMALL_ROWS rows are kept, so memory stays
bounded and a large evaluate reads its files exactly as before.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Hashable

import pyarrow as pa

from tanso.plan.sql import ident

SMALL_ROWS = 10_000
SMALL_BYTES = 8 << 20     # files hashed up front only below this (their parts are hashed as they are read)
ENTRIES = 512


@dataclass(frozen=True)
class _Rows:
    table: pa.Table
    types: tuple[tuple[str, str], ...]   # (column, DuckDB type) as the relation had them
    value: Any                          # what the caller derived from the rows (counts, columns, …)


class ReadCache:
    """Least-recently-used entries: plain values, or a relation's rows with a value."""

    def __init__(self) -> None:
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()

    def recall(self, key: Hashable) -> Any | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def remember(self, key: Hashable, value: Any) -> None:
        self._entries[key] = value
        self._entries.move_to_end(key)
        while len(self._entries) > ENTRIES:
            self._entries.popitem(last=False)

    def keep(self, con, key: Hashable, relation: str, rows: int, value: Any) -> None:
        """Keep `relation`'s rows (in their order) under `key`, if it is small."""
        if rows > SMALL_ROWS:
            return
        types = tuple((name, kind) for name, kind, *_ in con.execute(f"DESCRIBE {relation}").fetchall())
        self.remember(key, _Rows(con.sql(f"SELECT * FROM {relation}").to_arrow_table(), types, value))

    def restore(self, con, key: Hashable, relation: str) -> Any | None:
        """Create the temp table `relation` from the rows kept under `key` (each column cast back to
        its DuckDB type) and return their value; None when nothing is kept."""
        entry = self.recall(key)
        if not isinstance(entry, _Rows):
            return None
        staging = f"{relation}__kept"
        # Registering needs no unfinished result on the connection (a caller may have fetched one row).
        con.execute("SELECT 1").fetchall()
        con.register(staging, entry.table)
        try:
            casts = ", ".join(f"CAST({ident(name)} AS {kind}) AS {ident(name)}" for name, kind in entry.types)
            con.execute(f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT {casts} FROM {staging}")
        finally:
            con.unregister(staging)
        return entry.value


READS = ReadCache()   # one per process: sessions come and go, files do not change under the same sha256
