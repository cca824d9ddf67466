"""Regenerate the fictional Acme Manufacturing data set (deterministic: seeded).

    python examples/acme/generate.py

Acme is fictional. Its factor tables are illustrative values for the demo, labelled as such in
their provenance columns; real, cited factor packs ship with the GHG Protocol plugin.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

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
    write("fuel_use.csv", ["row_id", "entity", "period", "fuel", "use", "quantity", "unit"], fuel_rows)

    elec_rows = []
    regions = {"ACME-JP": "JP-TOKYO", "ACME-US": "US-RFCE", "ACME-DE": "DE"}
    for entity in ENTITIES:
        for month in MONTHS:
            for site in ("plant", "office"):
                n += 1
                unit = "MWh" if site == "plant" else "kWh"
                amount = rng.uniform(200, 900) if unit == "MWh" else rng.uniform(5000, 40000)
                elec_rows.append([f"E{n:04d}", entity, month, site, regions[entity], f"{amount:.3f}", unit])
    write("electricity.csv", ["row_id", "entity", "period", "site", "grid_region", "quantity", "unit"], elec_rows)

    purchase_rows = []
    commodities = ["steel", "plastics", "electronics", "services", "paper"]
    for i in range(150):
        entity = ENTITIES[i % 3]
        commodity = commodities[i % 5]
        currency = "USD" if i % 17 else "EUR"  # a few invoices in a currency the factor set does not use
        purchase_rows.append([f"P{i + 1:04d}", entity, MONTHS[i % 12], f"SUP{i % 23:03d}", commodity,
                              f"{rng.uniform(1000, 90000):.2f}", currency])
    write("purchases.csv", ["row_id", "entity", "period", "supplier", "commodity", "amount", "currency"], purchase_rows)

    header = ["factor_id", "fuel", "gas", "value", "unit", "per", "publisher", "edition", "licence", "source"]
    fuel_factors = [("natural_gas", "CO2", "1.9", "m3"), ("natural_gas", "CH4", "0.037", "m3"),
                    ("natural_gas", "N2O", "0.0035", "m3"), ("diesel", "CO2", "2.68", "l"),
                    ("diesel", "CH4", "0.11", "l"), ("diesel", "N2O", "0.022", "l"),
                    ("petrol", "CO2", "8.78", "gal"), ("petrol", "CH4", "0.38", "gal"), ("petrol", "N2O", "0.08", "gal")]
    write("factors/fuels.csv", header, [
        [f"DEMO-{fuel.upper()}-{gas}", fuel, gas, value, "kg" if gas == "CO2" else "g", per, *PROVENANCE.values(),
         "illustrative value for the demo"] for fuel, gas, value, per in fuel_factors])
    write("factors/grid.csv", ["factor_id", "grid_region", "gas", "value", "unit", "per", *PROVENANCE, "source"], [
        [f"DEMO-GRID-{r}", r, "CO2e", v, "kg", "kWh", *PROVENANCE.values(), "illustrative value for the demo"]
        for r, v in (("JP-TOKYO", "0.441"), ("US-RFCE", "0.289"), ("DE", "0.380"))])
    write("factors/eeio.csv", ["factor_id", "commodity", "gas", "value", "unit", "per", *PROVENANCE, "source"], [
        [f"DEMO-EEIO-{c}", c, "CO2e", v, "kg", "USD", *PROVENANCE.values(), "illustrative value for the demo"]
        for c, v in (("steel", "0.92"), ("plastics", "0.71"), ("electronics", "0.35"), ("services", "0.12"))])
    write("financials.csv", ["row_id", "entity", "revenue_musd"], [
        ["R1", "ACME-JP", "412.5"], ["R2", "ACME-US", "288.0"], ["R3", "ACME-DE", "199.5"]])


if __name__ == "__main__":
    main()
