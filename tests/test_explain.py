"""`tanso explain OUT [SELECTOR]` (issue #11, item 1): a figure of a finished run, explained from its output
folder alone, every level adding up exactly to its parent.

The demo (ghgp-current on the ACME data) is evaluated once for the module, from a copy of the ruleset that
a test later moves away: the folder must show the rules' text without it.
"""

from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal, localcontext
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from conftest import ACME_DATA, REPO, fuel_row, fuel_ruleset, make_case, FUEL_FACTORS
from tanso.audit.explain import Breakdown, Explanation, explain
from tanso.audit.run_folder import RunFolder
from tanso.cli import main
from tanso.run.outputs import verify

SELECTORS = ["", "scope:1", "scope:2.market", "scope:3 category:6", "category:3", "entity:ACME-DE",
             "rule:s1.stationary", "rule:s3.cat15.*", "row:fuel_use:F0021", "row:electricity#5", "gas:CH4"]


def cli(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


# One worker runs the whole module under pytest -n 2 (--dist loadgroup), so its module fixtures are
# computed once, not once on each worker (conftest.py hands the groups out first).
pytestmark = pytest.mark.xdist_group("explain")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("explain")
    ruleset = root / "ghgp-current"
    ruleset.mkdir()
    for file in (REPO / "rulesets" / "ghgp-current").glob("*.tanso"):
        shutil.copy(file, ruleset / file.name)
    outcome = cli("evaluate", ruleset, "--data", ACME_DATA, "--out", root / "out", "--allow-rejects")
    assert outcome.exit_code == 0, outcome.output
    return root


def explained(demo: Path, selector: str = "", **options) -> Explanation:
    return explain(RunFolder.open(demo / "out"), tuple(selector.split()), **options)


def total(breakdown: Breakdown) -> Decimal:
    """What a breakdown adds up to: its parts and the rest, exactly."""
    with localcontext(prec=100):
        return sum((part.co2e_kg for part in breakdown.parts), breakdown.rest_kg)


def summary_kg(demo: Path, where: str) -> Decimal:
    """The engine's own summary (summary.csv), summed where `where` holds: the figure to compare with."""
    return duckdb.connect().execute(
        f"SELECT coalesce(sum(CAST(co2e_kg AS DECIMAL(38,22))), 0) FROM read_csv('{demo / 'out' / 'summary.csv'}', "
        f"all_varchar = true) WHERE {where}").fetchone()[0]


# ----------------------------------------------------------------------------- every level adds up

@pytest.mark.parametrize("selector", SELECTORS)
def test_every_level_adds_up_exactly_to_its_parent(demo, selector):
    e = explained(demo, selector, depth=6, top=2)
    assert e.ledger_rows > 0
    assert total(e.rules) == e.co2e_kg
    for rule in e.rules.parts:
        assert total(rule.methods) == rule.co2e_kg, rule.rule_id
        assert total(rule.entities) == rule.co2e_kg, rule.rule_id
        assert total(rule.rows) == rule.co2e_kg, rule.rule_id
        for method in rule.methods.parts:
            assert total(method.factors) == method.co2e_kg, (rule.rule_id, method.method)
        for entity in rule.entities.parts:
            with localcontext(prec=100):
                assert entity.co2e_kg == entity.unweighted_kg * entity.weight


@pytest.mark.parametrize("selector, where", [
    ("scope:1", "scope = '1'"),
    ("scope:2.market", "scope = '2' AND basis = 'market'"),
    ("scope:3 category:6", "scope = '3' AND category = '6'"),
    ("rule:s1.stationary", "rule_id = 's1.stationary'"),
    ("entity:ACME-DE scope:1", "entity = 'ACME-DE' AND scope = '1'"),
])
def test_the_figure_is_the_summary_s_exactly(demo, selector, where):
    assert explained(demo, selector, depth=0).co2e_kg == summary_kg(demo, where)


def test_the_total_is_in_one_basis_and_names_the_others(demo):
    e = explained(demo, depth=1)
    assert (e.basis, e.basis_chosen) == ("location", True)
    assert e.co2e_kg == summary_kg(demo, "scope IS NOT NULL AND (basis IS NULL OR basis = 'location')")
    assert e.other_bases == {"market": summary_kg(demo, "basis = 'market'")}


def test_a_row_is_explained_through_every_rule_that_read_it(demo):
    e = explained(demo, "row:electricity#5", depth=6)
    assert [r.rule_id for r in e.rules.parts] == ["s2.location", "s3.cat3.upstream_electricity", "s3.cat3.td"]
    assert {(p.input_table, p.input_row) for r in e.rules.parts for p in r.rows.parts} == {("electricity", 5)}


# ----------------------------------------------------------------------------- what each level shows

def test_text_shows_the_figure_first_then_rules_with_file_line_and_their_text(demo):
    outcome = cli("explain", demo / "out", "scope:1", "--depth", "6", "--top", "3")
    assert outcome.exit_code == 0, outcome.output
    lines = outcome.output.splitlines()
    assert lines[0] == f"scope:1: {explained(demo, 'scope:1', depth=0).co2e_kg / 1000:,.3f} t CO2e"
    assert lines[1].startswith("  exactly 778,639.1715968495 kg CO2e")
    text = outcome.output
    assert "scope1.tanso:7" in text
    assert '7 │ rule s1.stationary "Stationary combustion' in text
    assert "      10 │   calc fuel_combustion(factors: fuels)" in text
    assert "DEMO-NATURAL_GAS-CO2" in text and "factors/fuels.csv row 4" in text and "CC0-1.0" in text
    assert "gwp.set = AR5" in text and "ruleset.tanso:20:1" in text          # where the policy value was set
    assert "gwp.methane_by_origin = true  default" in text                 # a default, with its source
    assert "ACME-DE" in text and "1.0000" in text                           # entities with their weights
    assert re.search(r"fuel_use\.csv row 21 +F0021 +ACME-JP +4,921\.15 m3 +9\.360 +3\.1%", text)   # the largest row
    assert "… and 105 more rows" in text   # 93 before ACME-DE-SVC's 12 gas rows
    assert "not in this figure, rejected: 4 rows (listed in rejects.csv)" in text
    assert "quantity is negative (-40.000000)" in text


def test_depth_decides_how_far_down_the_explanation_goes(demo):
    assert explained(demo, "scope:1", depth=0).rules is None
    rule = explained(demo, "scope:1", depth=2).rules.parts[0]
    assert rule.text and rule.methods.parts[0].factors is None and rule.policies is None
    rule = explained(demo, "scope:1", depth=4).rules.parts[0]
    assert rule.policies and rule.entities is None and rule.rows is None


def test_json_carries_the_exact_kilograms_in_a_versioned_format(demo):
    outcome = cli("explain", demo / "out", "scope:3", "category:6", "--format", "json", "--depth", "6")
    assert outcome.exit_code == 0, outcome.output
    document = json.loads(outcome.output)
    assert document["format"] == "tanso-explain.v1"
    assert document["selection"] == "scope:3 category:6"
    figure = Decimal(document["co2e_kg"])
    assert figure == summary_kg(demo, "scope = '3' AND category = '6'")
    rules = document["rules"]
    assert sum(Decimal(r["co2e_kg"]) for r in rules["parts"]) + Decimal(rules["rest_kg"]) == figure
    rule = rules["parts"][0]
    assert set(rule) >= {"rule_id", "title", "source", "text", "methods", "policies", "entities", "rows"}
    factor = rule["methods"]["parts"][0]["factors"]["parts"][0]
    assert set(factor["row"]) >= {"value", "unit", "per", "file", "file_row", "publisher", "edition", "licence"}
    assert document["rejected"]["rows"] == 1


class _Levels(HTMLParser):
    def __init__(self):
        super().__init__()
        self.summaries, self.tags, self._in_summary = [], set(), False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self._in_summary = tag == "summary"
        if tag == "summary":
            self.summaries.append("")

    def handle_endtag(self, tag):
        self._in_summary = self._in_summary and tag != "summary"

    def handle_data(self, data):
        if self._in_summary:
            self.summaries[-1] += data


def test_html_is_one_page_with_every_level_expandable_and_nothing_fetched(demo):
    outcome = cli("explain", demo / "out", "rule:s1.stationary", "--format", "html", "--depth", "6")
    assert outcome.exit_code == 0, outcome.output
    page = _Levels()
    page.feed(outcome.output)
    for level in ("rules", "methods and data types", "factors: fuel_combustion · fuel-based · primary",
                  "policies read", "entities and boundary weights", "input rows, largest first"):
        assert level in page.summaries, level
    assert any(s.startswith("s1.stationary · Stationary combustion") for s in page.summaries)
    assert not {"script", "link", "img", "iframe"} & page.tags
    assert "http://" not in outcome.output and "https://" not in outcome.output


# ----------------------------------------------------------------------------- what the figure leaves out

def test_a_rejected_row_explains_why_it_is_in_no_figure(demo):
    outcome = cli("explain", demo / "out", "row:fuel_use:F9001")
    assert outcome.exit_code == 0, outcome.output
    assert "0.000 t CO2e" in outcome.output.splitlines()[0]
    assert "no ledger row matches row:fuel_use:F9001" in outcome.output
    assert "s1.stationary  fuel_use  fuel_combustion: quantity is negative (-40.000000)  1" in outcome.output


def test_rows_the_boundary_excluded_are_counted_against_the_rules_that_lost_them(demo):
    e = explained(demo, "rule:s1.stationary", depth=5)
    assert e.rules.parts[0].left_out_by_boundary == 24   # ACME-KR's and ACME-CZ's 12 gas rows each
    assert e.boundary.partial["ACME-KR"]["weight"] == "0.0000"
    assert explained(demo, "rule:s1.stationary entity:ACME-DE", depth=5).excluded.rows == 1   # the test bench only


# ----------------------------------------------------------------------------- usage and errors

@pytest.mark.parametrize("selector, message", [
    ("rule:s1.statonary", "did you mean s1.stationary?"),
    ("scop:1", "did you mean scope?"),
    ("entity:acme-de", "did you mean ACME-DE?"),
    ("scope:4", "this run has no scope 4"),
    ("category:six", "category is a number"),
    ("s1.mobile", "did you mean rule:s1.mobile?"),
    ("row:fuel_use", "row:TABLE:KEY"),
    ("row:fuel:F1", "this run has no input table fuel; did you mean fuel_use?"),
    # every row a rule reads is in the ledger, rejects or excluded: a key in none of them is a typing mistake
    ("row:fuel_use:F002", "fuel_use has no row with key F002 in this run (every row it read is in the ledger, "
                          "rejects or excluded); did you mean row:fuel_use:F0002"),
    ("row:fuel_use#100000", "fuel_use has no row 100000 in this run (its rows are numbered 1 to"),
])
def test_an_unknown_selector_is_a_usage_error_with_a_suggestion(demo, selector, message):
    outcome = cli("explain", demo / "out", selector)
    assert outcome.exit_code == 64
    assert message in outcome.output and "Traceback" not in outcome.output


def test_a_folder_that_is_not_a_run_exits_66_without_a_traceback(demo, tmp_path):
    (tmp_path / "empty").mkdir()
    (tmp_path / "file").write_text("x")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "manifest.json").write_text("{not json")
    for folder, message in ((tmp_path / "missing", "no such folder"), (tmp_path / "file", "is a file"),
                            (tmp_path / "empty", "has no manifest.json"), (tmp_path / "bad", "cannot be read")):
        outcome = cli("explain", folder)
        assert outcome.exit_code == 66, folder
        assert message in outcome.output and "Traceback" not in outcome.output


# ----------------------------------------------------------------------------- the run folder carries it all

def test_the_run_folder_lists_the_ruleset_copy_and_the_factors_used_in_its_manifest(demo):
    out = demo / "out"
    assert verify(out) == []
    manifest = json.loads((out / "manifest.json").read_text())
    for name, copy in manifest["ruleset"]["snapshot"].items():
        assert manifest["outputs"][copy]["sha256"] == manifest["ruleset"]["files"][name]
    file, row = duckdb.connect().execute(f"SELECT file, file_row FROM read_csv('{out / 'factors.csv'}') "
                                         f"WHERE factor_id = 'DEMO-NATURAL_GAS-CO2'").fetchone()
    assert file == "factors/fuels.csv"   # under the data folder
    assert "DEMO-NATURAL_GAS-CO2" in (ACME_DATA / file).read_text().splitlines()[row]   # row N is line N + 1 (the header)


def test_the_rules_text_comes_from_the_run_folder_when_the_ruleset_is_gone(demo):
    shutil.move(demo / "ghgp-current", demo / "moved-away")
    outcome = cli("explain", demo / "out", "rule:s1.mobile", "--depth", "2")
    assert outcome.exit_code == 0, outcome.output
    assert '12 │ rule s1.mobile "Mobile combustion, fuel-based"' in outcome.output


@pytest.mark.parametrize("fmt", ["parquet", "json"])
def test_a_run_written_as_parquet_or_json_is_explained_the_same(tmp_path, fmt):
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "10"), fuel_row("F2", "-1")]},
                     {"fuels": FUEL_FACTORS})
    assert cli("evaluate", case.ruleset, "--data", case.data, "--out", tmp_path / "out", "--out-format", fmt,
               "--allow-rejects").exit_code == 0
    e = explain(RunFolder.open(tmp_path / "out"), depth=6)
    assert e.rejected.rows == 1 and e.rejected.file == f"rejects.{fmt}"
    factors = e.rules.parts[0].methods.parts[0].factors.parts
    assert {f.row.file_row for f in factors} == {1, 2, 3} and total(e.rules) == e.co2e_kg


def test_a_folder_written_before_explain_existed_is_explained_from_its_ledger(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "10"), fuel_row("F2", "20")]},
                     {"fuels": FUEL_FACTORS})
    out = tmp_path / "out"
    assert cli("evaluate", case.ruleset, "--data", case.data, "--out", out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    del manifest["ruleset"]["snapshot"], manifest["boundary"]
    manifest["rules"] = {rule: {"source": record["source"]} for rule, record in manifest["rules"].items()}
    (out / "manifest.json").write_text(json.dumps(manifest))
    shutil.rmtree(out / "ruleset")
    (out / "factors.csv").unlink()
    outcome = cli("explain", out, "scope:1", "--depth", "6")
    assert outcome.exit_code == 0, outcome.output
    assert "(the rule's text is not in this run folder)" in outcome.output
    assert "DIESEL-CO2" in outcome.output and "its file row is not in this run folder" in outcome.output
    assert "not in this figure: 0 rejected rows, 0 excluded rows" in outcome.output


def test_a_folder_without_rejects_or_excluded_says_so(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "10")]}, {"fuels": FUEL_FACTORS})
    out = tmp_path / "out"
    assert cli("evaluate", case.ruleset, "--data", case.data, "--out", out).exit_code == 0
    (out / "rejects.csv").unlink()
    outcome = cli("explain", out, "--depth", "0")
    assert outcome.exit_code == 0, outcome.output
    assert "rejected rows not recorded in this run folder, 0 excluded rows" in outcome.output


@pytest.mark.browser
def test_chromium_renders_the_page_offline_with_nothing_logged(tmp_path):
    from page_layout import console_messages, run_chromium
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "10")]}, {"fuels": FUEL_FACTORS})
    assert cli("evaluate", case.ruleset, "--data", case.data, "--out", tmp_path / "out").exit_code == 0
    page = tmp_path / "explain.html"
    page.write_text(cli("explain", tmp_path / "out", "--format", "html", "--depth", "6").output, encoding="utf-8")
    outcome = run_chromium(page, tmp_path / "profile", "--dump-dom")
    assert outcome.returncode == 0, outcome.stderr[-2000:]
    assert console_messages(outcome.stderr) == []
    assert '<details class="level" open=""><summary>rules</summary>' in outcome.stdout
    assert "<summary>input rows, largest first</summary>" in outcome.stdout
