"""Authoring: `tanso init` gives a project that evaluates and tests at once; `tanso fmt` lays rulesets out."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import REPO
from tanso.cli import main
from tanso.dsl.format import FormatError, _parse, _shape, _tokens, format_text

SHIPPED = sorted(p for p in REPO.rglob("*.tanso") if ".git" not in p.parts and "diagnostics" not in p.parts)


TANSO = Path(sys.executable).parent / "tanso"   # the installed executable, as a user runs it


def tanso(*args, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TANSO_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return subprocess.run([str(TANSO), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True)


# ----------------------------------------------------------------------------- init

def test_init_then_evaluate_and_test_work_on_the_fresh_folder(tmp_path):
    made = tanso("init", "project", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    project = tmp_path / "project"
    run = tanso("evaluate", "ruleset", cwd=project)   # --data and --out from the scaffold's tanso.toml
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("complete: no row rejected") and "check s1.has_rows: PASS" in run.stdout
    assert (project / "out" / "ledger.csv").is_file()
    tested = tanso("test", "ruleset", cwd=project)
    assert tested.returncode == 0 and "2 passed, 0 failed" in tested.stdout
    collected = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(project)],
                               cwd=project, capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)})
    assert collected.returncode == 0 and "2 passed" in collected.stdout, collected.stdout


def test_init_cites_its_fictional_factors_and_its_ruleset_is_formatted(tmp_path):
    assert CliRunner().invoke(main, ["init", str(tmp_path / "p")]).exit_code == 0
    factors = (tmp_path / "p" / "data" / "factors" / "fuels.csv").read_text()
    assert "fictional" in factors and "CC0-1.0" in factors
    text = (tmp_path / "p" / "ruleset" / "ruleset.tanso").read_text()
    assert format_text(text) == text


def test_init_refuses_a_folder_that_is_not_empty(tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "mine.txt").write_text("keep")
    outcome = CliRunner().invoke(main, ["init", str(tmp_path / "p")])
    assert outcome.exit_code == 64 and "not empty" in outcome.output
    assert [p.name for p in (tmp_path / "p").iterdir()] == ["mine.txt"]


# ----------------------------------------------------------------------------- fmt

@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_fmt_of_every_shipped_ruleset_is_idempotent_and_keeps_its_meaning_and_comments(path):
    text = path.read_text(encoding="utf-8")
    once = format_text(text, str(path))
    assert format_text(once, str(path)) == once
    assert _shape(_parse(once, str(path))) == _shape(_parse(text, str(path)))
    assert comments(once) == comments(text)


def comments(text: str) -> list[str]:
    """Every comment, own-line or trailing, in order."""
    return [t.text for t in _tokens(text) if t.kind == "comment"]


MESSY = """\
ruleset messy "A messy one"
set gwp.set=AR5  source "x" set other.x = 5
input fuel_use "Fuel"
      key row_id
   columns entity : text required,period: text, quantity: decimal(18,6)>= -1,
        unit: text   # trailing
rule s1.a "A"
\tscope 1
      from fuel_use where quantity>0 and(unit = "l" or unit="kg")
       calc first_of(activity(factors:fuels,match:[fuel],
   quantity: quantity*2),
  spend_based(
  factors: fuels, match: [fuel]))
    # before tags
        tags optional,  x



metric m "M"=total(scope:[1, 2])/ 2  unit "kg"
"""

TIDY = """\
ruleset messy "A messy one"
set gwp.set = AR5  source "x"
set other.x = 5
input fuel_use "Fuel"
  key row_id
  columns entity: text required, period: text, quantity: decimal(18,6) >= -1,
        unit: text   # trailing
rule s1.a "A"
  scope 1
  from fuel_use where quantity > 0 and (unit = "l" or unit = "kg")
  calc first_of(activity(factors: fuels, match: [fuel],
                         quantity: quantity * 2),
                spend_based(
                    factors: fuels, match: [fuel]))
  # before tags
  tags optional, x


metric m "M" = total(scope: [1, 2]) / 2  unit "kg"
"""


def test_fmt_lays_out_statements_clauses_brackets_operators_and_comments():
    assert format_text(MESSY) == TIDY


def test_fmt_lays_out_the_reporting_period_and_an_inputs_period_column():
    messy = ('ruleset fy "FY 2025"   period   2025-04-01   to 2026-03-31\n'
             'input fuel_use key row_id\n'
             '    columns entity: text, period: text\n'
             '       period period\n')
    assert format_text(messy) == ('ruleset fy "FY 2025"  period 2025-04-01 to 2026-03-31\n'
                                  'input fuel_use key row_id\n'
                                  '  columns entity: text, period: text\n'
                                  '  period period\n')


def test_fmt_refuses_a_file_that_does_not_parse_and_leaves_it(tmp_path):
    broken = tmp_path / "broken.tanso"
    broken.write_text("rule s1.a\n  scope one\n")
    outcome = CliRunner().invoke(main, ["fmt", str(broken)])
    assert outcome.exit_code == 1 and "broken.tanso:2:" in outcome.output
    assert "0 of 1 file reformatted; 1 not read (above), left as they are" in outcome.output
    assert "all formatted" not in outcome.output
    assert broken.read_text() == "rule s1.a\n  scope one\n"
    with pytest.raises(FormatError):
        format_text(broken.read_text())


def test_fmt_check_reports_without_writing_and_fmt_writes(tmp_path):
    messy = tmp_path / "rules" / "messy.tanso"
    messy.parent.mkdir()
    messy.write_text(MESSY)
    outcome = CliRunner().invoke(main, ["fmt", "--check", str(tmp_path / "rules")])
    assert outcome.exit_code == 1 and f"would reformat {messy}" in outcome.output
    assert messy.read_text() == MESSY
    assert CliRunner().invoke(main, ["fmt", str(messy)]).exit_code == 0
    assert messy.read_text() == TIDY
    assert CliRunner().invoke(main, ["fmt", "--check", str(messy)]).output.endswith("(all formatted)\n")


def test_fmt_of_a_folder_without_rulesets_is_a_usage_error(tmp_path):
    assert CliRunner().invoke(main, ["fmt", str(tmp_path)]).exit_code == 64


def test_a_comment_block_between_statements_stays_where_it_was():
    text = textwrap.dedent("""\
        rule s1.a "A"
          scope 1
        # about b

        # and more
        rule s1.b "B"
          scope 1
        """)
    assert format_text(text) == text


def test_init_in_the_current_empty_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(main, ["init", "."]).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "ruleset", "tanso.toml"]
    assert not [p for p in tmp_path.parent.iterdir() if "tanso-init" in p.name]   # no staging folder left
