"""`evaluate --previous OUT`: what this run reports differently for periods an earlier run already reported.

OUT is an earlier run's output folder (its `ledger.parquet` and `manifest.json`). Per rule, entity and
period that the earlier run reported, the kg CO2e of both runs are compared; a period whose total moved
is listed with the size of the move, as `restated` where the rows were computed with other factor ids
(a provider's new model version recomputing a past month, a new edition of a factor set) and as
`changed` where the factor ids are the same (the data of the period changed), and as `withdrawn`
where this run reports nothing for it (0). Periods new in this run are not listed. What the two runs were
computed from is compared too (inputs' and factor files' sha256, ruleset files, policy values, Tanso's version),
so a period that moved is told with its cause: the data, a factor file, a rule or a policy.
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
            "ruleset": (facts.get("ruleset") or {}).get("name"), "sources": sources(facts)}


def sources(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """What a run was computed from, as its manifest records it, by kind: each input's and factor set's file
    sha256, each ruleset file's sha256, each policy's value, Tanso's version."""
    return {"input": {name: facts.get("sha256") for name, facts in (manifest.get("inputs") or {}).items()},
            "factor set": {name: facts.get("sha256") for name, facts in (manifest.get("factor_sets") or {}).items()},
            "ruleset file": dict((manifest.get("ruleset") or {}).get("files") or {}),
            # as manifest.json holds them (a Decimal as its text), so that a run's values equal an earlier run's
            "policy": {name: json.loads(json.dumps(facts.get("value"), default=str))
                       for name, facts in (manifest.get("policies") or {}).items()},
            "tanso": {"version": manifest.get("tanso_version")}}


def differences(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """What one run was computed from that the other was not, item by item (`sources` of each): why a period
    moved, or that nothing it was computed from did (then only Tanso's computation could have)."""
    found = []
    for kind in after:
        was, now = before.get(kind) or {}, after[kind]
        for name in sorted(set(was) | set(now)):
            if name not in now:
                found.append({"kind": kind, "name": name, "change": "removed"})
            elif name not in was:
                found.append({"kind": kind, "name": name, "change": "added"})
            elif was[name] != now[name]:
                found.append({"kind": kind, "name": name, "change": "changed", "before": was[name],
                              "after": now[name]})
    return found


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
