"""One Parquet file from row groups encoded on several threads, byte for byte what one pyarrow writer writes.

pyarrow's ParquetWriter encodes and compresses a row group's columns on the calling thread, one after the
other: for run.py's 2M ledger rows that is ~3 s of one core while the other waits. A row group's column chunks
depend on its rows and the writer's options only (dictionaries, statistics and pages are per chunk), so each
row group is encoded here as a Parquet file of its own, on a pool of threads, and the files are joined in
order: their column chunks copied after one another, and one footer, the first part's with every part's row
groups, their offsets moved to where the chunks now are, numbered in order. The footer is Thrift's compact
protocol, read and written again field for field (`_read`, `_write`), so only those numbers change. Which
thread encoded what does not reach the bytes: they are the same on any thread count
(tests/test_ledger_order.py compares them with one ParquetWriter's).
"""

from __future__ import annotations

import struct
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pyarrow as pa

MAGIC = b"PAR1"
# Thrift compact types
_TRUE, _FALSE, _BYTE, _I16, _I32, _I64, _DOUBLE, _BINARY, _LIST, _SET, _MAP, _STRUCT = range(1, 13)
# Field ids of parquet.thrift: FileMetaData, RowGroup, ColumnChunk, ColumnMetaData
_NUM_ROWS, _ROW_GROUPS = 3, 4
_RG_COLUMNS, _RG_FILE_OFFSET, _RG_ORDINAL = 1, 5, 7
_CC_FILE_OFFSET, _CC_META, _CC_OFFSET_INDEX, _CC_COLUMN_INDEX = 2, 3, 4, 6
_CM_OFFSETS = (9, 10, 11, 14)   # data page, index page, dictionary page, bloom filter


class ParallelParquetWriter:
    """`write_table` and `close` as pyarrow's ParquetWriter (same options), the row groups encoded on threads."""

    def __init__(self, path: Path, schema: pa.Schema, threads: int, **options: Any):
        self.schema, self.options = schema, options
        self._file = open(path, "wb")
        self._file.write(MAGIC)
        self._pool = ThreadPoolExecutor(max(threads, 1), thread_name_prefix="tanso-parquet")
        self._pending: deque[Future] = deque()
        self._threads = max(threads, 1)
        self._footer: list | None = None
        self._groups: list[list] = []
        self._rows = 0

    def write_table(self, table: pa.Table, row_group_size: int | None = None) -> None:
        """Row groups of `row_group_size` rows (all of them: one), as ParquetWriter.write_table cuts them."""
        size = row_group_size or table.num_rows
        for start in range(0, table.num_rows, max(size, 1)):
            self._pending.append(self._pool.submit(self._encode, table.slice(start, size)))
        while len(self._pending) > 2 * self._threads:   # bounds the encoded parts held in memory
            self._join(self._pending.popleft().result())

    def close(self) -> None:
        try:
            while self._pending:
                self._join(self._pending.popleft().result())
            if self._footer is None:   # no row group: what the writer writes for no rows
                self._footer = _read_footer(self._encode(None))
            footer = [(i, t, self._rows if i == _NUM_ROWS else (_STRUCT, self._groups) if i == _ROW_GROUPS else v)
                      for i, t, v in self._footer]
            data = bytearray()
            _write_struct(data, footer)
            self._file.write(bytes(data) + struct.pack("<I", len(data)) + MAGIC)
        finally:
            self.abort()

    def abort(self) -> None:
        """Stop: the threads and the file (whose name the caller removes)."""
        for pending in self._pending:
            pending.cancel()
        self._pool.shutdown(wait=True)
        self._file.close()

    def _encode(self, table: pa.Table | None) -> bytes:
        import pyarrow as pa
        import pyarrow.parquet as pq
        sink = pa.BufferOutputStream()
        with pq.ParquetWriter(sink, self.schema, **self.options) as writer:
            if table is not None:
                writer.write_table(table, row_group_size=max(table.num_rows, 1))
        return sink.getvalue().to_pybytes()

    def _join(self, part: bytes) -> None:
        """Copy a part's column chunks to the file and keep its row groups, moved to where they now are."""
        footer = _read_footer(part)
        body = part[len(MAGIC):len(part) - 8 - struct.unpack("<I", part[-8:-4])[0]]
        shift = self._file.tell() - len(MAGIC)
        self._file.write(body)
        self._footer = self._footer or footer
        for _, _, (_, groups) in (f for f in footer if f[0] == _ROW_GROUPS):
            for group in groups:
                self._groups.append(_moved_group(group, shift, len(self._groups)))
        self._rows += next(v for i, _, v in footer if i == _NUM_ROWS)


def _read_footer(part: bytes) -> list:
    length = struct.unpack("<I", part[-8:-4])[0]
    if part[:4] != MAGIC or part[-4:] != MAGIC:
        raise ValueError("not a Parquet file")
    fields, end = _read_struct(part, len(part) - 8 - length)
    assert end == len(part) - 8, "the footer is longer than its fields"
    return fields


def _moved_group(group: list, shift: int, ordinal: int) -> list:
    """A RowGroup whose chunks start `shift` bytes later, numbered `ordinal`. An offset of 0 is one not set."""
    def moved(fields: list, ids: tuple) -> list:
        return [(i, t, v + shift if i in ids and v else v) for i, t, v in fields]
    out = []
    for i, t, v in moved(group, (_RG_FILE_OFFSET,)):
        if i == _RG_COLUMNS:
            chunks = [[(ci, ct, moved(cv, _CM_OFFSETS) if ci == _CC_META else cv)
                       for ci, ct, cv in moved(chunk, (_CC_FILE_OFFSET, _CC_OFFSET_INDEX, _CC_COLUMN_INDEX))]
                      for chunk in v[1]]
            v = (v[0], chunks)
        elif i == _RG_ORDINAL:   # not written by pyarrow 26; where a version writes it, it is the group's place
            v = ordinal
        out.append((i, t, v))
    return out


# --- Thrift compact protocol: a struct is a list of (field id, type, value), in the order read ---------------

def _varint(data: bytes, pos: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
        shift += 7


def _zigzag(data: bytes, pos: int) -> tuple[int, int]:
    value, pos = _varint(data, pos)
    return (value >> 1) ^ -(value & 1), pos


def _read_struct(data: bytes, pos: int) -> tuple[list, int]:
    fields, last = [], 0
    while True:
        header = data[pos]
        pos += 1
        if header == 0:
            return fields, pos
        kind, delta = header & 0x0F, header >> 4
        if delta:
            field = last + delta
        else:
            field, pos = _zigzag(data, pos)
        if kind in (_TRUE, _FALSE):
            value = kind == _TRUE
        else:
            value, pos = _read_value(data, pos, kind)
        fields.append((field, kind, value))
        last = field


def _read_value(data: bytes, pos: int, kind: int) -> tuple[Any, int]:
    if kind in (_I16, _I32, _I64):
        return _zigzag(data, pos)
    if kind in (_BYTE, _TRUE, _FALSE):    # a byte, or a bool inside a list
        return data[pos], pos + 1
    if kind == _DOUBLE:
        return data[pos:pos + 8], pos + 8
    if kind == _BINARY:
        size, pos = _varint(data, pos)
        return data[pos:pos + size], pos + size
    if kind == _STRUCT:
        return _read_struct(data, pos)
    if kind in (_LIST, _SET):
        header = data[pos]
        pos += 1
        size, element = header >> 4, header & 0x0F
        if size == 15:
            size, pos = _varint(data, pos)
        items = []
        for _ in range(size):
            item, pos = _read_value(data, pos, element)
            items.append(item)
        return (element, items), pos
    if kind == _MAP:
        size, pos = _varint(data, pos)
        if not size:
            return (0, []), pos
        types = data[pos]
        pos += 1
        items = []
        for _ in range(size):
            key, pos = _read_value(data, pos, types >> 4)
            value, pos = _read_value(data, pos, types & 0x0F)
            items.append((key, value))
        return (types, items), pos
    raise ValueError(f"unknown Thrift compact type {kind}")


def _write_varint(out: bytearray, value: int) -> None:
    while value > 0x7F:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def _write_zigzag(out: bytearray, value: int) -> None:
    _write_varint(out, (value << 1) ^ (value >> 63))


def _write_struct(out: bytearray, fields: list) -> None:
    last = 0
    for field, kind, value in fields:
        if kind in (_TRUE, _FALSE):
            kind = _TRUE if value else _FALSE
        if 0 < field - last <= 15:
            out.append((field - last) << 4 | kind)
        else:
            out.append(kind)
            _write_zigzag(out, field)
        if kind not in (_TRUE, _FALSE):
            _write_value(out, kind, value)
        last = field
    out.append(0)


def _write_value(out: bytearray, kind: int, value: Any) -> None:
    if kind in (_I16, _I32, _I64):
        _write_zigzag(out, value)
    elif kind in (_BYTE, _TRUE, _FALSE):
        out.append(value)
    elif kind == _DOUBLE:
        out += value
    elif kind == _BINARY:
        _write_varint(out, len(value))
        out += value
    elif kind == _STRUCT:
        _write_struct(out, value)
    elif kind in (_LIST, _SET):
        element, items = value
        if len(items) < 15:
            out.append(len(items) << 4 | element)
        else:
            out.append(0xF0 | element)
            _write_varint(out, len(items))
        for item in items:
            _write_value(out, element, item)
    elif kind == _MAP:
        types, items = value
        _write_varint(out, len(items))
        if items:
            out.append(types)
            for key, item in items:
                _write_value(out, types >> 4, key)
                _write_value(out, types & 0x0F, item)
    else:
        raise ValueError(f"unknown Thrift compact type {kind}")
