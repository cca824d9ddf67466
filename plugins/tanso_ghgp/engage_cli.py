"""`tanso engage RUN --category 1 [--threshold 0.8] [--sectors FILE] [--data DIR] [--out DIR]`:
the Pareto engagement list of a run folder, written as CSV and Excel (see `tanso_ghgp.engagement`)."""

from __future__ import annotations

import sys
from decimal import Decimal
from pathlib import Path

import click

from tanso.cli import _error_word, lang_option
from tanso.diagnostics import TansoError
from tanso.i18n import label, padded, t
from tanso_ghgp import messages  # noqa: F401  (registers the words below)
from tanso_ghgp.incomplete_runs import announce, exit_provisional
from tanso_ghgp.shares import SHARE


@click.command(name="engage")
@click.argument("run", type=click.Path(path_type=Path))
@click.option("--category", type=click.IntRange(1, 16), required=True, help="Scope 3 category")
@click.option("--threshold", type=SHARE, default="0.8", show_default=True,
              help="share of the category's spend to cover")
@click.option("--sectors", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="carbon-intensive commodities (commodity,sector,source); default: the cited list shipped")
@click.option("--data", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="the run's data folder, where it is not where the run read it")
@click.option("--currency", default="USD", show_default=True, help="rank spend in this currency (exchange_rates.csv)")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("."), show_default=True)
@lang_option
def engage(run: Path, category: int, threshold: Decimal, sectors: Path | None, data: Path | None, currency: str,
           out: Path) -> None:
    """Suppliers ranked by spend up to THRESHOLD of the category's spend, in carbon-intensive sectors."""
    from tanso_ghgp.engagement import Spend, engagement_list, write_csv, write_xlsx
    try:
        found = engagement_list(run, category, threshold, sectors, data, Spend(to_currency=currency))
    except TansoError as error:
        click.echo(f"{_error_word()} {error}", err=True)
        sys.exit(getattr(error, "exit_code", 1) or 1)
    provisional = announce({"engaged": run})
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"engagement-cat{category}"
    outside = found.outside
    words = {"approach": outside.approach, "rows": outside.rows, "s": "s" if outside.rows != 1 else "",
             "spend": f"{outside.spend:,.2f}", "currency": currency, "category": category, "threshold": f"{threshold:%}",
             "run": run}
    scope, title = t("engage.scope", **words), t("engage.title", **words)
    write_csv(found.rows, stem.with_suffix(".csv"))
    write_xlsx(found.rows, stem.with_suffix(".xlsx"), f"{title}; {scope}")
    # The console list says what it is and what each column holds, as the workbook's title and header do.
    click.echo(title)
    click.echo(f"{'#':>3} {padded(t('engage.supplier'), 12)} {padded(t('engage.spend'), 17 + len(currency), right=True)} "
               f"{padded(t('engage.cumulative'), 7, right=True)}  {padded(t('engage.levels'), 8)} "
               f"{padded(t('table.tonnes'), 12, right=True)}  {t('engage.sectors')}")
    for row in found.rows:
        click.echo(f"{row['rank']:>3} {row['supplier']:<12} {row['spend']:>16,} {row['currency']} "
                   f"{row['cumulative_share']:>7.1%}  {row['levels'] or '—':<8} {row['co2e_t'] or 0:>10,} t  "
                   f"{row['sectors']}  ({'; '.join(label('method', m) for m in row['methods'].split('; '))})")
    click.echo(scope)
    click.echo(t("engage.count", n=len(found.rows), s="s" if len(found.rows) != 1 else "",
                 files=f"{stem.with_suffix('.csv')}, {stem.with_suffix('.xlsx')}"))
    if provisional:
        exit_provisional()
