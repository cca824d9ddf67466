#!/usr/bin/env python
"""Build the factor packs shipped in plugins/tanso_ghgp/data/ from real, shippable data in PyPI packages.

Build-time requirements (NOT runtime dependencies of tanso; also available as the `factor-build` extra):

    pip install atomic6ghg bonsai-ipcc

This script installs nothing. It reads:

* US EPA GHG Emission Factors Hub values as shipped (JSON) in atomic6ghg, under
  `atomic6ghg/factors/source_data/`. EPA data are a US Government work (public domain);
  atomic6ghg itself is BSD-3-Clause. The package does not state the Hub year, so the edition is
  named "as shipped in atomic6ghg <version>" (see docs/factor-sets.md for the evidence).
* IPCC 2006 default carbon contents (Vol. 2, Ch. 1, Table 1.3) as shipped (CSV) in bonsai-ipcc,
  `bonsai_ipcc/data/generic/par_carbon_content_per_energy.csv` (bonsai-ipcc is MIT).
* Refrigerant blend compositions (ANSI/ASHRAE Standard 34), hand-typed in
  `scripts/refrigerant_blends_ashrae34.csv` (no PyPI package carries them); validated and expanded here.

CO2 from biomass, biogas and biofuels is gas `CO2_biogenic` (weight 0 in Tanso: reported outside the
scopes), never `CO2`. Each pack with fuels has a `biomass` column; the build fails when a biomass fuel
carries fossil CO2, or has no CO2_biogenic factor in a pack that gives fossil fuels CO2 (check_biogenic).

Values are copied as the exact decimal text of the source (JSON parsed with parse_float=Decimal),
except where documented: IPCC CO2 factors are carbon content × 44/12, computed exactly and
rounded half-even to 12 decimals; a JSON value that is a binary-float artefact (more than 12
decimals, e.g. 0.0015520000000000002) is normalised to 12 decimals and the source column says so;
biomass CO2 per mmBtu and biofuel blends are derived exactly (see the source column of each row).

Usage:  python scripts/build_factor_packs.py [--out plugins/tanso_ghgp/data] [--check]
  --check   rebuild in memory and fail if a shipped file differs (for CI).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import sys
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from importlib import metadata, resources
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "plugins" / "tanso_ghgp" / "data"
TWELVE = Decimal("1e-12")
# The Hub's per-gas keys and the mass unit each is given in (kg CO2, g CH4, g N2O).
PER_GAS_KEYS = (("CO2", "co2", "kg"), ("CH4", "ch4", "g"), ("N2O", "n2o", "g"))

EPA_PUBLISHER = "US EPA (GHG Emission Factors Hub)"
EPA_LICENCE = "Public domain (US Government work, 17 U.S.C. 105); carried by atomic6ghg (BSD-3-Clause)"
IPCC_PUBLISHER = "IPCC (2006 IPCC Guidelines for National Greenhouse Gas Inventories)"
IPCC_LICENCE = ("Cite: IPCC 2006 Guidelines, Vol. 2, Ch. 1, Table 1.3 (default values, reproduced with citation); "
                "carried by bonsai-ipcc (MIT)")

BASE = ["factor_id", "gas", "value", "unit", "per", "publisher", "edition", "licence", "version", "source"]
BIOGENIC = "CO2_biogenic"

# Biofuel blend grades (by volume): grade -> (neat biofuel key in the Hub JSON, biofuel volume share).
# The fossil counterpart comes from atomic6ghg's MobileSources.non_biomass_co2_fuel_map.
BLENDS = {"E10": ("ethanol", "0.1"), "E15": ("ethanol", "0.15"), "E85": ("ethanol", "0.85"),
          "E100": ("ethanol", "1"), "B2": ("biodiesel", "0.02"), "B5": ("biodiesel", "0.05"),
          "B10": ("biodiesel", "0.1"), "B20": ("biodiesel", "0.2"), "B100": ("biodiesel", "1")}

# IPCC 2006 Vol. 2 Ch. 1 Table 1.1 (fuel categories) for each product of bonsai-ipcc's
# par_carbon_content_per_energy.csv; the build fails on a product not listed here.
IPCC_T11 = "IPCC 2006 Vol. 2 Ch. 1 Table 1.1/1.3"
IPCC_BIOMASS = {
    "msw_wood": "Biomass - solid biofuels: wood/wood waste (bonsai-ipcc product for wood in municipal solid waste; 30.5 kg C/GJ = Table 1.3 wood/wood waste)",
    "isw_wood": "Biomass - solid biofuels: wood/wood waste (bonsai-ipcc product for wood in industrial solid waste; 30.5 kg C/GJ = Table 1.3 wood/wood waste)",
    "black_liquor": "Biomass - solid biofuels: sulphite lyes (black liquor)",
    "other_prim_solid_biomass": "Biomass - solid biofuels: other primary solid biomass",
    "charcoal": "Biomass - solid biofuels: charcoal",
    "biogasoline": "Biomass - liquid biofuels: biogasoline",
    "biodiesels": "Biomass - liquid biofuels: biodiesels",
    "other_liquid_biofuels": "Biomass - liquid biofuels: other liquid biofuels",
    "landfill_gas": "Biomass - gas biomass: landfill gas",
    "sludge_gas": "Biomass - gas biomass: sludge gas",
    "other_biogas": "Biomass - gas biomass: other biogas",
    "msw_biomass": "Biomass - other non-fossil fuels: municipal wastes (biomass fraction)",
}
IPCC_FOSSIL = {
    **dict.fromkeys(("oil", "orimulsion", "natural_gas_liquids", "motor_gasoline", "aviation_gasoline",
                     "jet_gasoline", "jet_kerosene", "other_kerosene", "shale_oil", "gas_diesel_oil",
                     "residual_fuel_oil", "liquefied_petroleum_gases", "ethane", "naphtha", "bitumen", "lubricants",
                     "petroleum_coke", "refinery_feedstocks", "refinery_gas", "paraffin_waxes", "white_spirit_sbp",
                     "other_petro_products"), "Liquid fossil"),
    **dict.fromkeys(("anthracite", "coking_coal", "other_bituminous_coal", "sub_bituminous_coal", "lignite",
                     "oil_shale_tar_sands", "brown_coal_briquettes", "patent_fuel", "coke_oven_lignite_coke", "coke",
                     "gas_coke", "coal_tar", "gas_works_gas", "coke_oven_gas", "blast_furnace_gas",
                     "oxygen_steel_furnace_gas"), "Solid fossil (incl. derived gases)"),
    "natural_gas": "Gaseous fossil",
    "msw": "Other fossil fuels: municipal wastes (non-biomass fraction)",
    "isw": "Other fossil fuels: industrial wastes",
    "ow_hazard": "Other fossil fuels: waste oils",
    "peat": "Peat (not biomass in the 2006 Guidelines; its CO2 is reported with fossil fuels)",
}

# Refrigerant blends: ASHRAE component number -> (gas as the GWP tables spell it, Kyoto gas).
ASHRAE_EDITION = "ANSI/ASHRAE Standard 34-2022"
ASHRAE_PUBLISHER = "ASHRAE (ANSI/ASHRAE Standard 34, Designation and Safety Classification of Refrigerants)"
ASHRAE_LICENCE = ("Compositions are facts cited from ANSI/ASHRAE Standard 34-2022 (not a copy of the standard); "
                  "typed by the Tanso contributors, Apache-2.0 like Tanso")
ASHRAE_VERSION = "ashrae34-2022-tanso-1"
REFRIGERANT_SOURCE = REPO / "scripts" / "refrigerant_blends_ashrae34.csv"
REFRIGERANT_COMPONENTS = {
    "R-12": ("CFC-12", False), "R-115": ("CFC-115", False),
    "R-22": ("HCFC-22", False), "R-124": ("HCFC-124", False), "R-142b": ("HCFC-142b", False),
    "R-23": ("HFC-23", True), "R-32": ("HFC-32", True), "R-125": ("HFC-125", True), "R-134a": ("HFC-134a", True),
    "R-143a": ("HFC-143a", True), "R-152a": ("HFC-152a", True), "R-227ea": ("HFC-227ea", True),
    "R-236fa": ("HFC-236fa", True), "R-245fa": ("HFC-245fa", True),
    "R-116": ("C2F6", True), "R-218": ("C3F8", True),          # PFC-116, PFC-218
    "R-744": ("CO2", True),
    "R-1234yf": ("HFO-1234yf", False), "R-1234ze(E)": ("HFO-1234ze(E)", False),
    "R-290": ("propane", False), "R-600": ("butane", False), "R-600a": ("isobutane", False),
    "R-601": ("pentane", False), "R-601a": ("isopentane", False), "R-1270": ("propylene", False),
    "R-E170": ("CH3OCH3", False),                               # dimethyl ether
}


class BuildError(ValueError):
    """A pack would be wrong; the message names the pack, factor_id and fuel."""


def snake(name: str) -> str:
    """camelCase JSON key → snake_case match value (anthraciteCoal → anthracite_coal, No2 → no2)."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    name = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return name.lower()


def exact(value, where: str) -> tuple[str, str]:
    """The decimal text of a JSON number, and a note when it had to be normalised."""
    if not isinstance(value, (Decimal, int)):
        raise ValueError(f"{where}: not a number: {value!r}")
    d = Decimal(value)
    if not d.is_finite():
        raise ValueError(f"{where}: not finite: {value!r}")
    if d.as_tuple().exponent < -12:
        fixed = d.quantize(TWELVE, rounding=ROUND_HALF_EVEN).normalize()
        return format_decimal(fixed), f" (JSON holds {value}, a binary-float artefact; normalised to 12 decimals)"
    return format_decimal(d), ""


def format_decimal(d: Decimal) -> str:
    text = format(d, "f")
    return text


def exact_product(*factors: Decimal) -> str:
    """A product or quotient computed exactly (50 digits), rounded half-even to 12 decimals."""
    with localcontext() as context:
        context.prec = 50
        result = Decimal(1)
        for f in factors:
            result *= f
        return format_decimal(result.quantize(TWELVE, rounding=ROUND_HALF_EVEN).normalize())


def inverse_of_float(value: Decimal, where: str) -> Decimal:
    """The short decimal d of which the JSON float is 1/d computed in binary floating point
    (0.05720823798627002 == 1.0 / 17.48 -> 17.48)."""
    with localcontext() as context:
        context.prec = 50
        inverse = Decimal(1) / value
        for places in range(0, 13):
            d = inverse.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
            if d and 1.0 / float(d) == float(value):
                return d.normalize()
    raise BuildError(f"{where}: {value} is not 1.0/d in floating point for a decimal d of at most 12 places")


def load_json(package_dir, name: str):
    text = (package_dir / name).read_text(encoding="utf-8")
    return json.loads(text, parse_float=Decimal, parse_int=Decimal, parse_constant=lambda c: None)


class Pack:
    def __init__(self, name: str, match: list[str], extra: list[str] | None = None):
        self.name, self.match, self.extra, self.rows = name, match, extra or [], []

    def add(self, **row) -> None:
        self.rows.append(row)

    def text(self) -> str:
        columns = ["factor_id", *self.match, *BASE[1:], *self.extra]
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        seen = set()
        for row in self.rows:
            key = (*(row[m] for m in self.match), row["gas"])
            if key in seen:
                raise ValueError(f"{self.name}: duplicate factor for {key}")
            seen.add(key)
            writer.writerow({c: row.get(c, "") for c in columns})
        return buffer.getvalue()


def epa_packs() -> list[Pack]:
    version = metadata.version("atomic6ghg")
    edition = f"as shipped in atomic6ghg {version}"
    ver = f"atomic6ghg-{version}"
    src = resources.files("atomic6ghg") / "factors" / "source_data"
    prefix = "atomic6ghg/factors/source_data/"
    common = {"publisher": EPA_PUBLISHER, "edition": edition, "licence": EPA_LICENCE, "version": ver}
    packs = []

    # Stationary combustion (Hub Table 1): per physical unit, and per mmBtu (HHV) in a second pack.
    # Biomass fuels are atomic6ghg's StationaryCombustion.non_fossil_fuels (it reports their CO2 as
    # "totalBiomassEquivalentEmissions", outside its CO2e total): their CO2 is CO2_biogenic.
    from atomic6ghg.formulas.stationary_combustion import StationaryCombustion
    stationary_biomass = set(StationaryCombustion.non_fossil_fuels)
    biomass_note = " [biomass: atomic6ghg StationaryCombustion.non_fossil_fuels]"
    data = load_json(src, "stationary_combustion_emission_factors.json")
    heat = load_json(src, "heat_content_factors.json")
    per_unit = Pack("epa_hub_stationary", ["fuel"], ["biomass"])
    per_energy = Pack("epa_hub_stationary_energy", ["fuel"], ["biomass"])
    unit_map = {"scf": "scf", "gallons": "gallon", "short tons": "short_ton"}
    heat_unit = {"scf": "scf", "gallons": "gallons", "short tons": "shortTon"}
    where = f"{prefix}stationary_combustion_emission_factors.json"
    for fuel, entry in data.items():
        biomass = fuel in stationary_biomass
        flag = {"biomass": "true" if biomass else "false"}
        note_b = biomass_note if biomass else ""
        for gas, energy_key, unit_key, mass in (("CO2", "CO2 Factor (kg / mmBtu)", "CO2 Factor (kg / Unit)", "kg"),
                                                ("CH4", "CH4 Factor (g / mmBtu)", "CH4 Factor (g / unit)", "g"),
                                                ("N2O", "N2O Factor (g / mmBtu)", "N2O Factor (g / unit)", "g")):
            name = BIOGENIC if biomass and gas == "CO2" else gas
            has_unit = entry.get(unit_key) is not None and entry.get("Unit") is not None
            if biomass and gas == "CO2":
                # The JSON holds 0.0 per mmBtu (the EPA tool reports biomass CO2 apart). Derive it exactly
                # from the per-unit factor and the Hub heat content atomic6ghg ships.
                if not has_unit:
                    raise BuildError(f"epa_hub_stationary_energy: {fuel}: biomass fuel without a per-unit CO2 factor")
                unit = entry["Unit"]
                hkey = heat_unit[unit]
                hwhere = f'{prefix}heat_content_factors.json ["{fuel}"]["mmbtu"]'
                if heat[fuel][hkey] != 1:
                    raise BuildError(f"{hwhere}: expected per 1 {hkey}")
                units_per_mmbtu = heat[fuel]["mmbtu"]
                content = inverse_of_float(units_per_mmbtu, hwhere)   # mmBtu per unit
                per_unit_co2, _ = exact(entry[unit_key], where)
                with localcontext() as context:
                    context.prec = 50
                    value = format_decimal((Decimal(per_unit_co2) / content).quantize(
                        TWELVE, rounding=ROUND_HALF_EVEN).normalize())
                per_energy.add(factor_id=f"EPA-HUB-STAT-{fuel}-{BIOGENIC}-MMBTU", fuel=snake(fuel), gas=name,
                               value=value, unit=mass, per="megaBtu", **flag, **common,
                               source=f'{per_unit_co2} kg/{unit_map[unit]} ({where} ["{fuel}"]["{unit_key}"]) '
                                      f'÷ {content} mmBtu/{unit_map[unit]} (Hub heat content: {hwhere} holds '
                                      f'{units_per_mmbtu} {hkey}/mmBtu = 1.0/{content} in binary floating point), exact, '
                                      f'rounded half-even to 12 decimals; the JSON\'s "{energy_key}" is 0.0 '
                                      f'because the EPA tool reports biomass CO2 separately{note_b}')
            else:
                value, note = exact(entry[energy_key], where)
                per_energy.add(factor_id=f"EPA-HUB-STAT-{fuel}-{gas}-MMBTU", fuel=snake(fuel), gas=gas, value=value,
                               unit=mass, per="megaBtu", **flag, **common,
                               source=f'{where} ["{fuel}"]["{energy_key}"]{note}{note_b}')
            if not has_unit:
                continue  # the Hub gives no per-unit factor (mixed electric power sector coal, coal coke)
            value, note = exact(entry[unit_key], where)
            per_unit.add(factor_id=f"EPA-HUB-STAT-{fuel}-{name}", fuel=snake(fuel), gas=name, value=value, unit=mass,
                         per=unit_map[entry["Unit"]], **flag, **common,
                         source=f'{where} ["{fuel}"]["{unit_key}"] (Unit: {entry["Unit"]}){note}{note_b}')
    packs += [per_unit, per_energy]

    # Mobile combustion CO2 (Hub Table 2): kg CO2 per gallon (CNG per scf). The Hub's ethanol and
    # biodiesel factors are for the neat fuels (E100, B100): all their CO2 is biogenic. atomic6ghg's
    # MobileSources.non_biomass_co2_fuel_map names the fossil fuel each is blended with
    # (ethanol -> gasoline, biodiesel -> diesel); blend grades are computed here by volume share.
    from atomic6ghg.formulas.mobile_sources import MobileSources
    fossil_of = dict(MobileSources.non_biomass_co2_fuel_map)
    mobile_note = " [biomass: atomic6ghg MobileSources.non_biomass_co2_fuel_map / biomass CO2 reported apart]"
    where = f"{prefix}mobile_combustion_co2_emission_factors.json"
    mobile_json = load_json(src, "mobile_combustion_co2_emission_factors.json")
    mobile_co2 = Pack("epa_hub_mobile_co2", ["fuel"], ["biomass", "blend_share"])
    for fuel, raw in mobile_json.items():
        value, note = exact(raw, where)
        biomass = fuel in fossil_of
        gas = BIOGENIC if biomass else "CO2"
        mobile_co2.add(factor_id=f"EPA-HUB-MOB-{fuel}-{gas}", fuel=snake(fuel), gas=gas, value=value, unit="kg",
                       per="scf" if fuel == "cng" else "gallon", biomass="true" if biomass else "false", **common,
                       source=f'{where} ["{fuel}"]{note}' + (f" (neat {fuel}){mobile_note}" if biomass else ""))
    for grade, (biofuel, share_text) in BLENDS.items():
        share = Decimal(share_text)
        fossil = fossil_of[biofuel]
        fossil_value, bio_value = Decimal(exact(mobile_json[fossil], where)[0]), Decimal(exact(mobile_json[biofuel], where)[0])
        pct = format_decimal((share * 100).normalize())
        row = {"fuel": grade.lower(), "unit": "kg", "per": "gallon", "blend_share": share_text,
               "biomass": "true" if share == 1 else "false", **common}
        if share < 1:
            fossil_share = format_decimal(1 - share)
            mobile_co2.add(factor_id=f"EPA-HUB-MOB-{grade}-CO2", gas="CO2",
                           value=exact_product(1 - share, fossil_value), **row,
                           source=f"{grade} = {pct} % {biofuel} by volume: fossil CO2 = (1 - {share_text}) x "
                                  f"{fossil_value} kg/gallon ({fossil}, {where} [\"{fossil}\"]) = {fossil_share} x "
                                  f"{fossil_value}, exact")
        mobile_co2.add(factor_id=f"EPA-HUB-MOB-{grade}-{BIOGENIC}", gas=BIOGENIC,
                       value=exact_product(share, bio_value), **row,
                       source=f"{grade} = {pct} % {biofuel} by volume: biogenic CO2 = {share_text} x {bio_value} "
                              f"kg/gallon (neat {biofuel}, {where} [\"{biofuel}\"]), exact{mobile_note}")
    packs.append(mobile_co2)

    # Mobile combustion CH4/N2O (Hub Tables 3-5). On-road vehicles: g per vehicle-mile, by model year
    # where the Hub gives model years; alternative-fuel on-road vehicles: g per vehicle-mile; non-road: g per gallon.
    # The road / non-road split is atomic6ghg's own (formulas/mobile_sources.py, road_vehicles).
    road = set(MobileSources.road_vehicles)
    where = f"{prefix}mobile_combustion_ch4_and_n2o_emission_factors.json"
    by_year = Pack("epa_hub_mobile_ch4_n2o_by_model_year", ["vehicle_type", "fuel", "model_year"], ["model_years"])
    default = Pack("epa_hub_mobile_ch4_n2o", ["vehicle_type", "fuel"])
    for vehicle, fuels in load_json(src, "mobile_combustion_ch4_and_n2o_emission_factors.json").items():
        for fuel, years in fuels.items():
            for year, entry in years.items():
                for gas, key in (("CH4", "ch4_factor"), ("N2O", "n2o_factor")):
                    value, note = exact(entry[key], where)
                    source = f'{where} ["{vehicle}"]["{fuel}"]["{year}"]["{key}"]{note}'
                    if year == "default":
                        default.add(factor_id=f"EPA-HUB-MOB-{vehicle}-{fuel}-{gas}", vehicle_type=snake(vehicle),
                                    fuel=snake(fuel), gas=gas, value=value, unit="g",
                                    per="mile" if vehicle in road else "gallon", **common, source=source)
                    else:
                        if vehicle not in road:
                            raise ValueError(f"{source}: model-year factor for a non-road vehicle")
                        by_year.add(factor_id=f"EPA-HUB-MOB-{vehicle}-{fuel}-{year}-{gas}", vehicle_type=snake(vehicle),
                                    fuel=snake(fuel), model_year=year, model_years=entry["year_display"], gas=gas,
                                    value=value, unit="g", per="mile", **common, source=source)
    packs += [by_year, default]

    # eGRID subregion location-based electricity factors (Hub Table 6): lb per MWh.
    where = f"{prefix}electricity_emission_factors.json"
    egrid = Pack("epa_hub_egrid", ["egrid_subregion"])
    for region, gases in load_json(src, "electricity_emission_factors.json").items():
        for gas, key in (("CO2", "co2"), ("CH4", "ch4"), ("N2O", "n2o")):
            value, note = exact(gases[key], where)
            egrid.add(factor_id=f"EPA-HUB-EGRID-{region.upper()}-{gas}", egrid_subregion=region.upper(), gas=gas,
                      value=value, unit="lb", per="MWh", **common, source=f'{where} ["{region}"]["{key}"]{note}')
    packs.append(egrid)

    # Business travel (Hub Table 10): kg CO2, g CH4, g N2O per vehicle-mile or passenger-mile.
    where = f"{prefix}business_travel_factors.json"
    travel = Pack("epa_hub_business_travel", ["mode"], ["distance_basis"])
    for mode, entry in load_json(src, "business_travel_factors.json").items():
        for gas, key, mass in PER_GAS_KEYS:
            value, note = exact(entry[key], where)
            travel.add(factor_id=f"EPA-HUB-TRAVEL-{mode}-{gas}", mode=snake(mode), gas=gas, value=value, unit=mass,
                       per="mile", distance_basis=entry["units"], **common,
                       source=f'{where} ["{mode}"]["{key}"] (per {entry["units"]}){note}')
    packs.append(travel)

    # Upstream/downstream transportation (Hub Table 8): kg CO2, g CH4, g N2O per vehicle-mile or short ton-mile.
    where = f"{prefix}product_transport_emission_factors.json"
    transport = Pack("epa_hub_product_transport", ["mode", "basis"])
    for mode, bases in load_json(src, "product_transport_emission_factors.json").items():
        for basis, gases in bases.items():
            per = {"vehicle-mile": "mile", "ton-mile": "short_ton*mile"}[basis]
            for gas, key, mass in PER_GAS_KEYS:
                value, note = exact(gases[key], where)
                transport.add(factor_id=f"EPA-HUB-TRANSPORT-{mode}-{basis}-{gas}", mode=snake(mode),
                              basis=basis.replace("-", "_"), gas=gas, value=value, unit=mass, per=per, **common,
                              source=f'{where} ["{mode}"]["{basis}"]["{key}"]{note}')
    packs.append(transport)

    # Waste (Hub Table 9, from EPA WARM): metric tons CO2e per short ton of material.
    where = f"{prefix}waste_emission_factors.json"
    waste = Pack("epa_hub_waste", ["waste_type", "treatment"])
    for material, methods in load_json(src, "waste_emission_factors.json").items():
        for method, raw in methods.items():
            if raw is None:
                continue
            value, note = exact(raw, where)
            waste.add(factor_id=f"EPA-HUB-WASTE-{material}-{method}", waste_type=snake(material),
                      treatment=snake(method), gas="CO2e", value=value, unit="t", per="short_ton", **common,
                      source=f'{where} ["{material}"]["{method}"]{note}')
    packs.append(waste)
    return packs


def ipcc_packs() -> list[Pack]:
    version = metadata.version("bonsai-ipcc")
    ver = f"bonsai-ipcc-{version}"
    relative = "bonsai_ipcc/data/generic/par_carbon_content_per_energy.csv"
    path = resources.files("bonsai_ipcc") / "data" / "generic" / "par_carbon_content_per_energy.csv"
    common = {"publisher": IPCC_PUBLISHER, "edition": "2006 Guidelines, Vol. 2, Ch. 1, Table 1.3",
              "licence": IPCC_LICENCE, "version": ver}
    pack = Pack("ipcc2006_fuel_co2", ["fuel"], ["biomass", "carbon_content_kg_c_per_gj"])
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for line, row in enumerate(rows, start=2):
        if row["property"] != "def" or row["region"] != "World":
            continue
        if row["unit"] != "kg/GJ":
            raise ValueError(f"{relative} line {line}: unexpected unit {row['unit']!r}")
        product = row["product"]
        if product in IPCC_BIOMASS:
            biomass, category = True, IPCC_BIOMASS[product]
        elif product in IPCC_FOSSIL:
            biomass, category = False, IPCC_FOSSIL[product]
        else:
            raise BuildError(f"ipcc2006_fuel_co2: {relative} line {line}: product {product!r} is not classified "
                             f"fossil or biomass (add it to IPCC_BIOMASS or IPCC_FOSSIL, citing {IPCC_T11})")
        gas = BIOGENIC if biomass else "CO2"
        carbon = Decimal(row["value"])
        with localcontext() as context:
            context.prec = 50
            co2 = format_decimal((carbon * Decimal(44) / Decimal(12)).quantize(TWELVE, rounding=ROUND_HALF_EVEN)
                                 .normalize())
        pack.add(factor_id=f"IPCC2006-V2C1-T1.3-{product}-{gas}", fuel=product, gas=gas,
                 value=co2, unit="kg", per="GJ", biomass="true" if biomass else "false",
                 carbon_content_kg_c_per_gj=row["value"], **common,
                 source=f"{relative} line {line} (year {row['year']}, {row['region']}, product={product}, "
                        f"property=def: {row['value']} kg C/GJ) x 44/12, rounded half-even to 12 decimals; "
                        f"oxidation factor 1 (IPCC 2006 default); {IPCC_T11} category: {category}")
    return [pack]


def refrigerant_packs() -> list[Pack]:
    """One row per (refrigerant, component gas): the component's mass fraction, kg per kg of refrigerant."""
    relative = REFRIGERANT_SOURCE.relative_to(REPO)
    common = {"publisher": ASHRAE_PUBLISHER, "edition": ASHRAE_EDITION, "licence": ASHRAE_LICENCE,
              "version": ASHRAE_VERSION}
    pack = Pack("refrigerant_blends", ["refrigerant"], ["kyoto", "components", "mass_percent"])
    with REFRIGERANT_SOURCE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    seen = set()
    for line, row in enumerate(rows, start=2):
        name, components, percents = row["refrigerant"], row["components"].split("/"), row["mass_percent"].split("/")
        where = f"refrigerant_blends: {relative} line {line} ({name})"
        if name in seen:
            raise BuildError(f"{where}: repeated refrigerant")
        seen.add(name)
        if not re.fullmatch(r"R-(\d{2,3}[a-z]{0,2}|[45]\d\d[A-Z]?)", name):
            raise BuildError(f"{where}: not an ASHRAE designation like R-410A")
        if len(components) != len(percents):
            raise BuildError(f"{where}: {len(components)} components but {len(percents)} mass percentages")
        total = sum((Decimal(p) for p in percents), Decimal(0))
        if total != 100:
            raise BuildError(f"{where}: mass percentages sum to {total}, not 100")
        numbers = [c if c.startswith("R-") else f"R-{c}" for c in components]
        if len(set(numbers)) != len(numbers):
            raise BuildError(f"{where}: a component is listed twice")
        single = len(numbers) == 1
        for number, percent in zip(numbers, percents):
            if number not in REFRIGERANT_COMPONENTS:
                raise BuildError(f"{where}: component {number} has no gas name (add it to REFRIGERANT_COMPONENTS)")
            gas, kyoto = REFRIGERANT_COMPONENTS[number]
            fraction = format_decimal((Decimal(percent) / 100).normalize())
            if Decimal(fraction) <= 0:
                raise BuildError(f"{where}: component {number} has mass percentage {percent}")
            cite = ("single-compound refrigerant" if single else
                    f"{ASHRAE_EDITION}, blend composition (mass %): {row['components']} ({row['mass_percent']})")
            pack.add(factor_id=f"ASHRAE34-{name}-{gas}", refrigerant=name, gas=gas, value=fraction, unit="kg",
                     per="kg", kyoto="true" if kyoto else "false", components=row["components"],
                     mass_percent=row["mass_percent"], **common,
                     source=f"{cite}; {number} = {gas}: {percent} % / 100; {relative} line {line}")
    return [pack]


def check_biogenic(packs: list[Pack]) -> list[str]:
    """Every pack with a `biomass` column: no biomass fuel carries fossil CO2, and where fossil fuels have a
    CO2 factor each biomass fuel has a CO2_biogenic one; a blend has both, and no CO2 value is zero."""
    errors = []
    for pack in packs:
        if "biomass" not in pack.extra:
            continue
        fuel_of = {}
        gases: dict[tuple, set] = {}
        for row in pack.rows:
            key = tuple(row[m] for m in pack.match)
            fuel_of[key] = row["biomass"]
            gases.setdefault(key, set()).add(row["gas"])
            label = f"{pack.name}: {row['factor_id']} (fuel {row['fuel']})"
            if row["biomass"] not in ("true", "false"):
                errors.append(f"{label}: biomass must be true or false, not {row['biomass']!r}")
            if row["biomass"] == "true" and row["gas"] == "CO2":
                errors.append(f"{label}: a biomass fuel carries fossil CO2 (its CO2 must be {BIOGENIC})")
            if row["biomass"] == "false" and row["gas"] == BIOGENIC and not row.get("blend_share"):
                errors.append(f"{label}: {BIOGENIC} on a fuel not classified as biomass")
            if row["gas"] in ("CO2", BIOGENIC) and Decimal(row["value"]) <= 0:
                errors.append(f"{label}: {row['gas']} factor {row['value']} (drop or replace a zero CO2 row)")
        if not any(flag == "false" and "CO2" in gases[key] for key, flag in fuel_of.items()):
            continue
        for key, flag in fuel_of.items():
            blend = any(r.get("blend_share") for r in pack.rows if tuple(r[m] for m in pack.match) == key)
            ids = ", ".join(r["factor_id"] for r in pack.rows if tuple(r[m] for m in pack.match) == key)
            if (flag == "true" or blend) and BIOGENIC not in gases[key]:
                errors.append(f"{pack.name}: {ids} (fuel {key[0]}): biomass fuel without a {BIOGENIC} factor")
    return errors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="fail if the shipped files differ from a rebuild")
    args = parser.parse_args(argv)
    try:
        packs = [*epa_packs(), *ipcc_packs(), *refrigerant_packs()]
    except ModuleNotFoundError as error:
        print(f"{error}: run `pip install atomic6ghg bonsai-ipcc` (or `pip install -e .[factor-build]`)",
              file=sys.stderr)
        return 2
    except BuildError as error:
        print(f"pack build failed: {error}", file=sys.stderr)
        return 1
    errors = check_biogenic(packs)
    if errors:
        print("pack build failed (biogenic CO2 check):\n  " + "\n  ".join(errors), file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    stale = []
    for pack in packs:
        target = args.out / f"{pack.name}.csv"
        text = pack.text()
        if len(text.encode()) > 1_000_000:
            raise ValueError(f"{pack.name}: over 1 MB")
        if args.check:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                stale.append(target.name)
            continue
        target.write_text(text, encoding="utf-8")
        print(f"{target.relative_to(REPO) if target.is_relative_to(REPO) else target}: {len(pack.rows)} rows")
    if stale:
        print("out of date: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
