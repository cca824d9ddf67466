"""Write a run's ledger: the rules' ledger rows into one Parquet file, by DuckDB's own COPY.

Two steps. (1) Each rule and method (a part) is staged, one at a time, by the backend as Parquet
files of its rows in no particular order (`Backend.stage_ledger`: DuckDB's parallel COPY, or Spark's
executors); one COPY over the union of every rule's query kept the joins, windows and semi-joins of
all rules alive until the end (5 GB at 10M rows of ghgp-current), while here each part's query is
freed before the next starts. (2) One COPY reads the staged files, sorts them (part, then
LEDGER_ORDER) and writes the ledger; DuckDB encodes it on all its threads and its sort spills under
the session's memory limit. A pyarrow writer fed by Arrow batches took a third more wall time
(issue #13).

The final COPY always reads Parquet files, whichever backend staged them: DuckDB's Parquet writer
encodes a column differently when its input vectors differ (a constant CASE in a DuckDB view against
the same values read from a file), so the ledger's bytes are the same on both backends only because
both reach the writer the same way. The order makes them the same on any thread count.
"""

from __future__ import annotations

import os
import secrets
import shutil
from pathlib import Path
from typing import Callable

from tanso import contracts
from tanso.backends import BackendFailure
from tanso.plan.sql import ident, literal

LEDGER_FILE = "ledger.parquet"
LEDGER_ROW_GROUP = 122_880          # rows per Parquet row group (DuckDB's default)
# Rows of one rule and method in input order, every column a tie-breaker: the same bytes on any thread count.
LEDGER_ORDER = ", ".join(["input_row", "gas", "factor_id", *(c for c in contracts.CALC_LEDGER_COLUMNS
                                                            if c not in ("input_row", "gas", "factor_id"))])
FINAL = f"FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {LEDGER_ROW_GROUP}"


def _write_ledger(con, backend, parts: list[tuple[str, str]], path: Path, staging: Path,
                  progress: Callable[[str, int, int], None] = lambda rule_id, done, total: None) -> None:
    """Write the parts' rows, in part order and LEDGER_ORDER within a part, into `path` (atomically:
    a temporary file beside it, renamed). The backend stages each part in a folder of its own (under
    `staging`, the session's scratch folder, for DuckDB), removed when done or with the session."""
    temporary = path.parent / f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    folders: list[Path] = []
    try:
        sources = []
        for done, (rule_id, relation) in enumerate(parts, 1):
            progress(rule_id, done, len(parts))
            try:
                folders.append(backend.stage_ledger(con, relation, staging))
            except BackendFailure as error:
                raise BackendFailure(f"rule {rule_id}: {error}") from None
            sources.append(_staged(con, relation, folders[-1], done))
        con.execute(f"COPY (SELECT * EXCLUDE (_part) FROM ({' UNION ALL '.join(sources)}) ORDER BY _part, {LEDGER_ORDER}) "
                    f"TO {literal(str(temporary))} ({FINAL})")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)


def _staged(con, relation: str, part: Path, number: int) -> str:
    """The staged rows of one part with the types DuckDB gives its relation (a backend's files may type
    them otherwise, e.g. Spark's); a part without rows may have no file at all. Every column is written
    as OPTIONAL, as the contract's columns are: DuckDB's writer makes a column REQUIRED when its input's
    statistics prove it has no NULL, which a single staged file does and two files do not, so the
    file's schema (and bytes) would depend on how many threads staged it. The CASE hides that proof."""
    source = (f"read_parquet({literal(str(part / '*.parquet'))})" if any(part.glob("*.parquet"))
              else f"(SELECT * FROM {relation} LIMIT 0)")
    columns = ", ".join(f"CAST(CASE WHEN {ident(name)} IS NULL THEN NULL ELSE {ident(name)} END AS {kind}) AS {ident(name)}"
                        for name, kind, *_ in con.execute(f"DESCRIBE SELECT * FROM {relation}").fetchall())
    return f"SELECT {number} AS _part, {columns} FROM {source}"
