"""Every ledger row records its data-quality level: the calculator's for its data type (fuel-based is
primary: level 4), unless the row declares its own in a `data_quality` column (a verified "4+")."""

from __future__ import annotations

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, ledger, make_case

DECLARED = fuel_ruleset().replace("unit: text\n", "unit: text, data_quality: text\n", 1)


def test_a_row_records_its_calculators_level_for_its_data_type(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "100")]}, {"fuels": FUEL_FACTORS})
    rows = ledger(case.run())
    assert rows and {(r["data_type"], r["data_quality"]) for r in rows} == {("primary", "4")}


def test_a_row_declaring_a_level_keeps_it_and_an_empty_one_falls_back(tmp_path):
    verified, plain = fuel_row("F1", "100"), fuel_row("F2", "50")
    verified["data_quality"], plain["data_quality"] = "4+", ""
    case = make_case(tmp_path, DECLARED, {"fuel_use": [verified, plain]}, {"fuels": FUEL_FACTORS})
    levels = {r["row_id"]: r["data_quality"] for r in ledger(case.run())}
    assert levels == {"F1": "4+", "F2": "4"}
