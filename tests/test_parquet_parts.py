"""Row groups encoded on threads and joined into one Parquet file give the bytes one pyarrow ParquetWriter
writes, whatever the thread count: the ledger's sha256 does not depend on how it was encoded."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tanso.run.parquet_parts import ParallelParquetWriter, _read_footer, _write_struct

ROW_GROUP = 1_000
OPTIONS = {"compression": "zstd", "compression_level": 3, "store_decimal_as_integer": True,
           "use_dictionary": ["gas", "factor_id"]}


def ledger_like(rows: int) -> pa.Table:
    """Text, integers, decimals and nulls; factor ids distinct enough to pass pyarrow's 1 MB dictionary limit."""
    return pa.table({
        "row_id": pa.array([f"R{i:010d}" for i in range(rows)]),
        "input_row": pa.array(range(rows), pa.int64()),
        "gas": pa.array([None if i % 7 == 0 else ("CO2", "CH4", "N2O")[i % 3] for i in range(rows)]),
        "factor_id": pa.array([f"factor-{i:040d}" for i in range(rows)]),
        "amount": pa.array([Decimal(i) / 1000 for i in range(rows)], pa.decimal128(38, 18)),
        "weight": pa.array([None if i % 5 == 0 else Decimal(i % 3) for i in range(rows)], pa.decimal128(5, 4)),
    })


def written_by_pyarrow(path, table: pa.Table, calls: list[tuple[int, int, int | None]]) -> bytes:
    with pq.ParquetWriter(path, table.schema, **OPTIONS) as writer:
        for start, length, size in calls:
            writer.write_table(table.slice(start, length), row_group_size=size)
    return path.read_bytes()


def written_on_threads(path, table: pa.Table, calls: list[tuple[int, int, int | None]], threads: int) -> bytes:
    writer = ParallelParquetWriter(path, table.schema, threads, **OPTIONS)
    for start, length, size in calls:
        writer.write_table(table.slice(start, length), row_group_size=size)
    writer.close()
    return path.read_bytes()


CASES = {
    "no rows": (0, []),
    "one short row group": (10, [(0, 10, None)]),
    "full row groups, then the rest": (5 * ROW_GROUP + 17, [(0, 5 * ROW_GROUP, ROW_GROUP), (5 * ROW_GROUP, 17, None)]),
    "dictionary past 1 MB": (40_000, [(0, 40_000, 30_000)]),
}


@pytest.mark.parametrize("threads", [1, 2, 4])
@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_row_groups_encoded_on_threads_make_the_bytes_of_one_writer(tmp_path, case, threads):
    rows, calls = CASES[case]
    table = ledger_like(rows)
    expected = written_by_pyarrow(tmp_path / "one.parquet", table, calls)
    assert written_on_threads(tmp_path / "threads.parquet", table, calls, threads) == expected
    assert pq.read_table(tmp_path / "threads.parquet").equals(table)


def test_the_footer_is_read_and_written_again_byte_for_byte(tmp_path):
    data = written_by_pyarrow(tmp_path / "one.parquet", ledger_like(3 * ROW_GROUP), [(0, 3 * ROW_GROUP, ROW_GROUP)])
    length = int.from_bytes(data[-8:-4], "little")
    again = bytearray()
    _write_struct(again, _read_footer(data))
    assert bytes(again) == data[-8 - length:-8]
