"""The comparison's tables: base, revised and difference by each dimension of the totals, and the
activity rows whose CO2e moved most, with the changes that moved them."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from tanso.compare.attribution import Key
from tanso.run.execute import AGGREGATE_KEYS, RunResult


def _deltas(rule_ids, depends, value, changes) -> dict[str, list[dict[str, Any]]]:
    """Base, revised and difference by each dimension of AGGREGATE_KEYS (scope/category/basis together)."""
    everything = frozenset(c.key for c in changes)
    dimensions = {"scope_category": (0, 1, 2), "entity": (3,), "method": (4,), "data_type": (5,),
                  "data_quality": (0, 1, 2, 6)}
    out = {}
    for name, positions in dimensions.items():
        table: dict[Key, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
        for rule_id in rule_ids:
            for index, applied in enumerate((frozenset(), everything)):
                for key, amount in value(rule_id, applied).items():
                    table[tuple(key[p] for p in positions)][index] += amount
        out[name] = [{**dict(zip((AGGREGATE_KEYS[p] for p in positions), key)), "base_kg": b, "revised_kg": r,
                      "delta_kg": r - b} for key, (b, r) in sorted(table.items(), key=lambda kv: _sortable(kv[0]))]
    return out


def _sortable(key: Key) -> tuple:
    return tuple((v is None, str(v) if not isinstance(v, int) else f"{v:09d}") for v in key)


def _row_changes(base_run: RunResult, revised_run: RunResult, depends: dict[str, frozenset[str]],
                 limit: int = 25) -> list[dict[str, Any]]:
    """The activity rows whose CO2e moved most, with the changes their rule depends on."""
    changed = [r for r, d in depends.items() if d]
    if not changed:
        return []
    rules = ", ".join("'" + r.replace("'", "''") + "'" for r in changed)
    per_row = ("SELECT rule_id, input_table, row_id, sum(co2e_kg * boundary_weight) AS kg FROM "
               "read_parquet('{path}') WHERE rule_id IN ({rules}) GROUP BY ALL")
    con = revised_run.connection
    rows = con.execute(f"""
        SELECT coalesce(b.rule_id, r.rule_id), coalesce(b.input_table, r.input_table), coalesce(b.row_id, r.row_id),
               coalesce(b.kg, 0), coalesce(r.kg, 0), coalesce(r.kg, 0) - coalesce(b.kg, 0) AS delta
        FROM ({per_row.format(path=base_run.ledger_path, rules=rules)}) b
        FULL OUTER JOIN ({per_row.format(path=revised_run.ledger_path, rules=rules)}) r
          ON r.rule_id = b.rule_id AND r.row_id = b.row_id
        WHERE coalesce(r.kg, 0) <> coalesce(b.kg, 0)
        ORDER BY abs(delta) DESC, 1, 3 LIMIT {limit}""").fetchall()
    return [{"rule_id": rule, "input_table": table, "row_id": row, "base_kg": b, "revised_kg": r, "delta_kg": d,
             "caused_by": sorted(depends[rule])} for rule, table, row, b, r, d in rows]
