"""`--format inventory` lays a run out as the ruleset's reporting options say, and a `set` that
nothing reads is reported instead of silently changing nothing."""

from __future__ import annotations

from click.testing import CliRunner

from conftest import FUEL_FACTORS, FUEL_INPUT, fetch, fuel_row, fuel_ruleset, make_case
from tanso.cli import main

STATEMENTS = fuel_ruleset(extra="""
input credits
  key row_id
  columns entity: text, period: text, quantity_t: decimal(18,6)

input verification
  key row_id
  columns scope: integer, category: integer, status: text, level: text, provider: text, standard: text

rule ami.credits "Carbon credits retired"
  from credits
  calc reported_emissions(emissions: quantity_t, unit: "t")
  tags statement_3
""")
TABLES = {
    "fuel_use": [fuel_row("F1", "100")],
    "credits": [{"row_id": "C1", "entity": "E1", "period": "2025", "quantity_t": "2"}],
    "verification": [{"row_id": "V1", "scope": "1", "category": "", "status": "fully verified", "level": "limited",
                      "provider": "Example Assurance LLP", "standard": "ISAE 3410"}],
}


def _inventory(tmp_path, *sets: str) -> str:
    case = make_case(tmp_path, STATEMENTS, TABLES, {"fuels": FUEL_FACTORS})
    args = ["evaluate", str(case.ruleset), "--data", str(case.data), "--format", "inventory"]
    for option in sets:
        args += ["--set", option]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    return result.output


def test_in_force_one_inventory_with_credits_not_netted_and_no_statements(tmp_path):
    text = _inventory(tmp_path)
    assert "Inventory" in text and "Statement 1" not in text and "Statement 3" not in text
    assert "Scope 1 " in text and "0.269" in text              # 268.891 kg
    assert "verification" not in text.lower()


def test_separate_statements_put_tagged_rules_in_their_statement(tmp_path):
    text = _inventory(tmp_path, "ami.separate_statements=true")
    statement1, rest = text.split("Statement 3")
    assert "Statement 1 — physical inventory" in statement1 and "Carbon credits" not in statement1
    assert "Carbon credits retired" in rest and "2.000" in rest


def test_market_based_scope2_leaves_the_inventory_only_under_ami_statement_2(tmp_path):
    dual = _inventory(tmp_path / "dual", "ami.separate_statements=true")
    moved = _inventory(tmp_path / "moved", "ami.separate_statements=true", "ami.scope2_market_placement=ami_statement_2")
    assert "Scope 2, market-based (dual reporting)" in dual
    assert "Scope 2, market-based (dual reporting)" not in moved
    assert moved.split("Statement 2")[1].count("Scope 2, market-based") == 1


def test_verification_status_per_line_and_for_the_inventory(tmp_path):
    text = _inventory(tmp_path, "scope3.verification_status=true")
    scope1 = next(line for line in text.splitlines() if "Scope 1 " in line)
    scope2 = next(line for line in text.splitlines() if "Scope 2, location-based" in line)
    assert "fully verified" in scope1 and "not verified" in scope2
    assert "Verification of the inventory: partially verified" in text


def test_an_option_nothing_reads_is_a_warning_naming_where_it_was_set(tmp_path):
    ruleset = fuel_ruleset().replace("set gwp.set = AR5", "set gwp.set = AR5\nset removals.report = true")
    case = make_case(tmp_path, ruleset, {"fuel_use": [fuel_row("F1", "100")]}, {"fuels": FUEL_FACTORS})
    result = CliRunner().invoke(main, ["check", str(case.ruleset), "--set", "scope3.cat16.enabled=true"])
    assert result.exit_code == 0
    assert "warning: policy 'removals.report' is set to true in case" in result.output
    assert "warning: policy 'scope3.cat16.enabled' is set to true on the command line" in result.output
    assert "'gwp.set'" not in result.output                  # read by the fuel_combustion calculator


def test_a_bad_row_of_a_table_only_the_report_reads_is_rejected_with_its_reason(tmp_path):
    tables = {**TABLES, "verification": [*TABLES["verification"], {
        "row_id": "V2", "scope": "two", "category": "", "status": "fully verified", "level": "limited",
        "provider": "Example Assurance LLP", "standard": "ISAE 3410"}]}
    case = make_case(tmp_path, STATEMENTS, tables, {"fuels": FUEL_FACTORS})
    result = case.run()
    rejected = fetch(result, "run_rejects")
    assert [(r["row_id"], r["input_table"]) for r in rejected] == [("V2", "verification")]
    assert "row 2" in rejected[0]["reason"] and "scope" in rejected[0]["reason"]


def test_an_option_read_only_by_an_exclusion_is_read(tmp_path):
    ruleset = fuel_ruleset().replace("set gwp.set = AR5", "set gwp.set = AR5\nset removals.report = true") + (
        'exclude s1.tests "Test runs are reported elsewhere"\n'
        '  from fuel_use where use = "test" and policy("removals.report") = true\n')
    case = make_case(tmp_path, ruleset, {"fuel_use": [fuel_row("F1", "100")]}, {"fuels": FUEL_FACTORS})
    result = CliRunner().invoke(main, ["check", str(case.ruleset)])
    assert result.exit_code == 0 and "warning" not in result.output
    graph = case.prepare().graph      # the exclusion is a node between the option and the table's rules
    assert graph.has_edge("policy:removals.report", "exclusion:s1.tests")
    assert graph.has_edge("exclusion:s1.tests", "rule:s1.fuel")


def test_the_text_reports_and_the_workbook_name_the_reporting_period_their_figures_cover(tmp_path):
    dated = (fuel_ruleset().replace("ruleset case\n", "ruleset case\n  period 2025-01-01 to 2025-12-31\n")
             .replace(FUEL_INPUT, FUEL_INPUT + "  period period\n"))
    case = make_case(tmp_path, dated, {"fuel_use": [fuel_row("F1", "100")]}, {"fuels": FUEL_FACTORS})
    for layout in ("inventory", "yuho"):
        result = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data), "--format", layout])
        assert result.exit_code == 0, result.output
        assert "Reporting period: 2025-01-01 – 2025-12-31" in result.output   # the run's first lines say "reporting period …"
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data), "--out", str(out),
                                       "--report", "xlsx"])
    assert result.exit_code == 0, result.output
    import openpyxl
    summary = openpyxl.load_workbook(out / "report.xlsx")["summary"]
    rows = [[cell.value for cell in row] for row in summary.iter_rows(max_col=3)]
    assert ["reporting period", "2025-01-01 – 2025-12-31", "case.tanso:2"] in rows
