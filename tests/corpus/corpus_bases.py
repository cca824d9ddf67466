"""The unmutated inputs the corpus mutates: `mini` (a slice of the Acme demo under a small ruleset
written like ghgp-current, fast) and `demo` (examples/acme/data with rulesets/ghgp-current, whole).

`build(base, root)` writes a fresh copy under root and returns (ruleset_dir, data_dir). Row counts of
every rule's source table are taken from the copy (see `source_rows`).
"""

from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ACME_DATA = REPO / "examples" / "acme" / "data"
DEMO_RULESET = REPO / "rulesets" / "ghgp-current"

MINI_RULESET = '''\
ruleset corpus_mini "Corpus base: a slice of the Acme demo, rules as in ghgp-current"
  status published  as_of 2025-12-31

set boundary.approach = operational_control  source "GHG Protocol Corporate Standard (2004), ch. 3"
set gwp.set = AR5  source "GHG Protocol Corporate Standard (2004); IPCC AR5 values"

input entities "Legal entities"
  key entity
  columns parent: text, country: text, equity_share: decimal(18,6) 0..1,
          financial_control: boolean, operational_control: boolean, joint_financial_control: boolean

boundary consolidation(entities: entities, joint_financial_control: joint_financial_control)

input fuel_use "Fuel burned"
  key row_id
  columns entity: text, period: text, fuel: text, use: text, quantity: decimal(18,6), unit: text

input electricity "Purchased electricity"
  key row_id
  columns entity: text, period: text, hour: integer, site: text, grid_region: text, quantity: decimal(18,6),
          unit: text, supplier: text

input certificates "Energy attribute certificates"
  key row_id
  columns certificate_id: text, entity: text, grid_region: text, period: text, hour: integer,
          quantity: decimal(18,6), unit: text

input hotel_nights "Hotel nights"
  key row_id
  columns entity: text, period: text, country: text, nights: integer

input purchases "Purchased goods with a supplier footprint"
  key row_id
  columns entity: text, period: text, supplier: text, item: text, quantity: decimal(18,6), unit: text

factors fuels "Combustion factors" file "factors/fuels.csv"
factors grid "Grid average factors" file "factors/grid.csv"
factors residual_mix "Residual mix" file "factors/residual_mix.csv"
factors supplier_rates "Supplier rates" file "factors/supplier_rates.csv"
factors hotels "Hotel nights" file "factors/hotels.csv"
factors supplier_footprints "Suppliers' PACT footprints" file "factors/supplier_footprints.pact.json"

rule s1.stationary "Stationary combustion"
  scope 1
  from fuel_use where use = "stationary"
  calc fuel_combustion(factors: fuels)

accept rejects s1.stationary up to 1 rows
  "Corpus base: F9001, the Acme demo's deliberately bad row (a -40 l meter correction)"

rule s1.mobile "Mobile combustion"
  scope 1
  from fuel_use where use = "mobile"
  calc fuel_combustion(factors: fuels)

exclude s1.test_bench "The test bench is reported under the lab's own permit"
  from fuel_use where use = "test_bench"

rule s2.location "Electricity, location-based"
  scope 2
  basis location
  from electricity
  calc activity(factors: grid, match: [grid_region])

rule s2.market "Electricity, market-based"
  scope 2
  basis market
  from electricity
  calc market_based(certificates: certificates, allocate_by: [entity, period], supplier_rates: supplier_rates,
                    residual_mix: residual_mix, location: grid)

rule s3.cat1 "Purchased goods, supplier-specific"
  scope 3 category 1
  from purchases
  calc supplier_product(factors: supplier_footprints, match: [item], quantity: quantity, unit: unit)

rule s3.cat6.hotels "Hotel nights"
  scope 3 category 6
  from hotel_nights
  calc activity(factors: hotels, match: [country], quantity: nights, quantity_unit: "night")
'''

MINI_FACTORS = ("fuels.csv", "grid.csv", "residual_mix.csv", "supplier_rates.csv", "hotels.csv",
                "supplier_footprints.pact.json")


def _slice_csv(source: Path, target: Path, keep) -> None:
    with source.open(newline="") as handle:
        rows = list(csv.reader(handle))
    with target.open("w", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([rows[0], *(r for r in rows[1:] if keep(dict(zip(rows[0], r))))])


def build(base: str, root: Path) -> tuple[Path, Path]:
    root.mkdir(parents=True, exist_ok=True)
    data = root / "data"
    if base == "demo":
        ruleset = root / "ruleset"
        shutil.copytree(DEMO_RULESET, ruleset, ignore=shutil.ignore_patterns("tests"))
        shutil.copytree(ACME_DATA, data)
        return ruleset, data
    assert base == "mini", base
    ruleset = root / "ruleset"
    ruleset.mkdir()
    (ruleset / "mini.tanso").write_text(MINI_RULESET, encoding="utf-8")
    (data / "factors").mkdir(parents=True)
    for name in MINI_FACTORS:
        shutil.copy(ACME_DATA / "factors" / name, data / "factors" / name)
    shutil.copy(ACME_DATA / "entities.csv", data / "entities.csv")
    shutil.copy(ACME_DATA / "hotel_nights.csv", data / "hotel_nights.csv")
    fuel = iter(range(1, 10_000))
    _slice_csv(ACME_DATA / "fuel_use.csv", data / "fuel_use.csv",
               lambda r: next(fuel) <= 16 or r["row_id"] in ("F9001", "F9004"))
    _slice_csv(ACME_DATA / "electricity.csv", data / "electricity.csv",
               lambda r: r["hour"] == "" and r["period"] in ("2025-01", "2025-02"))
    _slice_csv(ACME_DATA / "certificates.csv", data / "certificates.csv",
               lambda r: r["hour"] == "" and r["period"] in ("2025-01", "2025-02"))
    bought = iter(range(1, 10_000))
    _slice_csv(ACME_DATA / "purchases.csv", data / "purchases.csv",
               lambda r: r["item"] != "" and next(bought) <= 4)
    return ruleset, data


def csv_rows(path: Path) -> int:
    """Data rows of a well-formed CSV file (the unmutated copy)."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return sum(1 for _ in csv.reader(handle)) - 1


def table_rows(data: Path, ruleset: Path, table: str) -> int:
    """Data rows of an input table in the unmutated copy, over all the files its declaration names (the
    cloud exports' parts), counted without the engine's readers: CSV (gzip too) and JSON."""
    from tanso.run.input_files import input_files
    prepared = _prepared(ruleset)
    return sum(_file_rows(path) for path in input_files(data, prepared.ruleset.inputs[table], prepared.registry))


@functools.lru_cache(maxsize=4)
def _prepared(ruleset: Path):
    from tanso.run import prepare
    return prepare(ruleset)


def _file_rows(path: Path) -> int:
    text = (gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()).decode("utf-8-sig")
    if path.name.endswith((".csv", ".csv.gz")):
        return sum(1 for _ in csv.reader(io.StringIO(text, newline=""))) - 1
    try:
        document = json.loads(text)
    except ValueError:   # JSON lines
        return sum(1 for line in text.splitlines() if line.strip())
    records = document.get("value", [document]) if isinstance(document, dict) else document
    return len(records)
