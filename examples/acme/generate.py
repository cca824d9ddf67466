"""Regenerate the fictional Acme Manufacturing data set (deterministic: seeded).

    python examples/acme/generate.py

Acme is fictional. Its factor tables are illustrative values for the demo, labelled as such in
their provenance columns; real, cited factor packs ship with the GHG Protocol plugin.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import cloud_exports

HERE = Path(__file__).parent / "data"
ENTITIES = ["ACME-JP", "ACME-US", "ACME-DE"]
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
PROVENANCE = {"publisher": "Tanso example (fictional)", "edition": "demo 2025", "licence": "CC0-1.0"}


def write(name: str, header: list[str], rows: list[list]) -> None:
    path = HERE / name
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def main() -> None:
    rng = random.Random(2025)
    fuel_rows = []
    fuels = [("natural_gas", "stationary", "m3", 800, 5000), ("diesel", "stationary", "l", 100, 900),
             ("diesel", "mobile", "l", 300, 2500), ("petrol", "mobile", "gal", 50, 400)]
    n = 0
    for entity in ENTITIES:
        for month in MONTHS:
            for fuel, use, unit, low, high in fuels:
                n += 1
                fuel_rows.append([f"F{n:04d}", entity, month, fuel, use, f"{rng.uniform(low, high):.3f}", unit])
    # Rows a careful analyst would want flagged, not silently computed or dropped.
    fuel_rows += [["F9001", "ACME-US", "2025-06", "diesel", "stationary", "-40.000", "l"],
                  ["F9002", "ACME-DE", "2025-07", "coal", "stationary", "1200.000", "kg"],
                  ["F9003", "ACME-JP", "2025-08", "diesel", "stationary", "120.000", "kg"],
                  ["F9004", "ACME-JP", "2025-09", "natural_gas", "test_bench", "55.000", "m3"]]
    fuel_rows += EXTRA_FUEL
    write("fuel_use.csv", ["row_id", "entity", "period", "fuel", "use", "quantity", "unit"], fuel_rows)

    elec_rows = []
    regions = {"ACME-JP": "JP-TOKYO", "ACME-US": "US-RFCE", "ACME-DE": "DE"}
    for entity in ENTITIES:
        for month in MONTHS:
            for site in ("plant", "office"):
                n += 1
                unit = "MWh" if site == "plant" else "kWh"
                amount = rng.uniform(200, 900) if unit == "MWh" else rng.uniform(5000, 40000)
                supplier = "STADTWERK-GREEN" if (entity, site) == ("ACME-DE", "plant") else "UTILITY-" + regions[entity]
                elec_rows.append([f"E{n:04d}", entity, month, "", site, regions[entity], f"{amount:.3f}", unit,
                                  supplier])
    elec_rows += EXTRA_ELECTRICITY
    elec_rows += hourly_consumption()
    write("electricity.csv", ["row_id", "entity", "period", "hour", "site", "grid_region", "quantity", "unit",
                              "supplier"], elec_rows)

    purchase_rows = []
    commodities = ["steel", "plastics", "electronics", "services", "paper"]
    for i in range(150):
        entity = ENTITIES[i % 3]
        commodity = commodities[i % 5]
        currency = "USD" if i % 17 else "EUR"  # a few invoices in a currency the factor set does not use
        amount = f"{rng.uniform(1000, 90000):.2f}"
        purchase_rows.append([f"P{i + 1:04d}", entity, MONTHS[i % 12], f"SUP{i % 23:03d}", commodity, amount, currency,
                              *purchase_detail(i, commodity, amount)])
    write("purchases.csv", ["row_id", "entity", "period", "supplier", "commodity", "amount", "currency",
                            "year", "item", "material", "quantity", "unit"], purchase_rows)

    header = ["factor_id", "fuel", "gas", "value", "unit", "per", "publisher", "edition", "licence", "source"]
    fuel_factors = [("wood_pellets", "CO2_biogenic", "1.7", "kg"), ("wood_pellets", "CH4", "0.3", "kg"),
                    ("wood_pellets", "N2O", "0.04", "kg"), ("natural_gas", "CO2", "1.9", "m3"), ("natural_gas", "CH4", "0.037", "m3"),
                    ("natural_gas", "N2O", "0.0035", "m3"), ("diesel", "CO2", "2.68", "l"),
                    ("diesel", "CH4", "0.11", "l"), ("diesel", "N2O", "0.022", "l"),
                    ("petrol", "CO2", "8.78", "gal"), ("petrol", "CH4", "0.38", "gal"), ("petrol", "N2O", "0.08", "gal")]
    write("factors/fuels.csv", header, [
        [f"DEMO-{fuel.upper()}-{gas}", fuel, gas, value, "kg" if gas.startswith("CO2") else "g", per, *PROVENANCE.values(),
         "illustrative value for the demo"] for fuel, gas, value, per in fuel_factors])
    write("factors/grid.csv", ["factor_id", "grid_region", "gas", "value", "unit", "per", *PROVENANCE, "source"], [
        [f"DEMO-GRID-{r}", r, "CO2e", v, "kg", "kWh", *PROVENANCE.values(), "illustrative value for the demo"]
        for r, v in (("JP-TOKYO", "0.441"), ("US-RFCE", "0.289"), ("DE", "0.380"), ("JP-KANSAI", "0.352"),
                     ("KR", "0.459"), ("WORLD", "0.45"))])
    write("factors/eeio.csv", ["factor_id", "commodity", "gas", "value", "unit", "per", *PROVENANCE, "source"], [
        [f"DEMO-EEIO-{c}", c, "CO2e", v, "kg", "USD", *PROVENANCE.values(), "illustrative value for the demo"]
        for c, v in (("steel", "0.92"), ("plastics", "0.71"), ("electronics", "0.35"), ("services", "0.12"),
                     ("machinery", "0.41"), ("buildings", "0.38"), ("transport_services", "0.85"))])
    write("financials.csv", ["row_id", "entity", "revenue_musd"], [
        ["R1", "ACME-JP", "412.5"], ["R2", "ACME-US", "288.0"], ["R3", "ACME-DE", "199.5"]])
    ghgp_current_tables()
    cloud_exports.main()   # the cloud providers' carbon exports, in their own layouts


# ----------------------------------------------------------------------------------------------
# Tables of the full GHG Protocol inventory (rulesets/ghgp-current). Acme's own ruleset ignores
# them (and the extra columns above); the rows below are hand-written, so they need no seed.
# Entities: ACME-JP (parent), ACME-US (100%), ACME-DE (60%-owned, controlled), ACME-JV (50/50 joint
# venture that Acme operates, without financial control), ACME-KR (20% associate, no control),
# ACME-DE-SVC (80% subsidiary of ACME-DE: a sub-subsidiary, 48% to the group under equity share),
# ACME-CZ (25% associate of ACME-DE: held through a subsidiary, 15% under equity share) and
# KOBE-RENEW (a 5% fixed-asset investment: in no Scope 1/2, in category 15).

EXTRA_FUEL = (
    [[f"F91{m:02d}", "ACME-JP", month, "wood_pellets", "stationary", f"{2000 + 100 * m}.000", "kg"]  # biomass boiler
     for m, month in enumerate(MONTHS, 1)]
    + [[f"F92{m:02d}", "ACME-JV", month, "natural_gas", "stationary", f"{1500 + 50 * m}.000", "m3"]
       for m, month in enumerate(MONTHS, 1)]
    + [[f"F93{m:02d}", "ACME-JV", month, "diesel", "mobile", f"{400 + 10 * m}.000", "l"]
       for m, month in enumerate(MONTHS, 1)]
    + [[f"F94{m:02d}", "ACME-KR", month, "natural_gas", "stationary", f"{900 + 20 * m}.000", "m3"]
       for m, month in enumerate(MONTHS, 1)]
    + [[f"F95{m:02d}", "ACME-DE-SVC", month, "natural_gas", "stationary", f"{600 + 10 * m}.000", "m3"]
       for m, month in enumerate(MONTHS, 1)]
    + [[f"F96{m:02d}", "ACME-CZ", month, "natural_gas", "stationary", f"{1200 + 30 * m}.000", "m3"]
       for m, month in enumerate(MONTHS, 1)])

EXTRA_ELECTRICITY = (
    [[f"E51{m:02d}", "ACME-JV", month, "", "plant", "JP-KANSAI", f"{300 + 10 * m}.000", "MWh", "UTILITY-JP-KANSAI"]
     for m, month in enumerate(MONTHS, 1)]
    + [[f"E52{m:02d}", "ACME-KR", month, "", "office", "KR", f"{20000 + 500 * m}.000", "kWh", "UTILITY-KR"]
       for m, month in enumerate(MONTHS, 1)]
    + [[f"E53{m:02d}", "ACME-DE-SVC", month, "", "workshop", "DE", f"{15000 + 250 * m}.000", "kWh", "UTILITY-DE"]
       for m, month in enumerate(MONTHS, 1)])

# ----------------------------------------------------------------------------------------------
# Hourly data (for rulesets/ghgp-draft-2026: hourly matching, deliverability, the exemption
# threshold). Hour = hour of the year 2025, 0-8759 (UTC); monthly rows leave it empty. Formulas, no
# seed. ACME-US runs a data centre in US-RFCE metered every hour (about 23 GWh a year, so ACME-US
# uses about 30 GWh in all; ACME-JP about 7 GWh). Its certificates are hourly, solar-shaped: a
# solar PPA in US-RFCE (the same market) and one in US-ERCT (Texas: another market, bought for the
# Ohio load, so not deliverable under the draft). Solar output exceeds the load around noon and is
# nothing at night, so hourly matching covers less than annual (monthly) matching does.
HOURS = 8760
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
SOLAR_SHAPE = {6: 5, 7: 15, 8: 30, 9: 50, 10: 70, 11: 85, 12: 95, 13: 100, 14: 95, 15: 85, 16: 70, 17: 50,
               18: 30, 19: 15, 20: 5}                      # % of the peak, by hour of the day
SOLAR_SEASON = (60, 70, 85, 100, 115, 125, 130, 125, 110, 90, 70, 60)   # % of the mean, by month


def month_of(hour: int) -> int:
    day = hour // 24
    for month, days in enumerate(DAYS_IN_MONTH):
        if day < days:
            return month
        day -= days
    raise ValueError(hour)


def data_centre_kwh(hour: int) -> int:
    """Load of the data centre: 2400 kWh base, +300 kWh in working hours (8-20), a deterministic wobble."""
    return 2400 + (300 if 8 <= hour % 24 < 20 else 0) + (hour * 37) % 200


def solar_kwh(hour: int, peak_kwh: int) -> int:
    return peak_kwh * SOLAR_SHAPE.get(hour % 24, 0) * SOLAR_SEASON[month_of(hour)] // 10000


def hourly_consumption() -> list[list]:
    return [[f"EH{h:05d}", "ACME-US", MONTHS[month_of(h)], str(h), "data_centre", "US-RFCE",
             f"{data_centre_kwh(h)}.000", "kWh", "UTILITY-US-RFCE"] for h in range(HOURS)]


def hourly_certificates() -> list[list]:
    rows = []
    for region, code, peak in (("US-RFCE", "RFCE", 3600), ("US-ERCT", "ERCT", 2000)):
        for h in range(HOURS):
            kwh = solar_kwh(h, peak)
            if kwh > 0:
                rows.append([f"CH-{code}-{h:05d}", f"SOLAR-{code}-2025-H{h:05d}", "ACME-US", region, MONTHS[month_of(h)],
                             str(h), f"{kwh / 1000:.3f}", "MWh"])
    return rows


def purchase_detail(i: int, commodity: str, amount: str) -> list[str]:
    """year, item, material, quantity, unit of purchase i: what decides its method in ghgp-current."""
    year = "2024" if i % 7 == 0 else "2025"      # invoices booked in 2025 for 2024 deliveries
    if commodity == "electronics" and i % 3 == 0:  # a supplier's product footprint (PACT) exists
        return [year, "controller_board_cb7", "", str(int(float(amount)) // 120), "piece"]
    if commodity == "paper":                    # mass known: average-data factor
        return [year, "", "paper", f"{float(amount) / 1.5:.3f}", "kg"]
    if commodity == "plastics" and i % 2 == 0:
        return [year, "", "pp_granulate", f"{float(amount) / 2.1:.3f}", "kg"]
    return [year, "", "", "", ""]               # supplier allocation where the supplier reports, else spend


def illustrative(name: str, match: list[str], rows: list[tuple]) -> None:
    """A factor file of illustrative values: rows are (*match values, gas, value, unit, per)."""
    write(f"factors/{name}.csv", ["factor_id", *match, "gas", "value", "unit", "per", *PROVENANCE, "source"], [
        [f"DEMO-{name.upper()}-" + "-".join(str(v) for v in row[:len(match)]) + f"-{row[len(match)]}", *row,
         *PROVENANCE.values(), "illustrative value for the demo"] for row in rows])


# A supplier's product footprint as it arrives over the PACT API (Technical Specifications v3:
# `piece` is a v3 declared unit). The buyer-assigned product id carries Acme's item code, which is
# what purchases.csv matches on; the GTIN (a restricted-circulation number, no real product) gives a
# second factor row that no purchase uses.
CONTROLLER_BOARD_FOOTPRINT = {
    "id": "3f6d2b8e-6c1a-4e0b-9a57-2c4d8e1f0a7b",
    "specVersion": "3.0.0",
    "created": "2025-02-14T09:00:00Z",
    "status": "Active",
    "companyName": "Hokuto Circuit Works (fictional)",
    "companyIds": ["urn:pact:company:customcode:buyer-id:SUP012"],
    "productDescription": "Motor controller board CB7, assembled and tested, without packaging",
    "productIds": ["urn:pact:acme.example:buyer-id:controller_board_cb7", "urn:gtin:2000000012346"],
    "productNameCompany": "CB7 controller board",
    "comment": "Illustrative values for the Tanso demo (fictional supplier).",
    "pcf": {
        "declaredUnitOfMeasurement": "piece",
        "declaredUnitAmount": "1",
        "productMassPerDeclaredUnit": "0.35",
        "referencePeriodStart": "2024-01-01T00:00:00Z",
        "referencePeriodEnd": "2025-01-01T00:00:00Z",
        "geographyCountry": "JP",
        "pcfExcludingBiogenicUptake": "14.2",
        "pcfIncludingBiogenicUptake": "14.2",
        "fossilGhgEmissions": "14.2",
        "fossilCarbonContent": "0.09",
        "biogenicCarbonContent": "0",
        "ipccCharacterizationFactors": ["AR6"],
        "crossSectoralStandards": ["GHGP-Product", "ISO14067"],
        "exemptedEmissionsPercent": "0",
        "packagingEmissionsIncluded": False,
        "primaryDataShare": "41.5",
        "assurance": {"coverage": "product level", "level": "limited", "boundary": "Cradle-to-Gate",
                      "providerName": "Example Assurance KK (fictional)", "completedAt": "2025-02-10T00:00:00Z"},
    },
}


def write_pact(name: str, footprints: list[dict]) -> None:
    """A PACT API response body, `{"data": [...]}`."""
    (HERE / name).write_text(json.dumps({"data": footprints}, indent=2, ensure_ascii=False) + "\n")


def ghgp_current_tables() -> None:
    # ACME-JV: a 50/50 joint venture Acme operates, financial control shared with the partner.
    # holding: the Corporate Standard's category (ch. 3, Table 1); ACME-JP's is derived (no parent: held by
    # the reporting company itself, wholly).
    write("entities.csv", ["entity", "parent", "country", "equity_share", "financial_control", "operational_control",
                           "joint_financial_control", "holding"], [
        ["ACME-JP", "", "JP", "1", "true", "true", "false", ""],
        ["ACME-US", "ACME-JP", "US", "1", "true", "true", "false", "wholly_owned_subsidiary"],
        ["ACME-DE", "ACME-JP", "DE", "0.6", "true", "true", "false", "partly_owned_subsidiary"],
        ["ACME-JV", "ACME-JP", "JP", "0.5", "false", "true", "true", "joint_venture"],
        ["ACME-KR", "ACME-JP", "KR", "0.2", "false", "false", "false", "associate"],
        ["ACME-DE-SVC", "ACME-DE", "DE", "0.8", "true", "true", "false", "partly_owned_subsidiary"],
        ["ACME-CZ", "ACME-DE", "CZ", "0.25", "false", "false", "false", "associate"],
        ["KOBE-RENEW", "ACME-JP", "JP", "0.05", "false", "false", "false", "fixed_asset_investment"]])
    write("vehicle_distance.csv", ["row_id", "entity", "period", "vehicle_type", "fuel", "distance", "unit"], [
        ["VD1", "ACME-US", "2025", "van", "diesel", "42000", "km"],
        ["VD2", "ACME-DE", "2025", "passenger_car", "petrol", "18500", "km"],
        ["VD3", "ACME-JV", "2025", "van", "diesel", "9000", "km"]])
    write("process_emissions.csv", ["row_id", "entity", "period", "process", "emitted_gas", "quantity", "unit"], [
        ["PR1", "ACME-DE", "2025", "carbonate_flux", "CO2", "18.5", "t"],
        ["PR2", "ACME-US", "2025", "nitric_acid_etching", "N2O", "0.35", "t"],
        ["PR3", "ACME-JP", "2025", "switchgear_testing", "SF6", "2.4", "kg"],
        ["PR4", "ACME-KR", "2025", "carbonate_flux", "CO2", "5", "t"]])
    write("refrigerant_use.csv", ["row_id", "entity", "period", "equipment", "refrigerant", "quantity", "unit"], [
        ["RF1", "ACME-JP", "2025", "chiller", "HFC-134a", "12", "kg"],
        ["RF2", "ACME-US", "2025", "rooftop_unit", "R-410A", "8.5", "kg"],
        ["RF3", "ACME-DE", "2025", "cold_store", "R-404A", "6", "kg"],
        ["RF4", "ACME-JV", "2025", "split_ac", "R-32", "1.8", "kg"],
        ["RF5", "ACME-DE", "2025", "cold_store", "R-449A", "2", "kg"]])   # no composition on file: rejected
    write("district_energy.csv", ["row_id", "entity", "period", "energy", "country", "supplier", "quantity", "unit"], [
        ["DH1", "ACME-DE", "2025", "heat", "DE", "STADTWERK-HEAT", "850", "MWh"],
        ["DH2", "ACME-JP", "2025", "steam", "JP", "TOKYO-STEAM", "420", "MWh"],
        ["DH3", "ACME-JP", "2025", "cooling", "JP", "MARUNOUCHI-DHC", "130", "MWh"],
        ["DH4", "ACME-US", "2025", "steam", "US", "OHIO-STEAM", "300", "MWh"]])
    write("certificates.csv", ["row_id", "certificate_id", "entity", "grid_region", "period", "hour", "quantity",
                               "unit"], [
        *[[f"C{m:02d}", f"REC-RFCE-2025-{m:02d}", "ACME-US", "US-RFCE", MONTHS[m - 1], "", "300", "MWh"]
          for m in range(1, 7)],
        # Japanese non-fossil certificates, monthly (no hour): lost under hourly matching unless ACME-JP
        # (about 7 GWh) is exempt.
        *[[f"C1{m:02d}", f"JP-NFC-TOKYO-2025-{m:02d}", "ACME-JP", "JP-TOKYO", MONTHS[m - 1], "", "150", "MWh"]
          for m in range(1, 13)],
        ["C20", "JP-NFC-2025-12", "ACME-JV", "JP-KANSAI", "2025-12", "", "500", "MWh"],   # more than consumed: surplus unused
        *hourly_certificates()])
    write("td_losses.csv", ["row_id", "grid_region", "loss_rate"], [
        [f"TD{i}", r, v] for i, (r, v) in enumerate((("JP-TOKYO", "0.047"), ("US-RFCE", "0.052"), ("DE", "0.04"),
                                                        ("JP-KANSAI", "0.05"), ("KR", "0.036")), 1)])
    # homogeneous: SUP002 is a diversified distributor, so under the Scope 3 draft (A8) its corporate
    # total is not allocated and its purchases take the next method (average-data or spend-based).
    write("suppliers.csv", ["row_id", "supplier", "emissions", "emissions_unit", "revenue", "currency", "homogeneous"], [
        ["SR1", "SUP001", "12000", "t", "50000000", "USD", "true"], ["SR2", "SUP002", "3000", "t", "20000000", "USD", "false"],
        ["SR3", "SUP003", "800", "t", "4000000", "EUR", "true"]])
    write("exchange_rates.csv", ["row_id", "currency", "to_currency", "year", "rate"], [
        ["X1", "EUR", "USD", "2024", "1.08"], ["X2", "EUR", "USD", "2025", "1.12"],
        ["X3", "JPY", "USD", "2024", "0.0066"], ["X4", "JPY", "USD", "2025", "0.0065"]])
    write("price_index.csv", ["row_id", "currency", "year", "index"], [
        ["PI1", "USD", "2022", "100.0"], ["PI2", "USD", "2024", "105.0"], ["PI3", "USD", "2025", "108.0"]])
    write("capital_goods.csv", ["row_id", "entity", "period", "year", "asset", "supplier", "commodity", "amount",
                                "currency"], [
        ["CG1", "ACME-JP", "2025-04", "2025", "press_line", "SUP001", "machinery", "2400000", "USD"],
        ["CG2", "ACME-DE", "2025-06", "2025", "warehouse", "SUP090", "buildings", "1800000", "EUR"],
        ["CG3", "ACME-JV", "2025-02", "2024", "forklifts", "SUP091", "machinery", "15000000", "JPY"],
        ["CG4", "ACME-US", "2025-09", "2024", "server_racks", "SUP092", "electronics", "250000", "USD"]])
    write("transport.csv", ["row_id", "entity", "period", "year", "direction", "mode", "mass_t", "distance_km",
                            "commodity", "amount", "currency"], [
        ["T1", "ACME-JP", "2025", "2025", "upstream", "road_truck", "24", "350", "transport_services", "", ""],
        ["T2", "ACME-US", "2025", "2025", "upstream", "rail", "500", "1200", "transport_services", "", ""],
        ["T3", "ACME-DE", "2025", "2025", "upstream", "sea", "80", "9500", "transport_services", "", ""],
        ["T4", "ACME-US", "2025", "2025", "upstream", "courier", "", "", "transport_services", "12000", "USD"],
        ["T5", "ACME-JP", "2025", "2025", "downstream", "road_truck", "40", "600", "transport_services", "", ""],
        ["T6", "ACME-DE", "2025", "2025", "downstream", "air", "2", "8000", "transport_services", "", ""],
        ["T7", "ACME-JV", "2025", "2025", "downstream", "courier", "", "", "transport_services", "2000000", "JPY"]])
    write("waste.csv", ["row_id", "entity", "period", "waste_type", "treatment", "quantity", "unit"], [
        ["W1", "ACME-JP", "2025", "mixed_msw", "landfill", "12.5", "t"],
        ["W2", "ACME-JP", "2025", "cardboard", "recycling", "8", "t"],
        ["W3", "ACME-US", "2025", "mixed_msw", "incineration", "20", "t"],
        ["W4", "ACME-DE", "2025", "metal_scrap", "recycling", "30", "t"],
        ["W5", "ACME-DE", "2025", "food", "composting", "3.2", "t"],
        ["W6", "ACME-KR", "2025", "mixed_msw", "landfill", "4", "t"]])
    write("business_travel.csv", ["row_id", "entity", "period", "mode", "travel_class", "distance", "unit"], [
        ["B1", "ACME-JP", "2025", "air_long_haul", "business", "12000", "km"],
        ["B2", "ACME-JP", "2025", "air_long_haul", "economy", "30000", "km"],
        ["B3", "ACME-US", "2025", "air_short_haul", "economy", "8000", "km"],
        ["B4", "ACME-DE", "2025", "rail", "standard", "5000", "km"],
        ["B5", "ACME-US", "2025", "car", "average", "3000", "km"],
        ["B6", "ACME-DE", "2025", "air_long_haul", "first", "9000", "km"]])   # no factor for first class: rejected
    write("hotel_nights.csv", ["row_id", "entity", "period", "country", "nights"], [
        ["H1", "ACME-JP", "2025", "JP", "40"], ["H2", "ACME-US", "2025", "US", "25"],
        ["H3", "ACME-DE", "2025", "DE", "18"], ["H4", "ACME-JP", "2025", "GB", "6"]])
    write("commuting.csv", ["row_id", "entity", "period", "mode", "employees", "working_days", "km_per_day"], [
        ["K1", "ACME-JP", "2025", "train", "420", "220", "30"], ["K2", "ACME-JP", "2025", "car_petrol", "60", "220", "24"],
        ["K3", "ACME-US", "2025", "car_petrol", "310", "230", "38"], ["K4", "ACME-DE", "2025", "bus", "120", "215", "18"],
        ["K5", "ACME-DE", "2025", "bicycle", "40", "215", "8"], ["K6", "ACME-JV", "2025", "train", "150", "220", "25"]])
    write("leased_assets.csv", ["row_id", "entity", "period", "asset", "direction", "lease_type", "operated", "energy",
                                "fuel", "grid_region", "quantity", "unit"], [
        ["L1", "ACME-US", "2025", "warehouse_ohio", "upstream", "operating", "true", "fuel", "natural_gas", "", "3200", "m3"],
        ["L2", "ACME-US", "2025", "warehouse_ohio", "upstream", "operating", "true", "electricity", "", "US-RFCE", "85", "MWh"],
        ["L3", "ACME-JP", "2025", "forklift_fleet", "upstream", "finance", "true", "fuel", "diesel", "", "1800", "l"],
        ["L4", "ACME-DE", "2025", "office_floor_let", "downstream", "operating", "false", "electricity", "", "DE", "40", "MWh"],
        ["L5", "ACME-DE", "2025", "office_floor_let", "downstream", "operating", "false", "fuel", "natural_gas", "", "2100", "m3"],
        ["L6", "ACME-JP", "2025", "press_leased_out", "downstream", "finance", "false", "electricity", "", "JP-TOKYO", "12", "MWh"],
        # a colocation data centre: leased, but operated by the provider (no operational control)
        ["L7", "ACME-JP", "2025", "colocation_racks", "upstream", "operating", "false", "electricity", "", "JP-TOKYO", "60",
         "MWh"]])
    write("sold_intermediates.csv", ["row_id", "entity", "period", "product", "process", "quantity", "unit"], [
        ["S1", "ACME-DE", "2025", "steel_brackets", "machining", "420", "t"],
        ["S2", "ACME-US", "2025", "resin_pellets", "injection_moulding", "150", "t"]])
    write("products_sold.csv", ["row_id", "entity", "period", "product", "units_sold", "lifetime_years",
                                "kwh_per_year", "grid_region"], [
        ["U1", "ACME-JP", "2025", "air_purifier_ap10", "10000", "10", "800", "WORLD"],   # the seed-004 worked example
        ["U2", "ACME-US", "2025", "compressor_c25", "2500", "12", "1500", "US-RFCE"]])
    write("end_of_life.csv", ["row_id", "entity", "period", "product", "material", "treatment", "units_sold",
                              "kg_per_unit"], [
        ["EOL1", "ACME-JP", "2025", "air_purifier_ap10", "steel", "landfill", "10000", "4.2"],
        ["EOL2", "ACME-JP", "2025", "air_purifier_ap10", "plastics", "incineration", "10000", "2.6"],
        ["EOL3", "ACME-JP", "2025", "air_purifier_ap10", "plastics", "recycling", "10000", "1.1"],
        ["EOL4", "ACME-US", "2025", "compressor_c25", "steel", "recycling", "2500", "38"],
        ["EOL5", "ACME-US", "2025", "compressor_c25", "cardboard", "recycling", "2500", "3.5"]])
    write("franchises.csv", ["row_id", "entity", "period", "franchise", "franchise_type", "reported_s1s2_kg",
                             "floor_m2"], [
        ["FR1", "ACME-JP", "2025", "acme_service_osaka", "service_shop", "185000", "900"],
        ["FR2", "ACME-JP", "2025", "acme_service_fukuoka", "service_shop", "", "650"]])   # reports nothing: area-based
    # investee_s3_t: the investee's own Scope 3 (optional in force, required by the Scope 3 draft, C6).
    # I5 is a debt holding (corporate bond of a listed issuer): outside the in-force rules, counted by the
    # draft's category 15 (equity + debt, C10), attributed over EVIC as PCAF does for corporate bonds.
    # Equity investees (I4, I6-I8) are entities of entities.csv, which gives the share held: each counts in
    # category 15 only where the boundary leaves it out of Scope 1/2 (I8, the JV, only under the draft).
    write("investments.csv", ["row_id", "entity", "investee", "asset_class", "investee_s1s2_t", "investee_s3_t",
                              "outstanding", "evic", "total_equity", "total_debt", "project_cost"], [
        ["I1", "ACME-JP", "nippon_steelworks", "listed_equity", "1200000", "3000000", "50000000", "6000000000", "", "", ""],
        ["I2", "ACME-US", "ohio_tooling", "business_loan", "18000", "45000", "2000000", "", "12000000", "8000000", ""],
        ["I3", "ACME-JP", "kyushu_biomass_plant", "project_finance", "9000", "6000", "30000000", "", "", "", "120000000"],
        ["I4", "ACME-JP", "ACME-KR", "equity_investment", "5400", "12000", "", "", "", "", ""],
        ["I5", "ACME-JP", "kanto_chemicals", "corporate_bond", "800000", "2400000", "40000000", "8000000000", "", "", ""],
        ["I6", "ACME-DE", "ACME-CZ", "equity_investment", "2000", "5000", "", "", "", "", ""],
        ["I7", "ACME-JP", "KOBE-RENEW", "equity_investment", "3000", "9000", "", "", "", "", ""],
        ["I8", "ACME-JP", "ACME-JV", "equity_investment", "3500", "4000", "", "", "", "", ""]])
    # Estimated emissions of required Scope 3 activities left out of the inventory (Scope 3 draft, B1-B6:
    # reported ÷ (reported + estimated exclusions) >= 95%); estimated by any method, hotspot included.
    write("scope3_estimates.csv", ["row_id", "category", "activity", "method", "estimated_kg"], [
        ["X1", "1", "purchasing-card spend outside the ERP", "eeio_spend", "850000"],
        ["X2", "4", "inbound freight paid by suppliers", "hotspot", "400000"],
        ["X3", "6", "travel booked outside the travel agency", "proxy", "120000"]])
    # Estimated emissions of Scope 1 and 2 sources left out of the inventory (Corporate Standard
    # progress update: at most 1% of each scope left out, so exclusions must still be estimated).
    write("scope12_estimates.csv", ["row_id", "scope", "activity", "method", "estimated_kg"], [
        ["E1", "1", "emergency diesel generators at sales offices, not metered", "run hours x rated consumption", "3000"],
        ["E2", "1", "fire-suppression CO2 discharged in tests", "cylinder weights", "1200"],
        ["E3", "2", "electricity of a shared warehouse billed in the rent", "floor area x benchmark intensity", "420000"]])
    # Carbon credits retired and other market instruments (AMI white paper): reported in separate
    # statements, never netted from the scope totals (credits: statement 3; commodity certificates:
    # statement 2). Quantities in t CO2e.
    write("market_instruments.csv", ["row_id", "entity", "period", "instrument_type", "instrument", "registry",
                                     "vintage", "quantity_t"], [
        ["MI1", "ACME-JP", "2025", "carbon_credit", "improved cookstoves, Malawi", "Gold Standard", "2022", "5000"],
        ["MI2", "ACME-US", "2025", "carbon_credit", "afforestation, Mississippi valley", "Verra VCS", "2023", "1500"],
        ["MI3", "ACME-DE", "2025", "saf_certificate", "sustainable aviation fuel, book and claim", "RSB", "2025", "300"]])

    # Scope 1 fuel certificates (AMI white paper, Statement 2): biomethane certificates ACME-DE retired
    # for part of the natural gas it burned; the gas itself stays in the physical Scope 1.
    write("fuel_certificates.csv", ["row_id", "certificate_id", "entity", "period", "fuel", "certified_fuel",
                                    "quantity", "unit", "registry"], [
        ["FC1", "DENA-BM-2025-0001", "ACME-DE", "2025-H1", "natural_gas", "biomethane", "40000", "m3",
         "dena Biogasregister"],
        ["FC2", "DENA-BM-2025-0002", "ACME-DE", "2025-H2", "natural_gas", "biomethane", "35000", "m3",
         "dena Biogasregister"]])
    illustrative("certified_fuels", ["certified_fuel"], [("biomethane", "CO2_biogenic", "1.9", "kg", "m3"),
                                                          ("biomethane", "CH4", "0.037", "g", "m3"),
                                                          ("biomethane", "N2O", "0.0035", "g", "m3")])
    # Standard supply service (Scope 2 draft, QC6): ACME-US's utility in US-RFCE allocates the clean
    # share of its default supply (mandated programmes) to customers pro rata: 6% of each hour's use.
    write("standard_supply_service.csv", ["row_id", "certificate_id", "entity", "grid_region", "period", "hour",
                                          "quantity", "unit"], [
        [f"SSS{h:05d}", f"RFCE-SSS-2025-H{h:05d}", "ACME-US", "US-RFCE", MONTHS[month_of(h)], str(h),
         f"{data_centre_kwh(h) * 6 / 100:.3f}", "kWh"] for h in range(HOURS)])
    # Third-party verification of the 2025 inventory (limited assurance, ISAE 3410): Scopes 1 and 2
    # and Scope 3 categories 1 and 6 in full, category 4 in part; everything else not verified.
    write("verification.csv", ["row_id", "scope", "category", "status", "level", "provider", "standard"], [
        ["V1", "1", "", "fully verified", "limited", "Example Assurance LLP", "ISAE 3410"],
        ["V2", "2", "", "fully verified", "limited", "Example Assurance LLP", "ISAE 3410"],
        ["V3", "3", "1", "fully verified", "limited", "Example Assurance LLP", "ISAE 3410"],
        ["V4", "3", "4", "partially verified", "limited", "Example Assurance LLP", "ISAE 3410"],
        ["V5", "3", "6", "fully verified", "limited", "Example Assurance LLP", "ISAE 3410"]])

    # The company's size (EU Accounting Directive art. 3 criteria, EUR) and its Scope 3 relevance assessment
    # (Scope 3 Standard Table 6.1 criteria): what the draft ruleset's small-company relief reads. Acme is
    # large, and finds every category relevant: the relief is not for it (claiming it is refused).
    write("company_size.csv", ["row_id", "balance_sheet_eur", "net_turnover_eur", "employees"],
          [["S1", "1180000000.00", "830000000.00", "4200"]])
    criteria = {1: "size, influence", 2: "size", 3: "size", 4: "size, outsourcing", 5: "stakeholders",
                6: "size", 7: "stakeholders", 8: "size", 9: "size", 10: "size, sector guidance",
                11: "size, influence", 12: "risk", 13: "size", 14: "influence", 15: "size, risk", 16: "size"}
    write("scope3_relevance.csv", ["row_id", "category", "relevant", "criteria", "justification"],
          [[f"C{n}", str(n), "true", why, ""] for n, why in criteria.items()])

    illustrative("residual_mix", ["grid_region"], [("JP-TOKYO", "CO2e", "0.47", "kg", "kWh"),
                                                   ("US-RFCE", "CO2e", "0.36", "kg", "kWh"),
                                                   ("JP-KANSAI", "CO2e", "0.39", "kg", "kWh")])
    # Fossil-only grid averages: the draft's fallback where no residual mix is published (DE, KR).
    illustrative("grid_fossil", ["grid_region"], [("JP-TOKYO", "CO2e", "0.72", "kg", "kWh"),
                                                  ("US-RFCE", "CO2e", "0.68", "kg", "kWh"),
                                                  ("DE", "CO2e", "0.79", "kg", "kWh"),
                                                  ("JP-KANSAI", "CO2e", "0.70", "kg", "kWh"),
                                                  ("KR", "CO2e", "0.74", "kg", "kWh")])
    # Capital-market deals Acme's treasury arm facilitated (category 16 of the Scope 3 draft).
    write("facilitated_deals.csv", ["row_id", "entity", "period", "client", "deal_type", "client_emissions_t",
                                    "facilitated_amount", "client_evic"], [
        ["FD1", "ACME-JP", "2025", "kansai_cement", "bond_issuance", "2400000", "150000000.00", "4800000000.00"],
        ["FD2", "ACME-US", "2025", "ohio_utility", "syndicated_loan", "900000", "60000000.00", "3000000000.00"]])
    # Category 16 of the Scope 3 draft, insurance underwriting: policies written by Acme's captive
    # insurer for value-chain clients (PCAF Part C, commercial lines: premium ÷ client revenue).
    write("insurance_policies.csv", ["row_id", "entity", "period", "client", "insurance_line", "client_emissions_t",
                                     "premium", "client_revenue"], [
        ["IP1", "ACME-JP", "2025", "tokyo_logistics", "commercial", "120000", "2400000.00", "800000000.00"],
        ["IP2", "ACME-US", "2025", "ohio_chemicals", "commercial", "450000", "1500000.00", "900000000.00"]])
    # Category 16, licensing: licensees' emissions and the share of their output made under the licence.
    write("licences.csv", ["row_id", "entity", "period", "licensee", "licensed_item", "licensee_emissions_t",
                           "licensing_share"], [
        ["L1", "ACME-DE", "2025", "bavaria_drives", "motor_controller_design", "40000", "0.15"],
        ["L2", "ACME-JP", "2025", "osaka_components", "acme_brand", "25000", "0.08"]])
    # The Scope 2 draft's location-based hierarchy: subnational, consumption-based factors where the
    # country has several synchronous grids (Japan's utility areas, US eGRID subregions); DE and KR
    # keep the grid factor.
    illustrative("grid_precise", ["grid_region"], [("JP-TOKYO", "CO2e", "0.457", "kg", "kWh"),
                                                   ("US-RFCE", "CO2e", "0.301", "kg", "kWh"),
                                                   ("JP-KANSAI", "CO2e", "0.341", "kg", "kWh")])
    illustrative("supplier_rates", ["supplier"], [("STADTWERK-GREEN", "CO2e", "0.02", "kg", "kWh"),
                                                  ("STADTWERK-HEAT", "CO2e", "0.12", "kg", "kWh"),
                                                  ("MARUNOUCHI-DHC", "CO2e", "0.09", "kg", "kWh")])
    illustrative("district", ["energy", "country"], [("heat", "DE", "CO2e", "0.21", "kg", "kWh"),
                                                     ("steam", "JP", "CO2e", "0.185", "kg", "kWh"),
                                                     ("cooling", "JP", "CO2e", "0.16", "kg", "kWh"),
                                                     ("steam", "US", "CO2e", "0.23", "kg", "kWh")])
    illustrative("vehicle_km", ["vehicle_type", "fuel"], [
        ("van", "diesel", "CO2", "0.252", "kg", "km"), ("van", "diesel", "CH4", "0.004", "g", "km"),
        ("van", "diesel", "N2O", "0.012", "g", "km"), ("passenger_car", "petrol", "CO2", "0.168", "kg", "km"),
        ("passenger_car", "petrol", "CH4", "0.02", "g", "km"), ("passenger_car", "petrol", "N2O", "0.006", "g", "km")])
    illustrative("process_gases", ["emitted_gas"], [(g, g, "1", "kg", "kg") for g in ("CO2", "CH4", "N2O", "SF6", "NF3")])
    # Blends as mass fractions of their components (ASHRAE 34 compositions); the GWP set weights each.
    illustrative("refrigerants", ["refrigerant"], [
        ("HFC-134a", "HFC-134a", "1", "kg", "kg"), ("R-32", "HFC-32", "1", "kg", "kg"),
        ("R-410A", "HFC-32", "0.5", "kg", "kg"), ("R-410A", "HFC-125", "0.5", "kg", "kg"),
        ("R-404A", "HFC-125", "0.44", "kg", "kg"), ("R-404A", "HFC-143a", "0.52", "kg", "kg"),
        ("R-404A", "HFC-134a", "0.04", "kg", "kg")])
    illustrative("fuel_wtt", ["fuel"], [("natural_gas", "CO2e", "0.38", "kg", "m3"), ("diesel", "CO2e", "0.61", "kg", "l"),
                                        ("petrol", "CO2e", "2.1", "kg", "gal"), ("wood_pellets", "CO2e", "0.05", "kg", "kg")])
    illustrative("electricity_upstream", ["grid_region"], [
        (r, "CO2e", v, "kg", "kWh") for r, v in (("JP-TOKYO", "0.061"), ("US-RFCE", "0.048"), ("DE", "0.066"),
                                                 ("JP-KANSAI", "0.055"), ("KR", "0.07"))])
    write_pact("factors/supplier_footprints.pact.json", [CONTROLLER_BOARD_FOOTPRINT])
    illustrative("materials", ["material"], [("paper", "CO2e", "1.1", "kg", "kg"), ("pp_granulate", "CO2e", "1.95", "kg", "kg")])
    illustrative("freight", ["mode"], [(m, "CO2e", v, "kg", "tonne*km") for m, v in
                                       (("road_truck", "0.105"), ("rail", "0.028"), ("sea", "0.016"), ("air", "1.13"))])
    illustrative("waste", ["waste_type", "treatment"], [
        ("mixed_msw", "landfill", "CO2e", "580", "kg", "t"), ("cardboard", "recycling", "CO2e", "21", "kg", "t"),
        ("mixed_msw", "incineration", "CO2e", "410", "kg", "t"), ("metal_scrap", "recycling", "CO2e", "9", "kg", "t"),
        ("food", "composting", "CO2e", "55", "kg", "t")])
    illustrative("travel", ["mode", "travel_class"], [
        ("air_long_haul", "economy", "CO2e", "0.147", "kg", "km"), ("air_long_haul", "business", "CO2e", "0.427", "kg", "km"),
        ("air_short_haul", "economy", "CO2e", "0.151", "kg", "km"), ("rail", "standard", "CO2e", "0.035", "kg", "km"),
        ("car", "average", "CO2e", "0.171", "kg", "km")])
    illustrative("hotels", ["country"], [(c, "CO2e", v, "kg", "night") for c, v in
                                         (("JP", "22.0"), ("US", "16.1"), ("DE", "13.2"), ("GB", "10.4"))])
    illustrative("commuting", ["mode"], [(m, "CO2e", v, "kg", "km") for m, v in
                                         (("train", "0.017"), ("car_petrol", "0.164"), ("bus", "0.089"), ("bicycle", "0"))])
    illustrative("processing", ["process"], [("machining", "CO2e", "95", "kg", "t"),
                                             ("injection_moulding", "CO2e", "610", "kg", "t")])
    illustrative("end_of_life", ["material", "treatment"], [
        ("steel", "landfill", "CO2e", "0.021", "kg", "kg"), ("plastics", "incineration", "CO2e", "2.34", "kg", "kg"),
        ("plastics", "recycling", "CO2e", "0.035", "kg", "kg"), ("steel", "recycling", "CO2e", "0.012", "kg", "kg"),
        ("cardboard", "recycling", "CO2e", "0.021", "kg", "kg")])
    illustrative("franchise_area", ["franchise_type"], [("service_shop", "CO2e", "95", "kg", "m**2")])


if __name__ == "__main__":
    main()
