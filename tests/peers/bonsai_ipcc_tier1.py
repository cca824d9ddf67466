"""Peer for tests/test_differential_ipcc.py: IPCC 2006 Tier 1 CO2 from fuel combustion, computed with
bonsai-ipcc 0.5.3 (PyPI, MIT). Runs in its own virtual environment (bonsai-ipcc pins numpy<2, which
Tanso's pyarrow cannot share), never imports Tanso, and uses only the standard library besides
bonsai-ipcc.

    python bonsai_ipcc_tier1.py REQUEST.json ANSWER.json
    request: {"year": 2019, "region": "World",
              "records": [{"id": "r1", "fuel": "natural_gas", "quantity": "12.5", "unit": "GJ"}, ...]}

What is bonsai-ipcc's and what is this script's
-----------------------------------------------
bonsai-ipcc 0.5.3 has no energy-sector volume (no stationary-combustion sequence). What applies is
its generic parameter data, IPCC 2006 Vol. 2 Ch. 1:

* `carbon_content_per_energy` (Table 1.3, kg C/GJ) and `energy_content_per_mass` (Table 1.2, NCV,
  GJ/t = TJ/Gg) are read **through bonsai-ipcc's API**: the `Parameter` tables its own loader builds
  (`bonsai_ipcc.industry.metal.parameter`, which loads `data/industry/metal` and `data/generic`), read
  by its `Sequence._read_parameter_uncertainty` with `uncertainty="def"` — the code path its tier
  sequences use to read a default value for (year, region, product). Not the CSV directly.
  (`Sequence.read_parameter`, the public wrapper, also validates the product against the module's
  dimension table, which for the metal module lists metal products only, so it cannot be used for
  fuels; the wrapped reader is the same lookup without that check.)
* The carbon → CO2 step is bonsai-ipcc's own elementary equation
  `waste.incineration.elementary.co2_emissions(waste, dm, cf, fcf, of) = waste·dm·cf·fcf·of·44/12`
  (Eq. 5.x, a mass balance of carbon), called with waste = fuel consumption (TJ), dm = 1,
  cf = carbon content (kg C/TJ), fcf = 1 and of = 1 (the 2006 default oxidation factor). This is
  IPCC 2006 Vol. 2 Ch. 2 Eq. 2.1 (Tier 1): Emissions = Fuel consumption (TJ) × EF (kg/TJ), with
  Table 1.4's default EF = carbon content × 44/12 × 1000 (oxidation factor 1), unrounded.
* Energy units are this script's (bonsai-ipcc has no unit conversion): TJ per unit below. The Btu is
  the International Table Btu, 1055.05585262 J exactly (1 cal_IT = 4.1868 J; Btu_IT = 4.1868 J ×
  453.59237 × 5/9; NIST SP 811 App. B.8). Mass units go through the NCV: energy (TJ) = mass (Gg) ×
  NCV (TJ/Gg).
* Biomass: bonsai-ipcc's product table has no fossil/biomass flag (it files landfill gas under
  natural gas). The 2006 Guidelines (Vol. 2 Ch. 1 Tables 1.2-1.4, "Biomass" rows; Ch. 2 Sect. 2.3.3.4)
  report CO2 from biomass as an information (memo) item, not in the energy-sector total. BIOMASS below
  lists the Table 1.3 biomass rows in bonsai-ipcc's product codes; their CO2 is computed the same way
  and flagged `memo_biomass`.

Output: JSON; every float is given as its repr string (round-trips exactly), with the peer's raw
parameter values and units, so the test can redo the arithmetic in exact decimals.
"""

from __future__ import annotations

import json
import sys
from importlib import metadata

# TJ in one unit (the test sends these names; Tanso's other spellings are its own business).
TJ_PER_UNIT = {
    "TJ": 1.0,
    "GJ": 1e-3,
    "MJ": 1e-6,
    "kWh": 3.6e-6,
    "MWh": 3.6e-3,
    "mmBtu": 1.05505585262e-3,  # 10^6 Btu_IT
}
# Gg in one unit of mass.
GG_PER_UNIT = {"t": 1e-3, "tonne": 1e-3, "tonnes": 1e-3, "kg": 1e-6}

# IPCC 2006 Vol. 2 Ch. 1 Table 1.3 "Biomass" section (solid, liquid, gas, other non-fossil), in
# bonsai-ipcc product codes (msw_wood and isw_wood both carry Table 1.3's wood/wood waste 30.5).
# Peat, municipal wastes (non-biomass fraction) `msw`, industrial wastes `isw` and waste oils
# `ow_hazard` are not biomass.
BIOMASS = frozenset({
    "msw_wood", "isw_wood", "black_liquor", "other_prim_solid_biomass", "charcoal",
    "biogasoline", "biodiesels", "other_liquid_biofuels",
    "landfill_gas", "sludge_gas", "other_biogas", "msw_biomass",
})

CARBON = "carbon_content_per_energy"
NCV = "energy_content_per_mass"


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    with open(sys.argv[1], encoding="utf-8") as handle:
        request = json.load(handle)
    year, region = int(request.get("year", 2019)), request.get("region", "World")

    from bonsai_ipcc._sequence import Sequence
    from bonsai_ipcc.industry.metal import concordance, dimension, elementary, parameter
    from bonsai_ipcc.waste.incineration.elementary import co2_emissions

    seq = Sequence(dimension, parameter, elementary, concordance, uncert="def")

    def read(table: str, product: str):
        """(value, unit) of the default for (year, region, product), or None when there is none."""
        df = getattr(parameter, table)
        try:
            value, unit = seq._read_parameter_uncertainty(df, [year, region, product], table)
        except KeyError:
            return None
        return float(value), str(unit)

    products = sorted({p for (y, r, p, prop) in getattr(parameter, CARBON).index
                       if y == year and r == region and prop == "def"})
    parameters = {}
    for product in products:
        carbon, ncv = read(CARBON, product), read(NCV, product)
        parameters[product] = {
            "carbon_content": repr(carbon[0]), "carbon_content_unit": carbon[1],
            "ncv": None if ncv is None else repr(ncv[0]), "ncv_unit": None if ncv is None else ncv[1],
            "memo_biomass": product in BIOMASS}

    answers = []
    for record in request["records"]:
        answer = {"id": record["id"], "co2_kg": None, "energy_tj": None, "memo_biomass": None, "error": None}
        fuel, unit = record["fuel"], record["unit"]
        quantity = float(record["quantity"])
        carbon = read(CARBON, fuel)
        if carbon is None:
            answers.append({**answer, "error": f"no carbon content for {fuel!r}"})
            continue
        if carbon[1] != "kg/GJ":
            raise ValueError(f"{fuel}: carbon content in {carbon[1]}, expected kg/GJ")
        if unit in TJ_PER_UNIT:
            energy_tj = quantity * TJ_PER_UNIT[unit]
        elif unit in GG_PER_UNIT:
            ncv = read(NCV, fuel)
            if ncv is None:
                answers.append({**answer, "error": f"no net calorific value for {fuel!r}"})
                continue
            if ncv[1] != "GJ/t":
                raise ValueError(f"{fuel}: NCV in {ncv[1]}, expected GJ/t")
            energy_tj = quantity * GG_PER_UNIT[unit] * ncv[0]  # Gg × TJ/Gg (= GJ/t)
        else:
            answers.append({**answer, "error": f"unknown unit {record['unit']!r}"})
            continue
        carbon_per_tj = carbon[0] * 1000.0  # kg C/GJ → kg C/TJ
        co2 = co2_emissions(waste=energy_tj, dm=1.0, cf=carbon_per_tj, fcf=1.0, of=1.0)
        answers.append({**answer, "co2_kg": repr(float(co2)), "energy_tj": repr(energy_tj),
                        "memo_biomass": fuel in BIOMASS})

    result = {"peer": "bonsai-ipcc", "version": metadata.version("bonsai-ipcc"), "year": year, "region": region,
              "tj_per_unit": {k: repr(v) for k, v in TJ_PER_UNIT.items()},
              "gg_per_unit": {k: repr(v) for k, v in GG_PER_UNIT.items()},
              "parameters": parameters, "records": answers}
    with open(sys.argv[2], "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
