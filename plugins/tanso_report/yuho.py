"""`--format yuho`: greenhouse gas emissions laid out for the securities report (有価証券報告書) under
the SSBJ climate standard (rulesets/ssbj-2025), in the run's language (`--lang ja` for Japanese).

Lines: the consolidated group's Scope 1, Scope 2 location- and market-based (climate standard,
para. 47); the other investees outside the consolidated group, apart (the equity share the boundary
puts in category 15, rules `s3.cat15.equity_investments*`); Scope 3 by category with the Ministry of
the Environment's category names, or, under `ssbj.scope3_first_year_relief`, the relief instead. The
measurement method (`ssbj.measurement`, para. 49) and the GWP set head the table. Amounts are exact in
the run and rounded here for display only.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path


from tanso.i18n import t
from tanso_report import display
from tanso_report.display import category_name, tonnes
from tanso_report.inventory import _groups

READS_POLICIES = ("ssbj.measurement", "ssbj.scope3_first_year_relief", "boundary.approach",
                  "boundary.financial_control_basis")
INVESTEES = "s3.cat15.equity_investments"
RELIEF_SOURCE = "SSBJ 適用基準 / Application Standard, transitional provisions"


def render_yuho(result, path: Path | None) -> str:
    policy = result.ruleset.policy
    groups = _groups(result)
    out = display.console()

    def total(scope: int, category: int | None = None, basis: str | None = None, investees: bool | None = None) -> Decimal:
        return sum((g["co2e_kg"] for g in groups if g["scope"] == scope
                    and (category is None or g["category"] == category)
                    and (basis is None or g["basis"] in (basis, None))
                    and (investees is None or g["rule_id"].startswith(INVESTEES) == investees)), Decimal(0))

    out.print(t("yuho.title"), markup=False)
    display.reporting_period(out, result.ruleset)
    out.print(t("yuho.entity", approach=policy("boundary.approach"), basis=policy("boundary.financial_control_basis")),
              markup=False)
    method = policy("ssbj.measurement")
    out.print(t("yuho.measurement", method=t(f"yuho.method.{method}"), source="SSBJ 気候基準 para. 49"), markup=False)
    out.print(t("yuho.gwp", gwp=policy("gwp.set")), markup=False)
    from rich.table import Table   # rich is imported when the report is drawn
    table = Table(title=t("yuho.unit"), title_justify="left")
    table.add_column(t("table.line"))
    table.add_column(t("table.tonnes"), justify="right")
    table.add_row(t("yuho.consolidated"), "")
    table.add_row("  " + display.label(1, None), tonnes(total(1)))
    table.add_row("  " + display.label(2, None, "location"), tonnes(total(2, basis="location")))
    table.add_row("  " + display.label(2, None, "market"), tonnes(total(2, basis="market")))
    table.add_row(t("yuho.investees"), tonnes(total(3, 15, investees=True)))
    if policy("ssbj.scope3_first_year_relief"):
        table.add_row(t("yuho.relief", source=RELIEF_SOURCE), "")
    else:
        categories = sorted({g["category"] for g in groups if g["scope"] == 3 and g["category"] is not None})
        for category in categories:
            table.add_row(f"  {display.label(3, category)} {category_name(category)}",
                          tonnes(total(3, category, basis="location")))
        table.add_row(t("yuho.scope3_total"), tonnes(total(3, basis="location")))
    out.print(table)
    for line in display.outside_the_scopes(result.gases):
        out.print(line, markup=False)
    return display.finish(out, path)
