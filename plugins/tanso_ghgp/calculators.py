"""Calculators of the GHG Protocol methods (Corporate Standard 2004, Scope 3 Standard 2011 and its
Technical Guidance 2013), each compiled to a relational plan; none sees a row.

Factor-based methods share `factor_product`; they differ in the factors they read and in the method
and data type the ledger records for each row:

| calculator | method | data type |
|---|---|---|
| `activity` | quantity × average-data factor | secondary |
| `fuel_combustion` | fuel × per-gas factors, GWP-weighted | primary |
| `supplier_product` | quantity × supplier's product footprint (PACT / ISO 14067) | supplier-specific |
| `spend_based` | spend × EEIO factor, currency- and inflation-adjusted | spend-based |
| `supplier_allocation` | supplier's emissions ÷ its revenue × spend | supplier-specific |
| `loss_share` | quantity × loss rate × factor (T&D losses) | secondary |
| `reported_emissions` | emissions reported by a value-chain partner (× a share) | primary |
| `pcaf_attribution` | investee emissions × outstanding ÷ attribution base (PCAF) | primary |
"""

from __future__ import annotations

import dataclasses
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Callable

from tanso.contracts import CALC_LEDGER_COLUMNS, CalcPlan, Calculator, ColumnExpression, Field, Parameters
from tanso.diagnostics import InputError
from tanso.i18n import register
from tanso.plan.context import CalcContext
from tanso.plan.factor_product import derived_factor_table, exact, factor_gases, factor_product
from tanso.plan.sql import expression_columns, ident, literal
from tanso.plan.units import UnitProblem, conversion_factor, currency, is_currency
from tanso.reasons import reason_sql, reason_text
from tanso_ghgp.gwp import GWP_POLICIES, policy_weights


class FactorParameters(Parameters):
    factors: str = Field(description="factor set to look factors up in")
    match: list[str] = Field(min_length=1, description="columns that must equal the factor table's columns")
    quantity: ColumnExpression = Field(default="quantity", description="column (or expression) with the activity amount")
    unit: str = Field(default="unit", description="column with the unit of the amount")
    quantity_unit: str | None = Field(default=None, description="the unit of every row's quantity, instead of a column")
    method: str | None = Field(default=None, description="the method the ledger records, instead of the calculator's")
    data_type: str | None = Field(default=None, description="the data type the ledger records (e.g. primary for "
                                                            "measured process emissions)")

    def columns_used(self) -> list[str]:
        return [*self.match, *expression_columns(self.quantity), *([] if self.quantity_unit else [self.unit])]


class FuelParameters(FactorParameters):
    match: list[str] = Field(default=["fuel"], min_length=1,
                             description="columns that must equal the factor table's columns")
    blends: str | None = Field(default=None, description="input table of fuel blends: blend, component, share (of "
                               "the factors' `per` unit, e.g. by volume): a row whose fuel is a blend takes each "
                               "component's factors × its share, so fossil CO2 and CO2_biogenic stay apart "
                               "(E27 = 0.73 gasoline + 0.27 ethanol; a 30 % sustainable aviation fuel blend)")


def _weighted(ctx: CalcContext, method: str, data_type: str, factors=None, converter=None,
              unit_expression: str | None = None) -> CalcPlan:
    p = ctx.parameters
    factors = factors or ctx.factor_table(p.factors)
    weights = policy_weights(ctx.policies, factor_gases(ctx, factors))
    return factor_product(ctx, factors, p.match, method=p.method or method, data_type=p.data_type or data_type,
                          weights=weights,
                          quantity=p.quantity, unit=p.unit, quantity_unit=p.quantity_unit,
                          unit_expression=unit_expression, converter=converter)


def compile_activity(ctx: CalcContext) -> CalcPlan:
    return _weighted(ctx, "average-data", "secondary")


def compile_fuel(ctx: CalcContext) -> CalcPlan:
    p: FuelParameters = ctx.parameters
    if p.blends is None:
        return _weighted(ctx, "fuel-based", "primary")
    return _weighted(ctx, "fuel-based", "primary", factors=_with_blends(ctx, ctx.factor_table(p.factors), p))


BLEND_SCALE = Decimal("1e-18")  # a blend's factor: exact for shares of up to 6 decimals on 12-decimal factors


def _with_blends(ctx: CalcContext, base, p: "FuelParameters"):
    """The factor set plus one factor per (blend, gas): the sum over its components of share × the
    component's factor (rounded half-even at 18 decimals only past that). A blend's shares must add up to
    1, and every component must be a fuel of the factor set with one `per` unit, the one the shares are of."""
    if len(p.match) != 1:
        raise InputError(f"rule {ctx.rule_id.rsplit('_', 1)[0]}: blends need a single match column (the fuel); "
                         f"got match: {p.match}")
    fuel = ident(p.match[0])
    factors: dict[str, list[tuple]] = {}
    for key, gas, value, unit, per, factor_id in ctx.query(
            f"SELECT CAST({fuel} AS VARCHAR), gas, value, unit, per, factor_id FROM {base.relation} ORDER BY _row"):
        factors.setdefault(key, []).append((gas, Decimal(value), unit, per, factor_id))
    shares: dict[str, list[tuple[str, Decimal]]] = {}
    for blend, component, share in _reference(ctx, p.blends, "blend, component, share"):
        shares.setdefault(str(blend), []).append((str(component), Decimal(share).normalize()))
    problems, rows = [], []
    for blend, parts in shares.items():
        total = sum((share for _, share in parts), Decimal(0))
        if blend in factors:
            problems.append(f"blend '{blend}' is also a fuel of {base.name}")
        if total != 1 or any(share <= 0 for _, share in parts):
            problems.append(f"blend '{blend}': shares must be positive and add up to 1 (they add up to {total})")
        unknown = [c for c, _ in parts if c not in factors]
        if unknown:
            problems.append(f"blend '{blend}': {', '.join(unknown)} not a fuel of {base.name}")
            continue
        pers = {per for c, _ in parts for _, _, _, per, _ in factors[c]}
        if len(pers) > 1:
            problems.append(f"blend '{blend}': its components' factors are per different units ({', '.join(sorted(pers))})")
            continue
        summed: dict[tuple[str, str], tuple[Decimal, list[str]]] = {}
        for component, share in parts:
            for gas, value, unit, per, factor_id in factors[component]:
                amount, ids = summed.get((gas, unit), (Decimal(0), []))
                summed[(gas, unit)] = (amount + share * value, [*ids, f"{share}×{factor_id}"])
        per = pers.pop()
        rows += [{p.match[0]: blend, "factor_id": f"{blend}: {' + '.join(ids)}", "gas": gas,
                  "value": value.quantize(BLEND_SCALE, ROUND_HALF_EVEN), "unit": unit, "per": per}
                 for (gas, unit), (value, ids) in summed.items()]
    if problems:
        raise InputError(f"blends table '{p.blends}': " + "; ".join(problems))
    plain = [{p.match[0]: key, "factor_id": factor_id, "gas": gas, "value": value, "unit": unit, "per": per}
             for key, entries in factors.items() for gas, value, unit, per, factor_id in entries]
    return derived_factor_table(ctx, "blended", p.match, plain + rows, version=base.version, publisher=base.publisher,
                                edition=base.edition, licence=base.licence,
                                source=f"{base.source_file}; blends of input table {p.blends}")


PERIOD = "period"   # the ledger's period, passed through from the row's column of that name
VERIFIED = "supplier-specific (verified)"   # data-quality level "3+" (tanso_ghgp.data_quality)


def compile_supplier_product(ctx: CalcContext) -> CalcPlan:
    """A footprint the factor set marks as assured (PACT `assurance`) records its rows as verified; a row whose
    period starts after the footprint's stated validity end (PACT `validityPeriodEnd`) is rejected."""
    plan = _weighted(ctx, "supplier-specific product footprint", "supplier-specific")
    factors = ctx.factor_table(ctx.parameters.factors)
    if "validity_end" in factors.columns:
        plan = _within_validity(ctx, plan, factors)
    if "assured" not in factors.columns or ctx.parameters.data_type:
        return plan
    kept = ", ".join(f"l.{ident(c)}" for c in CALC_LEDGER_COLUMNS if c != "data_type")

    def verified(plan: CalcPlan) -> CalcPlan:
        return dataclasses.replace(plan, ledger=(
            f"SELECT {kept}, CASE WHEN l.factor_id IN (SELECT factor_id FROM {factors.relation} WHERE "
            f"lower(CAST(assured AS VARCHAR)) = 'true') THEN {literal(VERIFIED)} ELSE l.data_type END AS data_type "
            f"FROM ({plan.ledger}) l"))
    over = plan.pricing.over
    return verified(dataclasses.replace(plan, pricing=dataclasses.replace(plan.pricing, over=lambda src: verified(over(src)))))


def _period_start(period: str) -> str:
    """The first day of a period (YYYY, YYYY-MM or a date), NULL where it is none of these."""
    return (f"TRY_CAST(CASE WHEN length({period}) = 4 THEN {period} || '-01-01' WHEN length({period}) = 7 "
            f"THEN {period} || '-01' ELSE left({period}, 10) END AS DATE)")


# Why a row a supplier's footprint or a partner's figure cannot price is rejected (tanso.reasons: said in the run's
# language): a PACT footprint past its validity, emissions reported per row, financed emissions (PCAF)
register({
    "reason.pact.expired": {"en": "footprint {factor_id} is valid until {until}, before the row's period {period}: ask the "
                                  "supplier for a current footprint",
                            "ja": "フットプリント {factor_id} の有効期限は {until} で、行の期間 {period} より前：供給者に最新の"
                                  "フットプリントを求める"},
    "reason.reported.missing": {"en": "emissions are missing", "ja": "排出量がない"},
    "reason.reported.negative": {"en": "emissions are negative", "ja": "排出量が負の値"},
    "reason.pcaf.base": {"en": "attribution base is missing or not positive", "ja": "帰属の基準額がない、または正でない"},
    "reason.pcaf.outstanding": {"en": "outstanding amount is missing or negative", "ja": "残高がない、または負の値"},
    "reason.pcaf.above_100": {"en": "attribution factor above 100% (outstanding exceeds the attribution base)",
                              "ja": "帰属係数が 100% を超える（残高が帰属の基準額を超える）"},
})


def _within_validity(ctx: CalcContext, plan: CalcPlan, factors) -> CalcPlan:
    """Rows of a period (YYYY, YYYY-MM or a date) that starts after their footprint's validity end, as rejects.
    In a first_of chain such a row goes to the next method: its keys' earliest validity end, a small table,
    decides that row by row."""
    valid = f"(SELECT DISTINCT factor_id, validity_end FROM {factors.relation} WHERE coalesce(validity_end, '') <> '')"

    def applied(plan: CalcPlan) -> CalcPlan:
        expired = reason_sql("pact.expired", factor_id="l.factor_id", until="left(f.validity_end, 10)", period="l.period")
        late = (f"SELECT DISTINCT l.row_id, {expired} AS reason "
                f"FROM ({plan.ledger}) l JOIN {valid} f ON f.factor_id = l.factor_id "
                f"WHERE {_period_start('l.period')} > TRY_CAST(left(f.validity_end, 10) AS DATE)")
        return dataclasses.replace(
            plan, ledger=f"SELECT * FROM ({plan.ledger}) WHERE row_id NOT IN (SELECT row_id FROM ({late}))",
            rejects=f"{plan.rejects} UNION ALL SELECT row_id, reason FROM ({late})")

    base = plan.pricing
    pricing = dataclasses.replace(base, over=lambda src: applied(base.over(src)))
    if PERIOD in ctx.columns and PERIOD in ctx.passthrough_columns:  # else the ledger's is NULL: none is late
        keys = ", ".join(f"e.{k}" for k in base.keys)
        until = ctx.table("valid_until", f"SELECT {keys}, e.from_unit, min(TRY_CAST(left(f.validity_end, 10) AS DATE)) "
                                         f"AS valid_until FROM {base.effective} e JOIN {valid} f "
                                         f"ON f.factor_id = e.factor_id GROUP BY ALL")
        pricing = dataclasses.replace(
            pricing, joins=lambda row, prefix: f"{base.joins(row, prefix)} LEFT JOIN {until} {prefix}v "
                                               f"ON {base.on(row, prefix + 'v')}",
            rejected=lambda row, prefix: f"({base.rejected(row, prefix)} OR coalesce("
                                         f"{_period_start(f'{row}.{ident(PERIOD)}')} > {prefix}v.valid_until, FALSE))")
    return dataclasses.replace(applied(plan), pricing=pricing)


# ------------------------------------------------------------------------------------- spend


class SpendParameters(FactorParameters):
    quantity: ColumnExpression = Field(default="amount", description="column with the spend")
    unit: str = Field(default="currency", description="column with the spend's currency (ISO 4217)")
    year: str | None = Field(default=None, description="column with the spend's year; needed to convert currency "
                                                      "or adjust for inflation")
    exchange_rates: str | None = Field(default=None, description="input table: currency, to_currency, year, rate "
                                                                 "(1 unit of currency in to_currency)")
    price_index: str | None = Field(default=None, description="input table: currency, year, index (e.g. a CPI or "
                                                              "a producer price index of the factor's economy)")
    base_year: int | None = Field(default=None, description="the year of the factor's currency (e.g. 2022 for "
                                                            "USEEIO v2.x factors in 2022 USD)")

    def columns_used(self) -> list[str]:
        return [*super().columns_used(), *([self.year] if self.year else [])]


def _reference(ctx: CalcContext, table: str | None, columns: str) -> list[tuple]:
    return ctx.query(f"SELECT {columns} FROM {ctx.input_table(table)} ORDER BY ALL") if table else []


def compile_spend(ctx: CalcContext) -> CalcPlan:
    """Spend × EEIO factor. With `year`, a spend of currency C in year Y becomes the factor's currency
    at Y's exchange rate, then is deflated from Y to the factor's base year by the price index:
    factor per C@Y = factor per F@base × rate(C→F, Y) × index(F, base) ÷ index(F, Y)."""
    p: SpendParameters = ctx.parameters
    if p.year is None:
        return _weighted(ctx, "spend-based", "spend-based")
    rates = {(c, t, str(y)): Decimal(r) for c, t, y, r in
             _reference(ctx, p.exchange_rates, "currency, to_currency, year, rate")}
    index = {(c, str(y)): Decimal(i) for c, y, i in _reference(ctx, p.price_index, "currency, year, index")}

    def converter(from_unit: str, per: str) -> Decimal | str:
        if not is_currency(per):  # the factor's mass unit → kg goes to pint
            try:
                return conversion_factor(from_unit, per)
            except UnitProblem as problem:
                return str(problem)
        written, _, year = from_unit.partition("@")
        (spent, spent_scale), (per_code, per_scale) = currency(written) or (written, Decimal(1)), currency(per)
        rate = Decimal(1) if spent == per_code else rates.get((spent, per_code, year))
        if rate is None:
            return f"no exchange rate {spent}→{per_code} for {year} in {p.exchange_rates or '(no exchange_rates table)'}"
        rate = rate * spent_scale / per_scale   # 千円 is a thousand JPY
        if p.base_year is None or str(p.base_year) == year:
            return rate
        now, then = index.get((per_code, year)), index.get((per_code, str(p.base_year)))
        if now is None or then is None:
            missing = year if now is None else p.base_year
            return f"no price index for {per_code} in {missing} in {p.price_index or '(no price_index table)'}"
        return rate * then / now

    unit_expression = f"({{row}}.{ident(p.unit)} || '@' || CAST({{row}}.{ident(p.year)} AS VARCHAR))"
    return _weighted(ctx, "spend-based", "spend-based", converter=converter, unit_expression=unit_expression)


# ------------------------------------------------------------------------------------- suppliers


class AllocationParameters(Parameters):
    suppliers: str = Field(description="input table: supplier, emissions, emissions_unit, revenue, currency")
    match: list[str] = Field(default=["supplier"], min_length=1, description="columns naming the supplier")
    quantity: ColumnExpression = Field(default="amount", description="column with the spend")
    unit: str = Field(default="currency", description="column with the spend's currency")
    homogeneous: str | None = Field(default=None, description="boolean column of the suppliers table: true where "
                                    "the supplier's output is homogeneous (one product or a uniform range); read "
                                    "when scope3.supplier_allocation = homogeneous_only")

    def columns_used(self) -> list[str]:
        return [*self.match, *expression_columns(self.quantity), self.unit]


SUPPLIER_ALLOCATION_POLICY = "scope3.supplier_allocation"


def compile_supplier_allocation(ctx: CalcContext) -> CalcPlan:
    """Supplier organisation-level allocation (Scope 3 Technical Guidance, category 1): the supplier's
    reported Scope 1+2(+3) emissions divided by its revenue, times what the company spent with it.
    Under `scope3.supplier_allocation = homogeneous_only` (Scope 3 draft, A8) only suppliers whose
    output is homogeneous are allocated; the others' rows fall to the next method of a first_of chain."""
    p: AllocationParameters = ctx.parameters
    homogeneous_only = ctx.policies[SUPPLIER_ALLOCATION_POLICY] == "homogeneous_only"
    if homogeneous_only and p.homogeneous is None:
        raise InputError(f"rule {ctx.rule_id}: {SUPPLIER_ALLOCATION_POLICY} = homogeneous_only needs to know which "
                         f"suppliers are homogeneous: give supplier_allocation(homogeneous: COLUMN) naming a boolean "
                         f"column of '{p.suppliers}'")
    keys = ", ".join(ident(m) for m in p.match)
    homogeneous = f"coalesce({ident(p.homogeneous)}, FALSE)" if homogeneous_only else "TRUE"
    rows = []
    for *key, emissions, emissions_unit, revenue, currency, allocatable in _reference(
            ctx, p.suppliers, f"{keys}, emissions, emissions_unit, revenue, currency, {homogeneous}"):
        if emissions is None or not revenue or not allocatable:
            continue  # no allocation possible or allowed; the rows fall to the next method of a first_of chain
        try:
            kg = Decimal(emissions) * conversion_factor(emissions_unit, "kg")
        except UnitProblem as problem:
            raise InputError(f"suppliers table '{p.suppliers}', supplier {key}: {problem}") from None
        rows.append({**dict(zip(p.match, (str(k) for k in key))), "factor_id": "supplier:" + "/".join(map(str, key)),
                     "gas": "CO2e", "value": exact(kg / Decimal(revenue)), "unit": "kg", "per": currency})
    factors = derived_factor_table(ctx, "supplier_allocation", p.match, rows, version="as reported",
                                   publisher="suppliers", edition="reported", licence="supplier data",
                                   source=f"input table {p.suppliers}")
    return factor_product(ctx, factors, p.match, method="supplier-specific allocation", data_type="supplier-specific",
                          quantity=p.quantity, unit=p.unit)


# ------------------------------------------------------------------------------------- losses


class LossParameters(FactorParameters):
    losses: str = Field(description="input table with the match columns and `loss_rate` (a fraction)")


def compile_loss_share(ctx: CalcContext) -> CalcPlan:
    """Transmission and distribution losses (Scope 3 category 3, activity C): the energy lost on the
    way, quantity × loss rate, times the generation factor. Which factor (combustion only or life
    cycle) is the factor set the rule names: the choice stays visible in the ruleset."""
    p: LossParameters = ctx.parameters
    keys = ", ".join(ident(m) for m in p.match)
    rates = {tuple(str(k) for k in row[:-1]): Decimal(row[-1])
             for row in _reference(ctx, p.losses, f"{keys}, loss_rate")}
    base = ctx.factor_table(p.factors)
    rows = []
    for *key, gas, value, unit, per, factor_id in ctx.query(
            f"SELECT {keys}, gas, value, unit, per, factor_id FROM {base.relation} ORDER BY ALL"):
        rate = rates.get(tuple(str(k) for k in key))
        if rate is not None:
            rows.append({**dict(zip(p.match, (str(k) for k in key))), "factor_id": f"{factor_id}×loss", "gas": gas,
                         "value": exact(Decimal(value) * rate), "unit": unit, "per": per})
    factors = derived_factor_table(ctx, "loss_share", p.match, rows, version=base.version, publisher=base.publisher,
                                   edition=base.edition, licence=base.licence,
                                   source=f"{base.source_file} × loss rates of {p.losses}")
    return _weighted(ctx, "average-data (T&D losses)", "secondary", factors=factors)


# ------------------------------------------------------------------------------------- reported


class ReportedParameters(Parameters):
    emissions: ColumnExpression = Field(description="column (or expression) with the emissions, e.g. "
                                                    "lessee_s1s2 * leased_area / total_area")
    unit: str = Field(default="kg", description="mass unit of the emissions (kg, t, …)")
    method: str = Field(default="reported by the value-chain partner", description="recorded in the ledger")
    data_type: str = Field(default="primary", description="recorded in the ledger")

    def columns_used(self) -> list[str]:
        return expression_columns(self.emissions)


Problem = tuple[Callable[[str], str], str]  # (SQL condition over a row alias, reason) — first match wins


def _reported(ctx: CalcContext, emissions: Callable[[str], str], unit: str, method: str, data_type: str,
              problems: list[Problem] = ()) -> CalcPlan:
    """Ledger rows for emissions given per row; a row meeting any problem is rejected with its reason."""
    try:
        to_kg = conversion_factor(unit, "kg")
    except UnitProblem as problem:
        raise InputError(f"rule parameter unit: {problem}") from None
    k = f"CAST({literal(exact(to_kg))} AS DECIMAL(38,12))"
    problems = [*problems, (lambda r: f"{emissions(r)} IS NULL", reason_text("reported.missing")),
                (lambda r: f"{emissions(r)} < 0", reason_text("reported.negative"))]

    def any_problem(row: str) -> str:
        return " OR ".join(f"coalesce({condition(row)}, FALSE)" for condition, _ in problems)

    reason = " ".join(f"WHEN coalesce({condition('b')}, FALSE) THEN {literal(text)}" for condition, text in problems)
    e = emissions("s")
    ledger = f"""
SELECT {ctx.passthrough('s')}, 'CO2e' AS gas, {e} * {k} AS amount, {e} * {k} AS co2e_kg,
       {e} AS quantity, {literal(unit)} AS quantity_unit, 'reported' AS factor_id, NULL AS factor_set,
       NULL AS factor_version, 'as reported' AS gwp, {literal(method)} AS method, {literal(data_type)} AS data_type
FROM {ctx.src} s WHERE NOT ({any_problem('s')})"""
    rejects = f"SELECT b._row_id AS row_id, CASE {reason} END AS reason FROM {ctx.src} b WHERE {any_problem('b')}"
    return CalcPlan(ledger=ledger, rejects=rejects)


def compile_reported(ctx: CalcContext) -> CalcPlan:
    p: ReportedParameters = ctx.parameters
    return _reported(ctx, lambda row: ctx.value_sql(p.emissions, row), p.unit, p.method, p.data_type)


class AttributionParameters(Parameters):
    emissions: ColumnExpression = Field(description="the investee's (or project's) emissions")
    outstanding: str = Field(description="column with the amount outstanding")
    attribution_base: ColumnExpression = Field(description="EVIC (market capitalisation + debt; cash is not "
                                                           "deducted), total equity + debt, project cost or "
                                                           "property value, by asset class")
    unit: str = Field(default="t", description="mass unit of the emissions")
    method: str = Field(default="PCAF attribution", description="recorded in the ledger")

    def columns_used(self) -> list[str]:
        return [*expression_columns(self.emissions), self.outstanding, *expression_columns(self.attribution_base)]


def compile_pcaf(ctx: CalcContext) -> CalcPlan:
    """Financed emissions (PCAF Global Standard Part A, 2nd ed. 2022): emissions × outstanding ÷ base.
    The attribution factor outstanding ÷ base is at most 1; a larger one is rejected, not capped.
    The division is exact and the attributed emissions are rounded half-even to 6 places."""
    p: AttributionParameters = ctx.parameters

    def base(row: str) -> str:
        return ctx.value_sql(p.attribution_base, row)

    def attributed(row: str) -> str:
        return (f"CAST(tanso_divide({ctx.value_sql(p.emissions, row)} * CAST({row}.{ident(p.outstanding)} AS "
                f"DECIMAL(38,6)), {base(row)}) AS DECIMAL(18,6))")

    problems: list[Problem] = [
        (lambda r: f"coalesce({base(r)}, 0) <= 0", reason_text("pcaf.base")),
        (lambda r: f"{r}.{ident(p.outstanding)} IS NULL OR {r}.{ident(p.outstanding)} < 0",
         reason_text("pcaf.outstanding")),
        (lambda r: f"{r}.{ident(p.outstanding)} > {base(r)}", reason_text("pcaf.above_100")),
    ]
    return _reported(ctx, attributed, p.unit, p.method, "primary", problems)


GWP = GWP_POLICIES
CALCULATORS = [
    Calculator(name="activity", doc="Activity quantity × average-data emission factor, units converted.",
               parameters=FactorParameters, compile=compile_activity, reads_policies=GWP, data_type="secondary",
               weight_only_in_passthrough=True, methods=(("average-data", "secondary"),)),
    Calculator(name="fuel_combustion", doc="Fuel quantity × per-gas combustion factors, each gas weighted by the GWP set.",
               parameters=FuelParameters, compile=compile_fuel, reads_policies=GWP, data_type="primary",
               table_parameters=("blends",),
               weight_only_in_passthrough=True, methods=(("fuel-based", "primary"),)),
    Calculator(name="supplier_product", doc="Quantity × the supplier's cradle-to-gate product footprint.",
               parameters=FactorParameters, compile=compile_supplier_product, reads_policies=GWP,
               data_type="supplier-specific",
               weight_only_in_passthrough=True, methods=(("supplier-specific product footprint", "supplier-specific"),
                        ("supplier-specific product footprint", VERIFIED))),
    Calculator(name="spend_based", doc="Spend × EEIO factor; currency converted and deflated to the factor's base year.",
               parameters=SpendParameters, compile=compile_spend, reads_policies=GWP, data_type="spend-based",
               table_parameters=("exchange_rates", "price_index"),
               weight_only_in_passthrough=True, methods=(("spend-based", "spend-based"),)),
    Calculator(name="supplier_allocation", doc="Supplier's emissions ÷ its revenue × spend with the supplier.",
               parameters=AllocationParameters, compile=compile_supplier_allocation, data_type="supplier-specific",
               factor_parameters=(), table_parameters=("suppliers",), reads_policies=(SUPPLIER_ALLOCATION_POLICY,),
               weight_only_in_passthrough=True, methods=(("supplier-specific allocation", "supplier-specific"),)),
    Calculator(name="loss_share", doc="Quantity × loss rate × factor: transmission and distribution losses.",
               parameters=LossParameters, compile=compile_loss_share, reads_policies=GWP, data_type="secondary",
               table_parameters=("losses",),
               weight_only_in_passthrough=True, methods=(("average-data (T&D losses)", "secondary"),)),
    Calculator(name="reported_emissions", doc="Emissions reported by a value-chain partner, optionally × a share.",
               parameters=ReportedParameters, compile=compile_reported, data_type="primary", factor_parameters=(),
               weight_only_in_passthrough=True, methods=((ReportedParameters.model_fields["method"].default, "primary"),)),
    Calculator(name="pcaf_attribution", doc="Investee emissions × outstanding ÷ attribution base (PCAF).",
               parameters=AttributionParameters, compile=compile_pcaf, data_type="primary", factor_parameters=(),
               weight_only_in_passthrough=True, methods=((AttributionParameters.model_fields["method"].default, "primary"),)),
]
