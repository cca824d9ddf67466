"""`--format inventory`: a run laid out as a GHG Protocol inventory report.

The layout follows the options the ruleset chose, so the same ledger reads as the standards in force
or as the revision drafts would have it reported:

- `ami.separate_statements`: the physical inventory (Statement 1) and, apart from it, the
  market-based statement (2) and the impact statement (3); rules join a statement by their tag
  (`tags statement_2`, `tags statement_3`) and metrics by their id (`statement2.…`);
- `ami.scope2_market_placement`: market-based Scope 2 beside the location-based figure (dual
  reporting) or only in Statement 2; `scope1.market_instruments`: whether Statement 2 shows a
  market-based Scope 1 (metric `statement2.scope1_market_based`);
- `scope3.required_in_inventory`: whether Scope 3 adds to the inventory total;
- `scope3.disaggregate_by_data_type` and `scope3.split_required_optional`: each category broken
  down by the ledger's data type, and its optional part (rules tagged `optional`) shown apart;
- `scope3.verification_status`: each line's verification status from the `verification` input
  (scope, category, status: fully / partially / not verified, level, provider, standard);
- `scope3.cat15.disclose_coverage`: the share of the carrying value (`outstanding` of the
  `investments` input) that category 15 covers.

Amounts are exact in the run; they are rounded here, for display only.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path


from tanso.i18n import label, t
from tanso.reasons import render_one
from tanso_ghgp.quality_shares import level_shares, percent
from tanso_report import display, messages  # noqa: F401  (messages: registers the words of the layout)
from tanso_report.display import category_name, tonnes

READS_POLICIES = ("ami.separate_statements", "ami.scope2_market_placement", "scope1.market_instruments",
                  "scope3.required_in_inventory", "scope3.disaggregate_by_data_type",
                  "scope3.split_required_optional", "scope3.verification_status", "scope3.cat15.disclose_coverage",
                  "scope3.small_company_relief")
INPUTS = ("verification", "investments")
OPTIONAL_TAG = "optional"
RELIEF_PREFIX = "relevance_relief: "   # how the engine names the calculator in a reason
STATEMENT_TAGS = {2: "statement_2", 3: "statement_3"}


def render_inventory(result, path: Path | None) -> str:
    policy = result.ruleset.policy
    out = display.console()
    groups = _groups(result)
    separate = bool(policy("ami.separate_statements"))
    market_in_inventory = not (separate and policy("ami.scope2_market_placement") == "ami_statement_2")
    verification = _verification(result) if policy("scope3.verification_status") else None
    tags = {rule_id: set(rule.node.tags) for rule_id, rule in result.ruleset.rules.items()}
    optional = {rule_id for rule_id, rule_tags in tags.items() if OPTIONAL_TAG in rule_tags}

    out.print(f"{result.ruleset.title or result.ruleset.name} ({' → '.join(result.ruleset.layers)})", markup=False)
    display.reporting_period(out, result.ruleset)
    out.print(t("layout.basics", approach=policy("boundary.approach"), gwp=policy("gwp.set")), markup=False)

    from rich.table import Table   # rich is imported when the report is drawn
    table = Table(title=t("layout.statement_1") if separate else t("layout.inventory"), title_justify="left")
    table.add_column(t("layout.line"))
    table.add_column(t("table.tonnes"), justify="right")
    if verification is not None:
        table.add_column(t("layout.verification"))

    def line(text: str, kg: Decimal | None, scope: int | None = None, category: int | None = None) -> None:
        cells = [text, tonnes(kg)]
        if verification is not None:
            cells.append(label("verification", _status_of(verification, scope, category)) if scope else "")
        table.add_row(*cells)

    def total(scope: int, category: int | None = None, basis: str | None = None, rules=None) -> Decimal:
        return sum((g["co2e_kg"] for g in groups if g["scope"] == scope
                    and (category is None or g["category"] == category)
                    and (basis is None or g["basis"] in (basis, None))
                    and (rules is None or g["rule_id"] in rules)), Decimal(0))

    scope1, scope2_location, scope2_market = total(1), total(2, basis="location"), total(2, basis="market")
    line(t("scope", scope=1), scope1, 1)
    line(t("layout.scope2_location"), scope2_location, 2)
    if market_in_inventory:
        line(t("layout.scope2_dual"), scope2_market, 2)
    scope3_required = bool(policy("scope3.required_in_inventory"))
    # Scope 3 on the location basis, as the inventory's total: where a rule has both bases (cloud providers'
    # figures), its location-based rows; every other Scope 3 rule has no basis.
    scope3_rows = [g for g in groups if g["scope"] == 3 and g["basis"] in ("location", None)]
    excluded = {e["category"]: e for e in result.exclusions if e["scope"] == 3 and e["category"] is not None}
    for category in sorted({g["category"] for g in scope3_rows} | set(excluded)):
        name = _category_line(category)
        if category in excluded and not any(g["category"] == category for g in scope3_rows):
            line(t("layout.excluded", name=name, why=excluded[category]["justification"]), None, 3, category)
            continue
        line(name, total(3, category, basis="location"), 3, category)
        if policy("scope3.split_required_optional"):
            part = total(3, category, basis="location", rules=optional)
            if part:
                line(t("layout.optional_part"), part)
        if policy("scope3.disaggregate_by_data_type"):
            for data_type, kg in _by_data_type(scope3_rows, category):
                line(f"    {data_type}", kg)
    scope3 = total(3, basis="location")
    inventory = scope1 + scope2_location + (scope3 if scope3_required else 0)
    line(t("scope", scope=3) if scope3_required else t("layout.scope3_not_in_total"), scope3)
    line(t("layout.total_with_3") if scope3_required else t("layout.total"), inventory)
    out.print(table)

    _quality(out, result)
    if policy("scope3.small_company_relief"):
        _relief(out, result)

    if separate:
        for number in (2, 3):
            _statement(out, number, t(f"layout.statement_{number}"), result, groups, tags,
                       scope2_market if number == 2 and not market_in_inventory else None)
    out.print(t("layout.biogenic", t=tonnes(display.biogenic_kg(result.gases))), markup=False)
    for gas, kg in display.non_kyoto_kg(result.gases).items():
        out.print(t("layout.non_kyoto", gas=gas, t=tonnes(kg)), markup=False)
    if verification is not None:
        out.print(t("layout.verified", status=label("verification", _inventory_status(verification, groups))),
                  markup=False)
    if policy("scope3.cat15.disclose_coverage"):
        out.print(t("layout.cat15", share=_cat15_coverage(result)), markup=False)
    for line in display.restatement_lines(result):
        out.print(line, markup=False)
    for check in result.checks:
        if check["passed"] is False:
            out.print(t("layout.check_failed", title=check["title"] or check["id"], source=check["source"]), markup=False)
            for line in display.findings(check, notes=False):   # the shares are in the data-quality table
                out.print(line, markup=False)
    return display.finish(out, path)


def _quality(out, result) -> None:
    """Each line's emissions by data-quality level (1 spend-based … 4 measured, "+" verified; PCAF's score for
    financed emissions) and the share of primary data (levels 3 and 4)."""
    from rich.table import Table   # rich is imported when the report is drawn
    table = Table(title=t("layout.quality"), title_justify="left")
    for name, justify in (("layout.line", "left"), ("layout.levels", "left"), ("layout.primary", "right")):
        table.add_column(t(name), justify=justify)
    lines: dict[tuple, list[dict]] = {}
    for row in level_shares(result.connection, f"{result.schema}.run_groups"):
        lines.setdefault((row["scope"], row["category"], row["basis"]), []).append(row)
    for (scope, category, basis), rows in lines.items():
        name = (t("scope", scope=scope) if scope is not None else t("outside_scopes")) + (t("layout.quality_category", category=category, name=_category_name(category))
                                          .rstrip() if category else "") \
            + (t("layout.quality_basis", basis=t(f"basis.{basis}")) if basis else "")
        table.add_row(name, " · ".join(f"{r['level']}: {percent(r['share'])}" for r in rows),
                      percent(rows[0]["primary_share"]))
    if table.row_count:
        out.print(table)


def _category_name(category: int) -> str:
    """A Scope 3 category's name in the run's language; none for a number no standard names."""
    return category_name(category) if 1 <= category <= 16 else ""


def _category_line(category: int) -> str:
    return t("layout.category", category=category, name=_category_name(category)).rstrip()


def _groups(result) -> list[dict]:
    cursor = result.connection.execute(
        f"SELECT scope, category, basis, rule_id, data_type, sum(co2e_kg) AS co2e_kg FROM {result.schema}.run_groups "
        f"GROUP BY ALL ORDER BY ALL")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _by_data_type(rows: list[dict], category: int) -> list[tuple[str, Decimal]]:
    found: dict[str, Decimal] = {}
    for g in rows:
        if g["category"] == category:
            found[g["data_type"]] = found.get(g["data_type"], Decimal(0)) + g["co2e_kg"]
    return sorted(((label("data_type", data_type) if data_type else t("layout.unstated"), kg)
                   for data_type, kg in found.items()), key=lambda pair: pair[0])


def _statement(out, number: int, title: str, result, groups: list[dict], tags: dict, scope2_market: Decimal | None):
    from rich.table import Table   # rich is imported when the report is drawn
    table = Table(title=title, title_justify="left")
    table.add_column(t("layout.line"))
    table.add_column(t("table.tonnes"), justify="right")
    if scope2_market is not None:
        table.add_row(t("layout.scope2_market"), tonnes(scope2_market))
    for metric in result.metrics:
        if metric["id"].startswith(f"statement{number}."):
            table.add_row(metric["title"] or metric["id"], tonnes(metric["value"]))
    for rule_id, rule in result.ruleset.rules.items():
        if STATEMENT_TAGS[number] in tags[rule_id]:
            kg = sum((g["co2e_kg"] for g in groups if g["rule_id"] == rule_id), Decimal(0))
            table.add_row(rule.node.title or rule_id, tonnes(kg))
    if table.row_count:
        out.print(table)


def _relief(out, result) -> None:
    """The Scope 3 categories left out under the small-company relief, each with its justification and estimated
    size (the run's `excluded`), and the refusals (its rejects): the report never omits a category silently."""
    left_out = result.connection.execute(
        f"SELECT reason FROM {result.schema}.run_excluded WHERE exclusion_id = 'relevance_relief' ORDER BY input_row").fetchall()
    refused = result.connection.execute(
        f"SELECT DISTINCT reason FROM {result.schema}.run_rejects WHERE input_table = 'scope3_relevance' ORDER BY 1").fetchall()
    out.print(t("layout.relief", n=len(left_out)), markup=False)
    for (reason,) in left_out:
        out.print(f"  {render_one(reason.removeprefix(RELIEF_PREFIX))}", markup=False)
    for (reason,) in refused:
        out.print(t("layout.refused", reason=render_one(reason.removeprefix(RELIEF_PREFIX))), markup=False)


def _verification(result) -> dict[tuple[int, int | None], str]:
    """(scope, category or None) → status, from the `verification` input when the ruleset has one."""
    relation = result.inputs.get("verification")
    if relation is None:
        return {}
    rows = result.connection.execute(f"SELECT scope, category, status FROM {relation} ORDER BY ALL").fetchall()
    return {(int(scope), None if category is None else int(category)): status for scope, category, status in rows}


def _status_of(verification: dict, scope: int, category: int | None) -> str:
    return verification.get((scope, category)) or verification.get((scope, None)) or "not verified"


def _inventory_status(verification: dict, groups: list[dict]) -> str:
    # Scope 1 and Scope 2 are always reported; Scope 3 by the categories that have emissions.
    lines = {(1, None), (2, None)} | {(3, g["category"]) for g in groups if g["scope"] == 3}
    statuses = {_status_of(verification, scope, category) for scope, category in lines}
    if statuses == {"fully verified"}:
        return "fully verified"
    return "not verified" if statuses <= {"not verified"} else "partially verified"


def _cat15_coverage(result) -> str:
    relation = result.inputs.get("investments")
    if relation is None:
        return t("layout.cat15_no_input")
    covered, total = result.connection.execute(
        f"SELECT sum(outstanding) FILTER (WHERE _row_id IN (SELECT row_id FROM {result.schema}.run_ledger "
        f"WHERE scope = 3 AND category = 15)), sum(outstanding) FROM {relation}").fetchone()
    if not total:
        return t("layout.cat15_no_amounts")
    return f"{(Decimal(covered or 0) / Decimal(total) * 100).quantize(Decimal('0.1'))}%"
