"""Base-year recalculation check: the base year as reported, against the base year re-run under the current
ruleset (after a change of methodology, factors or structure), with a significance threshold.

The Corporate Standard (2004, ch. 5) requires recalculating the base year when structural or methodology
changes have a significant cumulative effect, and leaves the threshold to the company; 5% is the usual choice
(and the default here, an option: --threshold). Lines are Scope 1, Scope 2 location-based, Scope 2
market-based (where either run has it: the Scope 2 Guidance (2015) reports both bases) and Scope 3, each
boundary-weighted from the two run folders' ledgers; the total is Scope 1 + Scope 2 location-based + Scope 3,
and the verdict is on the total and on every line. A run whose totals are incomplete (rows rejected beyond its
tolerances) makes the verdict provisional: it is said first, and the exit code is 5, as `tanso evaluate`'s.
`tanso base-year REPORTED RECALCULATED [--threshold 0.05]`.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import click

from tanso.audit.run_folder import RunFolder
from tanso.cli import lang_option
from tanso.diagnostics import TansoError
from tanso.i18n import padded, t
from tanso_ghgp import messages  # noqa: F401  (registers the words below)
from tanso_ghgp.incomplete_runs import announce, exit_provisional, refuse
from tanso_ghgp.shares import SHARE

LINES = (("Scope 1", "scope = 1"), ("Scope 2 (location-based)", "scope = 2 AND coalesce(basis, 'location') = 'location'"),
         ("Scope 2 (market-based)", "scope = 2 AND basis = 'market'"),
         ("Scope 3", "scope = 3 AND coalesce(basis, 'location') = 'location'"))
IN_TOTAL = ("Scope 1", "Scope 2 (location-based)", "Scope 3")
OPTIONAL = ("Scope 2 (market-based)",)   # shown where either run has it


def _totals(path: Path) -> tuple[dict[str, Decimal], dict]:
    run = RunFolder.open(path)
    sums = ", ".join(f"coalesce(sum(co2e_kg * boundary_weight) FILTER (WHERE {where}), 0)" for _, where in LINES)
    values = run.connect().execute(f"SELECT {sums} FROM {run.ledger}").fetchone()
    return dict(zip((name for name, _ in LINES), (Decimal(v) for v in values))), run.manifest


def check(reported: Path, recalculated: Path, threshold: Decimal) -> dict:
    """Each line's change and whether it exceeds the threshold; the changed policies and ruleset layers."""
    if not Decimal(0) < threshold < Decimal(1):
        raise TansoError(t("base_year.threshold", threshold=threshold))
    before, old = _totals(reported)
    after, new = _totals(recalculated)
    for name in OPTIONAL:
        if not before[name] and not after[name]:
            del before[name], after[name]
    before["Total"], after["Total"] = (sum(totals[name] for name in IN_TOTAL) for totals in (before, after))
    lines = []
    for name in before:
        change = after[name] - before[name]
        share = abs(change) / before[name] if before[name] else None
        lines.append({"line": name, "reported_kg": before[name], "recalculated_kg": after[name], "change_kg": change,
                      "share": share, "significant": share is None and change != 0 or bool(share and share > threshold)})
    old_policies, new_policies = old.get("policies", {}), new.get("policies", {})
    changed = sorted(p for p in old_policies.keys() | new_policies.keys()
                     if old_policies.get(p, {}).get("value") != new_policies.get(p, {}).get("value"))
    return {"lines": lines, "required": any(line["significant"] for line in lines), "threshold": threshold,
            "changed_policies": changed,
            "layers": (old.get("ruleset", {}).get("layers"), new.get("ruleset", {}).get("layers"))}


@click.command(name="base-year")
@click.argument("reported", type=click.Path(path_type=Path))
@click.argument("recalculated", type=click.Path(path_type=Path))
@click.option("--threshold", type=SHARE, default="0.05", show_default=True, help="significance threshold, a share")
@lang_option
def main(reported: Path, recalculated: Path, threshold: Decimal) -> None:
    """Whether the base year must be recalculated: REPORTED run against the RECALCULATED re-run."""
    try:
        result = check(reported, recalculated, threshold)
    except (TansoError, ArithmeticError) as error:
        refuse(error)
    provisional = announce({"reported": reported, "recalculated": recalculated})
    for line in result["lines"]:
        share = t("base_year.not_applicable") if line["share"] is None else f"{line['share']:.2%}"
        click.echo(f"{padded(t('base_year.line.' + line['line']), 26)} {line['reported_kg'] / 1000:>14,.3f} t → "
                   f"{line['recalculated_kg'] / 1000:>14,.3f} t  ({share})"
                   f"{t('base_year.significant') if line['significant'] else ''}")
    if result["changed_policies"]:
        click.echo(t("base_year.changed_policies", names=", ".join(result["changed_policies"])))
    click.echo(t("base_year.required" if result["required"] else "base_year.not_required", threshold=f"{threshold:%}",
                 provisional=t("base_year.provisional") if provisional else ""))
    if provisional:
        exit_provisional()
