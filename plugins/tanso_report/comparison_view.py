"""What the comparison page says, as plain data for its template: the headline (the scopes only; what is
reported outside them beside it, never added), a takeaway sentence, the drivers of the difference
sorted with the small ones grouped, checks (failures first, with their reasons), metrics with units.

Amounts stay exact here (Decimal, Fraction); `tanso_report.pages` rounds them for display.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from tanso.compare import Comparison, bases, headline, in_basis
from tanso.i18n import MESSAGES, t
from tanso.model.policy_calls import policies_named
from tanso.reasons import render_one
from tanso_report.display import check_status
from tanso_report.pages import exact, number, percent, tonnes

SMALL_SHARE = Decimal("0.01")   # a driver under 1 % of the changes' total movement joins "N smaller changes"
MOST_DRIVERS = 8                # at most this many drivers drawn one by one
EXPLAINS = Decimal("0.9")       # the takeaway names the fewest categories / changes that explain 90 %
TOP_CATEGORIES = 7              # Scope 3 categories coloured one by one; the rest are "other"


def basis_title(basis: str | None) -> str:
    return t(f"basis.{basis}") if basis else t("cmp.total")


def group_label(scope, category, basis=None) -> str:
    """"Scope 3 · 15 Investments (location-based)", in the current language."""
    if scope is None:
        return t("group.outside")
    text = t("scope", scope=scope)
    if category is not None:
        name = t(f"cat.{category}") if scope == 3 and f"cat.{category}" in MESSAGES else ""
        text += f" · {category} {name}".rstrip()
    return text + (t("group.basis", basis=t(f"basis.{basis}")) if basis else "")


def show(value: Any) -> str:
    """A policy or change value as text."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ", ".join(show(v) for v in value)
    return render_one(str(value))   # a rule's side of a change ("added in …") in the run's language


def total_name(view: dict[str, Any]) -> str:
    """"location-based total", or "total" where no rule declares a basis."""
    return t("cmp.total") if view["basis"] is None else t("cmp.titled_total", title=view["title"])


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else t("take.comma").join(names[:-1]) + t("take.and") + names[-1]


# ------------------------------------------------------------------------------------------- headline


def headlines(comparison: Comparison) -> list[dict[str, Any]]:
    views = []
    for basis in bases(comparison):
        view = headline(comparison, basis)
        delta = view["delta_kg"]
        views.append({**view, "title": basis_title(basis), "direction": "up" if delta > 0 else "down" if delta < 0
                      else "flat", "percent": percent(delta, view["base_kg"], signed=True),
                      "drivers": drivers(view), "categories": categories(comparison, basis)})
        views[-1]["total_name"] = total_name(views[-1])
    return views


def drivers(view: dict[str, Any]) -> dict[str, Any]:
    """The changes that moved this basis, largest Shapley share first; those under SMALL_SHARE of the
    total movement (or beyond MOST_DRIVERS) grouped; those without effect listed by name."""
    moving = sorted((p for p in view["parts"] if p["shapley"]), key=lambda p: (-abs(p["shapley"]), p["change"].name))
    movement = sum((abs(exact(p["shapley"])) for p in moving), Decimal(0))
    shown = [p for p in moving if abs(exact(p["shapley"])) >= SMALL_SHARE * movement][:MOST_DRIVERS]
    smaller = [p for p in moving if p not in shown]
    still = [p["change"].name for p in view["parts"] if not p["shapley"]]
    return {"shown": shown, "smaller": smaller, "still": still,
            "smaller_kg": sum((exact(p["shapley"]) for p in smaller), Decimal(0))}


def categories(comparison: Comparison, basis: str | None) -> list[dict[str, Any]]:
    """The inventory's scope / category rows of this basis, one per (scope, category)."""
    merged: dict[tuple, dict[str, Any]] = {}
    for row in comparison.deltas["scope_category"]:
        if row["scope"] is None or not in_basis(row["basis"], basis):
            continue
        key = (row["scope"], row["category"])
        entry = merged.setdefault(key, {"scope": row["scope"], "category": row["category"], "base_kg": Decimal(0),
                                        "revised_kg": Decimal(0)})
        entry["base_kg"] += row["base_kg"]
        entry["revised_kg"] += row["revised_kg"]
    for entry in merged.values():
        entry["delta_kg"] = entry["revised_kg"] - entry["base_kg"]
        entry["label"] = group_label(entry["scope"], entry["category"])
    return [merged[k] for k in sorted(merged, key=lambda k: (k[0], k[1] is not None, k[1] or 0))]


def _explaining(items: list[tuple[Any, Decimal]], delta: Decimal) -> tuple[list[Any], Decimal]:
    """The fewest items (largest in the difference's direction first) that explain EXPLAINS of it."""
    chosen, total = [], Decimal(0)
    for name, amount in sorted(items, key=lambda item: -item[1] if delta > 0 else item[1]):
        if len(chosen) == 3 or (chosen and abs(total) >= EXPLAINS * abs(delta)):
            break
        chosen.append(name)
        total += amount
    return chosen, total


def takeaway(view: dict[str, Any], outside: dict[str, Decimal]) -> str:
    """One sentence a reader takes away: how much the total moved, which categories and which changes
    did it. The data are the same in both runs, so the whole difference is the rulesets'."""
    delta = view["delta_kg"]
    total = total_name(view)
    if not delta:
        text = t("take.flat", total=total, t=tonnes(view["base_kg"]))
    else:
        names, part = _explaining([(("category", c["category"]) if c["scope"] == 3 and c["category"] is not None
                                    else ("scope", c["scope"]), c["delta_kg"])
                                   for c in view["categories"] if c["delta_kg"]], delta)
        named_categories = [str(n) for kind, n in names if kind == "category"]
        others = [t("scope", scope=n) for kind, n in names if kind == "scope"]
        where = _and(([t("take.categories" if len(named_categories) > 1 else "take.category",
                         n=_and(named_categories))] if named_categories else []) + others)
        changes, _ = _explaining([(p["change"].name, exact(p["shapley"])) for p in view["parts"] if p["shapley"]],
                                 delta)
        text = t("take.moved", total=total, verb=t("take.rises" if delta > 0 else "take.falls"), t=tonnes(abs(delta)),
                 percent=view["percent"], part=percent(part, delta),
                 word=t("take.increase" if delta > 0 else "take.decrease"), where=where, changes=_and(changes))
    if outside["base_kg"] or outside["revised_kg"]:
        text += t("take.outside", before=tonnes(outside["base_kg"]), after=tonnes(outside["revised_kg"]))
    return text


# ------------------------------------------------------------------------------------------- checks


def reason(check: dict[str, Any], run) -> list[str]:
    """Why a check failed: its problem, its findings, its condition as written, and the options it reads
    with this run's values."""
    lines = [render_one(check["problem"])] if check.get("problem") else []
    lines += [render_one(finding) for finding in list(check.get("findings") or [])[:5]]
    item = run.ruleset.checks.get(check["id"])
    if item is not None:
        span = item.node.span
        try:
            source = Path(span.file).read_text(encoding="utf-8").splitlines()[span.line - 1:span.end_line]
            condition = " ".join(" ".join(source).split())
            lines.append(t("check.condition", condition=condition.split("=", 1)[1].strip() if "=" in condition
                           else condition))
        except OSError:
            pass
        for name, _ in policies_named(item.node.expr):
            value = run.ruleset.policies.get(name)
            lines.append(f"{name} = {show(value.value) if value is not None else t('check.not_set')}")
    return list(dict.fromkeys(lines))


def _pairs(comparison: Comparison, attribute: str) -> list[tuple[str, dict | None, dict | None]]:
    """(id, in the current run, in the revised run) of every check or metric of either run."""
    base = {item["id"]: item for item in getattr(comparison.base, attribute)}
    revised = {item["id"]: item for item in getattr(comparison.revised, attribute)}
    return [(name, base.get(name), revised.get(name)) for name in dict.fromkeys([*base, *revised])]


def _sides(failures: list[tuple[str, list[str]]]) -> list[dict[str, Any]]:
    """A check failing the same way in both runs is explained once."""
    if len(failures) == 2 and failures[0][1] == failures[1][1]:
        return [{"side": t("cmp.both"), "reasons": failures[0][1]}]
    return [{"side": t(f"cmp.{side}_lc"), "reasons": reasons} for side, reasons in failures]


def checks(comparison: Comparison) -> list[dict[str, Any]]:
    """Every check in either run: failures first (with reasons), then changed outcomes, then the rest."""
    rows = []
    for name, before, after in _pairs(comparison, "checks"):
        failed = [(side, check, run) for side, check, run in (("current", before, comparison.base),
                                                              ("revised", after, comparison.revised))
                  if check is not None and check["passed"] is False]
        rows.append({"id": name, "title": (after or before)["title"] or name, "source": (after or before)["source"],
                     "current": check_status(before) if before else "absent",
                     "revised": check_status(after) if after else "absent",
                     "failed": _sides([(side, reason(check, run)) for side, check, run in failed])})
    return sorted(rows, key=lambda r: (not r["failed"], r["current"] == r["revised"]))


def metrics(comparison: Comparison) -> list[dict[str, Any]]:
    rows = []
    for name, before, after in _pairs(comparison, "metrics"):
        unit = (after or before)["unit"]
        rows.append({"id": name, "title": (after or before)["title"] or name,
                     "current": number(before["value"], unit) if before else t("cmp.absent"),
                     "revised": number(after["value"], unit) if after else t("cmp.absent")})
    return rows


# ------------------------------------------------------------------------------------------- changes


def changes(comparison: Comparison, views: list[dict[str, Any]]) -> dict[str, list]:
    """The ruleset changes: those that move some basis, then those without effect (structural, or reading
    an option nothing in this data depends on)."""
    moved = {p["change"].key for view in views for p in view["parts"] if p["shapley"]}
    return {"effect": [c for c in comparison.changes if c.key in moved],
            "none": [c for c in comparison.changes if c.key not in moved]}
