"""The `tanso` command: check, graph, evaluate, plugins; exit codes; one run of the real executable."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from conftest import ACME_DATA, ACME_RULESET, FUEL_FACTORS, fuel_row, fuel_ruleset, make_case
from tanso.cli import main


@pytest.fixture
def cli():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)
    return invoke


# ----------------------------------------------------------------------------- check

def test_check_reports_ok_with_the_counts_of_the_acme_ruleset(cli):
    outcome = cli("check", ACME_RULESET)
    assert outcome.exit_code == 0
    assert outcome.output.startswith("ok: acme")
    assert "4 rules" in outcome.output and "2 exclusions" in outcome.output and "4 inputs" in outcome.output


def test_check_of_a_broken_ruleset_exits_1_with_every_diagnostic(cli, tmp_path):
    broken = tmp_path / "broken.tanso"
    broken.write_text(fuel_ruleset().replace("fuel_combustion(factors: fuels)", "fuel_combustoin(factors: fuels)")
                      .replace("set gwp.set = AR5", "set gwp.set = AR9"))
    outcome = cli("check", broken)
    assert outcome.exit_code == 1
    assert "unknown calculator 'fuel_combustoin'" in outcome.output
    assert "did you mean 'fuel_combustion'" in outcome.output
    assert "invalid value 'AR9' for policy 'gwp.set'" in outcome.output
    assert "2 errors" in outcome.output
    assert "broken.tanso:" in outcome.output
    assert "Traceback" not in outcome.output


def test_a_syntax_error_exits_1_pointing_at_the_line(cli, tmp_path):
    broken = tmp_path / "syntax.tanso"
    broken.write_text("ruleset x\nrule a.b\n  scope 1\n  from = \n")
    outcome = cli("check", broken)
    assert outcome.exit_code == 1
    assert "syntax.tanso:4" in outcome.output


def test_bad_command_line_usage_exits_64(cli):
    outcome = CliRunner().invoke(main, ["evaluate", str(ACME_RULESET)])  # --data is required
    assert outcome.exit_code == 64
    assert "--data" in outcome.output


def test_a_set_without_an_equals_sign_is_a_usage_error(cli):
    outcome = CliRunner().invoke(main, ["check", str(ACME_RULESET), "--set", "gwp.set"])
    assert outcome.exit_code == 64
    assert "name=value" in outcome.output


# ----------------------------------------------------------------------------- graph

def test_graph_lists_the_evaluation_order_with_dependencies(cli):
    outcome = cli("graph", ACME_RULESET)
    assert outcome.exit_code == 0
    lines = outcome.output.splitlines()
    position = {line.split(". ", 1)[1].split()[0]: i for i, line in enumerate(lines)}
    for rule in ("s1.stationary", "s1.mobile", "s2.location", "s3.cat1"):
        assert position[f"table:{'fuel_use' if rule.startswith('s1') else 'electricity' if rule.startswith('s2') else 'purchases'}"] < position[f"rule:{rule}"]
    assert position["rule:s2.location"] < position["metric:intensity"]
    assert any(line.endswith("rule:s2.location  ← factors:grid, policy:gwp.methane_by_origin, policy:gwp.set, "
                             "table:electricity") for line in lines)


def test_graph_as_dot(cli):
    outcome = cli("graph", ACME_RULESET, "--format", "dot")
    assert outcome.exit_code == 0
    assert outcome.output.startswith("digraph tanso {")
    assert '"table:electricity" -> "rule:s2.location";' in outcome.output
    assert '"rule:s1.stationary" [label="s1.stationary", shape=box];' in outcome.output
    assert outcome.output.rstrip().endswith("}")


def test_graph_as_mermaid(cli):
    outcome = cli("graph", ACME_RULESET, "--format", "mermaid")
    assert outcome.exit_code == 0
    lines = outcome.output.splitlines()
    assert lines[0] == "flowchart LR"
    ids = {line.split('["')[1].rstrip('"]'): line.split("[")[0].strip() for line in lines if '["' in line}
    assert f"  {ids['table:purchases']} --> {ids['rule:s3.cat1']}" in lines


def test_graph_select_rule_plus_shows_the_rule_and_what_depends_on_it(cli):
    outcome = cli("graph", ACME_RULESET, "--select", "s2.location+")
    assert outcome.exit_code == 0
    nodes = {line.split(". ", 1)[1].split()[0] for line in outcome.output.splitlines()}
    assert "rule:s2.location" in nodes and "metric:intensity" in nodes
    assert not any(n.startswith("rule:s1") or n == "rule:s3.cat1" for n in nodes)


def test_graph_select_plus_rule_shows_the_rule_and_what_it_needs(cli):
    outcome = cli("graph", ACME_RULESET, "--select", "+s2.location")
    nodes = {line.split(". ", 1)[1].split()[0] for line in outcome.output.splitlines()}
    assert {"rule:s2.location", "table:electricity", "factors:grid", "policy:gwp.set"} <= nodes
    assert "metric:intensity" not in nodes
    assert not any(n.startswith("rule:") and n != "rule:s2.location" for n in nodes)


def test_graph_select_that_matches_nothing_is_a_usage_error_with_a_suggestion(cli):
    outcome = cli("graph", ACME_RULESET, "--select", "s2.locaton")
    assert outcome.exit_code == 64
    assert "matches no rule" in outcome.output and "s2.location" in outcome.output


def test_an_empty_select_runs_nothing_rather_than_everything(cli):
    # `--select "$(tanso diff --names-only A B)"` when nothing changed must not evaluate every rule.
    outcome = cli("graph", ACME_RULESET, "--select", "")
    assert outcome.exit_code == 64
    assert "--select names no rule" in outcome.output


# ----------------------------------------------------------------------------- evaluate

def test_evaluate_prints_a_table_by_scope(cli):
    # The example ruleset leaves rows rejected without a stated tolerance: exit 5 unless --allow-rejects.
    outcome = cli("evaluate", ACME_RULESET, "--data", ACME_DATA, "--allow-rejects")
    assert outcome.exit_code == 0
    for label in ("Scope 1", "Scope 2", "Scope 3 · category 1"):
        assert label in outcome.output
    assert "check s1.coverage: PASS" in outcome.output
    assert "metric intensity:" in outcome.output
    assert "digest" in outcome.output


def test_evaluate_out_writes_every_table_and_the_manifest_as_csv(cli, tmp_path):
    out = tmp_path / "out"
    outcome = cli("evaluate", ACME_RULESET, "--data", ACME_DATA, "--out", out, "--allow-rejects")
    assert outcome.exit_code == 0
    for name in ("ledger.csv", "ledger.parquet", "rejects.csv", "excluded.csv", "summary.csv", "manifest.json"):
        assert (out / name).is_file(), name
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["format"] == "tanso-manifest.v1"
    assert set(manifest["inputs"]) >= {"fuel_use", "electricity", "purchases"}
    assert manifest["digest"][:16] in outcome.output
    ledger_csv_rows = (out / "ledger.csv").read_text().count("\n") - 1
    parquet_rows = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{out / 'ledger.parquet'}')").fetchone()[0]
    assert ledger_csv_rows == parquet_rows > 0


@pytest.mark.parametrize("fmt", ["parquet", "json"])
def test_evaluate_out_format_writes_that_format(cli, tmp_path, fmt):
    out = tmp_path / fmt
    outcome = cli("evaluate", ACME_RULESET, "--data", ACME_DATA, "--out", out, "--out-format", fmt, "--allow-rejects")
    assert outcome.exit_code == 0
    for name in ("ledger", "rejects", "excluded", "summary"):
        assert (out / f"{name}.{fmt}").is_file(), name
    reader = "read_parquet" if fmt == "parquet" else "read_json_auto"
    n = duckdb.connect().execute(f"SELECT count(*) FROM {reader}('{out / f'summary.{fmt}'}')").fetchone()[0]
    assert n > 0


def test_evaluate_json_reporter_is_machine_readable(cli):
    outcome = cli("evaluate", ACME_RULESET, "--data", ACME_DATA, "--format", "json")
    document = json.loads(outcome.stdout)
    assert document["format"] == "tanso-result.v1"
    assert {t["scope"] for t in document["totals"]} == {1, 2, 3}


def test_evaluate_json_with_out_keeps_stdout_one_document_and_says_what_it_wrote_on_stderr(cli, tmp_path):
    outcome = cli("evaluate", ACME_RULESET, "--data", ACME_DATA, "--select", "s2.location", "--format", "json",
                  "--out", tmp_path / "out")
    assert outcome.exit_code == 0
    assert json.loads(outcome.stdout)["format"] == "tanso-result.v1"   # no 'wrote …' after the document
    assert f"wrote {tmp_path / 'out' / 'ledger.csv'}" in outcome.stderr


def test_evaluate_select_runs_only_the_chosen_rules(cli):
    outcome = cli("evaluate", ACME_RULESET, "--data", ACME_DATA, "--select", "s2.location", "--format", "json")
    assert outcome.exit_code == 0
    assert {row["rule_id"] for row in json.loads(outcome.stdout)["summary"]} == {"s2.location"}


def test_fail_on_check_exits_4_when_a_check_fails(cli, tmp_path):
    extra = '\ncheck many "more rows than there are" = rows(scope: 1) > 5\n'
    case = make_case(tmp_path, fuel_ruleset(extra=extra), {"fuel_use": [fuel_row("F1", "1")]}, {"fuels": FUEL_FACTORS})
    assert cli("evaluate", case.ruleset, "--data", case.data).exit_code == 0
    outcome = cli("evaluate", case.ruleset, "--data", case.data, "--fail-on-check")
    assert outcome.exit_code == 4
    assert "check many: FAIL" in outcome.output


def test_evaluate_of_a_broken_ruleset_exits_1_with_diagnostics(cli, tmp_path):
    case = make_case(tmp_path, fuel_ruleset().replace("from fuel_use", "from fuel_usage"),
                     {"fuel_use": [fuel_row("F1", "1")]}, {"fuels": FUEL_FACTORS})
    outcome = cli("evaluate", case.ruleset, "--data", case.data)
    assert outcome.exit_code == 1
    assert "unknown input table 'fuel_usage'" in outcome.output
    assert "did you mean 'fuel_use'" in outcome.output


# ----------------------------------------------------------------------------- plugins

def test_plugins_lists_the_built_in_implementations(cli):
    outcome = cli("plugins")
    assert outcome.exit_code == 0
    for name in ("activity", "fuel_combustion", "spend_based", "csv", "parquet"):
        assert f" {name} " in outcome.output


def test_plugins_json_names_hook_plugin_and_package(cli):
    rows = json.loads(cli("plugins", "--json").stdout)
    found = {(r["hook"], r["name"]) for r in rows}
    assert {("tanso_calculators", "activity"), ("tanso_calculators", "fuel_combustion"),
            ("tanso_readers", "csv"), ("tanso_readers", "parquet")} <= found
    assert all(r["package"] and r["version"] for r in rows)


# ----------------------------------------------------------------------------- real executable

def test_the_installed_tanso_executable_evaluates_acme(tmp_path):
    executable = Path(sys.executable).parent / "tanso"
    assert executable.exists(), executable
    completed = subprocess.run([str(executable), "evaluate", str(ACME_RULESET), "--data", str(ACME_DATA),
                                "--out", str(tmp_path / "out")], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 5, completed.stderr   # its rejects exceed every stated tolerance
    assert completed.stdout.startswith("INCOMPLETE: 40 input rows rejected")
    assert "error: totals incomplete" in completed.stderr
    assert "Scope 1" in completed.stdout
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_a_reader_that_leaves_the_pipe_early_does_not_stop_the_run_writing_its_outputs(tmp_path):
    """`tanso evaluate … | head -1`: the run is its files; what it prints is only a view of them. Here the reader
    has left before the first line (the pipe's read end closed), so every write finds it gone."""
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "1"), fuel_row("F2", "x")]},
                     {"fuels": FUEL_FACTORS})
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = subprocess.run([str(Path(sys.executable).parent / "tanso"), "evaluate", str(case.ruleset), "--data",
                               str(case.data), "--out", str(tmp_path / "out"), "--allow-rejects"],
                              stdout=write_end, stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write_end)
    assert done.returncode == 0, done.stderr
    assert "Broken pipe" not in done.stderr and "Traceback" not in done.stderr
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_the_installed_tanso_executable_exits_2_for_an_unusable_input(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [{"row_id": "F1", "quantity": "1"}]},
                     {"fuels": FUEL_FACTORS})
    executable = Path(sys.executable).parent / "tanso"
    completed = subprocess.run([str(executable), "evaluate", str(case.ruleset), "--data", str(case.data)],
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 2
    assert "missing columns" in completed.stderr and "fuel_use.csv" in completed.stderr
    assert "Traceback" not in completed.stderr
