"""Cloud providers' carbon exports, read as delivered and evaluated into Scope 3 category 1.

Each test writes real files in the providers' published layouts (gzip CSV parts under AWS Data Exports'
partition folders, a BigQuery table as Parquet with nested structs and as JSON lines, Azure carbon
optimization REST pages) and runs the engine on them: the rules are ghgp-current's cloud rules, the
declarations its inputs'. Malformed variants get an error or a reject naming file, row and field, and
every row ends in the ledger, rejects or excluded.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import json
import textwrap
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from conftest import REPO, excluded, ledger, rejects
from tanso.cli import main
from tanso.diagnostics import InputError, RulesetError
from tanso.run import evaluate, prepare
from tanso_report.plugin import render_table

CURRENT = REPO / "rulesets" / "ghgp-current"
AWS_COLUMNS = ["last_refresh_timestamp", "location", "model_version", "payer_account_id", "product_code",
               "region_code", "total_lbm_emissions_unit", "total_lbm_emissions_value", "total_mbm_emissions_unit",
               "total_mbm_emissions_value", "usage_account_id", "usage_period_end", "usage_period_start"]
PAYER, ACCOUNT = "301234567890", "412345678901"


def _ruleset_text() -> str:
    """ghgp-current's cloud inputs and rules, verbatim, with a boundary of three entities."""
    declared = (CURRENT / "ruleset.tanso").read_text(encoding="utf-8")
    rules = (CURRENT / "scope3.tanso").read_text(encoding="utf-8")
    inputs = declared[declared.index("input aws_carbon"):declared.index('input financials')]
    cloud_rules = rules[rules.index("rule s3.cat1.cloud.aws.location"):]   # the last rules of scope3.tanso
    return textwrap.dedent('''\
        ruleset cloud "ghgp-current's cloud rules"
        set boundary.approach = operational_control
        input entities key entity
          columns parent: text, country: text, equity_share: decimal(18,6) 0..1, financial_control: boolean,
                  operational_control: boolean, joint_financial_control: boolean
        boundary consolidation(entities: entities, joint_financial_control: joint_financial_control)
        ''') + inputs + cloud_rules


def _aws_row(month: str, version: str, lbm: str, mbm: str, account: str = ACCOUNT, region: str = "us-east-1",
             unit: str = "MTCO2e") -> list[str]:
    return ["2026-01-19 06:12:44Z", "US East (N. Virginia)", version, PAYER, "AmazonEC2", region, unit, lbm, unit,
            mbm, account, f"{month}-28 00:00:00Z", f"{month}-01 00:00:00Z"]


def _write_aws(data: Path, version: str, month: str, rows: list[list[str]], part: int = 1,
               columns: list[str] = AWS_COLUMNS) -> Path:
    folder = data / "cloud" / "aws" / "acme-carbon" / "data" / f"model_version={version}" / f"usage_period={month}"
    folder.mkdir(parents=True, exist_ok=True)
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([columns, *rows])
    path = folder / f"acme-carbon-{part:05d}.csv.gz"
    path.write_bytes(gzip.compress(text.getvalue().encode(), mtime=0))
    return path


def _gcp_records(month: str, project: str = "acme-jp-analytics", location: str = "123.5",
                 market: str = "45.25", version: int = 12) -> list[dict]:
    return [{"usage_month": f"{month}-01", "billing_account_id": "01A2B3-C4D5E6-F7A8B9",
             "project": {"id": project, "number": "183920457712"},
             "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
             "location": {"location": "asia-northeast1-a", "region": "asia-northeast1"},
             "carbon_model_version": str(version),
             "carbon_footprint_total_kgCO2e": {"market_based": float(market), "location_based": float(location)},
             "carbon_footprint_kgCO2e": {"scope1": 0.5, "scope2": {"location_based": 80.0, "market_based": 1.75},
                                         "scope3": 43.0}}]


def _azure_page(items: list[tuple[str, str, float]]) -> dict:
    return {"skipToken": "", "value": [
        {"dataType": "ResourceItemDetailsData", "latestMonthEmissions": kg, "previousMonthEmissions": kg,
         "monthOverMonthEmissionsChangeRatio": 0, "monthlyEmissionsChangeValue": 0, "itemName": name,
         "categoryType": "Resource", "resourceGroup": "rg-erp", "resourceId": f"/subscriptions/{sub}/x/{name}",
         "resourceType": "microsoft.compute/virtualmachines", "subscriptionId": sub, "location": "japan east"}
        for sub, name, kg in items]}


SUBSCRIPTION = "b3e9d4a2-7c15-4f6b-8e2d-91c0a5f3e6b7"


@pytest.fixture
def cloud(tmp_path):
    """A ruleset folder with ghgp-current's cloud rules and a data folder with an export from each provider."""
    ruleset, data = tmp_path / "ruleset", tmp_path / "data"
    ruleset.mkdir()
    (ruleset / "cloud.tanso").write_text(_ruleset_text(), encoding="utf-8")
    data.mkdir()
    (data / "entities.csv").write_text("entity,parent,country,equity_share,financial_control,operational_control,"
                                       "joint_financial_control\nACME-US,,US,1,true,true,false\n"
                                       "ACME-JP,,JP,1,true,true,false\nACME-KR,,KR,0.2,false,false,false\n")
    (data / "cloud_accounts.csv").write_text(f"provider,account,entity\naws,{ACCOUNT},ACME-US\n"
                                             f"gcp,acme-jp-analytics,ACME-JP\nazure,{SUBSCRIPTION},ACME-JP\n")
    _write_aws(data, "v3.0.0", "2025-01", [_aws_row("2025-01", "v3.0.0", "0.912", "0.25")])
    _write_aws(data, "v3.0.0", "2025-02", [_aws_row("2025-02", "v3.0.0", "0.9", "0.2")])
    _write_aws(data, "v3.0.0", "2025-02", [_aws_row("2025-02", "v3.0.0", "7.6e-05", "1.5E-5", region="us-west-2")],
               part=2)
    gcp = data / "cloud" / "gcp"
    gcp.mkdir(parents=True)
    (gcp / "carbon_footprint-000000000000.json").write_text(
        "".join(json.dumps(r) + "\n" for r in _gcp_records("2025-01") + _gcp_records("2025-02")))
    for month in ("2025-01", "2025-02"):
        folder = data / "cloud" / "azure" / "carbon-optimization" / f"month={month}"
        folder.mkdir(parents=True)
        (folder / "page-1.json").write_text(json.dumps(_azure_page([(SUBSCRIPTION, "vm-mes-01", 52.125)])))
    return ruleset, data


def _run(ruleset: Path, data: Path, out: Path, **kwargs):
    prepared = prepare(ruleset)
    return evaluate(prepared.ruleset, prepared.registry, prepared.graph, data, out, **kwargs)


def _by_rule(result) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    for row in ledger(result):
        totals[row["rule_id"]] = totals.get(row["rule_id"], Decimal(0)) + row["co2e_kg"] * row["boundary_weight"]
    return totals


def test_each_providers_export_is_evaluated_into_category_1_as_delivered(cloud, tmp_path):
    result = _run(*cloud, tmp_path / "out")
    # AWS: MTCO2e (metric tons) → kg; the float 7.6e-05 t is read as the decimal it prints, 0.076 kg
    assert _by_rule(result) == {
        "s3.cat1.cloud.aws.location": Decimal("912") + Decimal("900") + Decimal("0.076"),
        "s3.cat1.cloud.aws.market": Decimal("250") + Decimal("200") + Decimal("0.015"),
        "s3.cat1.cloud.gcp.location": Decimal("247"), "s3.cat1.cloud.gcp.market": Decimal("90.5"),
        "s3.cat1.cloud.azure": Decimal("104.25")}
    rows = ledger(result)
    assert {(r["scope"], r["category"]) for r in rows} == {(3, 1)}
    aws = [r for r in rows if r["rule_id"] == "s3.cat1.cloud.aws.market"]
    assert {(r["entity"], r["period"], r["factor_id"], r["data_type"], r["quantity_unit"]) for r in aws} == {
        ("ACME-US", "2025-01", "aws v3.0.0", "supplier-specific", "MTCO2e"),
        ("ACME-US", "2025-02", "aws v3.0.0", "supplier-specific", "MTCO2e")}
    assert {r["factor_id"] for r in rows if r["rule_id"].startswith("s3.cat1.cloud.gcp")} == {"gcp 12"}
    assert not rejects(result) and not excluded(result)
    # the manifest hashes every part and says which input rows each holds
    parts = result.manifest["inputs"]["aws_carbon"]["parts"]
    assert [(Path(p["file"]).parts[-3:], p["rows"], p["first_input_row"]) for p in parts] == [
        (("model_version=v3.0.0", "usage_period=2025-01", "acme-carbon-00001.csv.gz"), 1, 1),
        (("model_version=v3.0.0", "usage_period=2025-02", "acme-carbon-00001.csv.gz"), 1, 2),
        (("model_version=v3.0.0", "usage_period=2025-02", "acme-carbon-00002.csv.gz"), 1, 3)]
    assert all(len(p["sha256"]) == 64 for p in parts)


def test_a_gcp_export_as_parquet_with_nested_structs_is_read_like_its_json(cloud, tmp_path):
    ruleset, data = cloud
    (ruleset / "cloud.tanso").write_text(_ruleset_text().replace('file "cloud/gcp/*.json"',
                                                                 'file "cloud/gcp/*.parquet"'))
    records = _gcp_records("2025-01") + _gcp_records("2025-02", location="1.2345678901234567e-05", market="0")
    for record in records:   # Parquet keeps BigQuery's types: INT64 version, DATE month, FLOAT64 figures
        record["carbon_model_version"] = int(record["carbon_model_version"])
        record["usage_month"] = datetime.date.fromisoformat(record["usage_month"])
    pq.write_table(pa.Table.from_pylist(records), data / "cloud" / "gcp" / "carbon_footprint-000000000000.parquet")
    (data / "cloud" / "gcp" / "carbon_footprint-000000000000.json").unlink()
    totals = _by_rule(_run(ruleset, data, tmp_path / "out"))
    # 1.2345678901234567e-05 kg is read as that decimal and rounded half-even to 6 places: 0.000012
    assert totals["s3.cat1.cloud.gcp.location"] == Decimal("123.5") + Decimal("0.000012")
    assert totals["s3.cat1.cloud.gcp.market"] == Decimal("45.25")


def test_a_gcp_csv_with_the_schemas_dotted_names_as_headers_is_read_like_its_json(cloud, tmp_path):
    # BigQuery refuses to export a table with nested fields as CSV; a CSV of the table (a query's results
    # saved from the console, a flattening tool) names the nested fields by their dotted paths.
    ruleset, data = cloud
    (ruleset / "cloud.tanso").write_text(_ruleset_text().replace('file "cloud/gcp/*.json"', 'file "cloud/gcp/*.csv"'))
    header = ["usage_month", "billing_account_id", "project.id", "project.number", "service.id", "service.description",
              "location.location", "location.region", "carbon_model_version",
              "carbon_footprint_total_kgCO2e.location_based", "carbon_footprint_total_kgCO2e.market_based"]
    rows = [[f"{m}-01", "01A2B3-C4D5E6-F7A8B9", "acme-jp-analytics", "183920457712", "6F81-5844-456A", "Compute Engine",
             "asia-northeast1-a", "asia-northeast1", "12", "123.5", "45.25"] for m in ("2025-01", "2025-02")]
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows([header, *rows])
    (data / "cloud" / "gcp" / "carbon_footprint-000000000000.csv").write_text(text.getvalue())
    totals = _by_rule(_run(ruleset, data, tmp_path / "out"))
    assert (totals["s3.cat1.cloud.gcp.location"], totals["s3.cat1.cloud.gcp.market"]) == (Decimal(247), Decimal("90.5"))


def test_aws_parquet_parts_with_native_types_are_read_like_its_csv(cloud, tmp_path):
    ruleset, data = cloud
    (ruleset / "cloud.tanso").write_text(_ruleset_text().replace('file "cloud/aws/*/data/**/*.csv.gz"',
                                                                 'file "cloud/aws/*/data/**/*.parquet"'))
    for month, lbm in (("2025-01", 0.912), ("2025-02", 7.6e-05)):   # Parquet keeps the export's types
        folder = data / "cloud" / "aws" / "acme-carbon" / "data" / "model_version=v3.0.0" / f"usage_period={month}"
        start = datetime.datetime.fromisoformat(f"{month}-01T00:00:00")
        row = dict(zip(AWS_COLUMNS, _aws_row(month, "v3.0.0", "0", "0")))
        row.update(total_lbm_emissions_value=lbm, total_mbm_emissions_value=lbm / 4, usage_period_start=start,
                   usage_period_end=start, last_refresh_timestamp=start)
        pq.write_table(pa.Table.from_pylist([row]), folder / "acme-carbon-00001.snappy.parquet")
    result = _run(ruleset, data, tmp_path / "out")
    totals = _by_rule(result)
    assert totals["s3.cat1.cloud.aws.location"] == Decimal("912") + Decimal("0.076")
    assert totals["s3.cat1.cloud.aws.market"] == Decimal("228") + Decimal("0.019")   # 1.9e-05 t
    assert {r["period"] for r in ledger(result) if r["rule_id"] == "s3.cat1.cloud.aws.market"} == {"2025-01", "2025-02"}


def test_a_restated_month_counts_only_in_its_latest_model_version(cloud, tmp_path):
    ruleset, data = cloud
    _write_aws(data, "v3.1.0", "2025-01", [_aws_row("2025-01", "v3.1.0", "0.95", "0.26")])
    result = _run(ruleset, data, tmp_path / "out")
    assert _by_rule(result)["s3.cat1.cloud.aws.location"] == Decimal("950") + Decimal("900") + Decimal("0.076")
    superseded = [r for r in excluded(result) if r["rule_id"] == "s3.cat1.cloud.aws.location"]
    assert [(r["input_row"], r["exclusion_id"], r["reason"]) for r in superseded] == [
        (1, "provider_emissions", f"superseded: aws model_version 'v3.1.0' restates 2025-01 for payer_account_id "
                                  f"'{PAYER}' (this row: 'v3.0.0')")]


def test_a_later_run_flags_a_restated_period_with_its_size(cloud, tmp_path):
    ruleset, data = cloud
    _run(ruleset, data, tmp_path / "before")
    _write_aws(data, "v3.1.0", "2025-01", [_aws_row("2025-01", "v3.1.0", "0.95", "0.26")])
    result = _run(ruleset, data, tmp_path / "after", previous=tmp_path / "before")
    assert [(r["kind"], r["rule_id"], r["entity"], r["period"], r["change_kg"], r["previous_factors"],
             r["current_factors"]) for r in result.restatements] == [
        ("restated", "s3.cat1.cloud.aws.location", "ACME-US", "2025-01", Decimal(38), ["aws v3.0.0"], ["aws v3.1.0"]),
        ("restated", "s3.cat1.cloud.aws.market", "ACME-US", "2025-01", Decimal(10), ["aws v3.0.0"], ["aws v3.1.0"])]
    assert result.manifest["restatements"][0]["change_kg"] == Decimal(38)
    outcome = CliRunner().invoke(main, ["evaluate", str(ruleset), "--data", str(data), "--previous",
                                        str(tmp_path / "before")], catch_exceptions=False)
    assert outcome.exit_code == 0
    assert ("restated: s3.cat1.cloud.aws.location · ACME-US · 2025-01: 912.000 kg CO2e → 950.000 kg CO2e "
            "(+38.000 kg CO2e); aws v3.0.0 → aws v3.1.0") in outcome.stdout
    # and why: the only thing the two runs were computed from that differs is the AWS export
    assert [(d["kind"], d["name"], d["change"]) for d in result.manifest["previous"]["differences"]] == [
        ("input", "aws_carbon", "changed")]
    assert "\n  computed from something else: input aws_carbon changed\n" in outcome.stdout


def test_a_later_run_on_the_same_sources_says_so_and_names_a_changed_policy(cloud, tmp_path):
    ruleset, data = cloud
    _run(ruleset, data, tmp_path / "before")
    same = CliRunner().invoke(main, ["evaluate", str(ruleset), "--data", str(data), "--previous",
                                     str(tmp_path / "before")], catch_exceptions=False)
    assert ("no period it reported moved\n  computed from the same inputs, factor files, ruleset, policies and Tanso "
            "version\n") in same.stdout
    changed = CliRunner().invoke(main, ["evaluate", str(ruleset), "--data", str(data), "--previous",
                                        str(tmp_path / "before"), "--set", "gwp.set=AR6", "--lang", "ja"],
                                 catch_exceptions=False)
    assert '計算の元で異なるもの：ポリシー gwp.set "AR5" → "AR6"' in changed.stdout


def test_accounts_are_mapped_to_entities_and_weighted_by_the_boundary(cloud, tmp_path):
    ruleset, data = cloud
    (data / "cloud_accounts.csv").write_text(f"provider,account,entity\naws,{ACCOUNT},ACME-US\naws,{ACCOUNT},ACME-JP\n"
                                             f"gcp,acme-jp-analytics,ACME-KR\n")
    result = _run(ruleset, data, tmp_path / "out")
    reasons = {(r["rule_id"], r["input_row"]): r["reason"] for r in rejects(result)}
    assert reasons[("s3.cat1.cloud.aws.market", 1)] == (
        f"provider_emissions: column usage_account_id: '{ACCOUNT}' is mapped by cloud_accounts rows 1, 2: "
        f"map each account once")
    assert reasons[("s3.cat1.cloud.azure", 1)] == (
        f"provider_emissions: column subscriptionId: '{SUBSCRIPTION}' is not in cloud_accounts for provider azure")
    # ACME-KR is outside the boundary (operational control): its project's rows are excluded with the reason
    gcp = [r for r in excluded(result) if r["rule_id"] == "s3.cat1.cloud.gcp.location"]
    assert len(gcp) == 2 and all("ACME-KR" in r["reason"] for r in gcp)


@pytest.mark.parametrize("variant, message", [
    ("truncated gzip", "acme-carbon-00001.csv.gz: the gzip data ends before its end marker"),
    ("a part with another header", "its columns differ from those of"),
    ("a missing column", "missing column total_mbm_emissions_value"),
])
def test_an_unusable_part_is_an_error_naming_the_file(cloud, tmp_path, variant, message):
    ruleset, data = cloud
    if variant == "truncated gzip":
        path = _write_aws(data, "v3.0.0", "2025-03", [_aws_row("2025-03", "v3.0.0", "1", "1")] * 40)
        path.write_bytes(path.read_bytes()[:-20])
    elif variant == "a part with another header":
        _write_aws(data, "v3.0.0", "2025-03", [_aws_row("2025-03", "v3.0.0", "1", "1") + ["x"]],
                   columns=AWS_COLUMNS + ["total_scope_1_emissions_value"])
    else:
        dropped = AWS_COLUMNS.index("total_mbm_emissions_value")
        row = _aws_row("2025-03", "v3.0.0", "1", "1")
        for path in (data / "cloud" / "aws").rglob("*.csv.gz"):
            path.unlink()
        _write_aws(data, "v3.0.0", "2025-03", [row[:dropped] + row[dropped + 1:]],
                   columns=AWS_COLUMNS[:dropped] + AWS_COLUMNS[dropped + 1:])
    with pytest.raises(InputError, match=message):
        _run(ruleset, data, tmp_path / "out")


def test_bad_values_are_rejects_naming_part_row_and_column_and_no_row_is_lost(cloud, tmp_path):
    ruleset, data = cloud
    _write_aws(data, "v3.0.0", "2025-03", [
        _aws_row("2025-03", "v3.0.0", "1.5", "0.5"),
        _aws_row("2025-03", "v3.0.0", "lots", "0.5"),                # not a number
        _aws_row("2025-03", "v3.0.0", "1", "0.5", unit="MTCO2"),     # an unknown unit
        _aws_row("2025-03", "v2.0.0", "1", "0.5")])                  # filed under the wrong model version
    gcp = data / "cloud" / "gcp" / "carbon_footprint-000000000000.json"
    gcp.write_text(gcp.read_text() + '{"usage_month": "2025-03-01", "project": {"id": "acme-jp-\n')
    result = _run(ruleset, data, tmp_path / "out")
    # Reasons name each file as it lies under the data folder, and the part's own row.
    part = next((data / "cloud" / "aws").rglob("usage_period=2025-03/*.csv.gz")).relative_to(data).as_posix()
    gcp = gcp.relative_to(data).as_posix()
    reasons = {r["reason"] for r in rejects(result)}
    assert (f"{part} row 2: column total_lbm_emissions_value: 'lots' is not a number (a float: digits, a point, an "
            f"optional exponent such as 1.5E-5)") in reasons
    assert (f"{part} row 4: column model_version: 'v2.0.0' is not model_version=v3.0.0, the folder the part is filed "
            f"under") in reasons
    assert ("provider_emissions: column total_lbm_emissions_unit: 'MTCO2': unknown unit 'MTCO2'; expected a CO2e mass "
            "such as kgCO2e or MTCO2e") in reasons
    assert f"{gcp} row 3: the line is not JSON (Unterminated string starting at)" in reasons
    # conservation: every row of every input is in the ledger, the rejects or excluded (the run checks it too)
    for table, loaded_rows in (("aws_carbon", 7), ("gcp_carbon", 3)):
        assert result.manifest["inputs"][table]
        counted = result.connection.execute(
            f"SELECT count(DISTINCT input_row) FROM (SELECT input_row FROM run_ledger WHERE input_table = '{table}' "
            f"UNION ALL SELECT input_row FROM run_rejects WHERE input_table = '{table}' UNION ALL SELECT input_row "
            f"FROM run_excluded WHERE input_table = '{table}')").fetchall()[0][0]
        assert counted == loaded_rows


def test_validate_names_the_part_and_its_own_row(cloud):
    ruleset, data = cloud
    part = _write_aws(data, "v3.0.0", "2025-03", [_aws_row("2025-03", "v3.0.0", "1", "0.5"),
                                                  _aws_row("2025-03", "v3.0.0", "-1", "0.5")])
    outcome = CliRunner().invoke(main, ["validate", str(ruleset), "--data", str(data), "--format", "json"],
                                 catch_exceptions=False)
    assert outcome.exit_code == 2
    assert [(i["file"], i["row"], i["column"], i["value"]) for i in json.loads(outcome.stdout)["items"]] == [
        (str(part), 2, "total_lbm_emissions_value", "-1.0")]


def test_any_reader_reads_a_gzip_file_named_after_its_input(tmp_path):
    (tmp_path / "ruleset").mkdir()
    (tmp_path / "ruleset" / "r.tanso").write_text(textwrap.dedent('''\
        ruleset r
        input reported key row_id columns emissions: decimal(18,6), unit: text
        rule r "r"
          scope 3 category 1
          from reported
          calc reported_emissions(emissions: emissions, unit: "kg")
        '''))
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "reported.csv.gz").write_bytes(gzip.compress(b"row_id,emissions,unit\nR1,12.5,kg\n"))
    result = _run(tmp_path / "ruleset", tmp_path / "data", tmp_path / "out")
    assert [(r["row_id"], r["co2e_kg"]) for r in ledger(result)] == [("R1", Decimal("12.5"))]


def test_a_file_clause_outside_the_data_folder_or_of_no_readers_kind_is_a_ruleset_error(tmp_path):
    (tmp_path / "r.tanso").write_text(textwrap.dedent('''\
        ruleset r
        input a file "../elsewhere.csv" columns x: text
        input b file "exports/*.xml" columns x: text
        rule r "r" scope 3 category 1 from a calc reported_emissions(emissions: x)
        '''))
    with pytest.raises(RulesetError) as raised:
        prepare(tmp_path / "r.tanso")
    rendered = raised.value.diagnostics.render()
    assert "file \"../elsewhere.csv\" of input 'a' is not a path under the data folder" in rendered
    assert "r.tanso:2:9" in rendered
    assert "file \"exports/*.xml\" of input 'b': no reader reads .xml files" in rendered


def test_integrity_checks_flag_a_jump_and_a_region_in_the_output_json_and_manifest(cloud, tmp_path):
    ruleset, data = cloud
    for number, month in enumerate(("2025-03", "2025-04", "2025-05", "2025-06", "2025-07")):
        lbm = "6.4" if month == "2025-07" else f"0.9{number}"
        _write_aws(data, "v3.0.0", month, [_aws_row(month, "v3.0.0", lbm, "0.2")])
    _write_aws(data, "v3.0.0", "2025-07", [_aws_row("2025-07", "v3.0.0", "0.1", "0.01", region="sa-east-1")], part=2)
    with (ruleset / "cloud.tanso").open("a") as out:
        out.write(textwrap.dedent('''
            check jumps "no jump" = jumps(rule: s3.cat1.cloud.aws.location, by: [usage_account_id, region_code]) = 0
            check regions "allowed regions" = outside(aws_carbon.region_code, allowed: ["us-east-1", "us-west-2"]) = 0
            '''))
    result = _run(ruleset, data, tmp_path / "out")
    checks = {c["id"]: c for c in result.checks}
    # us-east-1 before July: 912, 900, 900, 910, 920, 930 kg; median 911, MAD 10; (6400 - 911) / (1.4826 × 10)
    assert checks["jumps"]["passed"] is False and checks["regions"]["passed"] is False
    assert checks["jumps"]["findings"] == [
        "usage_account_id 412345678901, region_code us-east-1 · 2025-07: 6400 kg CO2e; its trailing 6 periods: median "
        "911, MAD 10 → 370.228 robust deviations above (threshold 3.5, rise at least 0.5 × the median)"]
    part = next((data / "cloud" / "aws").rglob("usage_period=2025-07/acme-carbon-00002.csv.gz"))
    part = part.relative_to(data).as_posix()
    assert checks["regions"]["findings"] == [f"region_code 'sa-east-1' is not allowed: 1 row at {part} row 1"]
    assert {c["id"]: c["findings"] for c in result.manifest["checks"]} == {
        "jumps": checks["jumps"]["findings"], "regions": checks["regions"]["findings"]}
    text = render_table(result, None)
    assert f"check regions: FAIL — allowed regions\n  flagged: region_code 'sa-east-1'" in text


def test_the_demo_flags_exactly_the_injected_spike_and_region():
    """The Acme demo: an export from each provider; the checks catch the injected crypto-jacking month and the
    region outside Acme's allow-list, and nothing else."""
    outcome = CliRunner().invoke(main, ["evaluate", str(CURRENT), "--data", str(REPO / "examples" / "acme" / "data"),
                                        "--format", "json"], catch_exceptions=False)
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.stdout)
    # (s3.primary_share flags categories below its minimum: not a cloud check)
    flagged = {c["id"]: c["findings"] for c in document["checks"] if c.get("findings") and c["id"].startswith("cloud.")}
    assert set(flagged) == {"cloud.aws.emission_jumps", "cloud.cost_jumps", "cloud.aws.regions"}
    assert [f.split(":")[0] for f in flagged["cloud.aws.emission_jumps"]] == [
        "usage_account_id 412345678901, region_code us-east-1 · 2025-09"]
    assert [f.split(":")[0] for f in flagged["cloud.cost_jumps"]] == [
        "provider aws, account 412345678901, region us-east-1 · 2025-09"]
    assert flagged["cloud.aws.regions"][0].startswith("region_code 'sa-east-1' is not allowed: 1 row at ")
    assert {c["id"] for c in document["checks"] if c["passed"] is False} == set(flagged)   # and nothing else fails
    cloud = {(t["category"], t["basis"]) for t in document["totals"] if t["scope"] == 3 and t["category"] == 1}
    assert cloud == {(1, None), (1, "location"), (1, "market")}
    by_rule: dict[str, Decimal] = {}
    for row in document["summary"]:
        by_rule[row["rule_id"]] = by_rule.get(row["rule_id"], Decimal(0)) + Decimal(row["co2e_kg"])
    assert {rule: by_rule[rule] for rule in _demo_cloud_totals()} == _demo_cloud_totals()


def _decimal(value) -> Decimal:
    """A provider's float as the decimal it prints, rounded half-even to 6 places (as provider_emissions reads it)."""
    return Decimal(repr(float(value))).quantize(Decimal("0.000001"), ROUND_HALF_EVEN)


def _demo_cloud_totals() -> dict[str, Decimal]:
    """The Acme demo's cloud totals, recomputed from the raw exports without the engine: AWS's latest model version
    of each month (MTCO2e × 1000), GCP's and Azure's kgCO2e as given; every account maps to an entity of weight 1."""
    data = REPO / "examples" / "acme" / "data" / "cloud"
    aws_rows = [row for path in sorted((data / "aws").rglob("*.csv.gz"))
                for row in csv.DictReader(io.StringIO(gzip.decompress(path.read_bytes()).decode()))]
    latest = {}
    for row in aws_rows:
        month = row["usage_period_start"][:7]
        latest[month] = max(latest.get(month, "v0"), row["model_version"], key=lambda v: [int(n) for n in v[1:].split(".")])
    counted = [row for row in aws_rows if row["model_version"] == latest[row["usage_period_start"][:7]]]
    gcp = [json.loads(line) for line in (data / "gcp" / "carbon_footprint-000000000000.json").read_text().splitlines()]
    azure = [item for path in (data / "azure").rglob("*.json") for item in json.loads(path.read_text())["value"]]
    return {
        "s3.cat1.cloud.aws.location": sum(_decimal(r["total_lbm_emissions_value"]) * 1000 for r in counted),
        "s3.cat1.cloud.aws.market": sum(_decimal(r["total_mbm_emissions_value"]) * 1000 for r in counted),
        "s3.cat1.cloud.gcp.location": sum(_decimal(r["carbon_footprint_total_kgCO2e"]["location_based"]) for r in gcp),
        "s3.cat1.cloud.gcp.market": sum(_decimal(r["carbon_footprint_total_kgCO2e"]["market_based"]) for r in gcp),
        "s3.cat1.cloud.azure": sum(_decimal(item["latestMonthEmissions"]) for item in azure)}
