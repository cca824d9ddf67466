"""The refrigerant_blends pack (ANSI/ASHRAE Standard 34 compositions, scripts/refrigerant_blends_ashrae34.csv):
fractions sum to exactly 1, components are spelled as the GWP tables spell them, and each blend's AR4 GWP
computed from its composition equals the one atomic6ghg (EPA Hub) tabulates."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from decimal import Decimal
from importlib import resources

import pytest

from conftest import fetch, make_case
from tanso.plugins import load_registry
from tanso_ghgp.gwp import gas_weights, gwp_table, is_non_kyoto, normalise_gas

SOURCE = load_registry().factor_sets["refrigerant_blends"]
ROWS = list(csv.DictReader(SOURCE.path.open(encoding="utf-8")))
BLENDS: dict[str, dict[str, Decimal]] = defaultdict(dict)
for _row in ROWS:
    BLENDS[_row["refrigerant"]][_row["gas"]] = Decimal(_row["value"])
KYOTO = {r["gas"]: r["kyoto"] == "true" for r in ROWS}

# Required designations (issue #17), all present
REQUIRED = """R-401A R-401B R-402A R-402B R-404A R-407A R-407B R-407C R-407D R-407E R-407F R-408A R-409A R-410A
R-410B R-413A R-417A R-422A R-422D R-423A R-424A R-426A R-427A R-428A R-434A R-437A R-438A R-448A R-449A R-452A
R-454B R-507A R-508A R-508B R-513A R-500 R-502 R-32 R-125 R-134a R-143a R-152a R-23 R-227ea R-236fa R-245fa""".split()
# Components with no IPCC GWP100 in AR4, AR5 or AR6: hydrocarbons and ethers, not Kyoto gases (weighted 0,
# reported outside the scopes); and the HFOs, which AR4 predates (AR5 and AR6 values in tanso_ghgp.gwp).
NO_GWP = {"propane", "butane", "isobutane", "pentane", "isopentane", "propylene", "CH3OCH3"}
NOT_IN_AR4 = {"HFO-1234yf", "HFO-1234ze(E)"}
# atomic6ghg's key for a designation where it is not simply the lower-cased name without "-"
ATOMIC_KEY = {"R-507A": "r507"}


def test_required_designations_present():
    assert set(REQUIRED) <= set(BLENDS)


@pytest.mark.parametrize("refrigerant", sorted(BLENDS))
def test_fractions_sum_to_one_and_rows_are_kg_per_kg(refrigerant):
    assert sum(BLENDS[refrigerant].values()) == 1
    assert all(0 < v <= 1 for v in BLENDS[refrigerant].values())
    assert {(r["unit"], r["per"]) for r in ROWS if r["refrigerant"] == refrigerant} == {("kg", "kg")}


def test_components_are_spelled_as_the_gwp_tables_spell_them():
    known = set(gwp_table("AR4GWP100")) | set(gwp_table("AR5GWP100")) | set(gwp_table("AR6GWP100"))
    missing = {g for g in KYOTO if normalise_gas(g) not in known}
    assert missing == NO_GWP & set(KYOTO)
    assert {g for g in KYOTO if normalise_gas(g) not in gwp_table("AR4GWP100")} == (NO_GWP | NOT_IN_AR4) & set(KYOTO)
    # every Kyoto gas has a GWP in all three sets; CFCs/HCFCs are not Kyoto gases
    for gas, kyoto in KYOTO.items():
        if kyoto:
            assert all(normalise_gas(gas) in gwp_table(c) for c in ("AR4GWP100", "AR5GWP100", "AR6GWP100")), gas
        if gas.startswith(("CFC", "HCFC", "HFO")) or gas in NO_GWP:
            assert not kyoto, gas


@pytest.mark.parametrize("gwp_set", ["AR4", "AR5", "AR6"])
def test_every_component_has_a_weight_or_is_reported_outside_the_scopes(gwp_set):
    """Every gas of the pack is weighted under every GWP set, except the HFOs under AR4 (rows are then
    rejected naming the gas): hydrocarbons, CFCs and HCFCs weigh 0 in the scopes, their mass is kept."""
    weights = gas_weights(gwp_set, sorted(KYOTO))
    missing = set(KYOTO) - set(weights.weights)
    assert missing == (NOT_IN_AR4 if gwp_set == "AR4" else set())
    for gas in KYOTO:
        if gas in weights.weights and (is_non_kyoto(gas)):
            assert weights.weights[gas] == 0 and "not a Kyoto gas" in weights.describe(gas)


def atomic6ghg_gwps() -> dict[str, Decimal]:
    pytest.importorskip("atomic6ghg")
    path = resources.files("atomic6ghg") / "factors" / "source_data" / "refrigerants_gwp_factors.json"
    return json.loads(path.read_text(encoding="utf-8"), parse_float=Decimal, parse_int=Decimal)


def test_ar4_gwp_of_each_blend_matches_atomic6ghg():
    """EPA Hub (as carried by atomic6ghg) tabulates a blend's AR4 GWP from its Kyoto components only
    (HCFC/CFC mass counts 0: R-502 -> 0, R-401A -> 13 % HFC-152a x 124 = 16). Our composition x atomic6ghg's
    component AR4 GWPs must round to its blend value (half up, as the Hub rounds R-428A 3606.5 to 3607)."""
    gwp = atomic6ghg_gwps()
    component_key = {gas: normalise_gas(gas).lower() for gas in KYOTO}
    checked, unmatched = [], {}
    for refrigerant, parts in BLENDS.items():
        key = ATOMIC_KEY.get(refrigerant, refrigerant.replace("-", "").lower())
        if len(parts) == 1 or key not in gwp:
            continue
        total = sum(share * gwp[component_key[gas]] for gas, share in parts.items() if KYOTO[gas])
        checked.append(refrigerant)
        if abs(total - gwp[key]) > Decimal("0.5"):
            unmatched[refrigerant] = (total, gwp[key])
    assert unmatched == {}
    # every blend atomic6ghg tabulates is in the pack and checked
    tabulated = {k for k in gwp if k[0] == "r" and k[1].isdigit()}
    assert {ATOMIC_KEY.get(r, r.replace("-", "").lower()) for r in checked} == tabulated
    # Not checkable this way: blends atomic6ghg does not tabulate (R-407F, R-427A, R-437A, R-438A, R-448A,
    # R-449A, R-450A, R-452A, R-452B, R-454A, R-454B, R-454C, R-455A, R-513A), and the hydrocarbon / HFO / HCFC
    # shares of any blend (no Kyoto GWP): R-406A, R-409A, R-414A, R-414B and R-502 only check "no Kyoto gas".
    assert set(BLENDS) - set(checked) - {r for r, p in BLENDS.items() if len(p) == 1} == {
        "R-407F", "R-427A", "R-437A", "R-438A", "R-448A", "R-449A", "R-450A", "R-452A", "R-452B", "R-454A",
        "R-454B", "R-454C", "R-455A", "R-513A"}


def test_ar4_gwp_of_pure_hfcs_matches_the_gwp_package():
    gwp = atomic6ghg_gwps()
    for refrigerant, parts in BLENDS.items():
        if len(parts) == 1:
            (gas, share), = parts.items()
            assert share == 1
            assert gwp[normalise_gas(gas).lower()] == gwp_table("AR4GWP100")[normalise_gas(gas)]


LEAKS_RULESET = """\
ruleset leaks "refrigerant leaks by blend composition"
set gwp.set = {gwp}
input leaks
  key row_id
  columns entity: text, period: text, refrigerant: text, quantity: decimal(18,6), unit: text
rule s1.fugitive "Refrigerant leaks"
  scope 1
  from leaks
  calc activity(factors: refrigerant_blends, match: [refrigerant])
"""


def test_ruleset_weights_a_leaked_blend_by_its_components(tmp_path):
    """10 kg of R-410A leaked = 5 kg HFC-32 + 5 kg HFC-125; under AR4 5 x 675 + 5 x 3500 = 20 875 kg CO2e
    (atomic6ghg's blend value 2088 x 10 = 20 880 is the rounded GWP)."""
    case = make_case(tmp_path, LEAKS_RULESET.format(gwp="AR4"), {"leaks": [
        {"row_id": 1, "entity": "e", "period": "2024", "refrigerant": "R-410A", "quantity": "10", "unit": "kg"},
        {"row_id": 2, "entity": "e", "period": "2024", "refrigerant": "R-404A", "quantity": "2", "unit": "kg"}]})
    result = case.run()
    assert fetch(result, "run_rejects") == []
    rows = {(int(r["row_id"]), r["gas"]): r for r in fetch(result, "run_ledger")}
    assert rows[(1, "HFC-32")]["amount"] == Decimal(5) and rows[(1, "HFC-125")]["amount"] == Decimal(5)
    assert sum(r["co2e_kg"] for (row, _), r in rows.items() if row == 1) == Decimal(20875)
    # R-404A 2 kg: 0.88 HFC-125, 1.04 HFC-143a, 0.08 HFC-134a -> 3080 + 4648.8 + 114.4 = 7843.2
    assert sum(r["co2e_kg"] for (row, _), r in rows.items() if row == 2) == Decimal("7843.2")


def test_non_kyoto_components_keep_their_mass_outside_the_scopes(tmp_path):
    """R-422D (65.1 % HFC-125, 31.5 % HFC-134a, 3.4 % isobutane) and R-401A (HCFC-22, HFC-152a, HCFC-124)
    under AR6: the Kyoto components count, isobutane and the HCFCs keep their mass at weight 0; R-448A's HFOs
    take their AR6 values. Under AR4 the HFO blend is rejected naming the gas."""
    rows = [{"row_id": i, "entity": "e", "period": "2024", "refrigerant": r, "quantity": "1", "unit": "kg"}
            for i, r in enumerate(["R-422D", "R-401A", "R-448A"], 1)]
    result = make_case(tmp_path / "ar6", LEAKS_RULESET.format(gwp="AR6"), {"leaks": rows}).run()
    assert fetch(result, "run_rejects") == []
    ledger = fetch(result, "run_ledger")
    by = {(int(r["row_id"]), r["gas"]): r for r in ledger}
    assert by[(1, "isobutane")]["amount"] == BLENDS["R-422D"]["isobutane"] and by[(1, "isobutane")]["co2e_kg"] == 0
    assert sum(r["co2e_kg"] for (row, _), r in by.items() if row == 1) == (
        BLENDS["R-422D"]["HFC-125"] * gwp_table("AR6GWP100")["HFC125"]
        + BLENDS["R-422D"]["HFC-134a"] * gwp_table("AR6GWP100")["HFC134A"])
    assert all(r["co2e_kg"] == 0 for (row, gas), r in by.items() if row == 2 and gas.startswith("HCFC"))
    assert by[(3, "HFO-1234yf")]["co2e_kg"] == BLENDS["R-448A"]["HFO-1234yf"] * Decimal("0.501")
    ar4 = make_case(tmp_path / "ar4", LEAKS_RULESET.format(gwp="AR4"), {"leaks": rows}).run()
    [reject] = fetch(ar4, "run_rejects")
    assert int(reject["row_id"]) == 3 and "no GWP for gas HFO-1234" in reject["reason"]
