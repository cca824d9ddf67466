"""The ledger file's rows are in LEDGER_ORDER (input row, gas, factor, then every other column), whatever
order the engine produced them in and however many threads it has: also when rows share an input row,
gas and factor, which the writer sorts on alone only while that is a key."""

from __future__ import annotations

import duckdb
import pyarrow.parquet as pq
import pytest

from tanso import contracts
from tanso.backends.duckdb import DuckDBBackend
from tanso.run.ledger import LEDGER_BATCH, LEDGER_ORDER, _write_ledger

COLUMNS = ["rule_id", *contracts.CALC_LEDGER_COLUMNS]


def ledger_rows(con, name: str, rows: int, ties: tuple[int, int] | None) -> None:
    """`rows` ledger rows in a shuffled order; with `ties` (first, last), the input rows first…last come in
    pairs that have the same input row, gas and factor but differ in amount (one factor split in two, say)."""
    casts = {c: f"CAST({expression} AS {contracts.CALC_LEDGER_COLUMNS[c]})" for c, expression in {
        "row_id": "'R' || n", "input_row": "n", "entity": "'E' || (n % 7)", "period": "'2025'",
        "boundary_weight": "1", "gas": "CASE WHEN n % 3 = 0 THEN NULL ELSE 'CO2' END",
        "amount": "n / 1000 - copy", "co2e_kg": "n / 1000 - copy", "quantity": "n / 1000", "quantity_unit": "'kWh'",
        "factor_id": "'F' || (n % 11)", "factor_set": "'fuels'", "factor_version": "'1'", "gwp": "'AR5 CO2=1'",
        "method": "'fuel-based'", "data_type": "'primary'"}.items()}
    duplicated = "false" if ties is None else f"i BETWEEN {ties[0]} AND {ties[1]}"
    con.execute(f"CREATE TABLE {name} AS SELECT 'r' AS rule_id, {', '.join(f'{e} AS {c}' for c, e in casts.items())} "
                f"FROM (SELECT i AS n, copy FROM range({rows}) r(i), range(2) c(copy) WHERE copy = 0 OR {duplicated}) "
                f"ORDER BY hash(n, copy)")


ROWS = 3 * LEDGER_BATCH


@pytest.mark.parametrize("ties", [None, (0, ROWS), (2 * LEDGER_BATCH + 5, ROWS), (LEDGER_BATCH - 1, LEDGER_BATCH - 1)],
                         ids=["key", "ties-first", "ties-later", "one-pair-across-two-batches"])
def test_the_ledger_file_is_in_ledger_order_and_the_same_on_one_and_two_threads(tmp_path, ties):
    files = []
    for threads in (1, 2):
        con = duckdb.connect(config={"threads": threads})
        ledger_rows(con, "part", ROWS, ties)
        path = tmp_path / f"ledger-{threads}.parquet"
        _write_ledger(con, DuckDBBackend(), [("r", "part")], path)
        expected = con.sql(f"SELECT * FROM part ORDER BY {LEDGER_ORDER}").to_arrow_table()
        assert pq.read_table(path).equals(expected)
        files.append(path.read_bytes())
    assert files[0] == files[1]


def test_the_ledger_bytes_do_not_depend_on_how_the_engine_batches_its_rows(tmp_path, monkeypatch):
    # 130k distinct factor ids: each row group's factor_id dictionary passes pyarrow's 1 MB limit.
    con = duckdb.connect()
    ledger_rows(con, "part", 130_000, None)
    con.execute("CREATE TABLE distinct_factors AS SELECT * REPLACE ('factor-' || lpad(CAST(input_row AS VARCHAR), 12, '0') "
                "AS factor_id) FROM part")
    files = []
    for batch in (LEDGER_BATCH, 999):
        monkeypatch.setattr("tanso.run.ledger.LEDGER_BATCH", batch)
        _write_ledger(con, DuckDBBackend(), [("r", "distinct_factors")], tmp_path / f"{batch}.parquet")
        files.append((tmp_path / f"{batch}.parquet").read_bytes())
    assert files[0] == files[1]


def window_part(con, tmp_path, rows: int) -> None:
    """A part computed by a window over its rows, which DuckDB runs inside the writer's sort: at `rows` rows it
    needs more than DuckDB's memory limit lets it spill (one thread, a few MB)."""
    con.execute(f"SET temp_directory = '{tmp_path / 'spill'}'")
    ledger_rows(con, "base", rows, None)
    con.execute(f"CREATE VIEW part AS SELECT * REPLACE (CAST(row_number() OVER (PARTITION BY input_row % 1000 "
                f"ORDER BY input_row) AS {contracts.CALC_LEDGER_COLUMNS['quantity']}) AS quantity) FROM base")


def staged_tables(con) -> int:
    return con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE 'ledger_part_%'").fetchone()[0]


def test_a_part_that_runs_out_of_memory_in_its_sort_is_written_from_a_table_with_the_same_bytes(tmp_path):
    con = duckdb.connect(config={"threads": 1})
    window_part(con, tmp_path, 200_000)
    _write_ledger(con, DuckDBBackend(), [("r", "part")], tmp_path / "unlimited.parquet")
    con.execute("SET memory_limit = '28MB'")
    with pytest.raises((duckdb.OutOfMemoryException, OSError), match="Out of Memory"):   # the part as it is: no
        for _ in con.sql(f"SELECT * FROM part ORDER BY {LEDGER_ORDER}").to_arrow_reader(LEDGER_BATCH):
            pass
    _write_ledger(con, DuckDBBackend(), [("r", "part")], tmp_path / "limited.parquet")
    assert (tmp_path / "limited.parquet").read_bytes() == (tmp_path / "unlimited.parquet").read_bytes()
    assert staged_tables(con) == 0


def test_a_part_that_runs_out_of_memory_as_a_table_too_fails_with_duckdbs_error_and_writes_nothing(tmp_path):
    con = duckdb.connect(config={"threads": 1})
    window_part(con, tmp_path, 100_000)
    con.execute("SET memory_limit = '16MB'")
    with pytest.raises(duckdb.OutOfMemoryException):   # not Arrow's OSError, which the CLI reports as a disk's
        _write_ledger(con, DuckDBBackend(), [("r", "part")], tmp_path / "ledger.parquet")
    assert list(tmp_path.glob("*ledger.parquet*")) == [] and staged_tables(con) == 0
