"""`provider_emissions`: emissions a supplier computed itself and delivers per row, in CO2e, as cloud
providers' carbon exports do (AWS Data Exports' carbon emissions table, the GCP Carbon Footprint
export, Azure carbon optimization). No factor: the provider is the source, so the ledger records the
method as supplier-specific, the data type `supplier-specific`, and as factor id the provider and the
model version that computed the row.

Providers recompute past months when their model changes, and deliver both versions for a while.
Within each period (the month the `period` column's date or timestamp starts with) and key
(`latest_per`: account, project, region …), only the rows of the latest model version count; the
older rows go to `excluded`, naming the version that supersedes them. Versions are ordered by the
numbers they contain (v2.10.0 after v2.9.1; GCP's 12 after 9).

A provider's account (AWS account, GCP project, Azure subscription) becomes an entity through a
mapping table (`accounts`: provider, account, entity); a row whose account the table does not map,
or maps twice, is rejected by name. The entity is then weighted by the ruleset's boundary here (the
engine weights rows before a calculator runs, by an `entity` column these rows do not have): a
weight-0 entity's rows are excluded with the boundary's reason.
"""

from __future__ import annotations

import re
from decimal import Decimal

from tanso.contracts import CalcPlan, Calculator, ColumnExpression, Field, Parameters
from tanso.diagnostics import InputError
from tanso.i18n import register
from tanso.plan.context import CalcContext
from tanso.plan.factor_product import FACTOR_SQL, exact, factor_type
from tanso.plan.sql import expression_columns, ident, literal, quoted
from tanso.plan.units import UnitProblem, conversion_factor
from tanso.reasons import reason_sql

TARGET_UNIT = "kgCO2e"
_SUPERSEDED = "superseded: {provider} {version} {newer} restates {period}"
_SUPERSEDED_JA = "置き換え済み：{provider} の {version} {newer} が {period} を再計算"
# Why a provider's row is excluded (tanso.reasons: said in the run's language)
register({
    "reason.provider.superseded": {"en": _SUPERSEDED + " (this row: {this})", "ja": _SUPERSEDED_JA + "（この行：{this}）"},
    "reason.provider.superseded_for": {"en": _SUPERSEDED + " for {keys} (this row: {this})",
                                       "ja": _SUPERSEDED_JA + "（{keys}。この行：{this}）"},
})
METHOD = "supplier-specific (emissions calculated by the provider)"


class ProviderParameters(Parameters):
    emissions: ColumnExpression = Field(description="column with the provider's figure (a float column is read "
                                                    "as the decimal it prints, rounded half-even to 6 places)")
    provider: str = Field(description="who computed the figures, e.g. \"AWS Customer Carbon Footprint Tool\": the "
                                      "ledger's factor set, and with the model version its factor id")
    period: str = Field(description="column whose date or timestamp (YYYY-MM…) gives the row's month")
    unit: str | None = Field(default=None, description="column with each row's unit (MTCO2e, kgCO2e, t …)")
    emissions_unit: str | None = Field(default=None, description="the unit of every row (e.g. \"kgCO2e\"), "
                                                                 "instead of a unit column")
    version: str | None = Field(default=None, description="column with the model version that computed the row")
    latest_per: list[str] = Field(default=[], description="columns that, with the period, identify one figure "
                                                          "the provider may restate (account, region …): only "
                                                          "the latest version of each counts")
    accounts: str | None = Field(default=None, description="input table mapping accounts to entities: provider, "
                                                           "account, entity")
    account: str | None = Field(default=None, description="column of the rows with the provider's account, "
                                                          "project or subscription, looked up in `accounts`")
    method: str = Field(default=METHOD, description="recorded in the ledger")
    data_type: str = Field(default="supplier-specific", description="recorded in the ledger")

    def validate_together(self) -> None:
        if (self.unit is None) == (self.emissions_unit is None):
            raise ValueError("give either unit (a column) or emissions_unit (one unit for every row)")
        if (self.accounts is None) != (self.account is None):
            raise ValueError("accounts (the mapping table) and account (the rows' column) go together")
        if self.latest_per and self.version is None:
            raise ValueError("latest_per needs version (the column with the model version)")

    def columns_used(self) -> list[str]:
        return [*expression_columns(self.emissions), self.period, *([self.unit] if self.unit else []),
                *([self.version] if self.version else []), *self.latest_per, *([self.account] if self.account else [])]


def version_order(version: str) -> tuple[int, ...] | None:
    """The numbers a version holds, for ordering (v2.10.0 → (2, 10, 0)); None when it has none."""
    numbers = re.findall(r"[0-9]+", version)
    return tuple(int(n) for n in numbers) if numbers else None


def _version_ranks(ctx: CalcContext, column: str) -> str:
    """A table version → rank (1 = oldest; versions with the same numbers share a rank)."""
    versions = [row[0] for row in ctx.query(f"SELECT DISTINCT CAST({ident(column)} AS VARCHAR) FROM {ctx.src} "
                                            f"WHERE {ident(column)} IS NOT NULL")]
    orders = sorted({order for v in versions if (order := version_order(v)) is not None})
    rows = [{"version": v, "rank": orders.index(version_order(v)) + 1} for v in versions if version_order(v) is not None]
    import pyarrow as pa
    return ctx.register("versions", pa.Table.from_pylist(rows, schema=pa.schema([("version", pa.string()),
                                                                                 ("rank", pa.int64())])))


def _unit_table(ctx: CalcContext, units: list[str]) -> str:
    """unit → kg CO2e per unit, or why it has none. A plain mass (kg, t) is read as a mass of CO2e."""
    rows = []
    for unit in units:
        try:
            rows.append({"unit": unit, "to_kg": exact(conversion_factor(unit, TARGET_UNIT)), "problem": None})
        except UnitProblem as co2e_problem:
            try:
                rows.append({"unit": unit, "to_kg": exact(conversion_factor(unit, "kg")), "problem": None})
            except UnitProblem:
                rows.append({"unit": unit, "to_kg": None, "problem": f"{co2e_problem}; expected a CO2e mass such as "
                                                                    f"kgCO2e or MTCO2e"})
    import pyarrow as pa
    schema = pa.schema([("unit", pa.string()), ("to_kg", factor_type()), ("problem", pa.string())])
    return ctx.register("units", pa.Table.from_pylist(rows, schema=schema))


def _mapping(ctx: CalcContext, p: ProviderParameters) -> str:
    """account → entity for this provider, with how many rows of the table map it."""
    relation = ctx.input_table(p.accounts)
    return ctx.table("accounts", f"SELECT CAST(account AS VARCHAR) AS account, min(CAST(entity AS VARCHAR)) AS entity, "
                                 f"count(*) AS mappings, string_agg(CAST(_row AS VARCHAR), ', ' ORDER BY _row) AS rows "
                                 f"FROM {relation} WHERE CAST(provider AS VARCHAR) = {literal(p.provider)} GROUP BY 1")


def _text(column: str) -> str:
    """A column of the rule's rows (alias `s`) as text, for joins and messages."""
    return f"CAST(s.{ident(column)} AS VARCHAR)"


def _unit_join(ctx: CalcContext, p: ProviderParameters) -> tuple[str, str]:
    """The join giving each row `u.to_kg` (kg CO2e per unit, or NULL with `u.problem`), and the unit's SQL."""
    if p.unit is not None:
        units = [row[0] for row in ctx.query(f"SELECT DISTINCT CAST({ident(p.unit)} AS VARCHAR) FROM {ctx.src} "
                                             f"WHERE {ident(p.unit)} IS NOT NULL ORDER BY 1")]
        return f"LEFT JOIN {_unit_table(ctx, units)} u ON u.unit = {_text(p.unit)}", _text(p.unit)
    try:
        to_kg = exact(conversion_factor(p.emissions_unit, TARGET_UNIT))
    except UnitProblem as problem:
        raise InputError(f"provider_emissions: emissions_unit: {problem}; expected a CO2e mass such as kgCO2e") from None
    return f"CROSS JOIN (SELECT CAST({literal(to_kg)} AS {FACTOR_SQL}) AS to_kg, NULL AS problem) u", literal(p.emissions_unit)


def _entity_joins(ctx: CalcContext, p: ProviderParameters) -> tuple[list[str], str, str, str, list[str]]:
    """Joins giving each row its entity and boundary weight (through the mapping table, where given):
    (joins, entity SQL, weight SQL, weight reason SQL, WHEN … THEN reason clauses of the rows it refuses)."""
    if not p.accounts:
        return [], ("s.entity" if "entity" in ctx.columns else "NULL"), "s._boundary_weight", "NULL", []
    account = f"coalesce({quoted(_text(p.account))}, 'empty')"
    joins = [f"LEFT JOIN {_mapping(ctx, p)} m ON m.account = {_text(p.account)}"]
    problems = [f"WHEN m.mappings IS NULL THEN 'column {p.account}: ' || {account} || ' is not in {p.accounts} "
                f"for provider {p.provider}'",
                f"WHEN m.mappings > 1 THEN 'column {p.account}: ' || {account} || ' is mapped by {p.accounts} "
                f"rows ' || m.rows || ': map each account once'",
                f"WHEN m.entity IS NULL THEN 'column {p.account}: ' || {account} || ' is mapped to no entity "
                f"({p.accounts} row ' || m.rows || ')'"]
    boundary = ctx.entity_weights()
    if boundary is None:
        return joins, "m.entity", "s._boundary_weight", "NULL", problems
    joins.append(f"LEFT JOIN {boundary} w ON w.entity = m.entity")
    # A refused entity (held through a rejected parent) says why; one with no weight at all has no valid
    # row: none, or its row was rejected (rejects.csv names why).
    problems.append(f"WHEN w.weight IS NULL THEN 'entity ' || {quoted('m.entity')} || ' (mapped from "
                    f"{p.account} ' || {account} || ') ' || coalesce('is refused by the boundary: ' || w.reason, "
                    f"'is not a valid row of the boundary''s entities table (no row, or its row was rejected)')")
    return joins, "m.entity", "w.weight", "w.reason", problems


def compile_provider_emissions(ctx: CalcContext) -> CalcPlan:
    p: ProviderParameters = ctx.parameters
    period, figure = _text(p.period), expression_columns(p.emissions)[0]
    month = (f"CASE WHEN regexp_full_match({period}, '[0-9]{{4}}-[0-9]{{2}}([-T ].*)?') AND "
             f"TRY_CAST(left({period}, 7) || '-01' AS DATE) IS NOT NULL THEN left({period}, 7) END")
    unit_join, unit = _unit_join(ctx, p)
    version, rank, joins = "CAST(NULL AS VARCHAR)", "1", [unit_join]
    if p.version:
        joins.append(f"LEFT JOIN {_version_ranks(ctx, p.version)} v ON v.version = {_text(p.version)}")
        version, rank = _text(p.version), "v.rank"
    entity_joins, entity, weight, weight_reason, problems = _entity_joins(ctx, p)
    joins += entity_joins
    value = ctx.value_sql(p.emissions, "s")
    problems += [f"WHEN u.to_kg IS NULL THEN 'column {p.unit}: ' || coalesce({quoted(unit)} || ': ' || u.problem, "
                 f"'missing unit')",
                 f"WHEN {value} IS NULL THEN 'column {figure}: ' || coalesce({quoted(_text(figure))}, 'empty') || "
                 f"' is missing, not a number or beyond 10^12'",
                 f"WHEN {value} < 0 THEN 'column {figure}: ' || {quoted(_text(figure))} || ' is negative'"]
    key_problem = (f"CASE WHEN ({month}) IS NULL THEN 'column {p.period}: ' || coalesce({quoted(period)}, 'empty') || "
                   f"' does not start with a month (YYYY-MM)' "
                   + (f"WHEN {rank} IS NULL THEN 'column {p.version}: ' || coalesce({quoted(version)}, 'empty') || "
                      f"' has no number to order versions by' " if p.version else "") + "END")
    keys = [f"{_text(k)} AS {ident('_key_' + k)}" for k in p.latest_per]
    rows = ctx.table("rows", f"""
SELECT s._row_id, {month} AS _month, {version} AS _version, {rank} AS _rank, {value} AS _value, {unit} AS _unit,
       u.to_kg AS _to_kg, {entity} AS _entity, {weight} AS _weight, {weight_reason} AS _weight_reason,
       {key_problem} AS _key_problem, CASE {' '.join(problems)} END AS _problem{''.join(', ' + k for k in keys)}
FROM {ctx.src} s {' '.join(joins)}""")
    partition = ", ".join(["_month", *(ident("_key_" + k) for k in p.latest_per)])
    latest = ctx.table("latest", f"""
SELECT *, max(_rank) OVER (PARTITION BY {partition}) AS _latest_rank,
       arg_max(_version, _rank) OVER (PARTITION BY {partition}) AS _latest_version
FROM {rows} WHERE _key_problem IS NULL""")
    for_keys = " || ', ' || ".join(f"'{k} ' || {quoted(ident('_key_' + k))}" for k in p.latest_per)
    said = {"provider": literal(p.provider), "version": literal(p.version or "version"),
            "newer": quoted("_latest_version"), "period": "_month", "this": quoted("_version")}
    superseded = (reason_sql("provider.superseded_for", **said, keys=for_keys) if p.latest_per
                  else reason_sql("provider.superseded", **said))
    return CalcPlan(
        ledger=f"""
SELECT r._row_id AS row_id, s._row AS input_row, r._entity AS entity, r._month AS period,
       r._weight AS boundary_weight, 'CO2e' AS gas, r._value * r._to_kg AS amount, r._value * r._to_kg AS co2e_kg,
       r._value AS quantity, r._unit AS quantity_unit, {literal(p.provider)} || coalesce(' ' || r._version, '') AS factor_id,
       {literal(p.provider)} AS factor_set, r._version AS factor_version, 'as reported by the provider' AS gwp,
       {literal(p.method)} AS method, {literal(p.data_type)} AS data_type
FROM {latest} r JOIN {ctx.src} s ON s._row_id = r._row_id
WHERE r._rank = r._latest_rank AND r._problem IS NULL AND r._weight > 0""",
        rejects=f"""
SELECT _row_id AS row_id, _key_problem AS reason FROM {rows} WHERE _key_problem IS NOT NULL
UNION ALL SELECT _row_id, _problem FROM {latest} WHERE _rank = _latest_rank AND _problem IS NOT NULL""",
        excluded=f"""
SELECT _row_id AS row_id, CASE WHEN _rank < _latest_rank THEN {superseded} ELSE _weight_reason END AS reason
FROM {latest} WHERE _rank < _latest_rank OR (_rank = _latest_rank AND _problem IS NULL AND _weight = 0)""")


PROVIDER_EMISSIONS = Calculator(
    name="provider_emissions",
    doc="Emissions calculated by the supplier (cloud providers' carbon exports): the latest model version of each "
        "period counts, accounts mapped to entities.",
    parameters=ProviderParameters, compile=compile_provider_emissions, data_type="supplier-specific",
    factor_parameters=(), table_parameters=("accounts",), reads_boundary=True,
    methods=((METHOD, "supplier-specific"),))
