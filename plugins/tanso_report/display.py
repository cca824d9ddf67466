"""Display formatting shared by the reporters: amounts are rounded here, for display only."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from numbers import Rational
from pathlib import Path
from typing import TYPE_CHECKING

from tanso.dsl.values import written
from tanso.i18n import t
from tanso.reasons import render_one
from tanso_ghgp.gwp import is_non_kyoto
from tanso_report import messages  # noqa: F401  (registers the words below)

if TYPE_CHECKING:   # rich is imported when a report is drawn, not when the plugins load
    from rich.console import Console

TONNE = Decimal(1000)
PLACES = Decimal("0.1")   # t CO2e on every page: one decimal; shares as % with one decimal everywhere
TINY = "<0.1"             # a non-zero share (or amount, on a page) that rounds to 0.0 says so instead of "0.0"
SIGNIFICANT = 6           # digits a metric that is no amount or share keeps, at least
# Scope 3 Standard (2011) Table 5.1; category 16 is the Scope 3 progress update's (2026) proposal. In
# the current language (tanso.i18n: Japanese names as the Ministry of the Environment publishes them).
SCOPE3_CATEGORIES = {number: t(f"cat.{number}", lang="en") for number in range(1, 17)}


def exact(value: Decimal | Rational | float | int | None) -> Decimal:
    """A Decimal from an exact amount (a Shapley share is a Fraction: fractions is not imported for `tanso check`)."""
    if value is None:
        return Decimal(0)
    if isinstance(value, Rational) and not isinstance(value, int):
        return Decimal(value.numerator) / Decimal(value.denominator)
    return Decimal(value)


def percent(part, whole, signed: bool = False) -> str:
    """part / whole as a percentage with one decimal; — when the whole is zero."""
    whole = exact(whole)
    if not whole:
        return "—"
    exact_share = Decimal(100) * exact(part) / whole
    share = exact_share.quantize(PLACES, ROUND_HALF_EVEN)
    text = f"{abs(share):,} %" if share or not exact_share else f"{TINY} %"
    share = share or exact_share
    if share < 0:
        return "−" + text
    return ("+" + text) if signed and share > 0 else text


def fixed(value: Decimal, places: int) -> str:
    """`value` with thousands separators and at least `places` decimals, more where it needs them to keep
    SIGNIFICANT digits (0.000123456 stays readable); never exponent notation."""
    if value:
        places = min(max(places, SIGNIFICANT - 1 - value.adjusted()), 18)
    return format(value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN), ",f")


def number(value, unit: str | None, places: int = 1) -> str:
    """A metric's value as the reports print amounts: kg CO2e in t CO2e with `places` decimals (the terminal's
    totals have 3, a page's 1), an intensity (kg CO2e / …) with one decimal, a share (no unit, within ±1) as %,
    any other value with three decimals at least; never exponent notation."""
    if value is None:
        return "—"
    value = exact(value)
    unit = (unit or "").strip()
    if unit == "kg CO2e":
        return f"{tonnes(value, places)} {t('table.tonnes')}"
    if unit.startswith("kg CO2e"):        # an intensity: kg CO2e / MUSD
        return f"{fixed(value, 1)} {unit}"
    if unit == "%":
        return f"{fixed(value, 1)} %"
    if not unit or unit in ("share", "ratio", "1"):
        if -1 <= value <= 1 and unit != "1":
            return percent(value, 1)
        return fixed(value, 3)
    return f"{fixed(value, 3)} {unit}"


def category_name(number: int) -> str:
    return t(f"cat.{number}")


def tonnes(kg: Decimal | None, places: int = 3) -> str:
    if kg is None:
        return "—"
    return format((kg / TONNE).quantize(Decimal(1).scaleb(-places), ROUND_HALF_EVEN), ",f")


def label(scope, category, basis=None) -> str:
    if scope is None:
        return t("outside_scopes")
    text = t("scope_category", scope=scope, category=category) if category is not None else t("scope", scope=scope)
    return t("with_basis", label=text, basis=t(f"basis.{basis}")) if basis else text


def console() -> Console:
    """A console that records what reporters print, laid out for the terminal (its width, colour only
    there: tanso.terminal)."""
    from tanso import terminal
    return terminal.console(record=True)


def reporting_period(out: Console, ruleset) -> None:
    """A text report's heading line naming the days its figures cover, where the ruleset states them: read
    apart from the terminal's first lines (a report written to a file), the figures would not say it."""
    if ruleset.period is not None:
        out.print(t("report.period", period=str(ruleset.period)), markup=False)


def emit(text: str, path: Path | None) -> str:
    """The report's text, also written to `path` when one is given."""
    if path is not None:
        path.write_text(text, encoding="utf-8")
    return text


def finish(out: Console, path: Path | None) -> str:
    """What a console recorded: as shown at the terminal, and written to `path` without colour."""
    if path is not None:
        emit(out.export_text(clear=False, styles=False), path)
    return out.file.getvalue()


def plain(value):
    """JSON for exact values: decimals as strings, fractions exact and as decimals, dataclasses as dicts."""
    from fractions import Fraction   # here: the registry imports this module for `tanso check` too
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Fraction):
        decimal = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("1e-12"))
        return {"decimal": format(decimal, "f"), "fraction": f"{value.numerator}/{value.denominator}"}
    if hasattr(value, "__dataclass_fields__"):
        return {k: getattr(value, k) for k in value.__dataclass_fields__}
    return str(value)


def check_status(check: dict) -> str:
    """PASS, FAIL, or N/A for a check that reads an option this run does not set."""
    return {True: "PASS", False: "FAIL", None: "N/A"}[check["passed"]]


FINDINGS_SHOWN = 20


def _kg(kg: Decimal) -> str:
    return f"{kg.quantize(Decimal('0.001'), ROUND_HALF_EVEN):,} kg CO2e"


def restatement_lines(result) -> list[str]:
    """With --previous: the periods the earlier run reported that this one reports differently."""
    if not result.previous:
        return []
    moved = result.restatements
    moved_said = (t("since.moved", n=len(moved), s="s" if len(moved) != 1 else "") if moved else t("since.none_moved"))
    lines = [t("since.previous", folder=result.previous["folder"], digest=str(result.previous["digest"])[:16],
               moved=moved_said), _differences_line(result.previous.get("differences") or [])]
    for row in moved[:FINDINGS_SHOWN]:
        versions = (f"; {', '.join(row['previous_factors'])} → {', '.join(row['current_factors']) or t('nothing')}"
                    if row["previous_factors"] != row["current_factors"] else "")
        lines.append(f"  {t('since.kind.' + row['kind'])}: {row['rule_id']} · {row['entity'] or '—'} · "
                     f"{row['period'] or '—'}: {_kg(row['previous_kg'])} → {_kg(row['current_kg'])} "
                     f"({'+' if row['change_kg'] >= 0 else ''}{_kg(row['change_kg'])}){versions}")
    if len(moved) > FINDINGS_SHOWN:
        lines.append("  " + t("more_in_json", n=len(moved) - FINDINGS_SHOWN))
    return lines


def _differences_line(found: list[dict]) -> str:
    """What the earlier run was computed from that this one was not: the cause of what moved."""
    if not found:
        return t("prev.differs_none")
    items = [t("prev.policy", name=d["name"], before=written(d["before"]), after=written(d["after"]))
             if d["kind"] == "policy" and d["change"] == "changed" else
             t("prev.item", kind=t(f"prev.kind.{d['kind']}"), name=d["name"], change=t(f"prev.change.{d['change']}"))
             for d in found[:FINDINGS_SHOWN]]
    more = t("diag.more", n=len(found) - FINDINGS_SHOWN) if len(found) > FINDINGS_SHOWN else ""
    return t("prev.differs", items="; ".join(items) + (f" {more}" if more else ""))


def findings(item: dict, indent: str = "  ", notes: bool = True) -> list[str]:
    """A check's (or metric's) findings, one line each, then (with `notes`) its notes, information that is no
    flag: the first FINDINGS_SHOWN of each, then a count."""
    lines = []
    kinds = (("findings", lambda text: t("flagged", finding=render_one(text))),
             ("notes", lambda text: t("noted", note=render_one(text))))
    for key, line in kinds[:2 if notes else 1]:
        listed = item.get(key) or []
        lines += [indent + line(text) for text in listed[:FINDINGS_SHOWN]]
        if len(listed) > FINDINGS_SHOWN:
            lines.append(indent + t("more_in_json", n=len(listed) - FINDINGS_SHOWN))
    return lines


def non_kyoto_kg(gases: list[dict]) -> dict[str, Decimal]:
    """Mass of each gas outside the Kyoto basket (CFCs, HCFCs, hydrocarbons of refrigerant blends …) that
    the inventory's own sources emit, reported apart from the scopes."""
    masses: dict[str, Decimal] = {}
    for g in gases:
        if is_non_kyoto(g["gas"]) and g["basis"] != "market" and g["scope"] is not None:
            masses[g["gas"]] = masses.get(g["gas"], Decimal(0)) + g["amount_kg"]
    return dict(sorted(masses.items()))


def outside_the_scopes(gases: list[dict]) -> list[str]:
    """Lines for what the scopes' totals leave out by gas: biogenic CO2 and non-Kyoto gases (mass)."""
    lines = []
    biogenic = biogenic_kg(gases)
    if biogenic:
        lines.append(t("biogenic", t=tonnes(biogenic)))
    others = non_kyoto_kg(gases)
    if others:
        listed = ", ".join(f"{gas} {tonnes(kg)} t" for gas, kg in others.items())
        lines.append(t("non_kyoto_outside", gases=listed))
    return lines


def biogenic_kg(gases: list[dict]) -> Decimal:
    """Biogenic CO2 of the inventory's own sources (mass): one basis only, and not the rows outside
    every scope (e.g. a certified fuel's biogenic CO2 in a market-based statement)."""
    return sum((g["amount_kg"] for g in gases if "biogenic" in g["gas"].lower() and g["basis"] != "market"
                and g["scope"] is not None), Decimal(0))
