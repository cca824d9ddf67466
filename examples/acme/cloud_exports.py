"""Acme's cloud carbon exports, in the layouts the providers deliver (deterministic: seeded).

    python examples/acme/cloud_exports.py        (generate.py runs it too)

- AWS Data Exports, carbon emissions table (CARBON_EMISSIONS), gzip CSV parts under the export's
  `data/model_version=…/usage_period=YYYY-MM/` partitions, as delivered to S3; 2025-06 in two parts.
  March 2025 is delivered again under model v3.1.0 (a restatement).
- GCP Carbon Footprint, the BigQuery table exported as NEWLINE_DELIMITED_JSON (nested records).
- Azure carbon optimization, `carbonEmissionReports` ItemDetailsReport responses (REST API
  2025-04-01), one folder per requested month (`month=YYYY-MM`, the request's dateRange), paged.
- `cloud_accounts.csv` maps accounts, projects and subscriptions to entities; `cloud_costs.csv` is
  the monthly cost per account and region (from the providers' billing exports).

Injected for the integrity checks: in 2025-09 the ACME-US production account's us-east-1 EC2
emissions and cost jump sevenfold (crypto-jacking), and the same account runs instances in
sa-east-1, a region outside Acme's allow-list. Acme and its accounts are fictional.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
from pathlib import Path

DATA = Path(__file__).parent / "data"
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
SPIKE_MONTH, ROGUE_REGION, RESTATED_MONTH = "2025-09", "sa-east-1", "2025-03"

AWS_EXPORT = "acme-carbon"
AWS_PAYER = "301234567890"
# usage account → (entity, {region: location})
AWS_ACCOUNTS = {
    "412345678901": ("ACME-US", {"us-east-1": "US East (N. Virginia)", "us-west-2": "US West (Oregon)"}),
    "523456789012": ("ACME-DE", {"eu-central-1": "Europe (Frankfurt)"}),
    "634567890123": ("ACME-JP", {"ap-northeast-1": "Asia Pacific (Tokyo)"}),
}
AWS_PRODUCTS = {"AmazonEC2": 0.9, "AmazonS3": 0.04, "AmazonRDS": 0.2}   # location-based MTCO2e a month
AWS_COLUMNS = ["last_refresh_timestamp", "location", "model_version", "payer_account_id", "product_code",
               "region_code", "total_lbm_emissions_unit", "total_lbm_emissions_value", "total_mbm_emissions_unit",
               "total_mbm_emissions_value", "total_scope_1_emissions_unit", "total_scope_1_emissions_value",
               "total_scope_2_lbm_emissions_unit", "total_scope_2_lbm_emissions_value",
               "total_scope_2_mbm_emissions_unit", "total_scope_2_mbm_emissions_value",
               "total_scope_3_lbm_emissions_unit", "total_scope_3_lbm_emissions_value",
               "total_scope_3_mbm_emissions_unit", "total_scope_3_mbm_emissions_value",
               "usage_account_id", "usage_period_end", "usage_period_start"]

GCP_BILLING = "01A2B3-C4D5E6-F7A8B9"
GCP_PROJECTS = {"acme-jp-analytics": ("183920457712", "asia-northeast1"), "acme-us-web": ("902118374455", "us-central1")}
GCP_SERVICES = {"6F81-5844-456A": ("Compute Engine", 160.0), "24E6-581D-38E5": ("BigQuery", 45.0),
                "95FF-2EF5-5EA1": ("Cloud Storage", 8.0)}                 # location-based kgCO2e a month

AZURE_SUBSCRIPTIONS = {"6f1c2b7e-4d0a-4c1e-9b3a-2a8f5e7d9c01": "ACME-DE", "b3e9d4a2-7c15-4f6b-8e2d-91c0a5f3e6b7": "ACME-JP"}
AZURE_RESOURCES = [   # subscription, resource group, type, name, location, kgCO2e a month
    ("6f1c2b7e-4d0a-4c1e-9b3a-2a8f5e7d9c01", "rg-erp", "microsoft.compute/virtualmachines", "vm-erp-01", "germany west central", 38.0),
    ("6f1c2b7e-4d0a-4c1e-9b3a-2a8f5e7d9c01", "rg-erp", "microsoft.sql/servers/databases", "sqldb-erp", "germany west central", 14.0),
    ("6f1c2b7e-4d0a-4c1e-9b3a-2a8f5e7d9c01", "rg-backup", "microsoft.storage/storageaccounts", "stbackupde", "west europe", 3.5),
    ("b3e9d4a2-7c15-4f6b-8e2d-91c0a5f3e6b7", "rg-mes", "microsoft.compute/virtualmachines", "vm-mes-01", "japan east", 52.0),
    ("b3e9d4a2-7c15-4f6b-8e2d-91c0a5f3e6b7", "rg-mes", "microsoft.storage/storageaccounts", "stmesjp", "japan east", 2.2),
]


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def _aws_row(account: str, region: str, location: str, product: str, month: str, version: str, lbm: float,
             rng: random.Random) -> dict[str, str]:
    """One row as the export writes it: totals and the scope split, MTCO2e, doubles as text."""
    scope1, scope3 = lbm * 0.002, lbm * 0.35
    scope2_lbm, scope2_mbm = lbm - scope1 - scope3, (lbm - scope1 - scope3) * rng.uniform(0.05, 0.3)
    values = {"total_lbm_emissions": scope1 + scope2_lbm + scope3, "total_mbm_emissions": scope1 + scope2_mbm + scope3,
              "total_scope_1_emissions": scope1, "total_scope_2_lbm_emissions": scope2_lbm,
              "total_scope_2_mbm_emissions": scope2_mbm, "total_scope_3_lbm_emissions": scope3,
              "total_scope_3_mbm_emissions": scope3}
    row = {"last_refresh_timestamp": f"{_next_month(month)}-19 06:12:44Z", "location": location,
           "model_version": version, "payer_account_id": AWS_PAYER, "product_code": product, "region_code": region,
           "usage_account_id": account, "usage_period_end": f"{_next_month(month)}-01 00:00:00Z",
           "usage_period_start": f"{month}-01 00:00:00Z"}
    for name, value in values.items():
        row[f"{name}_unit"] = "MTCO2e"
        row[f"{name}_value"] = repr(round(value, 6))   # a double as Python (and the export) prints it: 0.000412 → '0.000412', 4e-05
    return row


def aws(rng: random.Random, costs: list[list]) -> None:
    partitions: dict[tuple[str, str], list[dict]] = {}
    for month in MONTHS:
        for account, (_, regions) in AWS_ACCOUNTS.items():
            for region, location in regions.items():
                monthly_cost = 0.0
                for product, base in AWS_PRODUCTS.items():
                    lbm = base * rng.uniform(0.9, 1.1) * (0.55 if region == "us-west-2" else 1)
                    if (account, region, product, month) == ("412345678901", "us-east-1", "AmazonEC2", SPIKE_MONTH):
                        lbm *= 7
                    partitions.setdefault(("v3.0.0", month), []).append(
                        _aws_row(account, region, location, product, month, "v3.0.0", lbm, rng))
                    monthly_cost += lbm * 4100 * rng.uniform(0.95, 1.05)
                    if month == RESTATED_MONTH:   # the same usage recomputed by model v3.1.0
                        partitions.setdefault(("v3.1.0", month), []).append(
                            _aws_row(account, region, location, product, month, "v3.1.0", lbm * 1.04, rng))
                costs.append(["aws", account, region, month, f"{monthly_cost:.2f}", "USD"])
    rogue = _aws_row("412345678901", ROGUE_REGION, "South America (Sao Paulo)", "AmazonEC2", SPIKE_MONTH, "v3.0.0",
                     0.35, rng)
    partitions[("v3.0.0", SPIKE_MONTH)].append(rogue)
    costs.append(["aws", "412345678901", ROGUE_REGION, SPIKE_MONTH, "1630.40", "USD"])
    for (version, month), rows in partitions.items():
        folder = DATA / "cloud" / "aws" / AWS_EXPORT / "data" / f"model_version={version}" / f"usage_period={month}"
        folder.mkdir(parents=True, exist_ok=True)
        pieces = [rows[:5], rows[5:]] if month == "2025-06" else [rows]   # a larger month arrives in two parts
        for number, piece in enumerate(pieces, start=1):
            with gzip.GzipFile(folder / f"{AWS_EXPORT}-{number:05d}.csv.gz", "wb", mtime=0) as raw:
                text = _csv_text(AWS_COLUMNS, [[row[c] for c in AWS_COLUMNS] for row in piece])
                raw.write(text.encode("utf-8"))


def _csv_text(header: list[str], rows: list[list]) -> str:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue()


def gcp(rng: random.Random, costs: list[list]) -> None:
    records = []
    for month in MONTHS:
        for project, (number, region) in GCP_PROJECTS.items():
            monthly_cost = 0.0
            for service_id, (description, base) in GCP_SERVICES.items():
                location_based = base * rng.uniform(0.9, 1.1) * (1.4 if project == "acme-jp-analytics" else 1)
                scope1, scope3 = location_based * 0.004, location_based * 0.31
                scope2_location = location_based - scope1 - scope3
                scope2_market = scope2_location * rng.uniform(0.1, 0.4)
                records.append({
                    "usage_month": f"{month}-01", "billing_account_id": GCP_BILLING,
                    "project": {"id": project, "number": number},
                    "service": {"id": service_id, "description": description},
                    "location": {"location": region if description == "BigQuery" else f"{region}-a", "region": region},
                    "carbon_model_version": "12",   # INT64, which BigQuery writes to JSON as a string
                    "carbon_footprint_total_kgCO2e": {"market_based": scope1 + scope2_market + scope3,
                                                      "location_based": scope1 + scope2_location + scope3},
                    "carbon_footprint_kgCO2e": {"scope1": scope1, "scope2": {"location_based": scope2_location,
                                                                             "market_based": scope2_market},
                                                "scope3": scope3}})
                monthly_cost += location_based * 9.5
            costs.append(["gcp", project, region, month, f"{monthly_cost:.2f}", "USD"])
    folder = DATA / "cloud" / "gcp"
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "carbon_footprint-000000000000.json").open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, separators=(",", ":")) + "\n")


def azure(rng: random.Random, costs: list[list]) -> None:
    previous: dict[str, float] = {}
    for month in MONTHS:
        items, by_key = [], {}
        for subscription, group, kind, name, location, base in AZURE_RESOURCES:
            latest = base * rng.uniform(0.9, 1.1)
            before = previous.get(name, latest)
            previous[name] = latest
            items.append({"dataType": "ResourceItemDetailsData", "latestMonthEmissions": latest,
                          "previousMonthEmissions": before,
                          "monthOverMonthEmissionsChangeRatio": (latest - before) / before,
                          "monthlyEmissionsChangeValue": latest - before, "itemName": name, "categoryType": "Resource",
                          "resourceGroup": group,
                          "resourceId": f"/subscriptions/{subscription}/resourceGroups/{group}/providers/{kind}/{name}",
                          "resourceType": kind, "subscriptionId": subscription, "location": location})
            key = (subscription, location)
            by_key[key] = by_key.get(key, 0.0) + latest * 11.0
        for (subscription, location), cost in by_key.items():
            costs.append(["azure", subscription, location, month, f"{cost:.2f}", "USD"])
        folder = DATA / "cloud" / "azure" / "carbon-optimization" / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        pages = [items[:3], items[3:]] if month == "2025-12" else [items]   # pageSize 3 that month: two pages
        for number, page in enumerate(pages, start=1):
            response = {"skipToken": "eyJwYWdlIjoyfQ==" if number < len(pages) else "",
                        "subscriptionAccessDecisionList": [{"subscriptionId": s, "decision": "Allowed"}
                                                           for s in AZURE_SUBSCRIPTIONS],
                        "value": page}
            (folder / f"page-{number}.json").write_text(json.dumps(response, indent=2) + "\n", encoding="utf-8")


def main() -> None:
    rng = random.Random(12)
    costs: list[list] = []
    aws(rng, costs)
    gcp(rng, costs)
    azure(rng, costs)
    with (DATA / "cloud_costs.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["provider", "account", "region", "month", "cost", "currency"])
        writer.writerows(sorted(costs))
    accounts = [["aws", account, entity] for account, (entity, _) in AWS_ACCOUNTS.items()]
    accounts += [["gcp", project, "ACME-JP" if project.startswith("acme-jp") else "ACME-US"] for project in GCP_PROJECTS]
    accounts += [["azure", subscription, entity] for subscription, entity in AZURE_SUBSCRIPTIONS.items()]
    with (DATA / "cloud_accounts.csv").open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["provider", "account", "entity"])
        writer.writerows(accounts)


if __name__ == "__main__":
    main()
