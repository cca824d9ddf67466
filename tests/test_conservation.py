"""Conservation: every input row ends in exactly one place — the ledger of each rule that selects
it, the rejects, or the excluded rows — checked independently of the engine's own check."""

from __future__ import annotations

import csv
import shutil
from collections import Counter
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ACME_DATA, ACME_RULESET, FUEL_FACTORS, examples, fuel_ruleset, ledger, make_case, rejects, excluded, write_csv
from tanso.run import evaluate, export, prepare

INPUT_TABLES = ("fuel_use", "electricity", "purchases")  # the tables the Acme rules read


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


# One worker runs the whole module under pytest -n 2 (--dist loadgroup), so its module fixtures are
# computed once, not once on each worker (conftest.py hands the groups out first).
pytestmark = pytest.mark.xdist_group("conservation")


@pytest.fixture(scope="module")
def acme(tmp_path_factory):
    """The Acme example evaluated once, and its outputs as CSV (read by both tests below)."""
    root = tmp_path_factory.mktemp("acme")
    prepared = prepare(ACME_RULESET)
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, ACME_DATA, root / "run")
    export(result, root / "out", "csv")
    return result, root / "out"


def test_every_acme_input_row_is_in_exactly_one_of_ledger_rejects_or_excluded(acme):
    _, out = acme
    ledger_rows = read_csv(out / "ledger.csv")
    reject_rows = read_csv(out / "rejects.csv")
    excluded_rows = read_csv(out / "excluded.csv")

    for table in INPUT_TABLES:
        input_rows = read_csv(ACME_DATA / f"{table}.csv")
        # Where each (row id, file row) went: a rule's ledger, a reject, an exclusion.
        places: Counter = Counter()
        for row in {(r["row_id"], r["input_row"], r["rule_id"]) for r in ledger_rows if r["input_table"] == table}:
            places[row[:2]] += 1
        for row in reject_rows + excluded_rows:
            if row["input_table"] == table:
                places[row["row_id"], row["input_row"]] += 1
        expected = Counter((r["row_id"], str(i)) for i, r in enumerate(input_rows, 1))
        assert places == expected, table


def test_acme_rules_read_disjoint_rows_so_each_ledger_row_id_has_one_rule(acme):
    result, _ = acme
    pairs = result.connection.execute(
        "SELECT input_table, row_id, count(DISTINCT rule_id) FROM run_ledger GROUP BY ALL HAVING count(DISTINCT rule_id) > 1"
    ).fetchall()
    assert pairs == []
    # and the engine's counts agree with what is in the tables
    n_rows = sum(len(read_csv(ACME_DATA / f"{t}.csv")) for t in INPUT_TABLES)
    distinct = result.connection.execute("SELECT count(DISTINCT (input_table, row_id)) FROM run_ledger").fetchone()[0]
    assert distinct + result.rejects_count + result.excluded_count == n_rows


# ----------------------------------------------------------------------------- property

AR5 = {"CO2": Decimal(1), "CH4": Decimal(28), "N2O": Decimal(265)}
KG_PER_UNIT = {"diesel": {"CO2": Decimal("2.68"), "CH4": Decimal("0.00011"), "N2O": Decimal("0.000022")}}
# litres per activity unit, for the units the factors (per l) can take
LITRES = {"l": Decimal(1), "gal": Decimal("3.785411784"), "m3": Decimal(1000), "ml": Decimal("0.001")}

def row_co2e(quantity: Decimal, unit: str, fuel: str, gas: str) -> Decimal:
    """kg CO2e of one row and gas: the effective factor is exact (these conversions need at most 15
    decimals, within the engine's 18), and the product is kept to the ledger's 18 decimals, half-even."""
    factor = LITRES[unit] * KG_PER_UNIT[fuel][gas] * AR5[gas]
    return (quantity * factor).quantize(Decimal("1e-18"), ROUND_HALF_EVEN)


quantities = st.one_of(st.none(), st.decimals(min_value=Decimal("-1000"), max_value=Decimal("100000"), places=6,
                                              allow_nan=False, allow_infinity=False))
rows_strategy = st.lists(st.tuples(quantities, st.sampled_from([*LITRES, "kWh", "furlong", ""]),
                                   st.sampled_from(["diesel", "coal", ""]), st.sampled_from(["stationary", "bench"])),
                         min_size=0, max_size=25)


@settings(max_examples=examples(25))
@given(rows=rows_strategy)
def test_random_tables_conserve_rows_and_sum_exactly(tmp_path_factory, rows):
    root = tmp_path_factory.mktemp("prop")
    extra = '\nexclude s1.bench "bench fuel reported elsewhere"\n  from fuel_use where use = "bench"\n'
    table = [{"row_id": f"R{i}", "entity": "E", "period": "P", "fuel": fuel or None, "use": use,
              "quantity": None if q is None else format(q, "f"), "unit": unit or None}
             for i, (q, unit, fuel, use) in enumerate(rows)]
    case = make_case(root, fuel_ruleset(extra=extra), {}, {"fuels": FUEL_FACTORS})
    write_csv(case.data / "fuel_use.csv", table, ["row_id", "entity", "period", "fuel", "use", "quantity", "unit"])
    result = case.run()

    ids_in_ledger = {r["row_id"] for r in ledger(result)}
    ids_rejected = [r["row_id"] for r in rejects(result)]
    ids_excluded = [r["row_id"] for r in excluded(result)]
    everywhere = [*ids_in_ledger, *ids_rejected, *ids_excluded]
    assert sorted(everywhere) == sorted(r["row_id"] for r in table)  # each row exactly once

    expected_ledger, expected_total = set(), Decimal(0)
    for row, (q, unit, fuel, use) in zip(table, rows):
        computable = use == "stationary" and q is not None and q >= 0 and fuel == "diesel" and unit in LITRES
        if computable:
            expected_ledger.add(row["row_id"])
            expected_total += sum(row_co2e(q, unit, fuel, gas) for gas in AR5)
        if use == "bench":
            assert row["row_id"] in ids_excluded
    assert ids_in_ledger == expected_ledger
    assert sum((r["co2e_kg"] for r in ledger(result)), Decimal(0)) == expected_total
    assert sum((r["co2e_kg"] for r in result.summary), Decimal(0)) == expected_total
    shutil.rmtree(root)
