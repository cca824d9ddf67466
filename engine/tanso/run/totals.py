"""The range of a run's exact totals, kept without stopping the run.

A total is an exact decimal of 22 places (a ledger row's 18 times a boundary weight's 4) in DuckDB's widest
decimal, DECIMAL(38,22): under 10^16 kg. One row is held under that when it is computed (`beyond_ledger`);
many valid rows can add up past it (10,000 rows of 10^12 l of diesel), and a sum past it would stop the run.
So the run's groups are summed (run_groups) and, where a sum overflows or the groups' absolute values add up
to 10^16 kg or more (CO2e or gas amounts: every total of the run, the digest's included, is a sum of groups,
so each is then in range), the rows of the rules that weigh most are rejected, each naming its rule's total,
until the rest is in range. Ten billion tonnes is a fifth of the world's yearly emissions: a unit or quantity
error, which the reason points to, rather than a total to report.
"""

from __future__ import annotations

import os
import secrets
from decimal import Decimal
from pathlib import Path
from typing import Callable

from tanso.plan.effective_factors import LEDGER_LIMIT_DIGITS
from tanso.plan.sql import literal
from tanso.reasons import reason_sql
from tanso.run.ledger import ledger_writer

TOTAL_LIMIT = Decimal(10) ** LEDGER_LIMIT_DIGITS


def _absolute_sum(value: str) -> str:
    """SQL of the exact sum of abs(value) in two parts that never overflow: whole kg (HUGEINT) and the fractions
    (each under 1 kg, so under 10^16 of them fit DECIMAL(38,22))."""
    whole = f"trunc(abs({value}))"
    return f"sum(CAST({whole} AS HUGEINT)), sum(abs({value}) - {whole})"


def _exact(whole: int | None, fractions: Decimal | None) -> Decimal:
    return Decimal(whole or 0) + (fractions or Decimal(0))


def within_range(totals: dict[tuple, Decimal]) -> bool:
    """Whether a rule's totals (kg CO2e by key, as a comparison sums them) add up, in absolute value, under the range
    a run keeps its totals in: past it, a run rejects the rule's rows (`rules_beyond_range`)."""
    return sum((abs(value) for value in totals.values() if value is not None), Decimal(0)) < TOTAL_LIMIT


def rules_beyond_range(con, summarise: Callable[[], None]) -> dict[str, tuple[Decimal, int]]:
    """Sum the run's groups (`summarise`, which creates run_groups); the rules whose rows must be rejected to
    keep every total in range, each with its total (kg CO2e, absolute) and ledger rows: none in any run that fits."""
    import duckdb
    try:
        summarise()
        parts = con.execute(f"SELECT {_absolute_sum('co2e_kg')}, {_absolute_sum('amount_kg')} FROM run_groups").fetchone()
        if _exact(*parts[:2]) < TOTAL_LIMIT and _exact(*parts[2:]) < TOTAL_LIMIT:
            return {}
    except duckdb.OutOfRangeException:
        pass   # a group's own sum overflowed
    weights = [(rule_id, _exact(*parts[:2]), _exact(*parts[2:4]), rows) for rule_id, *parts, rows in con.execute(
        f"SELECT rule_id, {_absolute_sum('co2e_kg * boundary_weight')}, {_absolute_sum('amount * boundary_weight')}, "
        f"count(*) FROM run_ledger GROUP BY rule_id").fetchall()]
    co2e, amount = sum(w[1] for w in weights), sum(w[2] for w in weights)
    beyond = {}
    for rule_id, rule_co2e, rule_amount, rows in sorted(weights, key=lambda w: (-max(w[1], w[2]), w[0])):
        if co2e < TOTAL_LIMIT and amount < TOTAL_LIMIT:
            break
        beyond[rule_id] = (rule_co2e, rows)
        co2e, amount = co2e - rule_co2e, amount - rule_amount
    return beyond


def rejects_of(beyond: dict[str, tuple[Decimal, int]]) -> str:
    """Rows for run_rejects: each input row of those rules' ledgers once, the reason naming its rule's total."""
    totals = " ".join(f"WHEN {literal(rule_id)} THEN {literal(format(total.normalize(), 'f'))}"
                      for rule_id, (total, _) in beyond.items())
    rows = " ".join(f"WHEN {literal(rule_id)} THEN {literal(str(count))}" for rule_id, (_, count) in beyond.items())
    reason = reason_sql("beyond_totals", digits=literal(str(LEDGER_LIMIT_DIGITS)), rule="rule_id",
                        total=f"CASE rule_id {totals} END", rows=f"CASE rule_id {rows} END")
    return (f"SELECT DISTINCT row_id, input_table, input_row, rule_id, rule_source, calculator || ': ' || {reason} "
            f"FROM run_ledger WHERE rule_id IN ({', '.join(literal(r) for r in beyond)})")


def drop_rules(path: Path, rules: set[str]) -> None:
    """Rewrite the ledger file without the rows of `rules` (rejected now), row group by row group, atomically."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    source = pq.ParquetFile(path)
    temporary = path.parent / f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        with ledger_writer(temporary, source.schema_arrow) as target:
            for index in range(source.num_row_groups):
                group = source.read_row_group(index)
                kept = group.filter(pc.invert(pc.is_in(group["rule_id"], value_set=pa.array(sorted(rules)))))
                if kept.num_rows:
                    target.write_table(kept.combine_chunks(), row_group_size=kept.num_rows)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
