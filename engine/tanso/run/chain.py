"""The rows of each method of a `first_of` chain, selected by joins instead of materialised rejects.

A method that states its pricing (`contracts.Pricing`: which rows it leaves, decided by LEFT JOINs with
small plan-time tables) needs no table of its rejects: the rows the earlier methods leave are the rule's
rows joined with their small tables, a lazy view. A method that does not state it has its rejects'
row ids materialised once, and a join with that table is its pricing. Once every method is compiled,
the rows every method leaves are a small table, and each method's rejects, with their reasons, are
built over it alone (`Pricing.over`): at 10M rows s3.cat1's first methods left ~3M rows each, every
one of which had a reason built and stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from tanso.contracts import Pricing


def prefix(index: int) -> str:
    """The aliases of method `index`'s joins start with this."""
    return f"m{index}_"


def left_by(src: str, pricings: list[Pricing | RejectedIds]) -> str:
    """The rows of `src` that every one of these methods leaves: the rows the next method reads."""
    joins = " ".join(p.joins("s", prefix(i)) for i, p in enumerate(pricings))
    left = " AND ".join([*(p.rejected("s", prefix(i)) for i, p in enumerate(pricings)), "TRUE"])
    return f"SELECT s.* FROM {src} s {joins} WHERE {left}"


@dataclass(frozen=True)
class RejectedIds:
    """What a method that states no pricing leaves: the rows in its table of rejected row ids (distinct)."""

    table: str

    def joins(self, row: str, alias: str) -> str:
        return f"LEFT JOIN {self.table} {alias}r ON {alias}r.row_id = {row}._row_id"

    def rejected(self, row: str, alias: str) -> str:
        return f"{alias}r.row_id IS NOT NULL"
