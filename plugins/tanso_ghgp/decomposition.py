"""A category's change between two runs (two years under one ruleset) per supplier: activity effect (spend) and
intensity effect (kg CO2e per unit of spend), the exact Shapley split of E = A × I over its two factors.

With two factors Shapley's value is the average of the two orders: activity effect ΔA × (I0 + I1) / 2,
intensity effect ΔI × (A0 + A1) / 2; they sum to ΔE exactly (Albrecht, François and Schoors 2002, "A Shapley decomposition of carbon emissions without
residuals", Energy Policy 30(9)).
A supplier absent in one year has no intensity there: its whole change is activity. So a supplier moving
from spend-based averages to a lower product footprint shows as an intensity reduction of its own.
Per-supplier totals come from one SQL query per run; the split is exact rational arithmetic per supplier.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import click

from tanso.audit.run_folder import RunFolder
from tanso.cli import lang_option
from tanso.diagnostics import TansoError
from tanso.i18n import padded, t
from tanso_ghgp import messages  # noqa: F401  (registers the words below)
from tanso_ghgp.engagement import Spend, supplier_view
from tanso_ghgp.incomplete_runs import announce, exit_provisional, refuse

KG = Decimal("0.001")


def _totals(path: Path, category: int, data: Path | None, spend: Spend) -> dict[str, tuple[Fraction, Fraction]]:
    run = RunFolder.open(path)
    con = run.connect()
    supplier_view(con, run, category, data, spend, "purchases")
    rows = con.execute("SELECT supplier, sum(spend), coalesce(sum(kg), 0) FROM purchases GROUP BY ALL ORDER BY 1")
    return {supplier: (Fraction(amount or 0), Fraction(kg)) for supplier, amount, kg in rows.fetchall()}


def decompose(base: Path, current: Path, category: int, base_data: Path | None = None,
              current_data: Path | None = None, spend: Spend = Spend()) -> list[dict]:
    """Per supplier: spend and kg in both runs, the change, and its activity and intensity effects (kg)."""
    before, after = _totals(base, category, base_data, spend), _totals(current, category, current_data, spend)
    rows = []
    for supplier in sorted(before.keys() | after.keys()):
        (a0, e0), (a1, e1) = before.get(supplier, (Fraction(0), Fraction(0))), after.get(supplier, (Fraction(0), Fraction(0)))
        if a0 and a1:
            i0, i1 = e0 / a0, e1 / a1
            activity, intensity = (a1 - a0) * (i0 + i1) / 2, (i1 - i0) * (a0 + a1) / 2
        else:
            activity, intensity = e1 - e0, Fraction(0)
        assert activity + intensity == e1 - e0   # exact: Shapley leaves no residual
        rows.append({"supplier": supplier, "base_spend": _kg(a0), "spend": _kg(a1), "base_kg": _kg(e0), "kg": _kg(e1),
                     "delta_kg": _kg(e1 - e0), "activity_kg": _kg(activity), "intensity_kg": _kg(intensity)})
    return rows


def _kg(value: Fraction) -> Decimal:
    """Shown to the gram; the split itself is exact."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(KG)


@click.command(name="decompose")
@click.argument("base", type=click.Path(path_type=Path))
@click.argument("current", type=click.Path(path_type=Path))
@click.option("--category", type=click.IntRange(1, 16), required=True, help="Scope 3 category")
@click.option("--currency", default="USD", show_default=True, help="spend in this currency (exchange_rates.csv)")
@lang_option
def main(base: Path, current: Path, category: int, currency: str) -> None:
    """Each supplier's change in the category between BASE and CURRENT runs: activity and intensity effects."""
    try:
        rows = decompose(base, current, category, spend=Spend(to_currency=currency))
    except TansoError as error:
        refuse(error)
    provisional = announce({"base": base, "current": current})
    click.echo(f"{padded(t('engage.supplier'), 12)} {padded(t('decompose.base_kg'), 14, right=True)} {'kg':>14} "
               f"{'Δ kg':>14} {padded(t('decompose.activity'), 14, right=True)} "
               f"{padded(t('decompose.intensity'), 14, right=True)}")
    for r in rows:
        click.echo(f"{r['supplier']:<12} {r['base_kg']:>14,} {r['kg']:>14,} {r['delta_kg']:>14,} "
                   f"{r['activity_kg']:>14,} {r['intensity_kg']:>14,}")
    if provisional:
        exit_provisional()
