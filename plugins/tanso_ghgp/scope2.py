"""Scope 2, market-based (GHG Protocol Scope 2 Guidance 2015, chapter 6 and the Quality Criteria).

The instrument hierarchy, applied per consumption row:
1. energy attribute certificates (RECs, GOs, I-RECs; bundled PPAs) cover consumption up to the
   certificates held for the same allocation keys (by default entity, grid region and period). Each
   certificate MWh is allocated once, in a fixed order of rows, so none is counted twice;
2. what certificates do not cover takes the supplier-specific emission rate (green tariff, utility
   disclosure) where the row names a supplier with a rate;
3. otherwise the residual mix of its grid region;
4. otherwise, where no residual mix is published, the location-based grid factor (the Guidance's
   fallback), recorded as such in the ledger.
A row split between certificates and a factor gives two ledger rows (same row id, one per part).
The allocation keys are a parameter: hourly matching allocates by hour and market boundary.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from tanso.contracts import CalcPlan, Calculator, Field, Parameters
from tanso.diagnostics import InputError
from tanso.i18n import register
from tanso.plan.context import CalcContext
from tanso.plan.factor_product import Tier, exact, factor_gases, factor_product_chain, factor_type
from tanso.plan.sql import ident, literal, quoted
from tanso.plan.units import UnitProblem, conversion_factor
from tanso.reasons import SEPARATOR, reason_sql
from tanso_ghgp.gwp import GWP_POLICIES, policy_weights
from tanso_ghgp.revision import SCOPE2_MARKET_POLICIES

KWH = "kWh"
# A market-based reject's reason names the tier each part comes from (tanso.reasons: said in the run's language)
TIER_REASONS = {"supplier-specific rate": "scope2.supplier_rate", "residual mix": "scope2.residual_mix",
                "fossil fallback (no residual mix)": "scope2.fossil_fallback",
                "location-based fallback (no residual mix)": "scope2.location_fallback"}
register({
    "reason.scope2.supplier_rate": {"en": "supplier-specific rate: {reason}", "ja": "供給事業者別の排出係数：{reason}"},
    "reason.scope2.residual_mix": {"en": "residual mix: {reason}", "ja": "残余ミックス：{reason}"},
    "reason.scope2.fossil_fallback": {"en": "fossil fallback (no residual mix): {reason}",
                                      "ja": "化石燃料の係数による代替（残余ミックスなし）：{reason}"},
    "reason.scope2.location_fallback": {"en": "location-based fallback (no residual mix): {reason}",
                                        "ja": "ロケーション基準の係数による代替（残余ミックスなし）：{reason}"},
    "reason.scope2.fossil_forbids_location": {
        "en": "no fossil factor set is given and scope2.market.residual_mix_fallback = fossil forbids the location-based "
              "fallback",
        "ja": "化石燃料の係数セットの指定がなく、scope2.market.residual_mix_fallback = fossil のためロケーション基準の係数による"
              "代替もできない"},
    "reason.scope2.uncovered": {"en": "not covered by certificates and no factor set is given",
                                "ja": "証書で賄われず、係数セットの指定もない"},
    # a row, or a certificate, whose quantity is no energy the allocation can use
    "reason.scope2.too_large": {"en": "{quantity} {value} {unit} is more than {most} kWh, the most one row may hold (a unit "
                                      "or a decimal point out of place?)",
                                "ja": "{quantity} {value} {unit} は 1 行に入る上限 {most} kWh を超える（単位か小数点の誤り？）"},
    "reason.scope2.not_energy": {"en": "unit {unit} is not an energy unit", "ja": "単位 {unit} はエネルギーの単位ではない"},
    # a certificate refused whole (instrument_rejects), with each of its problems
    "reason.scope2.certificate_unused": {"en": "certificate {certificate_id} is not used: {reason}",
                                         "ja": "証書 {certificate_id} は使わない：{reason}"},
    "reason.scope2.certificate_unused_no_id": {"en": "certificate is not used: {reason}", "ja": "証書は使わない：{reason}"},
    "reason.scope2.listed_twice": {"en": "certificate_id {certificate_id} is listed on {rows}: a certificate is claimed once",
                                   "ja": "certificate_id {certificate_id} が {rows} に記載されている：証書が主張できるのは 1 回"},
    "reason.scope2.fix_source": {"en": "fix the source", "ja": "元データを直す"},
})


class MarketParameters(Parameters):
    certificates: str | None = Field(default=None, description="input table of certificates held: the allocation "
                                                               "keys, quantity, unit, certificate_id")
    allocate_by: list[str] = Field(default=["entity", "grid_region", "period"], min_length=1,
                                   description="columns a certificate must share with the consumption it covers")
    supplier_rates: str | None = Field(default=None, description="factor set of supplier-specific emission rates")
    supplier_match: list[str] = Field(default=["supplier"], min_length=1,
                                      description="columns to match the supplier rates on")
    residual_mix: str | None = Field(default=None, description="factor set of residual-mix factors")
    location: str | None = Field(default=None, description="factor set used where no residual mix exists "
                                                           "(scope2.market.residual_mix_fallback = location)")
    grid_match: list[str] = Field(default=["grid_region"], min_length=1,
                                  description="columns to match the residual mix and location factors on")
    quantity: str = Field(default="quantity", description="column with the electricity (or energy) consumed")
    unit: str = Field(default="unit", description="column with the unit of the quantity")
    # Read only under the revision drafts' policies (columns_used cannot see policies, so the columns
    # below are required at plan time, and only when the policy that needs them is on).
    hourly_by: list[str] = Field(default=["hour"], min_length=1,
                                 description="columns (consumption and certificates) naming the hour; added to "
                                             "allocate_by when scope2.market.matching = hourly")
    market_by: list[str] = Field(default=["grid_region"], min_length=1,
                                 description="columns naming the market boundary; added to allocate_by when "
                                             "scope2.market.deliverability = same_market")
    fossil: str | None = Field(default=None, description="factor set of fossil-only grid averages or a conservative "
                                                         "default (scope2.market.residual_mix_fallback = fossil)")
    fossil_match: list[str] | None = Field(default=None, description="columns to match the fossil factors on "
                                                                      "(default: grid_match)")
    sss: str | None = Field(default=None, description="input table of standard-supply-service shares allocated to "
                                                      "the company, laid out like certificates "
                                                      "(scope2.market.standard_supply_service = true)")
    legacy: str = Field(default="legacy", description="boolean column of the certificates table flagging contracts "
                                                      "signed before the new rules (scope2.market.legacy_clause)")

    def columns_used(self) -> list[str]:
        tiers = [*(self.supplier_match if self.supplier_rates else []),
                 *(self.grid_match if self.residual_mix or self.location else [])]
        return [self.quantity, self.unit, *(self.allocate_by if self.certificates else []), *tiers]


MAX_KWH = Decimal("999999999999.999999")  # the largest DECIMAL(18,6): a row's or a certificate's kWh


def _kwh_table(ctx: CalcContext, units: list[str]) -> tuple[str, dict[str, str]]:
    """One scalar per unit (→ kWh) and the largest quantity whose kWh fits the DECIMAL(18,6) the
    allocation works in (a larger one is a row reject, never an overflow of the run); the units that
    do not convert, with the reason."""
    rows, problems = [], {}
    for unit in units:
        try:
            to_kwh = exact(conversion_factor(unit, KWH))
        except UnitProblem as problem:
            problems[unit] = str(problem)
            continue
        rows.append({"unit": unit, "to_kwh": to_kwh, "whole": int(to_kwh) if to_kwh == to_kwh.to_integral_value() and to_kwh <= MAX_KWH else None,
                     "max_quantity": (MAX_KWH / to_kwh).quantize(Decimal("0.000001"), rounding=ROUND_FLOOR)})
    import pyarrow as pa
    schema = pa.schema([("unit", pa.string()), ("to_kwh", factor_type()), ("whole", pa.int64()),
                        ("max_quantity", pa.decimal128(38, 6))])
    return ctx.register("kwh_units", pa.Table.from_pylist(rows, schema=schema)), problems


# Why a row's or a certificate's quantity is no energy the allocation can use (SQL of the reason, by code)
def missing(column: str) -> str:
    return reason_sql("missing_value", column=literal(column))


def negative(quantity: str, q: str) -> str:
    return reason_sql("negative_quantity", quantity=literal(quantity), value=f"CAST({q} AS VARCHAR)")


def too_large(quantity: str, q: str, u: str) -> str:
    return reason_sql("scope2.too_large", quantity=literal(quantity), value=f"CAST({q} AS VARCHAR)", unit=u,
                      most=literal(format(MAX_KWH, ",f")))


def not_energy(u: str) -> str:
    return reason_sql("scope2.not_energy", unit=u)


def _relation_columns(ctx: CalcContext, relation: str) -> set[str]:
    return {row[0] for row in ctx.query(f"SELECT column_name FROM (DESCRIBE SELECT * FROM {relation})")}


def _require(ctx: CalcContext, have: set[str], needed: list[str], what: str, why: str) -> None:
    missing = [c for c in dict.fromkeys(needed) if c not in have]
    if missing:
        raise InputError(f"rule {ctx.rule_id.rsplit('_', 1)[0]}: market_based needs column(s) "
                         f"{', '.join(missing)} in {what} ({why})")


def compile_market_based(ctx: CalcContext) -> CalcPlan:
    p: MarketParameters = ctx.parameters
    policies = ctx.policies
    hourly = policies.get("scope2.market.matching", "annual") == "hourly"
    threshold = policies.get("scope2.market.hourly_exemption_gwh") if hourly else None
    same_market = policies.get("scope2.market.deliverability", "none") == "same_market"
    legacy = bool(policies.get("scope2.market.legacy_clause")) and (hourly or same_market)
    fossil_fallback = policies.get("scope2.market.residual_mix_fallback", "location") == "fossil"

    q, u = ident(p.quantity), ident(p.unit)
    sources = []  # (relation, certificate id prefix, legacy flag SQL, input table)
    if p.certificates:
        sources.append((ctx.input_table(p.certificates), "", "coalesce(c.{legacy}, FALSE)" if legacy else "FALSE",
                        p.certificates))
    if p.sss and policies.get("scope2.market.standard_supply_service"):
        sources.append((ctx.input_table(p.sss), "SSS:", "FALSE", p.sss))
    # The certificate allocation reads which rows are in the boundary, never their weights (they weigh the ledger's
    # rows afterwards): it is computed from the rows without them, so a comparison shares it between boundaries
    # that include the same entities (operational and financial control, differing in a joint venture's weight).
    in_boundary = ctx.boundary_rows()
    units = {row[0] for row in ctx.query(f"SELECT DISTINCT {u} FROM {in_boundary} WHERE {u} IS NOT NULL")}
    for relation, _, _, _ in sources:
        units |= {row[0] for row in ctx.query(f"SELECT DISTINCT unit FROM {relation} WHERE unit IS NOT NULL")}
    kwh_units, unit_problems = _kwh_table(ctx, sorted(units))
    # A whole scalar (kWh, MWh, GWh: nearly every row) multiplies exactly, without rounding the DECIMAL(38,18)
    # product: the same value, five times cheaper than round_even (the rows are read by every tier).
    to_kwh = ("CASE WHEN {q} <= k.max_quantity THEN CASE WHEN k.whole IS NOT NULL THEN CAST({q} * k.whole AS DECIMAL(18,6)) "
              "ELSE CAST(round_even({q} * k.to_kwh, 6) AS DECIMAL(18,6)) END END")

    # The allocation keys: the in-force ones, the market boundary under deliverability, the hour under
    # hourly matching (as slot columns: an exempt entity's rows and certificates take the slot '*').
    base_keys = list(dict.fromkeys(p.allocate_by))
    keys = base_keys + [m for m in p.market_by if same_market and m not in base_keys]
    hours = [h for h in p.hourly_by if hourly and sources and h not in keys]  # no certificates: nothing to match
    threshold_kwh = literal(Decimal(threshold) * 1_000_000) if threshold is not None else None
    if sources:
        why = ", ".join(filter(None, ["allocate_by", same_market and "scope2.market.deliverability = same_market",
                                      hourly and "scope2.market.matching = hourly",
                                      threshold is not None and "scope2.market.hourly_exemption_gwh"]))
        _require(ctx, set(ctx.columns), [*keys, *hours, *(["entity"] if threshold is not None else [])],
                 "the rule's rows", why)
        for relation, prefix, flag, name in sources:
            _require(ctx, _relation_columns(ctx, relation),
                     [*keys, *hours, "quantity", "unit", "certificate_id",
                      *(["entity"] if threshold is not None else []), *([p.legacy] if "legacy" in flag else [])],
                     f"input table {name}", why + (", scope2.market.legacy_clause" if "legacy" in flag else ""))
        if threshold is not None and "entity" not in base_keys:
            raise InputError(f"rule {ctx.rule_id.rsplit('_', 1)[0]}: scope2.market.hourly_exemption_gwh applies per "
                             f"entity, so market_based needs entity among allocate_by")

    rows_kwh = consumption = ctx.rows("consumption", f"""
        SELECT s.*, {to_kwh.format(q=f's.{q}')} AS _kwh FROM {in_boundary} s JOIN {kwh_units} k ON k.unit = s.{u}
        WHERE s.{q} >= 0 AND s.{q} <= k.max_quantity""")   # the rule's rows with their kWh: what the remainder reads
    slots = [f"_slot{i}" for i in range(len(hours))]
    if hours:
        hourly_flag = (f"sum(c._kwh) OVER (PARTITION BY c.entity) > {threshold_kwh}" if threshold_kwh else "TRUE")
        slot_sql = "".join(f", CASE WHEN {{a}}._hourly THEN CAST({{a}}.{ident(h)} AS VARCHAR) ELSE '*' END AS {s}"
                           for h, s in zip(hours, slots))
        consumption = ctx.view("consumption_hourly", f"SELECT c.*, {hourly_flag} AS _hourly FROM {consumption} c")
        consumption = ctx.view("consumption_slots", f"SELECT c.*{slot_sql.format(a='c')} FROM {consumption} c")
    instrument_rejects = claims = None
    if sources:
        # Each certificate is one row of its table, named by its certificate_id, with a quantity of
        # energy. A row that is not (id missing or listed twice, quantity missing or negative, a unit
        # that is not energy) is refused whole with the reason, and none of its MWh is allocated. An id
        # listed twice refuses every row carrying it: which copy is right is not ours to guess.
        unit_reasons = " ".join(f"WHEN c.unit = {literal(unit)} THEN {literal(problem)}"
                                for unit, problem in unit_problems.items())
        id_sql = "CAST(c.certificate_id AS VARCHAR)"
        listed_twice = (f"{reason_sql('scope2.listed_twice', certificate_id=quoted('d.certificate_id'), rows='d._rows')}"
                        f" || {literal(SEPARATOR)} || {reason_sql('scope2.fix_source')}")
        checked = []
        for order, (relation, prefix, flag, name) in enumerate(sources):
            dups = ctx.table(f"duplicates{order}", f"""
                SELECT c.certificate_id, 'rows ' || string_agg(CAST(c._row AS VARCHAR), ', ' ORDER BY c._row)
                    FILTER (WHERE c._row < c._last) || ' and ' || max(c._row) AS _rows
                FROM (SELECT _row, {id_sql} AS certificate_id, max(_row) OVER (PARTITION BY {id_sql}) AS _last
                      FROM {relation} c) c
                WHERE trim(c.certificate_id) <> '' GROUP BY ALL HAVING count(*) > 1""")
            checked.append(ctx.table(f"instruments{order}", f"""
                SELECT c.*, {literal(name)} AS _table, {order} AS _source, {literal(prefix)} || {id_sql} AS _id,
                       {to_kwh.format(q='c.quantity')} AS _kwh, {flag.format(legacy=ident(p.legacy))} AS _legacy,
                       nullif(concat_ws('; ',
                           CASE WHEN {id_sql} IS NULL OR trim({id_sql}) = '' THEN {missing('certificate_id')} END,
                           CASE WHEN d.certificate_id IS NOT NULL THEN {listed_twice} END,
                           CASE WHEN c.quantity IS NULL THEN {missing('quantity')}
                                WHEN c.quantity < 0 THEN {negative('quantity', 'c.quantity')}
                                WHEN c.quantity > k.max_quantity THEN {too_large('quantity', 'c.quantity', 'c.unit')}
                           END,
                           CASE WHEN c.unit IS NULL THEN {missing('unit')} WHEN k.unit IS NULL THEN CASE WHEN FALSE THEN NULL {unit_reasons}
                                ELSE {not_energy('c.unit')} END END), '') AS _problem
                FROM {relation} c LEFT JOIN {kwh_units} k ON k.unit = c.unit
                LEFT JOIN {dups} d ON d.certificate_id = {id_sql}"""))
        named = reason_sql("scope2.certificate_unused", certificate_id=quoted("CAST(certificate_id AS VARCHAR)"),
                           reason="_problem")
        unused = (f"CASE WHEN certificate_id IS NULL THEN "
                  f"{reason_sql('scope2.certificate_unused_no_id', reason='_problem')} ELSE {named} END")
        instrument_rejects = " UNION ALL ".join(
            f"SELECT _table AS input_table, _row_id AS row_id, _row AS input_row, {unused} "
            f"AS reason FROM {relation} WHERE _problem IS NOT NULL" for relation in checked)
        columns = ", ".join(f"c.{ident(k)}" for k in [*keys, *hours])
        certs = ctx.view("certificates", " UNION ALL ".join(
            f"SELECT {columns}, c.quantity, c.unit, c._id AS certificate_id, c._legacy, c._table, c._source, "
            f"CAST(c.certificate_id AS VARCHAR) AS _raw_id, c._row_id, c._row, c._kwh" + (", c.entity AS _entity" if threshold is not None else "")
            + f" FROM {relation} c WHERE c._problem IS NULL" for relation in checked))
        if hours:
            status = (f"coalesce((SELECT bool_or(e._hourly) FROM {consumption} e WHERE e.entity = c._entity), TRUE)"
                      if threshold_kwh else "TRUE")
            certs = ctx.view("certificates_hourly", f"SELECT c.*, {status} AS _hourly FROM {certs} c")
            certs = ctx.view("certificates_slots", f"SELECT c.*{slot_sql.format(a='c')} FROM {certs} c")

        def allocate(name: str, rows: str, amount: str, stage_keys: list[str], which: str, every_row: bool) -> str:
            """Rows take the pool of their keys in row-id order: what earlier rows took is gone. Only the rows
            whose keys have a pool, unless `every_row` (a later stage reads the rest): a row without one takes
            nothing, and a partition of the window holds all rows of its keys either way."""
            k = [ident(x) if not x.startswith("_slot") else x for x in stage_keys]
            pool = (f"SELECT {', '.join('c.' + x for x in k)}, sum(c._kwh) AS _pool, count(*) AS _n "
                    f"FROM {certs} c WHERE c._kwh > 0 AND {which} GROUP BY ALL")
            on = " AND ".join(f"p.{x} = r.{x}" for x in k)
            return ctx.view(name, f"""
                SELECT r.*, least(r.{amount}, greatest(coalesce(p._pool, 0) - coalesce(sum(r.{amount}) OVER (
                           PARTITION BY {', '.join('r.' + x for x in k)} ORDER BY r._row_id
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0), 0)) AS _cov_{name},
                       -- The pool, not its ids, labels covered rows: an id list per row grows with rows ×
                       -- certificates (46 kB a row at 10M rows); the keys find the certificates in their table.
                       concat_ws('/', {', '.join(f'CAST(p.{x} AS VARCHAR)' for x in k)}) || ' (' || p._n
                           || ' certificates)' AS _ids_{name}
                FROM {consumption if rows is None else rows} r {"LEFT JOIN" if every_row else "JOIN"} ({pool}) p ON {on}""")

        def claimed(name: str, rows: str, stage_keys: list[str], which: str) -> str:
            """Which certificate covered which row: the rows took their pool in row-id order and the pool is
            the certificates in (table, row) order, so a row's covered kWh is an interval of the pool's
            running total, a certificate's quantity too, and a claim is where two intervals overlap."""
            k = [ident(x) if not x.startswith("_slot") else x for x in stage_keys]
            by = ", ".join(f"{{a}}.{x}" for x in k)
            on = " AND ".join(f"c.{x} = r.{x}" for x in k)
            return f"""
                SELECT c._table, c._row_id AS _instrument_row_id, c._row AS _instrument_row, c._raw_id, c._kwh,
                       r._row_id, r._row, least(r._start + r._cov, c._start + c._kwh) - greatest(r._start, c._start) AS _claim
                FROM (SELECT r._row_id, r._row, {by.format(a='r')}, r._cov_{name} AS _cov, sum(r._cov_{name}) OVER (
                          PARTITION BY {by.format(a='r')} ORDER BY r._row_id ROWS UNBOUNDED PRECEDING) - r._cov_{name} AS _start
                      FROM {rows} r WHERE r._cov_{name} > 0) r
                JOIN (SELECT c.*, sum(c._kwh) OVER (PARTITION BY {by.format(a='c')} ORDER BY c._source, c._row
                          ROWS UNBOUNDED PRECEDING) - c._kwh AS _start
                      FROM {certs} c WHERE c._kwh > 0 AND {which}) c
                ON {on} AND c._start < r._start + r._cov AND r._start < c._start + c._kwh"""

        stage = allocate("matched", None, "_kwh", [*keys, *slots], "NOT c._legacy", every_row=legacy)
        claim_parts = [claimed("matched", stage, [*keys, *slots], "NOT c._legacy")]
        if legacy:  # contracts signed before the new rules: the in-force (annual, no market) keys
            rest = ctx.view("unmatched", f"SELECT s.*, CAST(s._kwh - s._cov_matched AS DECIMAL(18,6)) AS _rest "
                                         f"FROM {stage} s")
            stage = allocate("legacy", rest, "_rest", base_keys, "c._legacy", every_row=True)
            claim_parts.append(claimed("legacy", stage, base_keys, "c._legacy"))
            covered_sql = "s._cov_matched + s._cov_legacy"
            ids_sql = ("concat_ws(',', CASE WHEN s._cov_matched > 0 THEN s._ids_matched END, "
                       "CASE WHEN s._cov_legacy > 0 THEN s._ids_legacy END)")
        else:
            covered_sql, ids_sql = "s._cov_matched", "s._ids_matched"
        # Computed once: the covered rows, every remainder tier and the rejects read it, and as a view each
        # would re-run the allocation windows (and hold their buffers) in the same ledger query. It keeps the
        # covered rows and the allocation's own columns only: with every column of every row it was the run's
        # largest table (2.5M rows x 17 columns at 10M); the rows' own columns are joined back by row id.
        flags = (", s._hourly" if hours else "") + (", s._cov_legacy" if legacy else "")
        allocated = ctx.table("allocated", f"SELECT s._row_id, {covered_sql} AS _covered, {ids_sql} AS _certificates"
                                           f"{flags} FROM {stage} s WHERE {covered_sql} > 0")
    else:
        allocated = ctx.view("allocated", f"SELECT c._row_id, CAST(0 AS DECIMAL(18,6)) AS _covered, "
                                          f"CAST(NULL AS VARCHAR) AS _certificates FROM {rows_kwh} c WHERE FALSE")
    unweighted_remainder = ctx.rows("remainder_kwh", f"""
        SELECT c.*, CAST(c._kwh - coalesce(a._covered, 0) AS DECIMAL(18,6)) AS _remainder_kwh
        FROM {rows_kwh} c LEFT JOIN {allocated} a ON a._row_id = c._row_id WHERE c._kwh > coalesce(a._covered, 0)""")
    remainder = ctx.view("remainder", ctx.weighted(unweighted_remainder))   # with the weights its ledger rows carry

    fallback = ((p.fossil, p.fossil_match or p.grid_match, "market-based: fossil fallback (no residual mix)", "secondary")
                if fossil_fallback else
                (p.location, p.grid_match, "market-based: location-based fallback (no residual mix)", "secondary"))
    tiers = [(p.supplier_rates, p.supplier_match, "market-based: supplier-specific rate", "supplier-specific"),
             (p.residual_mix, p.grid_match, "market-based: residual mix", "secondary"), fallback]
    if fossil_fallback and p.fossil:
        _require(ctx, set(ctx.columns), p.fossil_match or p.grid_match, "the rule's rows",
                 "scope2.market.residual_mix_fallback = fossil")
    chain = [Tier(ctx.factor_table(factor_set), match, method, data_type,
                  policy_weights(ctx.policies, factor_gases(ctx, ctx.factor_table(factor_set))))
             for factor_set, match, method, data_type in tiers if factor_set]
    plans, step_src = factor_product_chain(ctx.with_source(remainder, unweighted_remainder), chain, quantity="_remainder_kwh",
                                           quantity_unit=KWH) if chain else ([], remainder)
    ledgers = [plan.ledger for plan in plans]
    reject_views = [(ctx.view(f"tier{index}_rejects", plan.rejects), tier.method)
                    for index, (plan, tier) in enumerate(zip(plans, chain))]
    # Under the fossil fallback the location-based grid average may not be used: say so where a row
    # found no factor and no fossil set is given.
    note = (f" || '; ' || {reason_sql('scope2.fossil_forbids_location')}" if fossil_fallback and not p.fossil and p.location
            else "")
    if reject_views:
        reasons = " || '; ' || ".join(reason_sql(TIER_REASONS[method.split(": ")[1]], reason=f"t{i}.reason")
                                      for i, (_, method) in enumerate(reject_views))
        joins = " ".join(f"JOIN {view} t{i} ON t{i}.row_id = r._row_id" for i, (view, _) in enumerate(reject_views))
        uncomputed = f"SELECT r._row_id AS row_id, {reasons}{note} AS reason FROM {step_src} r {joins}"
    else:
        uncomputed = (f"SELECT r._row_id AS row_id, {reason_sql('scope2.uncovered')}{note} "
                      f"AS reason FROM {remainder} r")
    row_unit_reasons = " ".join(f"WHEN b.{u} = {literal(unit)} THEN {literal(problem)}" for unit, problem in unit_problems.items())
    # The rows not among rows_kwh (its join and filter negated: no anti-join of the rows with themselves).
    unusable = f"""
        SELECT b._row_id AS row_id, CASE WHEN b.{q} IS NULL THEN {missing(p.quantity)}
            WHEN b.{q} < 0 THEN {negative(p.quantity, f'b.{q}')}
            WHEN b.{u} IS NULL THEN {missing(p.unit)} {row_unit_reasons}
            WHEN b.{q} > k.max_quantity THEN {too_large(p.quantity, f'b.{q}', f'b.{u}')}
            ELSE {not_energy(f'b.{u}')} END AS reason
        FROM {ctx.src} b LEFT JOIN {kwh_units} k ON k.unit = b.{u}
        WHERE NOT coalesce(k.unit IS NOT NULL AND b.{q} >= 0 AND b.{q} <= k.max_quantity, FALSE)"""
    # Read once, by the engine's rejects, and never where only the ledger is read (a comparison's scenarios):
    # a view. The covered part and the claims leave out the rows whose remainder no tier computes (a row is
    # rejected whole), found without the rejects' reasons: they are the rows no tier prices (`step_src`,
    # each in every tier's rejects), and an unusable row is never covered (the allocation reads rows_kwh).
    rejects = ctx.view("rejects", f"{unusable} UNION ALL {uncomputed}")
    method = "'market-based: energy attribute certificates'"
    qualifiers = []
    if hours:
        exempt = f"annual matching, exempt at most {format(threshold, 'f')} GWh" if threshold is not None else ""
        qualifiers.append(f"CASE WHEN a._hourly THEN 'hourly matching' ELSE {literal(exempt)} END")
    if same_market:
        qualifiers.append("'same market'")
    if legacy:
        qualifiers.append("CASE WHEN a._cov_legacy > 0 THEN 'incl. legacy contracts' END")
    if qualifiers:
        method = f"{method} || ' (' || concat_ws(', ', {', '.join(qualifiers)}) || ')'"
    covered = f"""
        SELECT {ctx.passthrough('c')}, 'CO2e' AS gas, 0 AS amount, 0 AS co2e_kg, a._covered AS quantity,
               '{KWH}' AS quantity_unit, 'certificates:' || a._certificates AS factor_id,
               {literal(p.certificates if p.certificates else p.sss)} AS factor_set, NULL AS factor_version,
               'zero-emission instrument' AS gwp, {method} AS method, 'supplier-specific' AS data_type
        FROM {allocated} a JOIN ({ctx.weighted(rows_kwh)}) c ON c._row_id = a._row_id
        WHERE a._covered > 0 AND a._row_id NOT IN (SELECT _row_id FROM {step_src})"""
    if sources:
        # The claims of the covered part: the ledger row they cover is (row_id, factor_id) of this rule.
        claims = f"""
            SELECT x._table AS instrument_table, x._instrument_row_id AS instrument_row_id,
                   x._instrument_row AS instrument_row, x._raw_id AS instrument_id, x._row_id AS row_id,
                   x._row AS input_row, 'certificates:' || a._certificates AS factor_id, x._claim AS quantity,
                   '{KWH}' AS quantity_unit, x._kwh AS instrument_quantity
            FROM ({" UNION ALL ".join(claim_parts)}) x JOIN {allocated} a ON a._row_id = x._row_id
            WHERE x._row_id NOT IN (SELECT _row_id FROM {step_src})"""
    return CalcPlan(ledger=" UNION ALL ".join([covered, *ledgers]), rejects=f"SELECT * FROM {rejects}",
                    instrument_rejects=instrument_rejects, claims=claims)


def market_policies(p: MarketParameters) -> tuple[str, ...]:
    """What can change this call's result: certificate matching only with certificates, the standard
    supply service only with its table, the legacy clause only with certificates to flag."""
    pooled = bool(p.certificates or p.sss)
    return (*GWP_POLICIES, "scope2.market.residual_mix_fallback",
            *(("scope2.market.matching", "scope2.market.hourly_exemption_gwh", "scope2.market.deliverability")
              if pooled else ()),
            *(("scope2.market.legacy_clause",) if p.certificates else ()),
            *(("scope2.market.standard_supply_service",) if p.sss else ()))


MARKET_BASED = Calculator(
    name="market_based", doc="Scope 2 market-based: certificates, then supplier rate, residual mix, location fallback "
                             "(or fossil fallback); annual or hourly matching, per the scope2.market policies.",
    parameters=MarketParameters, compile=compile_market_based, reads_policies=(*GWP_POLICIES, *SCOPE2_MARKET_POLICIES),
    data_type="supplier-specific", factor_parameters=("supplier_rates", "residual_mix", "location", "fossil"),
    table_parameters=("certificates", "sss"), exclusive_tables=("certificates", "sss"),
    relevant_policies=market_policies,
    weight_only_in_passthrough=True,
    methods=(("market-based: energy attribute certificates", "supplier-specific"),
             ("market-based: supplier-specific rate", "supplier-specific"),
             ("market-based: residual mix", "secondary"),
             ("market-based: fossil fallback (no residual mix)", "secondary"),
             ("market-based: location-based fallback (no residual mix)", "secondary")))
