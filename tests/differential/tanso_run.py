"""Evaluate Tanso once per family on all of that family's records (ruleset/ + the shipped packs)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from conftest import write_csv
from tanso.plugins import load_registry
from tanso.run import evaluate, prepare
from tanso_ghgp.gwp import is_biogenic

from .records import Record

HERE = Path(__file__).resolve().parent
RULESET = HERE / "ruleset"
BLENDS_OVERLAY = HERE / "blends.tanso"
# Refrigerant blends need tanso_ghgp's refrigerant_blends pack; without it the blend records are left out
# (and test_refrigerant_blends_pack_is_installed fails).
HAS_BLENDS = "refrigerant_blends" in load_registry().factor_sets

FAMILY_RULES = {
    "stationary": ["stationary"],
    "mobile": ["mobile.co2", "mobile.road_by_year", "mobile.road_alternative", "mobile.non_road"],
    "refrigerant": ["refrigerant", *(["refrigerant.blend"] if HAS_BLENDS else [])], "electricity": ["electricity"], "steam": ["steam"], "travel": ["travel"],
    "commuting": ["commuting"], "transport": ["transport"], "waste": ["waste"],
}
COLUMNS = {
    "stationary": ["fuel", "quantity", "unit"],
    "mobile": ["vehicle_type", "fuel", "model_year", "road", "fuel_quantity", "fuel_unit", "miles"],
    "refrigerant": ["refrigerant", "quantity", "unit", "blend", "kyoto"], "electricity": ["egrid_subregion", "quantity", "unit"],
    "steam": ["fuel", "quantity", "unit", "boiler_efficiency"], "travel": ["mode", "quantity", "unit"],
    "commuting": ["mode", "quantity", "unit"], "transport": ["mode", "basis", "quantity", "unit"],
    "waste": ["waste_type", "treatment", "quantity", "unit"],
}


@dataclass
class TansoResult:
    values: dict[str, Decimal]                              # CO2, CH4, N2O, bio (CO2_biogenic), CO2e — kg
    rejects: dict[str, str] = field(default_factory=dict)   # rule → reason
    gases: set[str] = field(default_factory=set)            # gas names in the ledger

    def reason(self, rule: str) -> str:
        return self.rejects.get(rule, "")


def write_data(records: dict[str, list[Record]], data: Path) -> None:
    shutil.rmtree(data, ignore_errors=True)
    for family, rows in records.items():
        write_csv(data / f"{family}.csv", [{"row_id": r.row_id, **r.row} for r in rows], ["row_id", *COLUMNS[family]])
    (data / "factors").mkdir(parents=True)
    shutil.copy(HERE / "factors" / "refrigerant_gases.csv", data / "factors" / "refrigerant_gases.csv")


def evaluate_family(family: str, data: Path, out: Path) -> dict[str, TansoResult]:
    """One evaluate of the ruleset with only this family's rules selected."""
    prepared = prepare(RULESET, overlays=(BLENDS_OVERLAY,) if HAS_BLENDS else ())
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, data, out,
                      selected={f"rule:{r}" for r in FAMILY_RULES[family]})
    results: dict[str, TansoResult] = {}

    def entry(row_id: str) -> TansoResult:
        return results.setdefault(row_id, TansoResult({k: Decimal(0) for k in ("CO2", "CH4", "N2O", "bio", "CO2e")}))

    for row_id, gas, amount, co2e in result.connection.execute(
            "SELECT row_id, gas, amount, co2e_kg FROM run_ledger ORDER BY ALL").fetchall():
        t = entry(str(row_id))
        t.gases.add(gas)
        key = "bio" if is_biogenic(gas) else gas if gas in ("CO2", "CH4", "N2O") else None
        if key:
            t.values[key] += amount
        t.values["CO2e"] += co2e
    for row_id, rule, reason in result.connection.execute(
            "SELECT row_id, rule_id, reason FROM run_rejects ORDER BY ALL").fetchall():
        entry(str(row_id)).rejects[rule] = reason
    return results
