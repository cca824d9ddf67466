"""Ruleset tests as YAML (`tanso.testing`): the file format, exact comparison, messages with file:line,
coverage, the `tanso test` command and the pytest plugin. Every case runs for real on DuckDB."""

from __future__ import annotations

import textwrap
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ACME_RULESET, FUEL_FACTORS, fuel_row, fuel_ruleset, make_case
from tanso.cli import main
from tanso.testing import TestFileError, coverage, discover, is_ruleset_test, load_file, run_case, run_file
from tanso.testing.runner import release

pytest_plugins = ["pytester"]

MOBILE_RULE = ('rule s1.mobile "Mobile combustion"\n  scope 1\n  from fuel_use where use = "mobile"\n'
               "  calc fuel_combustion(factors: fuels)\n")

ONE_ROW = """\
    - name: one diesel row
      data: ../../data
      expect:
        total: 268.891
        rules: {s1.fuel: 268.891}
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A ruleset folder with one stationary diesel row as base data; `write` puts a test file in
    ruleset/tests/. The working directory is tmp_path, so paths print relative to it."""
    monkeypatch.chdir(tmp_path)
    case = make_case(tmp_path, fuel_ruleset(extra=MOBILE_RULE), {"fuel_use": [fuel_row("F1", "100")]},
                     {"fuels": FUEL_FACTORS})

    def write(text: str, name: str = "fuel.yaml") -> Path:
        path = case.ruleset / "tests" / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(textwrap.dedent(text))
        return path
    case.write = write
    return case


def run_cli(*args) -> tuple[int, str]:
    outcome = CliRunner().invoke(main, ["test", *map(str, args)], catch_exceptions=False)
    return outcome.exit_code, outcome.output


# ----------------------------------------------------------------------------- passing cases

def test_a_passing_file_with_base_data_policies_given_rows_and_factors(project):
    path = project.write(ONE_ROW + """\
    - name: AR6 by policy, given rows replace the base table
      data: ../../data
      policies: {gwp.set: AR6}
      given:
        fuel_use:
          - {row_id: G1, fuel: diesel, use: stationary, quantity: 100, unit: l}
          - {row_id: G2, fuel: diesel, use: mobile, quantity: "10", unit: l}
      expect:
        rules: {s1.fuel: 295.79825, s1.mobile: 26.89075}
        totals: [{scope: 1, co2e_kg: 322.689}]
        gases: {CO2: 321.6, CH4: 0.0132, N2O: 0.00264}
        rejects_count: 0
    - name: a given factor set is written where the ruleset declares it
      data: ../../data
      given:
        fuels:
          - {factor_id: D-CO2, fuel: diesel, gas: CO2, value: 2.5, unit: kg, per: l}
      expect:
        total: 250
    - name: without a data folder, only the given tables
      given:
        fuel_use: [{row_id: X1, fuel: diesel, use: stationary, quantity: 2, unit: l}]
        fuels: [{factor_id: D-CO2, fuel: diesel, gas: CO2, value: 3, unit: kg, per: l}]
      expect: {total: 6, rules: {s1.fuel: 6, s1.mobile: 0}}
    """)
    results = run_file(path)
    assert [r.message for r in results] == [""] * 4
    assert all(r.passed for r in results)
    assert [r.line for r in results] == [1, 6, 18, 25]


def test_numbers_are_read_exactly_as_decimals(project):
    spec = load_file(project.write(ONE_ROW))[0]
    assert spec.model.expect.total == Decimal("268.891")
    assert isinstance(spec.model.expect.rules["s1.fuel"], Decimal)
    assert str(spec.model.expect.rules["s1.fuel"]) == "268.891"


def test_tolerance_is_absolute(project):
    path = project.write("""\
    - name: close enough
      data: ../../data
      expect: {total: 268.89, tolerance: 0.001}
    - name: not close enough
      data: ../../data
      expect: {total: 268.89, tolerance: 0.0009}
    """)
    assert [r.passed for r in run_file(path)] == [True, False]


def test_rejects_and_exclusions_by_row_rule_and_reason(project):
    path = project.write("""\
    - name: rejects and exclusions
      data: ../../data
      given:
        fuel_use:
          - {row_id: F1, fuel: diesel, use: stationary, quantity: 100, unit: l}
          - {row_id: F2, fuel: coal, use: stationary, quantity: 1, unit: l}
          - {row_id: F3, fuel: diesel, use: stationary, quantity: lots, unit: l}
      expect:
        rejects:
          - {row_id: F2, rule: s1.fuel, reason_contains: "no factor"}
          - {row_id: F3, reason_contains: "is not a number"}
        rejects_count: 2
        excluded_count: 0
    - name: wrong reject expectations
      data: ../../data
      given:
        fuel_use: [{row_id: F2, fuel: coal, use: stationary, quantity: 1, unit: l}]
      expect:
        rejects:
          - {row_id: F2, rule: s1.mobile}
          - {row_id: F9}
        rejects_count: 0
    """)
    passing, failing = run_file(path)
    assert passing.passed, passing.message
    lines = failing.failures
    assert len(lines) == 3
    assert lines[0].startswith("ruleset/tests/fuel.yaml:20 case 'wrong reject expectations': expected a reject of "
                               "row F2, rule s1.mobile; row F2 has: s1.fuel: fuel_combustion: no factor")
    assert lines[1] == "ruleset/tests/fuel.yaml:21 case 'wrong reject expectations': expected a reject of row F9; row F9 has none"
    assert lines[2].startswith("ruleset/tests/fuel.yaml:22 case 'wrong reject expectations': rejects_count expected 0 got 1: F2 (s1.fuel)")


# ----------------------------------------------------------------------------- failing expectations

def test_a_failing_expectation_names_file_line_case_expected_got_and_diff(project):
    path = project.write("""\
    - name: AR6 expected as AR5
      data: ../../data
      policies: {gwp.set: AR6}
      expect:
        total: 268.9075
        rules:
          s1.fuel: 268.891
          s1.mobile: 0
    """)
    (result,) = run_file(path)
    assert not result.passed
    assert result.failures == [
        "ruleset/tests/fuel.yaml:7 case 'AR6 expected as AR5': rule s1.fuel expected 268.891 got 268.9075 (diff 0.0165)"]


def test_unknown_rules_metrics_and_checks_in_expectations_are_failures(project):
    (result,) = run_file(project.write("""\
    - name: unknown names
      data: ../../data
      expect: {rules: {s1.fuels: 1}, metrics: {nothing: 1}, checks: {none: true}}
    """))
    assert len(result.failures) == 3
    assert "rule s1.fuels is not in the ruleset (did you mean 's1.fuel'?)" in result.failures[0]
    assert "metric nothing is not in the ruleset" in result.failures[1]
    assert "check none is not in the ruleset" in result.failures[2]


def test_an_undeclared_given_column_or_table_is_reported_with_its_line(project):
    (result,) = run_file(project.write("""\
    - name: typos in given
      data: ../../data
      given:
        fuel_use:
          - {row_id: F1, fule: diesel}
        fuel_uses: []
    """))
    assert not result.passed
    assert ("ruleset/tests/fuel.yaml:5 case 'typos in given': given fuel_use row 1: column 'fule' is not declared "
            "for input 'fuel_use' (did you mean 'fuel'?)") in result.error
    assert ("ruleset/tests/fuel.yaml:6 case 'typos in given': given 'fuel_uses' is neither an input nor a factor set "
            "of the ruleset (did you mean 'fuel_use'?)") in result.error


def test_a_case_that_cannot_run_is_a_failure_with_the_reason(project):
    (result,) = run_file(project.write("""\
    - name: unknown policy value
      data: ../../data
      policies: {gwp.set: AR9}
      expect: {total: 1}
    """))
    assert not result.passed and "the ruleset cannot be used" in result.error and "AR9" in result.error


# ----------------------------------------------------------------------------- errors in the YAML

def test_an_unknown_key_is_an_error_with_its_line(project):
    path = project.write("""\
    - name: fine
      expect: {total: 1}
    - name: typos
      data: ../../data
      expect:
        totals:
          - {scope: 1, co2e: 5}
        rejects_cuont: 1
      policy: {gwp.set: AR6}
    """)
    with pytest.raises(TestFileError) as caught:
        load_file(path)
    assert caught.value.problems == [
        "ruleset/tests/fuel.yaml:7 case 'typos': missing key 'co2e_kg'",
        "ruleset/tests/fuel.yaml:7 case 'typos': unknown key 'co2e' (did you mean 'co2e_kg'?)",
        "ruleset/tests/fuel.yaml:8 case 'typos': unknown key 'rejects_cuont' (did you mean 'rejects_count'?)",
        "ruleset/tests/fuel.yaml:9 case 'typos': unknown key 'policy' (did you mean 'policies'?)",
    ]


def test_an_unknown_key_is_matched_against_the_keys_of_its_own_level(project):
    # `rulez` under expect means rules (not the reject's `rule`); a key like none of its level's lists them
    path = project.write("""\
    - name: typos
      expect:
        rulez: {s1.fuel: 1}
        rejects: [{row_id: F1, why: x}]
    """)
    with pytest.raises(TestFileError) as caught:
        load_file(path)
    assert caught.value.problems == [
        "ruleset/tests/fuel.yaml:3 case 'typos': unknown key 'rulez' (did you mean 'rules'?)",
        "ruleset/tests/fuel.yaml:4 case 'typos': unknown key 'why' (keys here: reason_contains, row_id, rule)",
    ]


def test_wrong_types_invalid_yaml_and_duplicates_are_errors_with_lines(project):
    with pytest.raises(TestFileError, match=r"fuel\.yaml:3 case 'x': expect\.total: Input should be a valid decimal"):
        load_file(project.write("- name: x\n  expect:\n    total: lots\n"))
    with pytest.raises(TestFileError, match=r"fuel\.yaml:3: invalid YAML: expected ',' or ']'"):
        load_file(project.write("- name: x\n  expect: {total: [1\n"))
    with pytest.raises(TestFileError, match=r"fuel\.yaml:1: expected a list of cases, found a dict"):
        load_file(project.write("name: x\n"))
    with pytest.raises(TestFileError, match=r"fuel\.yaml:3: duplicate key 'expect' \(first at line 2\)"):
        load_file(project.write("- name: x\n  expect: {}\n  expect: {}\n"))
    with pytest.raises(TestFileError, match=r"fuel\.yaml:2 case 'x': a case of this name is already at line 1"):
        load_file(project.write("- name: x\n- name: x\n"))


# ----------------------------------------------------------------------------- discovery and coverage

def test_discover_a_ruleset_folder_a_file_and_a_tree(project, tmp_path):
    first, second = project.write(ONE_ROW, "a.yaml"), project.write(ONE_ROW, "b.yml")
    assert discover(project.ruleset) == [first, second]
    assert discover(first) == [first]
    assert discover(tmp_path) == [first, second]
    stray = tmp_path / "other" / "tests" / "c.yaml"  # not next to a ruleset, not in a rulesets/ tree
    stray.parent.mkdir(parents=True)
    stray.write_text("[]")
    assert not is_ruleset_test(stray) and discover(tmp_path) == [first, second]
    assert is_ruleset_test(tmp_path / "rulesets" / "x" / "tests" / "c.yaml")


def test_coverage_counts_rules_with_a_ledger_row_or_a_reject(project):
    results = run_file(project.write(ONE_ROW))
    (only_fuel,) = coverage(results)
    assert (only_fuel.name, only_fuel.rules, only_fuel.covered) == ("case", ("s1.fuel", "s1.mobile"), ("s1.fuel",))
    assert only_fuel.uncovered == ("s1.mobile",) and only_fuel.percent == 50.0
    assert only_fuel.render() == "coverage case (ruleset): 1/2 rules (50.0%); uncovered: s1.mobile"

    results += run_file(project.write("""\
    - name: a mobile row that is rejected still exercises s1.mobile
      data: ../../data
      given:
        fuel_use: [{row_id: M1, fuel: coal, use: mobile, quantity: 1, unit: l}]
      expect: {rejects_count: 2}
    """, "mobile.yaml"))
    (both,) = coverage(results)
    assert both.covered == ("s1.fuel", "s1.mobile") and both.percent == 100.0


def test_the_acme_example_passes_and_covers_every_rule():
    results = [r for path in discover(ACME_RULESET) for r in run_file(path)]
    assert len(results) >= 5 and all(r.passed for r in results), [r.message for r in results]
    (acme,) = coverage(results)
    assert acme.uncovered == () and len(acme.rules) == 4


def test_cases_of_one_file_with_the_same_run_share_one_evaluate_and_each_checks_its_own(project, monkeypatch):
    import tanso.run
    runs = []

    def counted(*args, **kwargs):
        runs.append(args[3])   # the data folder
        return real(*args, **kwargs)
    real = tanso.run.evaluate
    monkeypatch.setattr(tanso.run, "evaluate", counted, raising=False)
    results = run_file(project.write(ONE_ROW + """\
    - name: the same run, a wrong total
      data: ../../data
      expect: {total: 1}
    - name: the same run, its rule
      data: ../../data
      expect: {rules: {s1.mobile: 0}}
    - name: another policy is another run
      data: ../../data
      policies: {gwp.set: AR6}
      expect: {total: 268.891}
    """))
    assert [r.passed for r in results] == [True, False, True, False]
    assert "total expected 1 got 268.891" in results[1].message
    assert "total expected 268.891 got 268.9075" in results[3].message
    assert len(runs) == 2


def test_a_file_read_again_after_its_ruleset_changed_is_evaluated_again(project):
    path = project.write(ONE_ROW)
    try:
        assert run_case(load_file(path)[0]).passed   # its run is kept for a next case that shares it
        ruleset = project.ruleset / "case.tanso"
        ruleset.write_text(ruleset.read_text().replace("set gwp.set = AR5", "set gwp.set = AR6"))
        again = run_case(load_file(path)[0])
    finally:
        release()
    assert "total expected 268.891 got 268.9075" in again.message


# ----------------------------------------------------------------------------- tanso test

def test_tanso_test_exit_codes_output_and_coverage(project):
    project.write(ONE_ROW)
    code, output = run_cli(project.ruleset)
    assert code == 0
    assert "PASS ruleset/tests/fuel.yaml:1 one diesel row" in output and "1 passed, 0 failed" in output
    assert "coverage" not in output

    code, output = run_cli(project.ruleset, "--coverage")
    assert code == 0 and "coverage case (ruleset): 1/2 rules (50.0%); uncovered: s1.mobile" in output
    code, output = run_cli(project.ruleset, "--fail-under", "50")
    assert code == 0 and "1/2 rules" in output
    code, output = run_cli(project.ruleset, "--fail-under", "80")
    assert code == 1 and "below --fail-under 80%" in output

    project.write(ONE_ROW.replace("total: 268.891", "total: 268"), "wrong.yaml")
    code, output = run_cli(project.ruleset)
    assert code == 1
    assert "FAIL ruleset/tests/wrong.yaml:1 one diesel row" in output
    assert "ruleset/tests/wrong.yaml:4 case 'one diesel row': total expected 268 got 268.891 (diff 0.891)" in output
    assert "1 passed, 1 failed" in output


def test_tanso_test_reports_a_broken_file_and_exits_1(project):
    project.write(ONE_ROW)
    project.write("- name: x\n  expcet: {}\n", "broken.yaml")
    code, output = run_cli(project.ruleset)
    assert code == 1
    assert "ERROR ruleset/tests/broken.yaml" in output and "broken.yaml:2 case 'x': unknown key 'expcet'" in output
    assert "1 passed, 0 failed, 1 file with errors" in output


def test_tanso_test_without_tests_exits_1(tmp_path):
    code, output = run_cli(tmp_path)
    assert code == 1 and "no ruleset tests found" in output


# ----------------------------------------------------------------------------- the pytest plugin

def test_pytest_collects_each_case_and_reports_failures_without_a_traceback(pytester):
    base = make_case(pytester.path / "base", fuel_ruleset(), {"fuel_use": [fuel_row("F1", "100")]},
                     {"fuels": FUEL_FACTORS})
    ruleset = pytester.path / "rulesets" / "fuel"
    ruleset.mkdir(parents=True)
    (ruleset / "fuel.tanso").write_text(fuel_ruleset(extra=MOBILE_RULE))
    (ruleset / "tests").mkdir()
    (ruleset / "tests" / "fuel.yaml").write_text(textwrap.dedent(f"""\
    - name: passes
      data: {base.data}
      expect: {{total: 268.891}}
    - name: fails
      data: {base.data}
      expect: {{rules: {{s1.fuel: 268}}}}
    """))
    (pytester.path / "notes").mkdir()
    (pytester.path / "notes" / "other.yaml").write_text("not: a test\n")  # not in a tests folder: ignored

    outcome = pytester.runpytest("-p", "no:cacheprovider")
    outcome.assert_outcomes(passed=1, failed=1)
    text = outcome.stdout.str()
    assert "rulesets/fuel/tests/fuel.yaml:6 case 'fails': rule s1.fuel expected 268 got 268.891 (diff 0.891)" in text
    assert "Traceback" not in text and "def runtest" not in text and "raise CaseFailed" not in text
    assert "FAILED rulesets/fuel/tests/fuel.yaml::fails" in text


def test_pytest_reports_a_broken_test_file_as_a_collection_error_with_the_line(pytester):
    tests = pytester.path / "rulesets" / "x" / "tests"
    tests.mkdir(parents=True)
    (tests / "bad.yaml").write_text("- name: x\n  expect: {totl: 1}\n")
    outcome = pytester.runpytest("-p", "no:cacheprovider")
    outcome.assert_outcomes(errors=1)
    text = outcome.stdout.str()
    assert "rulesets/x/tests/bad.yaml:2 case 'x': unknown key 'totl' (did you mean 'total'?)" in text
    assert "Traceback" not in text


def test_under_xdist_a_case_is_scheduled_alone_or_with_the_cases_sharing_its_run_whatever_its_name(pytester):
    """xdist's loadgroup schedules a test by what follows the last `@` of its node id (to which its worker
    appends `@group`): a case named with an `@` must not join the group its name ends with ("spark")."""
    from xdist.scheduler import LoadGroupScheduling
    base = make_case(pytester.path / "base", fuel_ruleset(), {"fuel_use": [fuel_row("F1", "100")]},
                     {"fuels": FUEL_FACTORS})
    ruleset = pytester.path / "rulesets" / "fuel"
    ruleset.mkdir(parents=True)
    (ruleset / "fuel.tanso").write_text(fuel_ruleset())
    (ruleset / "tests").mkdir()
    (ruleset / "tests" / "fuel.yaml").write_text(textwrap.dedent(f"""\
    - name: 100 l @spark
      data: {base.data}
      policies: {{gwp.set: AR6}}
      expect: {{total: 268.9075}}
    - name: shared @ AR5
      data: {base.data}
      expect: {{total: 268.891}}
    - name: shared too
      data: {base.data}
      expect: {{rules: {{s1.fuel: 268.891}}}}
    - name: alone
      data: {base.data}
      policies: {{gwp.set: AR4}}
      expect: {{total: 268.9306}}
    """))

    def scope(item) -> str:
        groups = sorted(str(mark.args[0]) for mark in item.iter_markers("xdist_group"))
        as_worker_names_it = item.nodeid + (f"@{'_'.join(groups)}" if groups else "")
        return LoadGroupScheduling._split_scope(None, as_worker_names_it)
    items, _ = pytester.inline_genitems("-p", "no:cacheprovider", "--dist", "loadgroup")
    scopes = {item.name: scope(item) for item in items}
    assert list(scopes) == ["100 l @spark", "shared @ AR5", "shared too", "alone"]
    assert scopes["shared @ AR5"] == scopes["shared too"]
    assert len({scopes["100 l @spark"], scopes["shared too"], scopes["alone"]}) == 3
    assert scopes["100 l @spark"] != "spark"
