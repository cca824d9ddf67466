"""Biofuel blends at any share: `fuel_combustion(blends: TABLE)` gives a blend each component's factors ×
its share, so the fossil CO2 and the biogenic CO2 of E27 or B7 stay apart, exactly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from conftest import FUEL_INPUT, fuel_row, ledger, make_case, rejects
from tanso.diagnostics import InputError

D = Decimal
RULESET = f"""\
ruleset blends "fuel blends by share"
set gwp.set = AR5
{FUEL_INPUT}
input fuel_blends "Blends the company buys, by volume"
  key row_id
  columns blend: text, component: text, share: decimal(18,6)
rule s1.mobile "Mobile combustion CO2"
  scope 1
  from fuel_use
  calc fuel_combustion(factors: epa_hub_mobile_co2, blends: fuel_blends)
"""
GASOLINE, ETHANOL, DIESEL, BIODIESEL = D("8.78"), D("5.75"), D("10.21"), D("9.45")  # kg CO2 per gallon, EPA Hub


def _blend_rows(*parts):
    return [{"row_id": f"B{i}", "blend": blend, "component": component, "share": share}
            for i, (blend, component, share) in enumerate(parts, 1)]


def _run(tmp_path, blends, rows):
    return make_case(tmp_path, RULESET, {"fuel_use": rows, "fuel_blends": _blend_rows(*blends)}).run()


def test_a_blend_splits_fossil_and_biogenic_co2_by_share(tmp_path):
    blends = [("e27", "gasoline", "0.73"), ("e27", "ethanol", "0.27"), ("b7", "diesel", "0.93"),
              ("b7", "biodiesel", "0.07")]
    result = _run(tmp_path, blends, [fuel_row("M1", "100", unit="gallon", fuel="e27"),
                                     fuel_row("M2", "10", unit="gallon", fuel="b7")])
    assert rejects(result) == []
    rows = {(r["row_id"], r["gas"]): r for r in ledger(result)}
    assert rows[("M1", "CO2")]["amount"] == 100 * D("0.73") * GASOLINE
    assert rows[("M1", "CO2_biogenic")]["amount"] == 100 * D("0.27") * ETHANOL
    assert rows[("M1", "CO2_biogenic")]["co2e_kg"] == 0
    assert rows[("M2", "CO2")]["co2e_kg"] == 10 * D("0.93") * DIESEL
    assert rows[("M1", "CO2")]["factor_id"] == "e27: 0.73×EPA-HUB-MOB-gasoline-CO2"


def test_a_blend_table_reproduces_the_packs_e85_grade(tmp_path):
    result = _run(tmp_path, [("my_e85", "gasoline", "0.15"), ("my_e85", "ethanol", "0.85")],
                  [fuel_row("A", "3", unit="gallon", fuel="my_e85"), fuel_row("B", "3", unit="gallon", fuel="e85")])
    by_row: dict[str, dict[str, Decimal]] = {}
    for row in ledger(result):
        by_row.setdefault(row["row_id"], {})[row["gas"]] = row["amount"]
    assert by_row["A"] == by_row["B"] == {"CO2": 3 * D("1.317"), "CO2_biogenic": 3 * D("4.8875")}


@pytest.mark.parametrize("blends, message", [
    ([("e27", "gasoline", "0.7"), ("e27", "ethanol", "0.2")], "shares must be positive and add up to 1 (they add up to 0.9"),
    ([("e27", "gasoline", "0.73"), ("e27", "wood", "0.27")], "e27': wood not a fuel of epa_hub_mobile_co2"),
    ([("e85", "gasoline", "0.15"), ("e85", "ethanol", "0.85")], "blend 'e85' is also a fuel of epa_hub_mobile_co2"),
    ([("mix", "gasoline", "0.5"), ("mix", "cng", "0.5")], "per different units (gallon, scf)"),
])
def test_a_wrong_blend_table_stops_the_run_naming_the_blend(tmp_path, blends, message):
    with pytest.raises(InputError, match="blends table 'fuel_blends': .*" + message.replace("(", r"\(").replace(")", r"\)")):
        _run(tmp_path, blends, [fuel_row("M1", "1", unit="gallon", fuel="gasoline")])
