"""Effective factors are computed column by column in Arrow for large sets whose multipliers all terminate;
the result is exactly the Python Decimal definition's (`_python_effective_factors`, the code before): the same scale, half-even rounding, `rounded` records,
refused factors (fewer than 12 significant digits), 12-decimal parts and rests, and quantity bounds."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, localcontext

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tanso.plan import effective_factors as ef
from tanso.plan.effective_factors import Multiplier, effective_factors, quantity_bound, quantity_bounds

D = Decimal
# Exact multipliers as the units and GWP sets make them: kg, g, lb, Mt, MWh → kWh, a tiny one, GWPs.
SCALES = [D(1), D(1000), D("0.001"), D("0.00045359237"), D("1E+9"), D("1E-9"), D("3.6"), D("0.000001")]
WEIGHTS = [D(1), D(28), D(265), D("27.9"), D(23500)]
UNITS = ["kWh", "MWh"]


def _value(scale: int):
    """A factor value of a DECIMAL(28,12) or DECIMAL(38,18) column: tiny, ordinary or as large as it goes."""
    limit = 10 ** (16 + scale) - 1 if scale == 12 else 10 ** 38 - 1
    return st.one_of(st.integers(0, 999), st.integers(0, 10 ** (scale + 3)), st.integers(0, limit)) \
        .map(lambda i: D(f"{i}E-{scale}"))


@st.composite
def factor_sets(draw):
    """Factor rows (key, unit, per, mass unit, gas, id, value) and the multipliers of their kinds."""
    scale = draw(st.sampled_from([12, 18]))
    kinds = {}
    for unit in UNITS:
        for gas in ("CO2", "CH4", "SF6"):
            if draw(st.integers(0, 9)) == 0:
                kinds[(unit, "kWh", "kg", gas)] = f"unit '{unit}' cannot be converted to 'kWh'"
            else:
                m = draw(st.sampled_from(SCALES))
                kinds[(unit, "kWh", "kg", gas)] = Multiplier(m, m * draw(st.sampled_from(WEIGHTS)), True, f"w {gas}")
    rows = draw(st.lists(st.tuples(st.sampled_from(["A", "B", "C", "D"]), st.sampled_from(UNITS),
                                   st.sampled_from(["CO2", "CH4", "SF6"]), _value(scale)), min_size=1, max_size=40))
    unique = {(key, unit, gas): value for key, unit, gas, value in rows}   # one factor per key and gas
    factor_rows = [(key, unit, "kWh", "kg", gas, f"{key}-{gas}", value) for (key, unit, gas), value in unique.items()]
    return factor_rows, kinds


def _table(factor_rows: list[tuple]) -> pa.Table:
    """The factor rows as the planner's query hands them over: text columns and one DECIMAL column."""
    scale = max((-row[-1].as_tuple().exponent for row in factor_rows), default=12)
    names = ["k0", "from_unit", "per", "unit", "gas", "factor_id"]
    return pa.table({**{name: pa.array([row[i] for row in factor_rows], pa.string()) for i, name in enumerate(names)},
                     "value": pa.array([row[-1] for row in factor_rows], pa.decimal128(38, scale))})


def _outcome(compute, factor_rows, kinds):
    result = compute(_table(factor_rows) if compute is ef._arrow_effective_factors else factor_rows, 1, kinds)
    return result.table, result.problems, result.precision, result.scale


@settings(max_examples=300, deadline=None)
@given(factor_sets())
def test_the_arrow_path_equals_the_python_definition(case):
    factor_rows, kinds = case
    arrow = _outcome(ef._arrow_effective_factors, factor_rows, kinds)
    python = _outcome(ef._python_effective_factors, factor_rows, kinds)
    assert arrow is not None   # the Arrow path ran: every multiplier here terminates and fits
    assert all(a == b for a, b in zip(arrow, python))


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.integers(0, 10 ** 6), st.integers(0, 10 ** 38 - 1)), max_size=30))
def test_the_quantity_bounds_in_arrow_equal_quantity_bound(coefficients):
    biggest = [D(f"{c}E-12") for c in coefficients]
    column = pa.chunked_array([pa.array(biggest, pa.decimal128(38, 12))])
    assert quantity_bounds(column).to_pylist() == [quantity_bound(b) for b in biggest]


def test_a_conversion_that_does_not_terminate_takes_the_python_path_and_keeps_twelve_digits():
    """kWh → mmBtu (1/293.07107…) is no decimal: every product is rounded half-even at 18 places."""
    m = D(1) / D("293.07107017222")
    kinds = {("kWh", "mmBtu", "kg", "CO2"): Multiplier(m, m, False, "AR5 CO2=1")}
    rows = [("gas", "kWh", "mmBtu", "kg", "CO2", "NG-CO2", D("53.060000000000"))]
    assert ef._arrow_effective_factors(_table(rows), 1, kinds) is None
    result = effective_factors(_table(rows * ef.ARROW_FROM_ROWS), 1, kinds)   # large: it is still the Python path
    assert result.scale == 18
    row = result.table.to_pylist()[0]
    with localcontext() as context:
        context.prec = ef.WORKING_PRECISION
        assert row["gas_factor"] + row["gas_factor_rest"] == (D("53.06") * m).quantize(D("1E-18"), ROUND_HALF_EVEN)
    assert result.precision["rounded_count"] == ef.ARROW_FROM_ROWS and result.precision["rounded"][0]["significant_digits"] == 18


@pytest.mark.parametrize("compute", [ef._arrow_effective_factors, ef._python_effective_factors])
@pytest.mark.parametrize("value, refused", [(D("0.000000000001"), True), (D("0.123456789012"), False)])
def test_a_factor_eighteen_places_cannot_carry_is_refused_and_one_they_can_is_listed(compute, value, refused):
    """× 0.00045359237 (lb → kg) needs 23 decimals, so 18 it is: 1e-12 lb is 4.54e-16 kg, 3 digits there
    and 1.2e-13 kg CO2e, 6 (refused, naming the first of the two messages); 0.123456789012 lb keeps 14 digits (17 in CO2e) and both are listed as rounded."""
    m = D("0.00045359237")
    kinds = {("kWh", "kWh", "lb", "N2O"): Multiplier(m, m * 265, True, "AR5 N2O=265")}
    rows = [("k", "kWh", "kWh", "lb", "N2O", "F", value)]
    result = compute(_table(rows) if compute is ef._arrow_effective_factors else rows, 1, kinds)
    assert result.scale == 18
    assert result.table.num_rows == (0 if refused else 1)
    if refused:
        [problem] = result.problems.to_pylist()
        assert problem["problem"].startswith("factor F (1E-12 lb/kWh) is 1.202020e-13 kg per kWh: 18 decimal places "
                                             "keep 6 of its significant digits, fewer than 12")
    else:
        assert [r["significant_digits"] for r in result.precision["rounded"]] == [14, 17]
        assert result.precision["rounded_count"] == 2


@pytest.mark.parametrize("compute", [ef._arrow_effective_factors, ef._python_effective_factors])
def test_a_factor_past_the_stored_range_refuses_its_key_and_unit_and_the_others_are_kept(compute):
    """10^17 kg CH4 per kWh × 10^9 (Mt → kg) is 10^26 kg per kWh: DECIMAL(38,12) cannot hold it, and no
    quantity would keep a ledger row under 10^16 kg. Its key and unit are refused with a problem (its
    rows are rejected naming it), not a failed run; key B is unaffected. Also where the key's other gas
    already has a problem (hypothesis found the Arrow path failing there while the definition refused)."""
    big = Multiplier(D("1E+9"), D("1E+9"), True, "w CH4")
    kinds = {("kWh", "kWh", "kg", "CH4"): big, ("kWh", "kWh", "kg", "CO2"): Multiplier(D(1), D(1), True, "w CO2")}
    rows = [("A", "kWh", "kWh", "kg", "CO2", "A-CO2", D("2.5")), ("A", "kWh", "kWh", "kg", "CH4", "A-CH4", D(10) ** 17),
            ("B", "kWh", "kWh", "kg", "CH4", "B-CH4", D("0.5"))]
    result = compute(_table(rows) if compute is ef._arrow_effective_factors else rows, 1, kinds)
    assert [(r["k0"], r["gas"], r["co2e_factor"]) for r in result.table.to_pylist()] == [("B", "CH4", D("500000000"))]
    assert result.problems.to_pylist() == [{"k0": "A", "from_unit": "kWh", "problem": (
        "factor A-CH4 (1E+17 kg/kWh) is 1.000000e+26 kg per kWh: not under 10^26, so no quantity of kWh keeps a "
        "ledger row under 10^16 kg; check the factor's value and units")}]
