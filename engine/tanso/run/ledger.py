"""Write a run's ledger: the rules' ledger rows streamed into one Parquet file, a query at a time."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Callable, Iterator

from tanso import contracts
from tanso.backends import BackendFailure

LEDGER_FILE = "ledger.parquet"
LEDGER_ROW_GROUP = 122_880          # rows per Parquet row group, as DuckDB's own COPY writes them
LEDGER_BATCH = 16_384               # rows per Arrow batch taken from DuckDB while writing (bounds memory)
LEDGER_ZSTD_LEVEL = 3               # DuckDB's default zstd level
# Rows of one rule and method in input order, every column a tie-breaker: the same bytes on any thread count.
LEDGER_KEY = ("input_row", "gas", "factor_id")
LEDGER_ORDER = ", ".join([*LEDGER_KEY, *(c for c in contracts.CALC_LEDGER_COLUMNS if c not in LEDGER_KEY)])


def _write_ledger(con, backend, parts: list[tuple[str, str]], path: Path,
                  progress: Callable[[str, int, int], None] = lambda rule_id, done, total: None,
                  constants: dict[str, dict] | None = None) -> None:
    """Write the rules' ledgers into one Parquet file, one query per rule and method at a time.

    One COPY over the union of every rule kept the joins, windows and semi-joins of all rules in
    memory until the end (5 GB at 10M rows of ghgp-current). Each query here is freed before the
    next starts, so memory is that of the largest single method. Rows come in rule order, and within a
    rule and method in LEDGER_ORDER (input row first), so the bytes are the same on any thread count.
    Where the rows come from is the backend's (`Backend.ledger_rows`: DuckDB's relation, or the Parquet
    files Spark's executors wrote); DuckDB sorts them and this one writer writes them, from Arrow values
    (not DuckDB's vectors, whose representation changes its Parquet writer's output), so the bytes are
    the same on both backends. The file is laid out as DuckDB's COPY writes it (full row groups, zstd,
    decimals up to 18 digits as integers) and written atomically (a temporary file, renamed). DuckDB's
    own COPY, sorted, measured no less CPU than this writer (benchmarks/README.md). `constants`: a part's
    columns of one value (its rule's lineage), left out of the sort and added to each sorted batch."""
    import pyarrow as pa

    temporary = path.parent / f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    writer, pending, pending_rows = None, [], 0
    schema = None   # the first part's, which every part has (the writer refuses another)
    try:
        for done, (rule_id, relation) in enumerate(parts, 1):
            progress(rule_id, done, len(parts))
            try:
                with backend.ledger_rows(con, relation) as rows:
                    fixed = (constants or {}).get(relation, {})
                    reader = _with_constants(con, rows, fixed, schema) if fixed else _sorted_batches(con, rows)
                    schema = next(reader)
                    if writer is None:
                        writer = ledger_writer(temporary, schema)
                    for batch in reader:
                        pending.append(batch)
                        pending_rows += batch.num_rows
                        if pending_rows >= LEDGER_ROW_GROUP:
                            table = pa.Table.from_batches(pending)
                            full = pending_rows - pending_rows % LEDGER_ROW_GROUP
                            # One chunk per column: where pyarrow gives up a column's dictionary (over 1 MB, e.g.
                            # 100k factor ids) depends on the chunks it is handed, and DuckDB's batches differ
                            # with the thread count.
                            writer.write_table(table.slice(0, full).combine_chunks(), row_group_size=LEDGER_ROW_GROUP)
                            pending, pending_rows = table.slice(full).to_batches(), pending_rows - full
            except BackendFailure as error:
                raise BackendFailure(f"rule {rule_id}: {error}") from None
        if pending_rows:
            writer.write_table(pa.Table.from_batches(pending).combine_chunks())
        if writer is not None:
            writer.close()
            writer = None
            os.replace(temporary, path)
    finally:
        if writer is not None:
            writer.close()
        temporary.unlink(missing_ok=True)


def ledger_writer(path: Path, schema):
    """A Parquet writer of the ledger's layout: zstd at DuckDB's level, decimals as integers, the repetitive text
    columns dictionary-encoded (row ids are all distinct)."""
    import pyarrow as pa
    import pyarrow.parquet as pq
    texts = [f.name for f in schema if f.name != "row_id" and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))]
    return pq.ParquetWriter(path, schema, compression="zstd", compression_level=LEDGER_ZSTD_LEVEL, use_dictionary=texts,
                            store_decimal_as_integer=True)


def _with_constants(con, rows: str, fixed: dict, schema=None) -> Iterator:
    """`_sorted_batches` of `rows` with the columns of one value (`fixed`) added after the sort instead of
    carried through it (2M ledger rows: 11 such columns cost 1.1 s CPU in the sort). The same schema,
    rows and values, so the same bytes. `schema`: the ledger's, where an earlier part gave it (asking
    DuckDB for it binds the part's whole plan: ~10 ms of CPU a part, 15 % of a small evaluate)."""
    import pyarrow as pa
    if schema is None:
        schema = con.sql(f"SELECT * FROM {rows} LIMIT 0").to_arrow_table().schema
    kept = ', '.join(f'"{name}"' for name in schema.names if name not in fixed)
    sorted_rows = _sorted_batches(con, f"(SELECT {kept} FROM {rows})")
    next(sorted_rows)
    yield schema
    for batch in sorted_rows:
        yield pa.RecordBatch.from_arrays(
            [pa.repeat(pa.scalar(fixed[f.name], f.type), batch.num_rows) if f.name in fixed else batch.column(f.name)
             for f in schema], schema=schema)


def _sorted_batches(con, rows: str) -> Iterator:
    """The schema, then the Arrow batches of `rows` in LEDGER_ORDER, sorted on LEDGER_KEY alone where that is a key.

    Sorting on the three key columns costs about half the CPU of sorting on every column (2M ledger rows:
    1.6 s less). Every column orders only rows whose key is equal, so as long as no two adjacent rows of
    the key-sorted stream have the same key, it is the LEDGER_ORDER stream. That is checked on each batch
    before the previous one is passed on; at the first equal pair the query is run again in LEDGER_ORDER
    and the rows already passed on (each with a key of its own, so in the same places in both orders)
    are skipped. A part that runs out of memory while read is made a table (`_Part`) and read again the
    same way, from the rows not yet passed on."""
    import duckdb
    part = _Part(con, rows)
    try:
        order = ", ".join(LEDGER_KEY)
        reader = part.sorted(order)
        yield reader.schema
        passed = 0
        while True:
            held = None
            try:
                for batch in _after(reader, passed):
                    if order != LEDGER_ORDER and (_has_equal_keys(batch) or (
                            held is not None and _has_equal_keys(_edge(held, batch)))):
                        order = LEDGER_ORDER
                        break
                    if held is not None:
                        yield held
                        passed += held.num_rows
                    held = batch
                else:
                    if held is not None:
                        yield held
                    return
                reader.close()
                con.complete()
            except duckdb.OutOfMemoryException as error:
                part.spill(error)
            reader = part.sorted(order)
    finally:
        part.drop()


class _Part:
    """A ledger part's rows, sorted for the writer. Its plan, run inside the sort's pipeline, can need more
    memory than DuckDB's limit lets it spill (s2.market's certificate allocation, 10M rows of ghgp-current
    under 512MB: `could not allocate block`, as the reader starts or while it is read): the part is then made
    a table first, which spills, and that is sorted. The same rows in the same order, so the same bytes."""

    def __init__(self, con, rows: str):
        self.con, self.rows, self.table = con, rows, None

    def sorted(self, order: str):
        """A reader of the part's rows sorted by `order`; made a table first if the sort runs out of memory."""
        import duckdb
        try:
            return self._reader(order)
        except duckdb.OutOfMemoryException as error:
            self.spill(error)
        return self._reader(order)

    def spill(self, error: Exception) -> None:
        """Make the part a table, after `error` (out of memory); raised again if it is one already."""
        if self.table:
            raise error
        self.table = f"ledger_part_{secrets.token_hex(4)}"
        self.con.execute(f"CREATE TEMP TABLE {self.table} AS SELECT * FROM {self.rows}")

    def drop(self) -> None:
        if self.table:
            self.con.execute(f"DROP TABLE IF EXISTS {self.table}")

    def _reader(self, order: str):
        return self.con.sql(f"SELECT * FROM {self.table or self.rows} ORDER BY {order}").to_arrow_reader(LEDGER_BATCH)


def _after(reader, skipped: int) -> Iterator:
    """The reader's batches without their first `skipped` rows. DuckDB's out-of-memory error, which Arrow's
    reader raises as an OSError, is raised as DuckDB's own (the CLI tells it from a full disk)."""
    import duckdb
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except OSError as error:
            if str(error).startswith("Out of Memory Error"):
                raise duckdb.OutOfMemoryException(str(error)) from None
            raise
        if skipped < batch.num_rows:
            yield batch.slice(skipped)
        skipped = max(skipped - batch.num_rows, 0)


def _edge(before, after):
    """The last row of one batch and the first of the next, as one batch."""
    import pyarrow as pa
    return pa.Table.from_batches([before.slice(before.num_rows - 1), after.slice(0, 1)]).combine_chunks().to_batches()[0]


def _has_equal_keys(batch) -> bool:
    """Whether two adjacent rows of `batch` have the same LEDGER_KEY (NULL equal to NULL)."""
    import pyarrow.compute as pc
    if batch.num_rows < 2:
        return False
    equal = None
    for name in LEDGER_KEY:
        column = batch.column(name)
        before, after = column.slice(0, len(column) - 1), column.slice(1)
        same = pc.or_(pc.fill_null(pc.equal(before, after), False), pc.and_(pc.is_null(before), pc.is_null(after)))
        equal = same if equal is None else pc.and_(equal, same)
    return pc.any(equal).as_py()
