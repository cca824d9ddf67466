"""Lookup joins: a rule enriches its rows from a mapping table by key. A row whose key is in no
mapping row is rejected once, by name; a key listed twice in the mapping is refused naming both rows;
the graph shows the mapping; every ledger row ends in the ledger, the rejects or the excluded rows;
and the run lists the keys the mapping lacks with their spend (the accountant's negative check)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from click.testing import CliRunner

from conftest import REPO, excluded, ledger, make_case, rejects
from tanso.cli import main
from tanso.diagnostics import RulesetError

RULESET = """\
ruleset case
set gwp.set = AR5
input gl "general ledger"
  key entry
  columns company: text, account: text, amount: decimal(18,0)
input account_map "account → treatment"
  key account
  columns category: text, sector: text
input company_map "company code → entity"
  key company
  columns entity: text
factors spend "spend factors" file "factors/spend.csv"
rule s3.cat1 "purchases"
  scope 3 category 1
  from gl lookup account_map on account lookup company_map on company where category = "1"
  calc spend_based(factors: spend, match: [sector], quantity: amount, quantity_unit: "JPY")
rule s3.cat4 "freight"
  scope 3 category 4
  from gl lookup account_map on account lookup company_map on company where category = "4"
  calc spend_based(factors: spend, match: [sector], quantity: amount, quantity_unit: "JPY")
exclude gl.none "not a purchase"
  from gl lookup account_map on account where category = "none"
"""
FACTORS = [{"factor_id": f"F-{s}", "sector": s, "gas": "CO2e", "value": v, "unit": "kg", "per": "JPY"}
           for s, v in (("steel", "0.0035"), ("freight", "0.0047"))]
MAP = [{"account": "5110", "category": "1", "sector": "steel"}, {"account": "6410", "category": "4", "sector": "freight"},
       {"account": "6110", "category": "none", "sector": ""}]
COMPANIES = [{"company": "1000", "entity": "ACME-JP"}, {"company": "2000", "entity": "ACME-SALES"}]


def gl_row(entry: str, account: str | None, amount: str, company: str = "1000") -> dict:
    return {"entry": entry, "company": company, "account": account, "amount": amount}


def case_with(tmp_path, gl, account_map=MAP, ruleset=RULESET):
    return make_case(tmp_path, ruleset, {"gl": gl, "account_map": account_map, "company_map": COMPANIES},
                     {"spend": FACTORS})


def outcome(result) -> dict[str, str]:
    """Each ledger row's place: the rule that computed it, 'rejected' or the exclusion that claimed it."""
    places: dict[str, list[str]] = {}
    for row in {(r["row_id"], r["rule_id"]) for r in ledger(result)}:
        places.setdefault(row[0], []).append(row[1])
    for row in rejects(result):
        places.setdefault(row["row_id"], []).append("rejected")
    for row in excluded(result):
        places.setdefault(row["row_id"], []).append(row["exclusion_id"] or "no rule")
    return {k: "+".join(sorted(v)) for k, v in places.items()}


def test_mapped_columns_select_rows_match_factors_and_reach_the_ledger(tmp_path):
    gl = [gl_row("J1", "5110", "1000000"), gl_row("J2", "6410", "200000", company="2000"), gl_row("J3", "6110", "50")]
    result = case_with(tmp_path, gl).run()
    rows = {r["row_id"]: r for r in ledger(result)}
    assert rows["J1"]["co2e_kg"] == Decimal("3500") and rows["J1"]["rule_id"] == "s3.cat1"
    assert rows["J2"]["co2e_kg"] == Decimal("940") and rows["J2"]["rule_id"] == "s3.cat4"
    assert rows["J1"]["entity"] == "ACME-JP" and rows["J2"]["entity"] == "ACME-SALES"   # from company_map
    assert outcome(result) == {"J1": "s3.cat1", "J2": "s3.cat4", "J3": "gl.none"}
    assert result.completeness["status"] == "complete"


def test_a_key_in_no_mapping_row_is_rejected_once_by_name_and_every_row_ends_somewhere(tmp_path):
    gl = [gl_row("J1", "5110", "1000"), gl_row("J2", "6990", "150000"), gl_row("J3", "6990", "2500"),
          gl_row("J4", None, "7"), gl_row("J5", "6110", "9"), gl_row("J6", "5110", "3", company="3000")]
    case = case_with(tmp_path, gl)
    result = case.run()
    reasons = {r["row_id"]: r["reason"] for r in rejects(result)}
    assert reasons["J2"] == "gl.csv row 2: account '6990' is not in account_map (account_map.csv)"
    assert "row 4: column account: missing value (the key looked up in account_map)" in reasons["J4"]
    assert reasons["J6"].endswith("row 6: company '3000' is not in company_map (company_map.csv)")
    # Two rules could have taken each unmapped row: it is rejected once, not once per rule, and is not
    # also "selected by no rule".
    assert outcome(result) == {"J1": "s3.cat1", "J2": "rejected", "J3": "rejected", "J4": "rejected",
                               "J5": "gl.none", "J6": "rejected"}
    assert all(r["rule_id"] is None for r in rejects(result))
    assert result.completeness["status"] == "incomplete"
    (group,) = result.completeness["groups"]
    assert group["input"] == "gl" and group["looked_up"] and group["rows_rejected"] == 4


def test_the_negative_check_lists_unmapped_and_unclaimed_keys_with_their_spend(tmp_path):
    account_map = [*MAP, {"account": "6999", "category": "9", "sector": ""}]   # a category no rule computes
    gl = [gl_row("J1", "5110", "1000"), gl_row("J2", "6990", "150000"), gl_row("J3", "6990", "2500"),
          gl_row("J4", "6999", "400")]
    case = case_with(tmp_path, gl, account_map)
    (block,) = case.run().completeness["lookups"]
    assert block["status"] == "gaps" and block["rows"] == 4 and block["input"] == "gl"
    accounts, companies = block["lookups"]
    assert accounts["unmatched"] == [{"keys": {"account": "6990"}, "rows": 2,
                                      "activity": [{"unit": "JPY", "quantity": Decimal("152500")}]}]
    assert companies["mapping"] == "company_map" and companies["unmatched"] == []
    assert block["unclaimed"] == [{"keys": {"account": "6999", "company": "1000"}, "rows": 1,
                                   "activity": [{"unit": "JPY", "quantity": Decimal("400")}]}]
    runner = CliRunner()
    text = runner.invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data), "--allow-rejects"])
    assert "lookups of gl (4 rows): 2 rows not in account_map (on account); 0 rows not in company_map (on company); " \
           "1 row in account_map and company_map but computed by no rule and excluded by no exclusion" in text.output
    assert "  not in account_map: account '6990': 2 rows, 152,500 JPY" in text.output
    assert "  computed by no rule, excluded by no exclusion: account '6999', company '1000': 1 row, 400 JPY" \
        in text.output
    as_json = runner.invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data), "--format", "json",
                                   "--allow-rejects"])
    (listed,) = json.loads(as_json.stdout)["completeness"]["lookups"]
    assert listed["lookups"][0]["unmatched"] == [{"keys": {"account": "6990"}, "rows": 2,
                                                  "activity": [{"unit": "JPY", "quantity": "152500"}]}]


def test_a_mapping_key_listed_twice_is_refused_naming_both_rows_and_its_ledger_rows_say_why(tmp_path):
    account_map = [*MAP, {"account": "5110", "category": "4", "sector": "freight"}]
    case = case_with(tmp_path, [gl_row("J1", "5110", "1000"), gl_row("J2", "6410", "10")], account_map)
    result = case.run()
    reasons = {(r["input_table"], r["input_row"]): r["reason"] for r in rejects(result)}
    assert "duplicate row id '5110' (rows 1, 4)" in reasons[("account_map", 1)]
    assert "duplicate row id '5110' (rows 1, 4)" in reasons[("account_map", 4)]
    assert reasons[("gl", 1)].endswith("account '5110' is in account_map.csv but its row 1 was rejected: column "
                                       "account: duplicate row id '5110' (rows 1, 4)")
    assert outcome(result) == {"J1": "rejected", "J2": "s3.cat4", "5110": "rejected+rejected"}   # never mapped twice


def test_an_exclusion_without_a_lookup_claims_an_unmapped_row_before_it_is_rejected(tmp_path):
    ruleset = RULESET + 'exclude gl.small "below the threshold"\n  from gl where amount < 10\n'
    result = case_with(tmp_path, [gl_row("J1", "6990", "5"), gl_row("J2", "6990", "50")], ruleset=ruleset).run()
    assert outcome(result) == {"J1": "gl.small", "J2": "rejected"}


def test_the_graph_shows_the_mapping_feeding_the_rule(tmp_path):
    case = case_with(tmp_path, [])
    runner = CliRunner()
    text = runner.invoke(main, ["graph", str(case.ruleset)]).output
    assert "rule:s3.cat1  ← exclusion:gl.none, factors:spend, " in text
    assert "table:account_map (lookup on account), table:company_map (lookup on company), table:gl" in text
    dot = runner.invoke(main, ["graph", str(case.ruleset), "--format", "dot"]).output
    assert '"table:account_map" -> "rule:s3.cat1" [label="lookup on account"];' in dot
    assert '"table:account_map" -> "exclusion:gl.none" [label="lookup on account"];' in dot


@pytest.mark.parametrize("change, message, place", [
    (("lookup account_map on account", "lookup acount_map on account"),
     "unknown input table 'acount_map'", "did you mean 'account_map'?"),
    (("lookup company_map on company where category = \"1\"", "lookup company_map on entity where category = \"1\""),
     "a lookup joins on the mapping table's key, and the key of 'company_map' is 'company'",
     "input 'gl' has no column 'entity' to look up in 'company_map'"),
    (("columns category: text, sector: text", "columns category: text, sector: text, amount: decimal"),
     "column 'amount' is in both 'gl' and 'account_map'", "rename one"),
    (("where category = \"4\"", "where categroy = \"4\""), "unknown column 'categroy'", "did you mean 'category'?"),
    (("columns company: text, account: text", "columns company: text, account: integer"),
     "the lookup key 'account' is integer in 'gl'; a key is compared as text", "declare account: text"),
])
def test_a_lookup_that_cannot_work_is_a_ruleset_error_with_its_place(tmp_path, change, message, place):
    ruleset = RULESET.replace(*change, 1)
    with pytest.raises(RulesetError) as error:
        case_with(tmp_path, [], ruleset=ruleset).prepare()
    rendered = error.value.diagnostics.render()
    assert message in rendered and place in rendered and "case.tanso:" in rendered


def test_the_general_ledger_example_is_evaluated_through_its_account_map():
    out = CliRunner().invoke(main, ["evaluate", str(REPO / "examples/acme-gl/ruleset"), "--data",
                                    str(REPO / "examples/acme-gl/data"), "--format", "json"])
    assert out.exit_code == 0, out.output
    run = json.loads(out.stdout)
    totals = {(t["scope"], t["category"]): Decimal(t["co2e_kg"]) for t in run["totals"]}
    # Hand-computed: spend × factor per JPY (examples/acme-gl/data/factors/moe_spend.csv).
    assert totals == {(3, 1): Decimal("30037.2"), (3, 2): Decimal("25480"), (3, 4): Decimal("1964.6"),
                      (3, 6): Decimal("271.26")}
    (block,) = run["completeness"]["lookups"]
    accounts, companies = block["lookups"]
    assert accounts["unmatched"] == [{"keys": {"account": "6990"}, "rows": 1,
                                      "activity": [{"unit": "JPY", "quantity": "150000"}]}]
    assert block["unclaimed"] == [] and companies["unmatched"] == []
    assert run["completeness"]["status"] == "accepted"
    counts = run["counts"]
    assert counts["ledger_rows"] + counts["rejects"] + counts["excluded"] == 18   # every ledger line, once


def test_an_entity_a_lookup_maps_is_weighted_by_the_boundary(tmp_path):
    ruleset = RULESET + """
input entities
  key entity
  columns operational_control: boolean, financial_control: boolean, equity_share: decimal(18,6)
boundary consolidation(entities: entities)
"""
    entities = [{"entity": "ACME-JP", "operational_control": "true", "financial_control": "true", "equity_share": "1"},
                {"entity": "ACME-SALES", "operational_control": "false", "financial_control": "false",
                 "equity_share": "0.3"}]
    case = make_case(tmp_path, ruleset, {"gl": [gl_row("J1", "5110", "1000"), gl_row("J2", "5110", "10", "2000")],
                                         "account_map": MAP, "company_map": COMPANIES, "entities": entities},
                     {"spend": FACTORS})
    assert "boundary:consolidation" in set(case.prepare().graph.predecessors("rule:s3.cat1"))
    result = case.run()
    assert outcome(result) == {"J1": "s3.cat1", "J2": "boundary"}   # ACME-SALES is not operationally controlled


def test_validate_names_every_key_a_mapping_lacks_without_evaluating(tmp_path):
    case = case_with(tmp_path, [gl_row("J1", "5110", "1"), gl_row("J2", "6990", "2"), gl_row("J3", "6990", "3")])
    out = CliRunner().invoke(main, ["validate", str(case.ruleset), "--data", str(case.data)])
    assert out.exit_code == 2
    assert "row 2, column account: '6990' is not in account_map (account_map.csv) (2 rows) — expected a value of " \
           "account that account_map lists" in out.stdout
