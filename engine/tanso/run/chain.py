"""The rows of each method of a `first_of` chain, selected by joins instead of materialised rejects.

A method that states its pricing (`contracts.Pricing`: which rows it leaves, decided by LEFT JOINs with
small plan-time tables) needs no table of its rejects: the rows the earlier methods leave are the rule's
rows joined with their small tables, a lazy view. A method that does not state it has its rejects'
row ids materialised once, and a join with that table is its pricing. Once every method is compiled,
each method's rows become those it prices and those no method prices, so its rejects, with their
reasons, are built only for the rows every method rejects (at 10M rows, s3.cat1's first methods left
~3M rows each, every one of which had a reason built and stored).
"""

from __future__ import annotations

from tanso.contracts import Pricing


def prefix(index: int) -> str:
    """The aliases of method `index`'s joins start with this."""
    return f"m{index}_"


def left_by(src: str, pricings: list[Pricing]) -> str:
    """The rows of `src` that every one of these methods leaves: the rows the next method reads."""
    joins = " ".join(p.joins("s", prefix(i)) for i, p in enumerate(pricings))
    left = " AND ".join([*(p.rejected("s", prefix(i)) for i, p in enumerate(pricings)), "TRUE"])
    return f"SELECT s.* FROM {src} s {joins} WHERE {left}"


def priced_or_nowhere(src: str, pricings: list[Pricing], index: int) -> str:
    """The rows method `index` prices (every earlier one leaves them, it does not), and the rows no method
    prices: what its ledger and rejects read once the chain is known."""
    joins = " ".join(p.joins("s", prefix(i)) for i, p in enumerate(pricings))
    rejected = [p.rejected("s", prefix(i)) for i, p in enumerate(pricings)]
    nowhere = " AND ".join(rejected)
    return (f"SELECT s.* FROM {src} s {joins} WHERE {' AND '.join([*rejected[:index], 'TRUE'])} "
            f"AND (NOT {rejected[index]} OR ({nowhere}))")


def materialised(rejected_ids: str) -> Pricing:
    """The pricing of a method that states none: the rows in its table of rejected row ids (distinct)."""
    return Pricing(joins=lambda row, alias: f"LEFT JOIN {rejected_ids} {alias}r ON {alias}r.row_id = {row}._row_id",
                   rejected=lambda row, alias: f"{alias}r.row_id IS NOT NULL")
