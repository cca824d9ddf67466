"""`tanso docs` and docs/reference: the reference is generated from the plugins, and kept current."""

from __future__ import annotations

import tomllib

import duckdb
import pytest
from click.testing import CliRunner

from conftest import ACME_DATA, ACME_RULESET, REPO
from tanso.cli import main
from tanso.plugins import load_registry
from tanso.reference import pages
from tanso.run import evaluate, prepare

REFERENCE = REPO / "docs" / "reference"
BUILT_IN = ",".join(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["entry-points"]["tanso"])


@pytest.fixture
def built_in(monkeypatch):
    """Only the plugins this repository ships: an installed third-party plugin is not in its reference."""
    monkeypatch.setenv("TANSO_LOAD_PLUGINS", BUILT_IN)
    return load_registry()


def test_docs_reference_is_current(built_in):
    generated = pages(built_in, main)
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in REFERENCE.glob("*.md")}
    stale = sorted(name for name in set(generated) | set(on_disk) if generated.get(name) != on_disk.get(name))
    assert not stale, (f"docs/reference is not what the plugins declare ({', '.join(stale)}): run "
                       f"`tanso docs --out docs/reference` and commit the result")


def test_every_calculator_option_reporter_and_layout_is_in_the_reference(built_in):
    generated = pages(built_in, main)
    for name, calculator in built_in.calculators.items():
        assert f"## `{name}`" in generated["calculators.md"]
        assert calculator.methods, f"{name} declares no methods"
        for parameter in calculator.parameters.model_fields:
            assert f"| `{parameter}` |" in generated["calculators.md"]
    assert all(f"## {o}\n" in generated["options.md"] for o in built_in.policy_options)
    assert all(f"| `{r}` |" in generated["reporters.md"] for r in built_in.reporters)
    assert all(f"| `{f}` |" in generated["files.md"] for f in [*built_in.factor_layouts, *built_in.readers])
    assert "| `rejects_count` |" in generated["ruleset-tests.md"] and "- name: " in generated["ruleset-tests.md"]
    assert "TANSO_EVALUATE_OUT_FORMAT" in generated["command-line.md"]


def test_the_methods_a_calculator_declares_are_those_its_ledger_records(tmp_path):
    prepared = prepare(ACME_RULESET)
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, ACME_DATA, tmp_path)
    recorded = duckdb.sql(f"SELECT DISTINCT rule_id, method, data_type FROM '{tmp_path / 'ledger.parquet'}'").fetchall()
    assert recorded and result.summary
    for rule_id, method, data_type in recorded:
        steps = prepared.ruleset.rules[rule_id].steps
        declared = {pair for s in steps for pair in prepared.registry.calculators[s.calculator].methods}
        own = {(getattr(s.parameters, "method", None), getattr(s.parameters, "data_type", None)) for s in steps}
        assert any(method.startswith(m) and data_type == d for m, d in declared) or \
            any(method == m or data_type == d for m, d in own), (rule_id, method, data_type)


def test_docs_prints_a_page_and_refuses_an_unknown_one_with_a_suggestion():
    runner = CliRunner()
    outcome = runner.invoke(main, ["docs", "--page", "calculators"])
    assert outcome.exit_code == 0 and outcome.output.startswith("# Calculators")
    outcome = runner.invoke(main, ["docs", "--page", "calculator"])
    assert outcome.exit_code == 64 and "did you mean 'calculators'?" in outcome.output


def test_docs_out_writes_every_page_and_removes_a_stale_one(tmp_path):
    (tmp_path / "old.md").write_text("gone")
    outcome = CliRunner().invoke(main, ["docs", "--out", str(tmp_path)])
    assert outcome.exit_code == 0
    assert {p.name for p in tmp_path.glob("*.md")} == set(pages(load_registry(), main))
