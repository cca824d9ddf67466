"""`evaluate --previous OUT`: what this run reports differently for periods an earlier run already reported.

OUT is an earlier run's output folder (its `ledger.parquet` and `manifest.json`). Per rule, entity and
period that the earlier run reported, the kg CO2e of both runs are compared; a period whose total moved
is listed with the size of the move, as `restated` where the rows were computed with other factor ids
(a provider's new model version recomputing a past month, a new edition of a factor set) and as
`changed` where the factor ids are the same (the data of the period changed), and as `withdrawn`
where this run reports nothing for it (0). Periods new in this run are not listed.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from tanso.diagnostics import InputError
from tanso.plan.sql import literal

LEDGER = "ledger.parquet"


def previous_run(folder: Path) -> dict[str, Any]:
    """The earlier run's ledger file and manifest facts; an InputError when OUT is not a finished run."""
    ledger, manifest = folder / LEDGER, folder / "manifest.json"
    if not ledger.is_file() or not manifest.is_file():
        raise InputError(f"--previous {folder}: not the output folder of a finished run (it needs {LEDGER} and "
                         f"manifest.json)")
    try:
        facts = json.loads(manifest.read_text(encoding="utf-8"))
    except ValueError as error:
        raise InputError(f"--previous {folder}: manifest.json is not JSON ({error})") from None
    return {"folder": str(folder), "ledger": str(ledger), "digest": facts.get("digest"),
            "ruleset": (facts.get("ruleset") or {}).get("name")}


def _totals(ledger: str) -> str:
    return (f"SELECT rule_id, entity, period, sum(co2e_kg * boundary_weight) AS kg, "
            f"list_sort(list_distinct(list(factor_id))) AS factors FROM {ledger} GROUP BY ALL")


def restatements(con, previous: dict[str, Any], ledger: str) -> list[dict[str, Any]]:
    """Periods of the earlier run whose total this run reports differently, largest move first."""
    rows = con.execute(f"""
        SELECT p.rule_id, p.entity, p.period, p.kg, coalesce(c.kg, 0), p.factors, coalesce(c.factors, [])
        FROM ({_totals(f"read_parquet({literal(previous['ledger'])})")}) p
        LEFT JOIN ({_totals(ledger)}) c ON c.rule_id = p.rule_id AND c.entity IS NOT DISTINCT FROM p.entity
             AND c.period IS NOT DISTINCT FROM p.period
        WHERE p.kg <> coalesce(c.kg, 0)
        ORDER BY abs(coalesce(c.kg, 0) - p.kg) DESC, p.rule_id, p.entity, p.period""").fetchall()
    return [{"rule_id": rule_id, "entity": entity, "period": period, "previous_kg": Decimal(before),
             "current_kg": Decimal(after), "change_kg": Decimal(after) - Decimal(before),
             "previous_factors": list(factors_before), "current_factors": list(factors_after),
             "kind": "withdrawn" if not factors_after else "restated" if factors_before != factors_after else "changed"}
            for rule_id, entity, period, before, after, factors_before, factors_after in rows]
