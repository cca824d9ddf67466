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

Values are copied as the exact decimal text of the source (JSON parsed with parse_float=Decimal),
except where documented: IPCC CO2 factors are carbon content × 44/12, computed exactly and
rounded half-even to 12 decimals; a JSON value that is a binary-float artefact (more than 12
decimals, e.g. 0.0015520000000000002) is normalised to 12 decimals and the source column says so.

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
    data = load_json(src, "stationary_combustion_emission_factors.json")
    per_unit = Pack("epa_hub_stationary", ["fuel"])
    per_energy = Pack("epa_hub_stationary_energy", ["fuel"])
    unit_map = {"scf": "scf", "gallons": "gallon", "short tons": "short_ton"}
    for fuel, entry in data.items():
        for gas, energy_key, unit_key, mass in (("CO2", "CO2 Factor (kg / mmBtu)", "CO2 Factor (kg / Unit)", "kg"),
                                                ("CH4", "CH4 Factor (g / mmBtu)", "CH4 Factor (g / unit)", "g"),
                                                ("N2O", "N2O Factor (g / mmBtu)", "N2O Factor (g / unit)", "g")):
            where = f"{prefix}stationary_combustion_emission_factors.json"
            value, note = exact(entry[energy_key], where)
            per_energy.add(factor_id=f"EPA-HUB-STAT-{fuel}-{gas}-MMBTU", fuel=snake(fuel), gas=gas, value=value,
                           unit=mass, per="megaBtu", **common,
                           source=f'{where} ["{fuel}"]["{energy_key}"]{note}')
            if entry.get(unit_key) is None or entry.get("Unit") is None:
                continue  # the Hub gives no per-unit factor (mixed electric power sector coal, coal coke)
            value, note = exact(entry[unit_key], where)
            per_unit.add(factor_id=f"EPA-HUB-STAT-{fuel}-{gas}", fuel=snake(fuel), gas=gas, value=value, unit=mass,
                         per=unit_map[entry["Unit"]], **common,
                         source=f'{where} ["{fuel}"]["{unit_key}"] (Unit: {entry["Unit"]}){note}')
    packs += [per_unit, per_energy]

    # Mobile combustion CO2 (Hub Table 2): kg CO2 per gallon (CNG per scf).
    where = f"{prefix}mobile_combustion_co2_emission_factors.json"
    mobile_co2 = Pack("epa_hub_mobile_co2", ["fuel"])
    for fuel, raw in load_json(src, "mobile_combustion_co2_emission_factors.json").items():
        value, note = exact(raw, where)
        mobile_co2.add(factor_id=f"EPA-HUB-MOB-{fuel}-CO2", fuel=snake(fuel), gas="CO2", value=value, unit="kg",
                       per="scf" if fuel == "cng" else "gallon", **common, source=f'{where} ["{fuel}"]{note}')
    packs.append(mobile_co2)

    # Mobile combustion CH4/N2O (Hub Tables 3-5). On-road vehicles: g per vehicle-mile, by model year
    # where the Hub gives model years; alternative-fuel on-road vehicles: g per vehicle-mile; non-road: g per gallon.
    # The road / non-road split is atomic6ghg's own (formulas/mobile_sources.py, road_vehicles).
    from atomic6ghg.formulas.mobile_sources import MobileSources
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
    pack = Pack("ipcc2006_fuel_co2", ["fuel"], ["carbon_content_kg_c_per_gj"])
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    for line, row in enumerate(rows, start=2):
        if row["property"] != "def" or row["region"] != "World":
            continue
        if row["unit"] != "kg/GJ":
            raise ValueError(f"{relative} line {line}: unexpected unit {row['unit']!r}")
        carbon = Decimal(row["value"])
        with localcontext() as context:
            context.prec = 50
            co2 = (carbon * Decimal(44) / Decimal(12)).quantize(TWELVE, rounding=ROUND_HALF_EVEN).normalize()
        pack.add(factor_id=f"IPCC2006-V2C1-T1.3-{row['product']}-CO2", fuel=row["product"], gas="CO2",
                 value=format_decimal(co2), unit="kg", per="GJ", carbon_content_kg_c_per_gj=row["value"], **common,
                 source=f"{relative} line {line} (year {row['year']}, {row['region']}, product={row['product']}, "
                        f"property=def: {row['value']} kg C/GJ) x 44/12, rounded half-even to 12 decimals; "
                        f"oxidation factor 1 (IPCC 2006 default)")
    return [pack]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--check", action="store_true", help="fail if the shipped files differ from a rebuild")
    args = parser.parse_args(argv)
    try:
        packs = [*epa_packs(), *ipcc_packs()]
    except ModuleNotFoundError as error:
        print(f"{error}: run `pip install atomic6ghg bonsai-ipcc` (or `pip install -e .[factor-build]`)",
              file=sys.stderr)
        return 2
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
