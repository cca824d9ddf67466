"""Overlays: a ruleset that `extends` another changes policies and adds, replaces or removes rules,
yielding a new Ruleset; the base is never modified."""

from __future__ import annotations

import json
import textwrap
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

from click.testing import CliRunner

from conftest import FUEL_FACTORS, FUEL_INPUT, fuel_row, ledger, make_case, total_kg
from tanso.cli import main
from tanso.run import evaluate, prepare

BASE = f"""\
ruleset base "Base inventory"
set gwp.set = AR5
{FUEL_INPUT}
factors fuels "fuel factors" file "factors/fuels.csv"

rule s1.stationary "Stationary combustion"
  scope 1
  from fuel_use where use = "stationary"
  calc fuel_combustion(factors: fuels)

rule s1.mobile "Mobile combustion"
  scope 1
  from fuel_use where use = "mobile"
  calc fuel_combustion(factors: fuels)
"""
ROWS = [fuel_row("F1", "100"), fuel_row("F2", "10", use="mobile"), fuel_row("F3", "1", use="bench")]


def base_case(tmp_path):
    """base/base.tanso and a data folder; overlays go beside base/ so `extends base` finds it."""
    case = make_case(tmp_path, BASE, {"fuel_use": ROWS}, {"fuels": FUEL_FACTORS}, name="base")
    base_dir = tmp_path / "base"
    case.ruleset.rename(base_dir)
    case.ruleset = base_dir
    return case


def write_overlay(tmp_path, body: str, name: str = "overlay") -> Path:
    path = tmp_path / f"{name}.tanso"
    path.write_text(f"ruleset {name}\n  extends base\n\n" + textwrap.dedent(body))
    return path


def run(case, ruleset_path, out, **kwargs):
    prepared = prepare(ruleset_path, **kwargs)
    return evaluate(prepared.ruleset, prepared.registry, prepared.graph, case.data, case.root / out)


def test_an_overlay_changes_a_policy(tmp_path):
    case = base_case(tmp_path)
    overlay = write_overlay(tmp_path, 'set gwp.set = AR6 source "IPCC AR6"\n')
    resolved = prepare(overlay).ruleset
    assert resolved.layers == ("base", "overlay")
    assert resolved.policy("gwp.set") == "AR6"
    assert resolved.policies["gwp.set"].layer == "overlay"
    assert total_kg(run(case, overlay, "o")) != total_kg(run(case, case.ruleset, "b"))


def test_an_overlay_adds_a_rule(tmp_path):
    case = base_case(tmp_path)
    overlay = write_overlay(tmp_path, """\
        rule s1.bench "Engine test bench"
          scope 1
          from fuel_use where use = "bench"
          calc fuel_combustion(factors: fuels)
        """)
    resolved = prepare(overlay).ruleset
    assert list(resolved.rules) == ["s1.stationary", "s1.mobile", "s1.bench"]
    assert resolved.rules["s1.bench"].layer == "overlay"
    assert {r["row_id"] for r in ledger(run(case, overlay, "o"))} == {"F1", "F2", "F3"}


def test_an_overlay_replaces_a_rule(tmp_path):
    case = base_case(tmp_path)
    overlay = write_overlay(tmp_path, """\
        replace rule s1.mobile "Mobile combustion, reported as scope 3"
          scope 3 category 6
          from fuel_use where use = "mobile"
          calc fuel_combustion(factors: fuels)
        """)
    resolved = prepare(overlay).ruleset
    assert resolved.rules["s1.mobile"].layer == "overlay"
    assert resolved.rules["s1.mobile"].node.scope == 3
    mobile = [r for r in ledger(run(case, overlay, "o")) if r["rule_id"] == "s1.mobile"]
    assert mobile and all((r["scope"], r["category"]) == (3, 6) for r in mobile)
    assert mobile[0]["rule_source"].endswith("overlay.tanso:4")  # the overlay's line, not the base's


def test_replacing_a_rule_the_base_lacks_is_an_error(tmp_path):
    base_case(tmp_path)
    overlay = write_overlay(tmp_path, """\
        replace rule s1.nothing
          scope 1
          from fuel_use
          calc fuel_combustion(factors: fuels)
        """)
    outcome = CliRunner().invoke(main, ["check", str(overlay)])
    assert outcome.exit_code == 1
    assert "replace rule s1.nothing" in outcome.output


def test_an_overlay_removes_a_rule_and_its_rows_become_unselected(tmp_path):
    case = base_case(tmp_path)
    overlay = write_overlay(tmp_path, 'remove s1.mobile "mobile fuel is out of our boundary"\n')
    resolved = prepare(overlay).ruleset
    assert list(resolved.rules) == ["s1.stationary"]
    result = run(case, overlay, "o")
    assert {r["row_id"] for r in ledger(result)} == {"F1"}
    excluded = result.connection.execute("SELECT row_id FROM run_excluded ORDER BY 1").fetchall()
    assert [r[0] for r in excluded] == ["F2", "F3"]


def test_composing_an_overlay_leaves_the_base_ruleset_unchanged(tmp_path):
    case = base_case(tmp_path)
    before = prepare(case.ruleset).ruleset
    snapshot = asdict(before)
    rules_before = dict(before.rules)
    policies_before = {k: v.value for k, v in before.policies.items()}

    overlay = write_overlay(tmp_path, """\
        set gwp.set = AR6
        remove s1.stationary
        replace rule s1.mobile
          scope 3 category 6
          from fuel_use where use = "mobile"
          calc fuel_combustion(factors: fuels)
        """)
    composed = prepare(case.ruleset, overlays=(overlay,)).ruleset
    assert composed.policy("gwp.set") == "AR6" and list(composed.rules) == ["s1.mobile"]

    assert asdict(before) == snapshot
    assert before.rules == rules_before
    assert {k: v.value for k, v in before.policies.items()} == policies_before
    assert before.layers == ("base",)
    # and loading the base again gives the same thing
    assert asdict(prepare(case.ruleset).ruleset) == snapshot


def test_an_empty_overlay_gives_the_same_digest_as_the_base(tmp_path):
    case = base_case(tmp_path)
    overlay = write_overlay(tmp_path, "")
    assert run(case, overlay, "o").digest == run(case, case.ruleset, "b").digest


def test_the_overlay_option_applies_an_overlay_file_on_the_command_line(tmp_path):
    case = base_case(tmp_path)
    overlay = tmp_path / "ar6.tanso"
    overlay.write_text("ruleset ar6\nset gwp.set = AR6\nremove s1.mobile\n")
    runner = CliRunner()
    plain = runner.invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data), "--format", "json"])
    with_overlay = runner.invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data), "--format", "json",
                                        "--overlay", str(overlay)])
    assert plain.exit_code == 0, plain.output
    assert with_overlay.exit_code == 0, with_overlay.output
    plain_doc, overlay_doc = json.loads(plain.stdout), json.loads(with_overlay.stdout)
    assert overlay_doc["layers"] == ["base", "ar6"]
    assert overlay_doc["policies"]["gwp.set"] == "AR6"
    assert {r["rule_id"] for r in overlay_doc["summary"]} == {"s1.stationary"}
    assert overlay_doc["digest"] != plain_doc["digest"]
    stationary = sum(Decimal(r["co2e_kg"]) for r in overlay_doc["summary"])
    assert stationary == 100 * (Decimal("2.68") + Decimal("0.00011") * Decimal("27.9") + Decimal("0.000022") * 273)
