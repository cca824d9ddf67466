"""Rule selection as dbt users know it: tag:, path:, intersections (a,b), unions (a b), +, --exclude."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import ACME_DATA, REPO
from tanso.cli import main
from tanso.diagnostics import RulesetError
from tanso.graph import select
from tanso.graph.selectors import selector_of
from tanso.run import prepare

CURRENT = REPO / "rulesets" / "ghgp-current"
DRAFT = REPO / "rulesets" / "ghgp-draft-2026"


@pytest.fixture(scope="module")
def current():
    return prepare(CURRENT).graph


@pytest.fixture(scope="module")
def draft():
    return prepare(DRAFT).graph


def rules(nodes: set[str]) -> set[str]:
    return {n.split(":", 1)[1] for n in nodes if n.startswith("rule:")}


def test_tag_selects_the_rules_that_carry_the_tag(draft):
    tagged = rules(select(draft, "tag:optional"))
    assert tagged and "s3.cat6.hotels" in tagged
    assert all("optional" in draft.nodes[f"rule:{r}"]["tags"] for r in tagged)


def test_path_selects_the_rules_written_in_a_ruleset_file(current):
    assert rules(select(current, "path:scope1.tanso")) == {
        r for r in rules(select(current, "s1")) if current.nodes[f"rule:{r}"]["span"].file.endswith("scope1.tanso")}
    assert rules(select(current, f"path:{CURRENT / 'scope2.tanso'}")) == rules(select(current, "path:*/scope2.tanso"))


def test_a_folder_path_selects_every_rule_under_it(current):
    assert rules(select(current, f"path:{CURRENT}")) == rules(select(current, "s1 s2 s3"))


def test_comma_intersects_and_space_unites(current):
    assert rules(select(current, "path:scope3.tanso,s3.cat6")) == {"s3.cat6.travel", "s3.cat6.hotels"}
    assert rules(select(current, "s1.mobile s2.location")) == {"s1.mobile", "s2.location"}


def test_graph_operators_apply_to_each_atom(current):
    assert "s3.cat3.td" in rules(select(current, "s2.location+"))
    assert rules(select(current, "+s3.cat3.td")) >= {"s2.location", "s3.cat3.td"}


def test_rule_colon_names_rules_as_explain_does(current):
    # `tanso explain OUT rule:s2.market` and `--select rule:s2.market+` name the same rules
    assert select(current, "rule:s2.market+") == select(current, "s2.market+")
    assert rules(select(current, "rule:s3.cat6.*")) == {"s3.cat6.travel", "s3.cat6.hotels"}


def test_exclude_removes_its_rules_from_the_selection(current):
    chosen = rules(select(current, "s1", exclude="s1.mobile tag:optional"))
    assert "s1.mobile" not in chosen and "s1.stationary" in chosen


@pytest.mark.parametrize("selector, message", [
    ("tag:optinal", "did you mean 'optional'?"),
    ("tag:nothing", "the tags are: optional"),
    ("path:scope9.tanso", "did you mean 'scope3.tanso'?"),
    ("s1.mobile,s2.location", "no rule is in all of s1.mobile, s2.location"),
    ("tags:optional", "unknown selector method 'tags:'"),
    ("s2.locaton", "did you mean 's2.location'?"),
])
def test_a_selector_that_matches_nothing_is_an_error_with_a_suggestion(current, selector, message):
    with pytest.raises(RulesetError, match="matches no rule|unknown selector method") as error:
        select(current, selector)
    assert message in str(error.value)


@pytest.mark.parametrize("selector", ["path:", "tag:", "+", ","])
def test_a_selector_that_names_nothing_is_an_error(current, selector):
    with pytest.raises(RulesetError, match="names"):
        select(current, selector)


@pytest.mark.parametrize("command, option, selector, message", [
    ("evaluate", "--select", "method:NOPE", "unknown selector method 'method:'; one of rule:, tag:, path:"),
    ("graph", "--select", "tags:optional", "unknown selector method 'tags:'; one of rule:, tag:, path: (did you mean 'tag'?)"),
    ("graph", "--select", "s2.locaton", "did you mean 's2.location'?"),
    ("graph", "--exclude", "tag:nope", "the tags are: optional"),
    ("graph", "--select", "path:", "names nothing after 'path:'"),
    ("graph", "--select", " ", "names no rule (it is empty)"),
    ("graph", "--exclude", "s1 s2 s3", "leaves no rule to run"),
])
def test_a_bad_selector_on_the_command_line_is_a_usage_error(command, option, selector, message):
    data = ["--data", str(ACME_DATA)] if command == "evaluate" else []
    outcome = CliRunner().invoke(main, [command, str(CURRENT), *data, option, selector])
    assert outcome.exit_code == 64, outcome.output
    assert message in outcome.output and "Traceback" not in outcome.output


@pytest.mark.parametrize("command, options", [
    ("evaluate", ["--select", "s3.cat3.td"]),
    ("evaluate", ["--exclude", "s2.location"]),
    ("compare", [str(DRAFT), "--select", "s3.cat3.td"]),
])
def test_a_run_that_leaves_out_the_rule_whose_results_a_chosen_rule_reads_is_a_usage_error(command, options):
    """s3.cat3.td reads `results of s2.location`: without it there is nothing to read (a KeyError until now)."""
    outcome = CliRunner().invoke(main, [command, str(CURRENT), "--data", str(ACME_DATA), *options, "--allow-rejects"])
    assert outcome.exit_code == 64, outcome.output
    assert ("the selection runs rule s3.cat3.td but not rule s2.location, whose results it reads "
            "(rulesets/ghgp-current/scope3.tanso:48:19); select +s3.cat3.td (it and the rules it reads), or add "
            "s2.location") in outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)


def test_a_rule_and_the_rules_it_reads_run_together():
    outcome = CliRunner().invoke(main, ["evaluate", str(CURRENT), "--data", str(ACME_DATA), "--select", "+s3.cat3.td",
                                        "--format", "json", "--allow-rejects"])
    assert outcome.exit_code == 0, outcome.output
    assert {row["rule_id"] for row in json.loads(outcome.output)["summary"]} == {"s2.location", "s3.cat3.td"}


def test_an_exclude_that_leaves_nothing_is_an_error(current):
    with pytest.raises(RulesetError, match="leaves no rule to run"):
        select(current, "s1.mobile", exclude="path:scope1.tanso")


def test_exclude_alone_selects_every_other_rule():
    outcome = CliRunner().invoke(main, ["graph", str(CURRENT), "--exclude", "s3 s2"])
    assert outcome.exit_code == 0, outcome.output
    assert "rule:s1.stationary" in outcome.output and "rule:s2.location" not in outcome.output


def test_compare_select_limits_both_runs_and_the_attribution_to_the_selection():
    outcome = CliRunner().invoke(main, ["compare", str(CURRENT), str(DRAFT), "--data", str(ACME_DATA), "--format",
                                        "json", "--select", "path:scope1.tanso", "--allow-rejects"])
    assert outcome.exit_code == 0, outcome.output
    report = json.loads(outcome.output)
    assert report["rule_dependencies"] and all(r.startswith("s1.") for r in report["rule_dependencies"])
    for side in ("base", "revised"):
        assert {g["rule"] for g in report[side]["completeness"]["groups"]} <= set(report["rule_dependencies"])


def test_exclude_without_select_starts_from_every_rule(current):
    assert rules(select(current, None, exclude="s2 s3")) == rules(select(current, "s1"))
    with pytest.raises(RulesetError, match="^--exclude 's1 s2 s3' leaves no rule to run"):
        select(current, None, exclude="s1 s2 s3")


def test_a_selection_is_written_back_as_a_selector_only_where_one_chooses_exactly_it(current):
    """What a run selected through the library records (its manifest's `select`): its rule ids, which choose it
    again; none where an id would also choose another rule as its parent (s3.cat1 for s3.cat1.…)."""
    cat1 = sorted(rules(select(current, "s3.cat1")))
    assert len(cat1) > 1
    assert rules(select(current, selector_of(current, cat1))) == set(cat1)
    assert rules(select(current, selector_of(current, ["s1.stationary", "s2.location"]))) == {"s1.stationary", "s2.location"}
    assert selector_of(current, ["s3.cat1"]) is None
