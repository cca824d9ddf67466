"""Acceptance: the published worked examples of ../shared/acceptance/cases.yaml, run through the real engine.

Each case is a ruleset test under tests/acceptance/<case-id>/ (case.tanso + tests/<case-id>.yaml),
collected by the tanso pytest plugin like any ruleset test and run here once more through
`tanso test --coverage`. This module also checks that every case of the shared file has its folder
(a new case fails until it is implemented), and holds the plain-Python tests that a YAML case cannot
express: the PCAF EVIC box's wrong EV-excluding-cash base, and exactness where a published figure
is rounded.
"""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tanso.cli import main
from tanso.plugins import load_registry
from tanso.run import evaluate, prepare
from tanso.testing import run_file

REPO = Path(__file__).resolve().parents[1]
ACCEPTANCE = REPO / "tests" / "acceptance"
# The shared folder sits beside the repository (../shared from the repository root; in CI a clone with
# shared/ beside it).
CASES_FILE = REPO.parent / "shared" / "acceptance" / "cases.yaml"


def _shared_cases() -> list[dict]:
    if not CASES_FILE.is_file():
        pytest.skip(f"the shared acceptance cases are not beside the repository ({CASES_FILE} is absent)")
    documents = yaml.safe_load_all(CASES_FILE.read_text(encoding="utf-8"))
    return [d for d in documents if isinstance(d, dict) and "id" in d]


# ----------------------------------------------------------------------------- every case is implemented

def test_every_shared_case_has_an_acceptance_folder():
    cases = _shared_cases()
    assert cases, f"no cases read from {CASES_FILE}"
    missing = [c["id"] for c in cases if not (ACCEPTANCE / c["id"]).is_dir()]
    assert not missing, f"cases of {CASES_FILE} without a folder under {ACCEPTANCE}: {', '.join(missing)}"


def test_every_acceptance_folder_cites_its_source_exactly():
    for case in _shared_cases():
        folder = ACCEPTANCE / case["id"]
        if not folder.is_dir():
            continue  # reported by the test above
        ruleset = folder / "case.tanso"
        assert ruleset.is_file(), f"{folder}: no case.tanso"
        text = ruleset.read_text(encoding="utf-8")
        source = case["source"]
        assert f"# Source: {source}" in text, f"{ruleset}: the header comment does not cite {source!r}"
        assert f'source "{source}"' in text, f"{ruleset}: the ruleset header has no source \"{source}\""
        tests = folder / "tests" / f"{case['id']}.yaml"
        assert tests.is_file(), f"{folder}: no tests/{case['id']}.yaml"


def test_no_acceptance_folder_without_a_shared_case():
    ids = {c["id"] for c in _shared_cases()}
    extra = sorted(p.name for p in ACCEPTANCE.iterdir() if p.is_dir() and p.name not in ids)
    assert not extra, f"folders under {ACCEPTANCE} that no case of {CASES_FILE} names: {', '.join(extra)}"


# ----------------------------------------------------------------------------- the whole suite, as `tanso test`

def test_tanso_test_runs_every_acceptance_case_with_full_coverage():
    outcome = CliRunner().invoke(main, ["test", str(ACCEPTANCE), "--coverage"])
    assert outcome.exit_code == 0, outcome.output
    assert " 0 failed" in outcome.output, outcome.output
    assert "uncovered" not in outcome.output, outcome.output  # every rule of every case is exercised
    for case in sorted(p for p in ACCEPTANCE.iterdir() if p.is_dir()):
        passed = [line for line in outcome.output.splitlines()
                  if line.startswith("PASS ") and f"{case.name}/tests/{case.name}.yaml:" in line]
        assert passed, f"no passing case of {case.name} in:\n{outcome.output}"
        coverage = [line for line in outcome.output.splitlines()
                    if line.startswith("coverage ") and f"{case.name})" in line]
        assert coverage and coverage[0].endswith("(100.0%)"), f"{case.name}: {coverage}"


# ----------------------------------------------------------------------------- helpers

def _write_csv(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    columns = list(dict.fromkeys(k for row in rows for k in row))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def _variant(tmp_path: Path, case_id: str, replacements: dict[str, str], tests_yaml: str) -> Path:
    """A copy of an acceptance case with its ruleset text changed and its own test file."""
    folder = tmp_path / case_id
    shutil.copytree(ACCEPTANCE / case_id, folder)
    ruleset = folder / "case.tanso"
    text = ruleset.read_text(encoding="utf-8")
    for old, new in replacements.items():
        assert old in text, f"{old!r} is not in {ruleset}"
        text = text.replace(old, new)
    ruleset.write_text(text, encoding="utf-8")
    for stale in (folder / "tests").glob("*.yaml"):
        stale.unlink()
    test_file = folder / "tests" / "variant.yaml"
    test_file.write_text(tests_yaml, encoding="utf-8")
    return test_file


def _assert_passed(test_file: Path) -> None:
    results = run_file(test_file)
    assert results and all(r.passed for r in results), "\n".join(r.message for r in results if not r.passed)


# ----------------------------------------------------------------------------- PCAF EVIC box: the wrong base

EVIC_HOLDINGS = [
    {"row_id": "EQ", "investee": "example_company", "instrument": "equity", "outstanding": "50",
     "market_cap": "50", "total_debt": "50", "cash": "20", "investee_emissions_t": "1000"},
    {"row_id": "DB", "investee": "example_company", "instrument": "debt", "outstanding": "50",
     "market_cap": "50", "total_debt": "50", "cash": "20", "investee_emissions_t": "1000"},
]
EV_EXCLUDING_CASH = """\
# The base the PCAF box warns against: enterprise value net of cash, 50 + 50 - 20 = 80.
ruleset ev_excluding_cash extends pcaf_evic_box_01

replace rule s3.cat15.listed_equity "Listed equity, attributed by EV excluding cash (wrong)"
  scope 3 category 15
  from holdings where instrument = "equity"
  calc pcaf_attribution(emissions: investee_emissions_t, outstanding: outstanding,
                        attribution_base: market_cap + total_debt - cash, unit: "t")

replace rule s3.cat15.corporate_bonds "Corporate bonds, attributed by EV excluding cash (wrong)"
  scope 3 category 15
  from holdings where instrument = "debt"
  calc pcaf_attribution(emissions: investee_emissions_t, outstanding: outstanding,
                        attribution_base: market_cap + total_debt - cash, unit: "t")
"""


def _attribution_factors(tmp_path: Path, overlays: tuple[Path, ...] = ()) -> tuple[dict[str, Decimal], list, dict]:
    """Evaluate the EVIC-box ruleset (optionally overlaid): each row's attribution factor
    (attributed ÷ investee emissions), the rejects, and the metrics."""
    data = tmp_path / "data"
    _write_csv(data / "holdings.csv", EVIC_HOLDINGS)
    _write_csv(data / "investees.csv", [{"row_id": "example_company", "investee": "example_company",
                                         "emissions_t": "1000"}])
    prepared = prepare(ACCEPTANCE / "pcaf-evic-box-01", overlays=overlays, registry=load_registry())
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, data, tmp_path / "out")
    try:
        ledger = result.connection.execute("SELECT row_id, sum(co2e_kg) FROM run_ledger GROUP BY row_id").fetchall()
        rejects = result.connection.execute("SELECT row_id, reason FROM run_rejects").fetchall()
    finally:
        result.connection.close()
    factors = {row_id: Decimal(kg) / Decimal(1_000_000) for row_id, kg in ledger}  # 1,000 t = 1,000,000 kg
    return factors, rejects, {m["id"]: m["value"] for m in result.metrics}


def test_pcaf_evic_attributes_exactly_100_percent_across_equity_and_debt(tmp_path):
    factors, rejects, metrics = _attribution_factors(tmp_path)
    assert rejects == []
    assert factors == {"EQ": Decimal("0.5"), "DB": Decimal("0.5")}
    assert sum(factors.values()) == 1
    assert metrics["attributed_share"] == 1


def test_pcaf_ev_excluding_cash_over_attributes_125_percent(tmp_path):
    """PCAF §5.1 box: with EV net of cash (80) equity and debt each get 50/80 = 62.5 % (printed 63 %),
    together 125 % of the company's emissions. pcaf_attribution does not catch this: its guard rejects
    an outstanding above the base, and 50 < 80 on each row. Only the sum over the capital providers
    shows it — which is why the ruleset's base must be EVIC (cash not deducted)."""
    overlay = tmp_path / "ev_excluding_cash.tanso"
    overlay.write_text(EV_EXCLUDING_CASH, encoding="utf-8")
    factors, rejects, metrics = _attribution_factors(tmp_path, overlays=(overlay,))
    assert rejects == []  # neither row is refused: each factor is below 1
    assert factors == {"EQ": Decimal("0.625"), "DB": Decimal("0.625")}
    assert all(f < 1 for f in factors.values())
    assert sum(factors.values()) == Decimal("1.25")  # > 100 %: invalid, the box's point
    assert metrics["attributed_share"] == Decimal("1.25")


def test_quantity_product_of_two_decimal_columns(tmp_path):
    """Products of decimal(18,6) columns are widened, so 100 employees × 12,000 km does not overflow."""
    test_file = _variant(tmp_path, "s3-cat6-distance-01", {
        "employees: integer, employees_per_vehicle: integer": "employees: decimal(18,6), employees_per_vehicle: decimal(18,6)",
        "haul: text, employees: integer": "haul: text, employees: decimal(18,6)",
    }, (ACCEPTANCE / "s3-cat6-distance-01" / "tests" / "s3-cat6-distance-01.yaml").read_text(encoding="utf-8"))
    _assert_passed(test_file)


def test_pcaf_attribution_is_exact_for_large_emissions(tmp_path):
    """81,329,102.55336 t × 2,471,765,479.58 ÷ 2,472,525,106.98 = 81,304,116.026614 t (half-even): the
    division is exact decimal arithmetic, not floating point, which gives …026613."""
    rows = ("      - {row_id: EQ, investee: big, instrument: equity, outstanding: 2471765479.58, "
            "market_cap: 1000000000, total_debt: 1472525106.98, cash: 0, investee_emissions_t: 81329102.55336}\n")
    test_file = _variant(tmp_path, "pcaf-evic-box-01", {}, (
        "- name: large investee, exact to the gram\n"
        "  given:\n    holdings:\n" + rows +
        "    investees: []\n"
        "  expect:\n    rules: {s3.cat15.listed_equity: 81304116026.614}\n"))
    _assert_passed(test_file)
