"""`tanso diff A B`: what changed between two ruleset versions, each resolved (with what it extends),
as folders, files or PATH@REV read from git; text and JSON; exit codes; the ruleset version id."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FUEL_FACTORS, REPO, factor_rows, fuel_ruleset, write_csv
from tanso.audit.diff_cli import EXIT_DIFFERENT
from tanso.audit.ruleset_version import ruleset_file_hashes, ruleset_version_id
from tanso.cli import main
from tanso.graph import select
from tanso.run import prepare

CURRENT, DRAFT = REPO / "rulesets" / "ghgp-current", REPO / "rulesets" / "ghgp-draft-2026"
ACME_DATA = REPO / "examples" / "acme" / "data"
MOBILE_RULE = ('rule s1.mobile "Mobile combustion"\n  scope 1\n  from fuel_use where use = "mobile"\n'
               '  calc fuel_combustion(factors: fuels)\n')


def tanso_diff(*args: object) -> tuple[int, str]:
    outcome = CliRunner().invoke(main, ["diff", *map(str, args)], catch_exceptions=False)
    return outcome.exit_code, outcome.output


def diff_json(*args: object) -> dict:
    code, output = tanso_diff(*args, "--format", "json")
    assert code == 0, output
    return json.loads(output)


def write_ruleset(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "case.tanso").write_text(text)
    return folder


def change(report: dict, kind: str, item_id: str) -> dict:
    return next(c for c in report["changes"][kind] if c["id"] == item_id)


# ----------------------------------------------------------------------------- identical


def test_a_ruleset_compared_with_itself_has_no_differences_and_exits_0_even_with_exit_code(tmp_path):
    ruleset = write_ruleset(tmp_path / "a", fuel_ruleset())
    code, output = tanso_diff(ruleset, ruleset, "--exit-code")
    assert code == 0
    assert output.splitlines()[0].endswith(": no differences")
    report = diff_json(ruleset, ruleset)
    assert report["format"] == "tanso-diff.v1" and report["different"] is False and report["changes"] == {}
    assert report["a"]["version"] == report["b"]["version"]


def test_comments_and_layout_are_no_change(tmp_path):
    a = write_ruleset(tmp_path / "a", fuel_ruleset())
    b = write_ruleset(tmp_path / "b", "# a comment\n\n" + fuel_ruleset().replace("  calc fuel_combustion(factors: fuels)",
                                                                           "  calc   fuel_combustion( factors:  fuels )  # why"))
    report = diff_json(a, b)
    assert report["different"] is False
    assert report["a"]["version"] != report["b"]["version"]   # other bytes: another version, the same methodology


# ----------------------------------------------------------------------------- rules


def test_a_rule_added_removed_and_changed_with_the_text_diff_at_both_files_lines(tmp_path):
    a = write_ruleset(tmp_path / "a", fuel_ruleset(extra="\n" + MOBILE_RULE))
    changed = fuel_ruleset().replace("  calc fuel_combustion(factors: fuels)\n",
                                     "  calc fuel_combustion(factors: fuels)\n  tags estimated\n")
    b = write_ruleset(tmp_path / "b", changed.replace("from fuel_use\n", 'from fuel_use where use = "stationary"\n')
                      + '\nrule s1.flaring "Flaring"\n  scope 1\n  from fuel_use\n  calc fuel_combustion(factors: fuels)\n')
    report = diff_json(a, b)
    assert [(c["id"], c["status"]) for c in report["changes"]["rules"]] == [
        ("s1.flaring", "added"), ("s1.fuel", "changed"), ("s1.mobile", "removed")]
    fuel = change(report, "rules", "s1.fuel")
    assert fuel["fields"] == {"where": [None, 'use = "stationary"'], "tags": [None, "estimated"]}
    assert fuel["at"] == [f"{a / 'case.tanso'}:11", f"{b / 'case.tanso'}:11"]
    assert fuel["layer"] == "case"
    assert f"--- {a / 'case.tanso'}:11" in fuel["text_diff"] and f"+++ {b / 'case.tanso'}:11" in fuel["text_diff"]
    assert "@@ -11,4 +11,5 @@" in fuel["text_diff"]   # the files' own line numbers
    assert '+  from fuel_use where use = "stationary"' in fuel["text_diff"]
    assert "-  from fuel_use" in fuel["text_diff"]

    code, text = tanso_diff(a, b)
    assert code == 0
    assert text.splitlines()[0] == f"{a} → {b}: 1 rule added, 1 rule removed, 1 rule changed"
    assert f"  ~ s1.fuel  ({a / 'case.tanso'}:11 → {b / 'case.tanso'}:11, case)" in text
    assert '      where: — → use = "stationary"; tags: — → estimated' in text
    assert '      +  from fuel_use where use = "stationary"' in text


def test_a_calculator_parameter_is_compared_as_validated_so_writing_its_default_out_is_no_change(tmp_path):
    a = write_ruleset(tmp_path / "a", fuel_ruleset())
    b = write_ruleset(tmp_path / "b", fuel_ruleset().replace("fuel_combustion(factors: fuels)",
                                                             "fuel_combustion(factors: fuels, quantity: quantity)"))
    c = write_ruleset(tmp_path / "c", fuel_ruleset().replace("fuel_combustion(factors: fuels)",
                                                             "fuel_combustion(factors: fuels, quantity: quantity * 2)"))
    assert diff_json(a, b)["different"] is False
    assert change(diff_json(a, c), "rules", "s1.fuel")["fields"] == {"calc.quantity": ["quantity", "quantity * 2"]}


# ----------------------------------------------------------------------------- options


def test_an_option_changed_with_its_value_source_and_where_it_is_set(tmp_path):
    a = write_ruleset(tmp_path / "a", fuel_ruleset())
    b = write_ruleset(tmp_path / "b", fuel_ruleset(gwp='AR6  source "IPCC AR6 WG1 (2021)"  as_of 2021-08-09'))
    option = change(diff_json(a, b), "options", "gwp.set")
    assert option["fields"] == {"value": ["AR5", "AR6"], "source": [None, "IPCC AR6 WG1 (2021)"],
                                "as_of": [None, "2021-08-09"]}
    assert option["at"] == [f"{a / 'case.tanso'}:3", f"{b / 'case.tanso'}:3"]
    code, text = tanso_diff(a, b)
    assert f"  ~ gwp.set = AR5 → AR6  ({a / 'case.tanso'}:3 → {b / 'case.tanso'}:3, case)" in text
    assert "      source: — → IPCC AR6 WG1 (2021); as_of: — → 2021-08-09" in text


def test_an_overlay_marks_the_layer_that_changed_an_option_and_an_option_left_at_its_default_says_so(tmp_path):
    base = write_ruleset(tmp_path / "base", fuel_ruleset(name="base").replace("set gwp.set = AR5\n", ""))
    overlay = write_ruleset(tmp_path / "overlay", 'ruleset overlay\n  extends base\n\nset gwp.set = AR6 source "x"\n')
    report = diff_json(base, overlay)
    option = change(report, "options", "gwp.set")
    assert option["layer"] == "overlay" and option["at"][0] is None
    assert option["fields"]["set by"] == ["default", "overlay"]
    assert change(report, "ruleset", "ruleset")["fields"]["layers"] == ["base", "base + overlay"]
    assert report["b"]["layers"] == ["base", "overlay"]
    assert f"  ~ gwp.set = AR5 → AR6  (default → {overlay / 'case.tanso'}:4, overlay)" in tanso_diff(base, overlay)[1]


def test_exclusions_tolerances_and_metrics_changed(tmp_path):
    extra = ('exclude s1.bench "Test bench fuel is not ours" from fuel_use where use = "bench"\n'
             'accept rejects s1.fuel up to 2 rows "two legacy meters"\n'
             'metric fuel_total "All fuel" = total(rule: s1.fuel) unit "kg CO2e"\n')
    a = write_ruleset(tmp_path / "a", fuel_ruleset(extra=extra))
    b = write_ruleset(tmp_path / "b", fuel_ruleset(extra=extra.replace('"bench"', '"test"').replace("2 rows", "1 %")
                                                   .replace("unit \"kg CO2e\"", "unit \"t CO2e\"")))
    report = diff_json(a, b)
    assert change(report, "exclusions", "s1.bench")["fields"] == {"where": ['use = "bench"', 'use = "test"']}
    assert change(report, "tolerances", "s1.fuel")["fields"] == {"limit": ["up to 2 rows", "up to 1 % of its rows"]}
    assert change(report, "metrics", "fuel_total")["fields"] == {"unit": ["kg CO2e", "t CO2e"]}
    assert report["rules_to_reevaluate"] == {"s1.fuel": ["exclusion:s1.bench"]}


# ----------------------------------------------------------------------------- inputs and factor files


def test_an_input_column_whose_type_or_constraint_changed_and_one_added(tmp_path):
    a = write_ruleset(tmp_path / "a", fuel_ruleset())
    b = write_ruleset(tmp_path / "b", fuel_ruleset().replace("quantity: decimal(18,6)", "quantity: decimal(18,2) >= 0")
                      .replace("unit: text\n", "unit: text, site: text\n  encoding \"cp932\"\n"))
    fields = change(diff_json(a, b), "inputs", "fuel_use")["fields"]
    assert fields == {"encoding": [None, "cp932"], "column quantity": ["decimal(18,6)", "decimal(18,2) >= 0"],
                      "column site": [None, "text"]}


def test_an_input_read_from_another_sheet_or_header_row_is_changed_and_its_rules_reevaluated(tmp_path):
    declared = "unit: text\n"
    a = write_ruleset(tmp_path / "a", fuel_ruleset().replace(declared, declared + '  sheet "燃料"\n'))
    b = write_ruleset(tmp_path / "b", fuel_ruleset().replace(declared, declared + '  sheet "燃料 2025"  header row 3\n'))
    report = diff_json(a, b)
    assert change(report, "inputs", "fuel_use")["fields"] == {"sheet": ["燃料", "燃料 2025"], "header row": [None, "3"]}
    assert "s1.fuel" in report["rules_to_reevaluate"]


def test_a_changed_reporting_period_is_a_header_change_that_reevaluates_the_rules_of_dated_inputs(tmp_path):
    dated = fuel_ruleset().replace("unit: text\n", "unit: text\n  period period\n")
    a = write_ruleset(tmp_path / "a", dated.replace("ruleset case\n", "ruleset case period 2025-04-01 to 2026-03-31\n"))
    b = write_ruleset(tmp_path / "b", dated.replace("ruleset case\n", "ruleset case period 2025-01-01 to 2025-12-31\n"))
    report = diff_json(a, b)
    assert change(report, "ruleset", "ruleset")["fields"] == {
        "period": ["2025-04-01 – 2026-03-31", "2025-01-01 – 2025-12-31"]}
    assert report["rules_to_reevaluate"] == {"s1.fuel": ["reporting period"]}
    code, output = tanso_diff(a, b)
    assert "period: 2025-04-01 – 2026-03-31 → 2025-01-01 – 2025-12-31" in output


def write_factors(data: Path, rows: list[dict]) -> None:
    write_csv(data / "factors" / "fuels.csv", factor_rows(rows))


def test_a_factor_file_compared_row_by_row_by_factor_id(tmp_path):
    ruleset = write_ruleset(tmp_path / "r", fuel_ruleset())
    write_factors(tmp_path / "old", FUEL_FACTORS)
    new = [dict(FUEL_FACTORS[0], value="2.70"), FUEL_FACTORS[1],
           {"factor_id": "PETROL-CO2", "fuel": "petrol", "gas": "CO2", "value": "2.31", "unit": "kg", "per": "l"}]
    write_factors(tmp_path / "new", new)
    report = diff_json(ruleset, ruleset, "--data", tmp_path / "old", "--data-b", tmp_path / "new")
    factors = change(report, "factor_sets", "fuels")
    assert factors["status"] == "changed" and "fields" not in factors   # the declaration is the same
    rows = factors["rows"]
    assert rows["key"] == ["factor_id"]
    assert rows["files"] == [str(tmp_path / "old" / "factors" / "fuels.csv"), str(tmp_path / "new" / "factors" / "fuels.csv")]
    assert rows["added"] == [{"key": "PETROL-CO2", "row": 3}]
    assert rows["removed"] == [{"key": "DIESEL-N2O", "row": 3}]
    assert rows["changed"] == [{"key": "DIESEL-CO2", "rows": [1, 1], "columns": {"value": ["2.68", "2.7"]}}]
    assert report["rules_to_reevaluate"] == {"s1.fuel": ["factors:fuels"]}
    text = tanso_diff(ruleset, ruleset, "--data", tmp_path / "old", "--data-b", tmp_path / "new")[1]
    assert text.splitlines()[0].endswith(": 1 factor set changed")
    assert "        ~ DIESEL-CO2 (row 1 → 1): value 2.68 → 2.7" in text


def test_the_same_factor_value_written_otherwise_is_no_change_and_a_missing_factor_file_is_a_note(tmp_path):
    ruleset = write_ruleset(tmp_path / "r", fuel_ruleset())
    write_factors(tmp_path / "old", FUEL_FACTORS)
    write_factors(tmp_path / "new", [dict(FUEL_FACTORS[0], value="2.6800")] + FUEL_FACTORS[1:])
    (tmp_path / "empty").mkdir()
    assert diff_json(ruleset, ruleset, "--data", tmp_path / "old", "--data-b", tmp_path / "new")["different"] is False
    report = diff_json(ruleset, ruleset, "--data", tmp_path / "old", "--data-b", tmp_path / "empty")
    assert report["different"] is False
    assert report["notes"] == [f"factor set fuels: rows not compared: {tmp_path / 'empty' / 'factors' / 'fuels.csv'} "
                               f"is not there"]
    assert diff_json(ruleset, ruleset)["notes"] == ["factor files not compared row by row: no --data folder given"]


# ----------------------------------------------------------------------------- the shipped rulesets


def test_current_against_the_draft_lists_the_drafts_own_changes():
    report = diff_json(CURRENT, DRAFT, "--data", ACME_DATA)
    draft_file = "rulesets/ghgp-draft-2026/ruleset.tanso"
    assert report["a"]["layers"] == ["ghgp_current"] and report["b"]["layers"] == ["ghgp_current", "ghgp_draft_2026"]
    gwp = change(report, "options", "gwp.set")
    assert gwp["fields"]["value"] == ["AR5", "AR6"] and gwp["layer"] == "ghgp_draft_2026"
    assert gwp["at"][1].startswith(f"{draft_file}:")
    assert change(report, "options", "scope2.market.matching")["fields"]["value"] == ["annual", "hourly"]
    market = change(report, "rules", "s2.market")
    # hourly_by: [hour] is written out but is the calculator's default: only the fossil fallback is new.
    assert market["layer"] == "ghgp_draft_2026" and market["fields"]["calc.fossil"] == [None, "grid_fossil"]
    assert "calc.hourly_by" not in market["fields"]
    assert any(line.startswith("+") and "hourly_by: [hour]" in line for line in market["text_diff"])
    added_rules = {c["id"] for c in report["changes"]["rules"] if c["status"] == "added"}
    assert {"s2.location.precise", "s3.cat16.facilitated", "ami.scope1.certified"} <= added_rules
    assert not [c for c in report["changes"]["rules"] if c["status"] == "removed"]
    assert change(report, "inputs", "electricity")["fields"]["column hour"] == [None, "integer"]
    assert {c["id"] for c in report["changes"]["factor_sets"]} == {"grid_fossil", "grid_precise", "certified_fuels"}
    assert [c["id"] for c in report["changes"]["tolerances"]] == ["s2.district.market"]
    assert change(report, "ruleset", "ruleset")["fields"]["status"] == ["published", "draft"]
    assert "s2.location.precise" in report["rules_to_reevaluate"]


def test_names_only_prints_a_selection_that_evaluate_accepts(tmp_path):
    a = write_ruleset(tmp_path / "a", fuel_ruleset(extra="\n" + MOBILE_RULE))
    b = write_ruleset(tmp_path / "b", fuel_ruleset(extra="\n" + MOBILE_RULE.replace('"mobile"', '"road"')))
    code, names = tanso_diff(a, b, "--names-only")
    assert (code, names) == (0, "s1.mobile\n")
    assert select(prepare(b).graph, names.strip()) == {"rule:s1.mobile"}
    assert tanso_diff(a, a, "--names-only") == (0, "")
    assert tanso_diff(a, b, "--names-only", "--exit-code")[0] == EXIT_DIFFERENT


# ----------------------------------------------------------------------------- PATH@REV


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org",
                    "-c", "commit.gpgsign=false", *args], check=True, capture_output=True)


@pytest.fixture
def history(tmp_path, monkeypatch):
    """A git repository with two commits of rulesets/base (AR5, then AR6) and its factor file (2.68,
    then 2.70), and a working tree that changes the rule again (uncommitted)."""
    repo = tmp_path / "repo"
    write_ruleset(repo / "rulesets" / "base", fuel_ruleset(name="base"))
    write_factors(repo / "data", FUEL_FACTORS)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "first")
    write_ruleset(repo / "rulesets" / "base", fuel_ruleset(gwp="AR6", name="base"))
    write_factors(repo / "data", [dict(FUEL_FACTORS[0], value="2.70")] + FUEL_FACTORS[1:])
    git(repo, "commit", "-qam", "second")
    write_ruleset(repo / "rulesets" / "base", fuel_ruleset(gwp="AR6", name="base").replace("scope 1", "scope 3"))
    monkeypatch.chdir(repo)
    return repo


def test_two_revisions_of_a_ruleset_read_from_git_without_a_checkout(history):
    report = diff_json("rulesets/base@HEAD~1", "rulesets/base@HEAD", "--data", "data@HEAD~1", "--data-b", "data@HEAD")
    option = change(report, "options", "gwp.set")
    assert option["fields"]["value"] == ["AR5", "AR6"]
    assert option["at"] == ["rulesets/base/case.tanso@HEAD~1:3", "rulesets/base/case.tanso@HEAD:3"]
    assert change(report, "factor_sets", "fuels")["rows"]["changed"][0]["columns"] == {"value": ["2.68", "2.7"]}
    assert change(report, "factor_sets", "fuels")["rows"]["files"] == ["data/factors/fuels.csv@HEAD~1",
                                                                      "data/factors/fuels.csv@HEAD"]
    assert list(report["a"]["files"]) == ["rulesets/base/case.tanso@HEAD~1"]
    assert "rules" not in report["changes"]
    working = diff_json("rulesets/base@HEAD", "rulesets/base")   # the working tree against the last commit
    assert change(working, "rules", "s1.fuel")["fields"] == {"scope": ["1", "3"]}
    assert change(working, "rules", "s1.fuel")["at"] == ["rulesets/base/case.tanso@HEAD:11", "rulesets/base/case.tanso:11"]
    assert subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout.strip() == \
        "M rulesets/base/case.tanso"   # nothing checked out, nothing written


def test_a_ruleset_at_the_top_of_the_repository_finds_its_base_at_that_revision_not_beside_the_scratch_folder(
        history, tmp_path, monkeypatch):
    shutil.copytree(history / "rulesets" / "base", history / "base")
    (history / "overlay.tanso").write_text('ruleset overlay\n  extends base\n\nset gwp.set = AR4 source "x"\n')
    git(history, "add", "overlay.tanso", "base")
    git(history, "commit", "-qm", "overlay")
    scratch_parent = tmp_path / "tmp"
    write_ruleset(scratch_parent / "base", "ruleset decoy\n")   # what a base beside the scratch folder would be
    monkeypatch.setattr(tempfile, "tempdir", str(scratch_parent))
    report = diff_json("base@HEAD", "overlay.tanso@HEAD")
    assert report["b"]["layers"] == ["base", "overlay"]
    assert change(report, "options", "gwp.set")["fields"]["value"] == ["AR6", "AR4"]


def test_a_bad_revision_or_path_is_a_clean_usage_error(history, tmp_path):
    for spec, message in [("rulesets/base@nosuchrev", "unknown revision 'nosuchrev'"),
                          ("rulesets/nothing@HEAD", "rulesets/nothing does not exist at revision 'HEAD'"),
                          ("nothing", "nothing: no such file or folder")]:
        code, output = tanso_diff(spec, "rulesets/base")
        assert code == 64, output
        assert message in output and "Traceback" not in output
    outside = tmp_path / "outside"
    write_ruleset(outside, fuel_ruleset())
    code, output = tanso_diff(f"{outside}@HEAD", "rulesets/base")
    assert code == 64 and "is not in a git repository" in output


def test_ruleset_errors_at_a_revision_exit_1_naming_the_file_at_that_revision(history):
    (history / "rulesets" / "base" / "case.tanso").write_text(fuel_ruleset(gwp="AR9", name="base"))
    git(history, "commit", "-qam", "broken")
    code, output = tanso_diff("rulesets/base@HEAD", "rulesets/base@HEAD~1")
    assert code == 1
    assert "invalid value 'AR9' for policy 'gwp.set'" in output
    assert "rulesets/base/case.tanso@HEAD:3" in output and "set gwp.set = AR9" in output


# ----------------------------------------------------------------------------- version id


def test_the_ruleset_version_id_is_the_same_wherever_the_files_stand_and_changes_with_a_byte(tmp_path):
    copy = tmp_path / "elsewhere" / "ghgp-current"
    shutil.copytree(CURRENT, copy)
    original = ruleset_version_id(ruleset_file_hashes(prepare(CURRENT).ruleset))
    assert ruleset_version_id(ruleset_file_hashes(prepare(copy).ruleset)) == original
    with (copy / "scope1.tanso").open("a") as handle:
        handle.write("\n# a comment\n")
    assert ruleset_version_id(ruleset_file_hashes(prepare(copy).ruleset)) != original
