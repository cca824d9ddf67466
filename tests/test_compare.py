"""`compare`: two rulesets on the same data, the difference attributed to each change (real engine)."""

from __future__ import annotations

import contextlib
import json
import re
import textwrap
from decimal import Context, Decimal, localcontext
from fractions import Fraction

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from page_layout import page_text
from conftest import FUEL_FACTORS, FUEL_INPUT, examples, fuel_row, make_case, write_csv
from tanso.cli import main
from tanso.compare import bases, compare, headline
from tanso.run import prepare
from tanso_report.comparison import checks_and_metrics

ENTITIES_INPUT = ("input entities\n  key entity\n  columns parent: text, country: text, equity_share: decimal(18,6),\n"
                  "          financial_control: boolean, operational_control: boolean\n")
INVESTMENTS_INPUT = ("input investments\n  key row_id\n  columns investee: text, investee_s1s2_t: decimal(18,6), "
                     "outstanding: decimal(18,2), evic: decimal(18,2)\n")

BASE = f"""\
ruleset base "Base inventory"
set gwp.set = AR5
set boundary.approach = operational_control

{ENTITIES_INPUT}
boundary consolidation(entities: entities)

{FUEL_INPUT}
{INVESTMENTS_INPUT}
factors fuels "fuel factors" file "factors/fuels.csv"

rule s1.stationary "Stationary combustion"
  scope 1
  from fuel_use where use = "stationary"
  calc fuel_combustion(factors: fuels)

rule s1.mobile "Mobile combustion"
  scope 1
  from fuel_use where use = "mobile"
  calc fuel_combustion(factors: fuels)

rule s3.cat15 "Investments (no entity column, no policy: reads no change)"
  scope 3 category 15
  from investments
  calc pcaf_attribution(emissions: investee_s1s2_t, outstanding: outstanding, attribution_base: evic, unit: "t")
"""

ENTITIES = [
    {"entity": "E1", "parent": "", "country": "JP", "equity_share": "1", "financial_control": "true",
     "operational_control": "true"},
    {"entity": "E2", "parent": "E1", "country": "JP", "equity_share": "0.5", "financial_control": "false",
     "operational_control": "false"},
]
INVESTMENTS = [{"row_id": "I1", "investee": "steel", "investee_s1s2_t": "1000", "outstanding": "1000000",
                "evic": "10000000"}]


def base_case(tmp_path, fuel_rows=None, factors=FUEL_FACTORS):
    rows = fuel_rows if fuel_rows is not None else [fuel_row("F1", "100", entity="E1"),
                                                     fuel_row("F2", "100", entity="E2")]
    case = make_case(tmp_path, BASE, {"fuel_use": rows, "entities": ENTITIES, "investments": INVESTMENTS},
                     {"fuels": factors}, name="base")
    base_dir = tmp_path / "base"
    case.ruleset.rename(base_dir)
    case.ruleset = base_dir
    return case


def overlay(tmp_path, body: str, name: str = "revised"):
    path = tmp_path / f"{name}.tanso"
    path.write_text(f"ruleset {name}\n  extends base\n\n" + textwrap.dedent(body))
    return path


def run_compare(case, tmp_path, revised_path=None, overrides=None, out="cmp"):
    base = prepare(case.ruleset)
    revised = prepare(revised_path or case.ruleset, overrides=overrides, registry=base.registry)
    return compare(base.ruleset, revised.ruleset, base.registry, case.data, tmp_path / out)


def total(comparison, basis=None) -> tuple[Decimal, Decimal]:
    rows = comparison.deltas["scope_category"]
    return (sum((r["base_kg"] for r in rows if basis is None or r["basis"] in (None, basis)), Decimal(0)),
            sum((r["revised_kg"] for r in rows if basis is None or r["basis"] in (None, basis)), Decimal(0)))


def assert_parts_sum(comparison):
    """Shapley parts sum exactly to the difference (per basis and per group); sequential parts too;
    one at a time + interaction = the difference."""
    with localcontext(Context(prec=200)):   # the test's own sums must not round either
        _assert_parts_sum(comparison)


def _assert_parts_sum(comparison):
    for basis in bases(comparison):
        view = headline(comparison, basis)
        delta = view["delta_kg"]
        assert sum((Fraction(p["shapley"]) for p in view["parts"]), Fraction(0)) == Fraction(delta)
        assert sum((p["sequential"] for p in view["parts"]), Decimal(0)) == delta
        assert sum((p["one_at_a_time"] for p in view["parts"]), Decimal(0)) + view["interaction_kg"] == delta
    groups = {(r["scope"], r["category"], r["basis"]): r["delta_kg"] for r in comparison.deltas["scope_category"]}
    for group, delta in groups.items():
        shapley = sum((a.by_group.get(group, {}).get("shapley", Fraction(0)) for a in comparison.attributions),
                      Fraction(0))
        sequential = sum((a.by_group.get(group, {}).get("sequential", Decimal(0)) for a in comparison.attributions),
                         Decimal(0))
        assert shapley == Fraction(delta), group
        assert sequential == delta, group


# ------------------------------------------------------------------------------ identity


@settings(max_examples=examples(12))
@given(quantities=st.lists(st.decimals(min_value=0, max_value=10000, places=3, allow_nan=False), min_size=1,
                           max_size=4),
       entities=st.lists(st.sampled_from(["E1", "E2"]), min_size=4, max_size=4),
       gwp=st.sampled_from(["AR4", "AR5", "AR6"]),
       approach=st.sampled_from(["operational_control", "financial_control", "equity_share"]))
def test_comparing_a_ruleset_with_itself_changes_nothing(tmp_path_factory, quantities, entities, gwp, approach):
    root = tmp_path_factory.mktemp("same")
    rows = [fuel_row(f"F{i}", str(q), entity=entities[i], use="stationary" if i % 2 == 0 else "mobile")
            for i, q in enumerate(quantities)]
    case = base_case(root, rows)
    policies = {"gwp.set": gwp, "boundary.approach": approach}
    base = prepare(case.ruleset, overrides=policies)
    revised = prepare(case.ruleset, overrides=policies, registry=base.registry)
    comparison = compare(base.ruleset, revised.ruleset, base.registry, case.data, root / "cmp")
    assert comparison.changes == [] and comparison.attributions == [] and comparison.row_changes == []
    assert comparison.rule_dependencies == {} and comparison.scenarios_evaluated == 2
    for dimension in comparison.deltas.values():
        assert all(row["delta_kg"] == 0 for row in dimension)
    for basis in bases(comparison):
        view = headline(comparison, basis)
        assert view["delta_kg"] == 0 and view["interaction_kg"] == 0 and view["parts"] == []


# ------------------------------------------------------------------------------ a hand-computed example
# F1 100 l diesel in E1 (100%, controlled), F2 100 l diesel in E2 (50%, not controlled).
# AR5 268.891 kg a row, AR6 268.9075 (see examples/acme/ruleset/tests/acme.yaml).
# v(∅) = 268.891 (F2 outside operational control)       v(gwp) = 268.9075
# v(boundary = equity share) = 1.5 × 268.891 = 403.3365  v(both) = 1.5 × 268.9075 = 403.36125
# total 134.47025; one at a time: gwp 0.0165, boundary 134.4455; interaction 0.00825
# sequential, boundary first: 134.4455 then 0.02475; gwp first: 0.0165 then 134.45375
# Shapley: gwp (0.0165 + 0.02475) / 2 = 0.020625; boundary (134.4455 + 134.45375) / 2 = 134.449625


def test_a_gwp_change_times_a_boundary_weight_has_an_interaction(tmp_path):
    case = base_case(tmp_path)
    revised = overlay(tmp_path, "set boundary.approach = equity_share\nset gwp.set = AR6\n")
    comparison = run_compare(case, tmp_path, revised)
    assert [c.key for c in comparison.changes] == ["policy:boundary.approach", "policy:gwp.set"]
    by_key = {a.change.key: a for a in comparison.attributions}
    gwp, boundary = by_key["policy:gwp.set"], by_key["policy:boundary.approach"]
    assert (gwp.one_at_a_time, boundary.one_at_a_time) == (Decimal("0.0165"), Decimal("134.4455"))
    assert (boundary.sequential, gwp.sequential) == (Decimal("134.4455"), Decimal("0.02475"))
    assert gwp.shapley == Fraction("0.020625") and boundary.shapley == Fraction("134.449625")
    view = headline(comparison, None)
    assert (view["base_kg"], view["revised_kg"], view["delta_kg"]) == (
        Decimal("268.891") + 100000, Decimal("403.36125") + 100000, Decimal("134.47025"))
    assert view["interaction_kg"] == Decimal("0.00825")
    assert_parts_sum(comparison)
    # F2 enters at half weight; F1 only moves by the GWP
    rows = {(r["rule_id"], r["row_id"]): r for r in comparison.row_changes}
    assert rows["s1.stationary", "F2"]["delta_kg"] == Decimal("134.453750")
    assert rows["s1.stationary", "F2"]["caused_by"] == ["policy:boundary.approach", "policy:gwp.set"]
    assert rows["s1.stationary", "F1"]["delta_kg"] == Decimal("0.0165")
    assert comparison.row_changes[0]["row_id"] == "F2"


def test_rules_reading_no_changed_option_are_evaluated_only_in_base_and_revised(tmp_path):
    case = base_case(tmp_path, [fuel_row("F1", "100", entity="E1")])
    comparison = run_compare(case, tmp_path, overrides={"gwp.set": "AR6"})
    assert [c.key for c in comparison.changes] == ["policy:gwp.set"]
    assert comparison.rule_dependencies == {"s1.mobile": ["policy:gwp.set"], "s1.stationary": ["policy:gwp.set"]}
    assert "s3.cat15" not in comparison.rule_dependencies
    assert comparison.scenarios_evaluated == 2      # {} is the base run, {gwp} the revised run
    [attribution] = comparison.attributions
    assert attribution.one_at_a_time == attribution.sequential == Decimal("0.0165")
    assert attribution.shapley == Fraction("0.0165")
    assert set(attribution.by_group) == {(1, None, None)}   # nothing attributed to category 15


def test_three_changes_sum_exactly_and_only_needed_combinations_run(tmp_path):
    case = base_case(tmp_path, [fuel_row("F1", "100", entity="E1"), fuel_row("F2", "100", entity="E2"),
                                fuel_row("F3", "7.5", entity="E2", use="mobile")])
    revised = overlay(tmp_path, """\
        set boundary.approach = equity_share
        set gwp.set = AR6
        replace rule s1.mobile "Mobile combustion, counted twice over (a test)"
          scope 1
          from fuel_use where use = "mobile" or use = "stationary"
          calc fuel_combustion(factors: fuels)
        """)
    comparison = run_compare(case, tmp_path, revised)
    keys = {c.key for c in comparison.changes}
    assert keys == {"policy:boundary.approach", "policy:gwp.set", "rule:s1.mobile"}
    assert comparison.rule_dependencies["s1.mobile"] == sorted(keys)
    assert comparison.rule_dependencies["s1.stationary"] == ["policy:boundary.approach", "policy:gwp.set"]
    # s1.mobile: 8 combinations, 2 known from the full runs; s1.stationary: 4, 2 known. The GWP change is
    # a weighting: {gwp} re-weights the base run's rows, {boundary, mobile} the revision's, and the two
    # scenarios run, {mobile} and {boundary} (shared by both rules), give those with the GWP change too.
    assert comparison.scenarios_evaluated == 2 + 2
    assert_parts_sum(comparison)
    view = headline(comparison, None)
    assert sum((p["one_at_a_time"] for p in view["parts"]), Decimal(0)) != view["delta_kg"]  # interactions


def test_rules_added_removed_and_replaced_by_an_overlay_are_changes(tmp_path):
    case = base_case(tmp_path)
    revised = overlay(tmp_path, """\
        remove s1.mobile
        replace rule s1.stationary "Stationary combustion, AR6 only by rule (a test)"
          scope 1
          from fuel_use where use = "stationary" and entity = "E1"
          calc fuel_combustion(factors: fuels)
        rule s1.everything "All fuel rows"
          scope 1
          from fuel_use
          calc fuel_combustion(factors: fuels)
        """)
    comparison = run_compare(case, tmp_path, revised)
    changes = {c.key: c for c in comparison.changes}
    assert set(changes) == {"rule:s1.mobile", "rule:s1.stationary", "rule:s1.everything"}
    overlay_layer = comparison.revised.ruleset.layers[-1]
    assert (changes["rule:s1.mobile"].base, changes["rule:s1.mobile"].revised) == ("as in base", "removed")
    assert changes["rule:s1.stationary"].revised == f"replaced in {overlay_layer}"
    assert (changes["rule:s1.everything"].base, changes["rule:s1.everything"].revised) == ("absent", f"added in {overlay_layer}")
    by_key = {a.change.key: a for a in comparison.attributions}
    # F1 is in both the replaced rule and the new one: +268.891 from the addition; the replacement
    # keeps F1 (E1), and F2 (E2) is outside operational control in both versions
    assert by_key["rule:s1.everything"].shapley == Fraction("268.891")
    assert by_key["rule:s1.stationary"].shapley == 0
    assert by_key["rule:s1.mobile"].shapley == 0
    assert_parts_sum(comparison)
    added = [r for r in comparison.row_changes if r["rule_id"] == "s1.everything"]
    assert [(r["row_id"], r["base_kg"], r["revised_kg"], r["caused_by"]) for r in added] == [
        ("F1", 0, Decimal("268.891"), ["rule:s1.everything"])]


def test_a_rule_change_that_only_makes_an_option_readable_gives_the_option_the_whole_effect(tmp_path):
    """The draft-overlay pattern: the in-force rule is re-declared behind a guard on the option's
    in-force value, and the revised rule is added behind the revised value. Alone, neither rule
    change moves a number; with the option they do. Such rule changes are structural: applied in
    every scenario, so the option (not a half-and-half split with the rules) carries the difference."""
    case = base_case(tmp_path)
    revised = overlay(tmp_path, """\
        set scope3.cat15.scope = equity_plus_debt_s1s2s3
        replace rule s3.cat15 "Investments, in-force boundary"
          scope 3 category 15
          from investments where policy("scope3.cat15.scope") = "equity_s1s2"
          calc pcaf_attribution(emissions: investee_s1s2_t, outstanding: outstanding, attribution_base: evic, unit: "t")
        rule s3.cat15.doubled "Investments, revised boundary (twice the emissions, a test)"
          scope 3 category 15
          from investments where policy("scope3.cat15.scope") = "equity_plus_debt_s1s2s3"
          calc pcaf_attribution(emissions: investee_s1s2_t * 2, outstanding: outstanding, attribution_base: evic,
                                unit: "t")
        """)
    comparison = run_compare(case, tmp_path, revised)
    changes = {c.key: c for c in comparison.changes}
    assert changes["rule:s3.cat15"].structural and changes["rule:s3.cat15.doubled"].structural
    assert not changes["policy:scope3.cat15.scope"].structural
    by_key = {a.change.key: a for a in comparison.attributions}
    # 1000 t × 1 M ÷ 10 M = 100 t in force, 200 t revised: the option moved 100,000 kg
    assert by_key["policy:scope3.cat15.scope"].one_at_a_time == Decimal(100000)
    assert by_key["policy:scope3.cat15.scope"].shapley == Fraction(100000)
    assert by_key["rule:s3.cat15"].shapley == by_key["rule:s3.cat15.doubled"].shapley == 0
    assert [c.name for c in comparison.changes if c.structural] == ["s3.cat15", "s3.cat15.doubled"]
    assert headline(comparison, None)["interaction_kg"] == 0
    assert_parts_sum(comparison)


def test_an_exclusion_the_revision_adds_is_a_change_with_its_effect(tmp_path):
    case = base_case(tmp_path, [fuel_row("F1", "100", entity="E1"), fuel_row("F3", "10", entity="E1", use="mobile")])
    revised = overlay(tmp_path, """\
        exclude s1.mobile_elsewhere "Mobile fuel is reported by the fleet operator (a test)"
          from fuel_use where use = "mobile"
        """)
    comparison = run_compare(case, tmp_path, revised)
    (change,) = comparison.changes
    assert (change.key, change.kind, change.base) == ("exclusion:s1.mobile_elsewhere", "exclusion", "absent")
    (attribution,) = comparison.attributions
    assert attribution.shapley == -Fraction("26.8891")     # 10 l of diesel, AR5: 268.891 kg per 100 l
    assert "exclusion:s1.mobile_elsewhere" in comparison.rule_dependencies["s1.mobile"]
    assert_parts_sum(comparison)


# ------------------------------------------------------------------------------ command line


def test_cli_compare_one_ruleset_with_a_set(tmp_path):
    case = base_case(tmp_path)
    result = CliRunner().invoke(main, ["compare", str(case.ruleset), "--data", str(case.data), "--set",
                                       "gwp.set=AR6", "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [c["key"] for c in data["changes"]] == ["policy:gwp.set"]
    for view in data["headlines"]:
        delta = Decimal(str(view["delta_kg"]))
        assert delta == Decimal("0.0165")
        parts = [p["shapley"]["fraction"] if isinstance(p["shapley"], dict) else p["shapley"] for p in view["parts"]]
        assert sum((Fraction(str(p)) for p in parts), Fraction(0)) == Fraction(delta)


def test_cli_compare_says_one_change_in_the_singular(tmp_path):
    case = base_case(tmp_path)
    result = CliRunner().invoke(main, ["compare", str(case.ruleset), "--data", str(case.data), "--set", "gwp.set=AR6"],
                                catch_exceptions=False)
    assert ": 1 change, 2 evaluations\n" in result.output


def test_cli_compare_writes_the_comparison_and_both_runs(tmp_path):
    case = base_case(tmp_path)
    revised = overlay(tmp_path, "set boundary.approach = equity_share\nset gwp.set = AR6\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["compare", str(case.ruleset), str(revised), "--data", str(case.data),
                                       "--out", str(out)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "gwp.set" in result.output and "boundary.approach" in result.output
    assert "base → revised: 2 changes, 2 evaluations\n" in result.output
    data = json.loads((out / "comparison.json").read_text())
    assert (out / "base" / "ledger.parquet").exists() and (out / "revised" / "ledger.parquet").exists()
    [view] = data["headlines"]
    delta = Fraction(str(view["delta_kg"]))
    assert delta == Fraction("134.47025")
    shapley = [Fraction(p["shapley"]["fraction"]) for p in view["parts"]]
    assert sum(shapley, Fraction(0)) == delta


def test_a_base_reached_through_a_symlink_is_the_same_base(tmp_path):
    """The revision finds its base beside it (`extends base`: base/), the command line names it through a
    symlink: the base's rules and boundary are the same statements, and the only change is the revision's."""
    case = base_case(tmp_path)
    (tmp_path / "linked").symlink_to(case.ruleset, target_is_directory=True)
    revised = overlay(tmp_path, "set gwp.set = AR6\n")
    result = CliRunner().invoke(main, ["compare", str(tmp_path / "linked"), str(revised), "--data", str(case.data),
                                       "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert [c["key"] for c in json.loads(result.output)["changes"]] == ["policy:gwp.set"]


def test_the_changes_are_in_the_same_order_from_any_working_folder(tmp_path):
    """Ordered by the file each is cited by (relative to the rulesets' root), not by the path it was reached by:
    from the base's own folder the overlay is `../revised.tanso`, which sorts before `base.tanso`."""
    case = base_case(tmp_path)
    overlay(tmp_path, """\
        remove s1.mobile
        rule s1.everything "All fuel rows"
          scope 1
          from fuel_use
          calc fuel_combustion(factors: fuels)
        """)
    orders = []
    for cwd, base, revised in ((tmp_path, "base", "revised.tanso"), (case.ruleset, ".", "../revised.tanso")):
        with contextlib.chdir(cwd):
            result = CliRunner().invoke(main, ["compare", base, revised, "--data", str(case.data), "--format", "json"],
                                        catch_exceptions=False)
        assert result.exit_code == 0, result.output
        orders.append([c["key"] for c in json.loads(result.output)["changes"]])
    assert orders[0] == orders[1] == ["rule:s1.mobile", "rule:s1.everything"]


# ------------------------------------------------------------------------------ regressions


def test_large_amounts_are_summed_exactly(tmp_path):
    # Amounts of 29-30 significant digits; the Shapley parts must still sum exactly to the difference.
    # (The rounding of Python's default 28-digit decimal context showed at 1M rows in
    # benchmarks/compare.py, totals of 34 digits; this small case is a guard, it does not reproduce it.)
    case = base_case(tmp_path, [fuel_row("F1", "987654321987.654321", entity="E1"),
                                fuel_row("F2", "123456789123.456789", entity="E2")])
    write_csv(case.data / "entities.csv", [ENTITIES[0], {**ENTITIES[1], "equity_share": "0.1237"}])
    revised = overlay(tmp_path, "set boundary.approach = equity_share\nset gwp.set = AR6\n")
    comparison = run_compare(case, tmp_path, revised)
    assert_parts_sum(comparison)


def test_an_input_the_revision_redeclares_is_read_under_each_declaration(tmp_path):
    # the revision adds a column to fuel_use and a rule reads it; the base reads its own declaration
    rows = [{**fuel_row("F1", "100", entity="E1"), "hour": "7"}]
    case = base_case(tmp_path, rows)
    revised = overlay(tmp_path, """\
        input fuel_use
          key row_id
          columns entity: text, period: text, fuel: text, use: text, quantity: decimal(18,6), unit: text,
                  hour: integer
        rule s1.night "Night-time fuel (reads the new column)"
          scope 1
          from fuel_use where hour < 8
          calc fuel_combustion(factors: fuels)
        """)
    comparison = run_compare(case, tmp_path, revised)
    [attribution] = comparison.attributions
    assert attribution.change.key == "rule:s1.night" and attribution.shapley == Fraction("268.891")
    assert_parts_sum(comparison)


@pytest.mark.parametrize("given, scenarios", [(None, "427.2 MiB"), ("1GB", "953.6 MiB")])   # default: 448MB
def test_a_comparison_bounds_duckdbs_memory_and_its_finished_base_keeps_little(tmp_path, given, scenarios):
    # the revision redeclares an input, so the base has a database of its own: once its run is done, what
    # it holds beyond 64MB spills, while the revision and the scenarios run under the limit
    case = base_case(tmp_path, [{**fuel_row("F1", "100", entity="E1"), "hour": "7"}])
    revised = overlay(tmp_path, """\
        input fuel_use
          key row_id
          columns entity: text, period: text, fuel: text, use: text, quantity: decimal(18,6), unit: text,
                  hour: integer
        """)
    base, revision = prepare(case.ruleset), prepare(revised)
    comparison = compare(base.ruleset, revision.ruleset, base.registry, case.data, tmp_path / "cmp",
                         memory_limit=given)
    def limit(run):
        return run.connection.execute("SELECT current_setting('memory_limit')").fetchone()[0]
    assert comparison.base.connection is not comparison.revised.connection
    assert (limit(comparison.revised), limit(comparison.base)) == (scenarios, "61.0 MiB")


def test_an_added_rule_deriving_from_another_added_rule_exists_only_with_it(tmp_path):
    """Scenarios that apply the derived rule but not the rule it reads contribute nothing for it."""
    case = base_case(tmp_path)
    revised = overlay(tmp_path, """\
        rule s1.all "All fuel rows"
          scope 1
          from fuel_use
          calc fuel_combustion(factors: fuels)
        rule s3.cat3.all "Derived from s1.all"
          scope 3 category 3
          from results of s1.all
          calc reported_emissions(emissions: result_co2e_kg)
        """)
    comparison = run_compare(case, tmp_path, revised)
    derived = next(a for a in comparison.attributions if a.change.key == "rule:s3.cat3.all")
    assert derived.one_at_a_time == 0  # alone, without s1.all, the derived rule has nothing to read
    assert sum((a.shapley for a in comparison.attributions), Fraction(0)) == sum(
        (r["delta_kg"] for r in comparison.deltas["scope_category"]), Decimal(0))


def test_a_check_reading_an_option_the_revision_sets_goes_from_na_to_its_outcome(tmp_path):
    case = base_case(tmp_path)
    (case.ruleset / "base.tanso").write_text((case.ruleset / "base.tanso").read_text() + (
        'check s1.small "Scope 1 at most the threshold × 1000 kg (a test)"\n'
        '  = total(scope: 1) / 1000 <= policy("boundary.scope12_max_excluded_share")\n'))
    comparison = run_compare(case, tmp_path, overrides={"boundary.scope12_max_excluded_share": "0.2"})
    assert {"kind": "check", "id": "s1.small", "base": "N/A", "revised": "FAIL"} in checks_and_metrics(comparison)


def test_cli_compare_table_shows_policy_values_as_the_language_writes_them(tmp_path):
    case = base_case(tmp_path)
    result = CliRunner().invoke(main, ["compare", str(case.ruleset), "--data", str(case.data), "--set",
                                       "scope3.cat16.enabled=true"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "false → true" in result.output and "False" not in result.output


def test_scenario_totals_beyond_the_exact_range_leave_the_rule_out_as_evaluate_rejects_its_rows(tmp_path):
    """A rule whose rows add up past what exact totals hold (10^16 kg) is rejected by evaluate (beyond_totals); a
    comparison's scenarios, ledger-free sums, once stopped the comparison there (exit 2). Now each scenario leaves
    the rule out as evaluate does and says so first; the runs' digests are the separate evaluates', and the
    comparison exits 5 unless --allow-rejects."""
    from conftest import fuel_ruleset
    factors = [{"factor_id": "BIG", "fuel": "diesel", "gas": "CO2", "value": "1000000000", "unit": "t", "per": "l"},
               {"factor_id": "PETROL", "fuel": "petrol", "gas": "CO2", "value": "2.3", "unit": "kg", "per": "l"}]
    petrol = 'rule s1.petrol "Petrol"\n  scope 1\n  from fuel_use where fuel = "petrol"\n  calc fuel_combustion(factors: fuels)\n'
    base = fuel_ruleset().replace("  from fuel_use\n", '  from fuel_use where fuel = "diesel"\n') + petrol
    rows = [fuel_row(f"F{i}", "9999", period=f"2025-{i + 1:02}") for i in range(12)] + [fuel_row("P1", "10", fuel="petrol")]
    case = make_case(tmp_path / "base", base, {"fuel_use": rows}, {"fuels": factors})
    revised = tmp_path / "revised.tanso"   # two changes: the scenarios sum the rule without a ledger
    revised.write_text(base.replace("set gwp.set = AR5", "set gwp.set = AR6") + petrol.replace("s1.petrol", "s1.petrol2"))
    args = ["compare", str(case.ruleset), str(revised), "--data", str(case.data)]
    outcome = CliRunner().invoke(main, args)
    assert outcome.exit_code == 5, outcome.output
    assert "rule s1.fuel: totals beyond the range of exact totals (under 10^16 kg) in 1 scenario" in outcome.output
    compared = CliRunner().invoke(main, [*args, "--format", "json", "--allow-rejects"])
    assert compared.exit_code == 0, compared.output
    document = json.loads(compared.stdout)
    assert [item["rule_id"] for item in document["beyond_range"]] == ["s1.fuel"]
    for side, ruleset in (("base", case.ruleset), ("revised", revised)):
        alone = CliRunner().invoke(main, ["evaluate", str(ruleset), "--data", str(case.data), "--format", "json",
                                          "--allow-rejects"])
        assert json.loads(alone.stdout)["digest"] == document[side]["digest"]
    for lang, said in (("en", "rule s1.fuel: totals beyond the range of exact totals (under 10^16 kg) in 1 scenario"),
                       ("ja", "ルール s1.fuel：1 個のシナリオ")):
        out = tmp_path / f"out-{lang}"
        paged = CliRunner().invoke(main, [*args, "--out", str(out), "--allow-rejects", "--lang", lang])
        assert paged.exit_code == 0, paged.output
        markup = (out / "comparison.html").read_text(encoding="utf-8")
        beyond = re.search(r'<section class="alert" id="beyond-range".*?</section>', markup, re.S)
        assert beyond and said in page_text(beyond.group(0)), lang
