"""Distinct rows and per-group maxima of plan-time Arrow tables, with Arrow's compute kernels only.

`Table.group_by` and `Table.join` run on Acero, and importing `pyarrow.acero` imports `pyarrow.dataset`,
whose extension module imports pandas: ~0.5 s CPU in every process that plans a factor product, for tables
of a few hundred to ~150k factor rows (benchmarks/README.md, "Per-evaluate fixed cost"). Here a group is
numbered by dictionary-encoding its columns one after the other, which needs no Acero. Groups and rows come
in the order their first row appears, as Acero's single-threaded `group_by` gives them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pyarrow as pa


def group_ids(table: pa.Table, names: list[str]) -> tuple[pa.Array, int]:
    """Each row's group (equal values in `names`, NULL equal to NULL) numbered from 0 in the order of the
    groups' first rows, and the number of groups."""
    import pyarrow as pa
    import pyarrow.compute as pc
    ids, count = pa.array([0] * table.num_rows, pa.int64()), 1
    for name in names:
        column = table.column(name).combine_chunks()
        encoded = pc.dictionary_encode(column, null_encoding="encode")
        # ids < count and indices < len(dictionary) <= rows: the pair's number fits an int64.
        pair = pc.add(pc.multiply(ids, len(encoded.dictionary)), encoded.indices.cast(pa.int64()))
        renumbered = pc.dictionary_encode(pair)
        ids, count = renumbered.indices.cast(pa.int64()), len(renumbered.dictionary)
    return ids, (count if table.num_rows else 0)


def first_rows(ids: pa.Array) -> pa.Array:
    """The index of each group's first row, in group order (`ids` as group_ids numbers them)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    order = pc.sort_indices(ids)          # stable: a group's rows keep their order
    sorted_ids = ids.take(order)
    if not len(sorted_ids):
        return pa.array([], pa.uint64())
    starts = pc.not_equal(sorted_ids.slice(1), sorted_ids.slice(0, len(sorted_ids) - 1))
    return order.filter(pa.concat_arrays([pa.array([True]), starts]))


def distinct(table: pa.Table, names: list[str]) -> pa.Table:
    """The distinct rows of `table`'s columns `names`, in the order of their first appearance."""
    ids, _ = group_ids(table, names)
    return table.select(names).take(first_rows(ids)).combine_chunks()


def group_max(values: pa.Array, ids: pa.Array) -> pa.Array:
    """The largest non-null value of each group (`ids` as group_ids numbers them), in group order."""
    import pyarrow as pa
    import pyarrow.compute as pc
    keyed = pa.table({"id": ids, "value": values})
    order = pc.sort_indices(keyed, sort_keys=[("id", "ascending", "at_end"), ("value", "descending", "at_end")])
    return values.take(order.take(first_rows(ids.take(order))))


def member_of(table: pa.Table, others: pa.Table, names: list[str]) -> pa.Array:
    """Whether each row of `table` equals, in the columns `names`, a row of `others` (the same column
    types); a row with a NULL in them matches none, as in a join."""
    import pyarrow as pa
    import pyarrow.compute as pc
    both = pa.concat_tables([table.select(names), others.select(names).cast(table.select(names).schema)])
    ids, _ = group_ids(both, names)
    found = pc.is_in(ids.slice(0, table.num_rows), value_set=ids.slice(table.num_rows))
    for name in names:
        found = pc.and_(found, pc.is_valid(table.column(name)))
    return found.combine_chunks() if isinstance(found, pa.ChunkedArray) else found
