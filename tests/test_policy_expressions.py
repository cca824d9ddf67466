"""`policy("name")` outside where clauses, and divisions inside quantity expressions.

A rule's calc arguments and a ruleset's metrics and checks may read an option's value, so a
threshold or a weight lives in one place (the option) and `--set` changes it everywhere. A check
that reads an option the run leaves unset is not applicable: it neither passes nor fails.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, strategies as st

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, ledger, make_case, total_kg
from tanso.diagnostics import RulesetError
from tanso.dsl import ast
from tanso.graph import build_graph
from tanso.plan.sql import fraction

D = Decimal
DIESEL_100_L_AR5 = D("268.891")
SPAN = ast.Span("t", 1, 1, 1, 1)

SHARE_RULESET = """
ruleset share

input fuel_use
  key row_id
  columns entity: text, period: text, fuel: text, quantity: decimal(18,6), unit: text,
          leased_m2: decimal(18,6), building_m2: decimal(18,6)

factors fuels "fuel factors" file "factors/fuels.csv"

rule s3.cat8 "Leased share of the building's fuel"
  scope 3 category 8
  from fuel_use
  calc fuel_combustion(factors: fuels, quantity: quantity * leased_m2 / building_m2)
"""


def _share_case(tmp_path, leased: str, building: str):
    row = {**fuel_row("F1", "100"), "leased_m2": leased, "building_m2": building}
    row.pop("use")
    return make_case(tmp_path, SHARE_RULESET, {"fuel_use": [row]}, {"fuels": FUEL_FACTORS})


def test_a_share_in_the_quantity_is_divided_after_the_factor_so_its_rounding_is_not_multiplied(tmp_path):
    # 100 l × 1 ÷ 3 = 33.333333… l. Rounding the share first would give 33.333333 l × 2.68 = 89.33333244;
    # dividing last gives 268 ÷ 3 = 89.333333 (half-even at 6 places), the nearest to the exact 89.3333….
    result = _share_case(tmp_path, "1", "3").run()
    co2 = next(r for r in ledger(result) if r["gas"] == "CO2")
    assert co2["amount"] == D("89.333333")
    assert co2["quantity"] == D("33.333333")   # the ledger still shows the allocated quantity


def test_a_share_that_divides_evenly_stays_exact(tmp_path):
    result = _share_case(tmp_path, "200", "1500").run()   # 2/15 of 100 l
    assert total_kg(result) == _rounded_per_gas(D(2) / 15)


def _rounded_per_gas(share: Decimal) -> Decimal:
    per_gas = [D("268"), D("0.011") * 28, D("0.0022") * 265]    # 100 l × kg/l × GWP, per gas
    return sum((g * share).quantize(D("0.000001")) for g in per_gas)


def test_a_division_by_zero_in_the_quantity_is_a_reject_not_a_crash(tmp_path):
    result = _share_case(tmp_path, "200", "0").run()
    assert result.ledger_rows == 0 and result.rejects_count == 1


# A fraction is the same number: numerator ÷ denominator equals the expression, exactly.
_leaf = st.decimals(min_value=D("0.5"), max_value=D(1000), places=2).map(lambda d: ast.Literal(d, SPAN))
_tree = st.recursive(_leaf, lambda inner: st.builds(lambda op, a, b: ast.BinaryOp(op, a, b, SPAN),
                                                    st.sampled_from("+-*/"), inner, inner), max_leaves=6)


def _exact(expr) -> Fraction | None:
    if isinstance(expr, ast.Literal):
        return Fraction(expr.value)
    if isinstance(expr, ast.UnaryOp):
        return -_exact(expr.operand)
    left, right = _exact(expr.left), _exact(expr.right)
    return {"+": left + right, "-": left - right, "*": left * right, "/": left / right if right else None}[expr.operator]


def _has_division(expr) -> bool:
    return any(isinstance(n, ast.BinaryOp) and n.operator == "/" for n in ast.walk(expr))


@given(_tree)
def test_fraction_keeps_the_value_and_moves_every_division_to_the_end(expr):
    try:
        value = _exact(expr)
    except (TypeError, ZeroDivisionError):
        return  # a zero denominator somewhere: nothing to compare
    if value is None:
        return
    numerator, denominator = fraction(expr)
    assert not _has_division(numerator)
    if denominator is None:
        assert not _has_division(expr) and _exact(numerator) == value
    else:
        assert not _has_division(denominator) and _exact(denominator) != 0
        assert _exact(numerator) / _exact(denominator) == value


# ------------------------------------------------------------------------- policy() in calc arguments

WEIGHTED = fuel_ruleset(extra="""
rule s3.cat16 "Facilitated: a weighted share of the client's fuel"
  scope 3 category 16
  from fuel_use where use = "facilitated"
  calc fuel_combustion(factors: fuels, quantity: quantity * policy("scope3.cat16.facilitated_weight"))
""").replace('from fuel_use\n  calc fuel_combustion(factors: fuels)\n',
             'from fuel_use where use != "facilitated"\n  calc fuel_combustion(factors: fuels)\n')


def test_a_calc_argument_reads_an_option_and_set_changes_it(tmp_path):
    case = make_case(tmp_path, WEIGHTED, {"fuel_use": [fuel_row("F1", "100", use="facilitated")]},
                     {"fuels": FUEL_FACTORS})
    default = case.run("default")                                   # PCAF Part B: 33 %
    full = case.run("full", overrides={"scope3.cat16.facilitated_weight": "1"})
    assert total_kg(full) == DIESEL_100_L_AR5
    assert total_kg(default) == _rounded_per_gas(D("0.33"))
    assert {r["quantity"] for r in ledger(default)} == {D(33)}


def test_the_graph_shows_the_option_a_calc_argument_reads(tmp_path):
    prepared = make_case(tmp_path, WEIGHTED, {}, {}).prepare()
    graph = build_graph(prepared.ruleset, prepared.registry)
    assert graph.has_edge("policy:scope3.cat16.facilitated_weight", "rule:s3.cat16")


# ------------------------------------------------------------------------- policy() in metrics and checks

THRESHOLD = fuel_ruleset(extra="""
metric fuel_kg "Scope 1" = total(scope: 1)
check small "Scope 1 is at most the excluded share (a stand-in threshold)"
  = total(scope: 1) / 1000 <= policy("boundary.scope12_max_excluded_share")
""")


@pytest.mark.parametrize("threshold, expected", [(None, None), ("0.5", True), ("0.2", False)])
def test_a_check_reading_an_unset_option_is_not_applicable(tmp_path, threshold, expected):
    case = make_case(tmp_path, THRESHOLD, {"fuel_use": [fuel_row("F1", "100")]}, {"fuels": FUEL_FACTORS})
    overrides = {"boundary.scope12_max_excluded_share": threshold} if threshold else None
    (check,) = case.run(overrides=overrides).checks      # 268.891 ÷ 1000 = 0.27
    assert check["passed"] is expected
    if threshold is None:
        assert "not set" in check["problem"]


def test_an_unknown_option_in_a_metric_is_a_diagnostic_with_a_suggestion(tmp_path):
    text = THRESHOLD.replace("boundary.scope12_max_excluded_share", "boundary.scope12_max_exclude_share")
    with pytest.raises(RulesetError) as error:
        make_case(tmp_path, text, {}, {}).prepare()
    assert "did you mean 'boundary.scope12_max_excluded_share'" in error.value.diagnostics.render()
