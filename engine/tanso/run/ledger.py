"""Write a run's ledger: the rules' ledger rows into one Parquet file, by DuckDB's own COPY.

Each rule and method (a part) is one `COPY (… ORDER BY …)` at a time: one COPY over the union of
every rule kept the joins, windows and semi-joins of all rules alive until the end (5 GB at 10M rows
of ghgp-current); here each part's query is freed before the next starts, so memory is that of the
largest single part (and DuckDB's sort spills under its memory limit). COPY encodes in parallel on
DuckDB's threads; a pyarrow writer fed by Arrow batches took a third more wall time (issue #13).

Where the rows come from is the backend's business (`Backend.ledger_rows`): DuckDB's own relation, or
the Parquet files Spark's executors wrote. Either way DuckDB sorts and writes them, so the file's
bytes are the same on both backends and on any thread count.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Callable

from tanso import contracts
from tanso.backends import BackendFailure
from tanso.plan.sql import literal

LEDGER_FILE = "ledger.parquet"
LEDGER_ROW_GROUP = 122_880          # rows per Parquet row group (DuckDB's default)
# Rows of one rule and method in input order, every column a tie-breaker: the same bytes on any thread count.
LEDGER_ORDER = ", ".join(["input_row", "gas", "factor_id", *(c for c in contracts.CALC_LEDGER_COLUMNS
                                                            if c not in ("input_row", "gas", "factor_id"))])
# The file as users read it; parts of a many-part ledger are staged uncompressed (written once, read once).
FINAL = f"FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {LEDGER_ROW_GROUP}"
STAGED = f"FORMAT parquet, COMPRESSION uncompressed, ROW_GROUP_SIZE {LEDGER_ROW_GROUP}"


def _write_ledger(con, backend, parts: list[tuple[str, str]], path: Path, staging: Path,
                  progress: Callable[[str, int, int], None] = lambda rule_id, done, total: None) -> None:
    """Write the parts' rows, in part order and LEDGER_ORDER within a part, into `path` (atomically:
    a temporary file beside it, renamed). One part is sorted straight into the file; several are each
    sorted into an uncompressed file under `staging` (a folder that is removed with the run's session),
    then copied in order into the file, which DuckDB's multi-file reader keeps."""
    temporary = path.parent / f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    staged: list[Path] = []
    try:
        for done, (rule_id, relation) in enumerate(parts, 1):
            progress(rule_id, done, len(parts))
            target, options = (temporary, FINAL) if len(parts) == 1 else (staging / f"ledger-part-{done:05d}.parquet", STAGED)
            try:
                with backend.ledger_rows(con, relation) as rows:
                    con.execute(f"COPY (SELECT * FROM {rows} ORDER BY {LEDGER_ORDER}) TO {literal(str(target))} "
                                f"({options})")
            except BackendFailure as error:
                raise BackendFailure(f"rule {rule_id}: {error}") from None
            if target != temporary:
                staged.append(target)
        if staged:
            files = ", ".join(literal(str(p)) for p in staged)
            con.execute(f"COPY (SELECT * FROM read_parquet([{files}])) TO {literal(str(temporary))} ({FINAL})")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
        for part in staged:
            part.unlink(missing_ok=True)
