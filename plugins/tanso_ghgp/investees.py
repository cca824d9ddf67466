"""Category 15 from the boundary's own entities table: one boundary for Scope 1/2 and investments.

An investee is an entity of the entities table (the tree of holdings, see `holdings`); a row of the
rule names it (`investee`), its holder (`entity`, which must be the investee's parent there) and the
investee's own reported emissions. The Scope 3 Standard (2011, ch. 5, Table 5.9, category 15) counts
the proportional share of an equity investment the inventory does not consolidate, so:

- an investee the boundary consolidates (weight above 0 under `boundary.approach`) is counted in
  Scope 1/2 from its activity rows and its row here is excluded, naming its weight: never both;
- otherwise the row counts the investee's emissions × the holder's equity share in it (from the entities
  table, never typed a second time), and the engine weights the row by the holder's own boundary weight,
  so an associate held 25 % through a 60 % subsidiary counts 25 % under a control approach (the
  subsidiary counts 100 %) and 15 % under equity share — the same level-by-level rule as Scope 1/2.

The product is rounded half-even to 6 decimals of the emissions' unit, as `pcaf_attribution` does.
"""

from __future__ import annotations

from tanso.contracts import CalcPlan, Calculator, ColumnExpression, ExpressionFunction, Field, Parameters
from tanso.diagnostics import InputError
from tanso.i18n import register
from tanso.plan.context import CalcContext, FunctionContext
from tanso.plan.sql import expression_columns, ident, literal
from tanso.reasons import reason_sql, reason_text
from tanso_ghgp.calculators import Problem, _reported

# Why an investee's row is excluded or rejected (tanso.reasons: said in the run's language)
register({
    "reason.investee.consolidated": {
        "en": "{investee} is consolidated in Scope 1/2 at weight {weight} (boundary.approach = {approach}): not counted "
              "again in category 15",
        "ja": "{investee} はスコープ1・2に重み {weight} で連結済み（boundary.approach = {approach}）：カテゴリ15 で重ねて数えない"},
    "reason.investee.not_valid": {
        "en": "the investee (column {column}) is not a valid row of the entities table: declare the holding there (its "
              "parent and equity share)",
        "ja": "投資先（列 {column}）が事業体の表の有効な行ではない：そこに保有関係（親と持分比率）を宣言する"},
    "reason.investee.not_parent": {
        "en": "the row's entity is not the investee's parent in the entities table (the holder must be its parent)",
        "ja": "行の事業体が事業体の表で投資先の親ではない（保有者が親である必要がある）"},
    "reason.investee.no_share": {"en": "the entities table gives no equity share for the investee",
                                 "ja": "事業体の表に投資先の持分比率がない"},
    # the finding of investees_without_figure: an entity outside Scope 1/2 whose category 15 share is missing
    "reason.investee.without_figure": {
        "en": "{reason}; no row of {table} names {entity} as investee: its category 15 share is missing",
        "ja": "{reason}；{table} に {entity} を投資先とする行がない：カテゴリ15 の持分相当が欠けている"},
    "reason.investee.weight_0": {"en": "{entity} has weight 0 in Scope 1/2", "ja": "{entity} はスコープ1・2で重み 0"},
})


class InvesteeParameters(Parameters):
    entities: str = Field(description="the boundary's entities table (entity, parent, equity_share)")
    investee: str = Field(description="column naming the investee, an entity of the entities table")
    emissions: ColumnExpression = Field(description="the investee's emissions (its own Scope 1+2, or 1+2+3)")
    unit: str = Field(default="t", description="mass unit of the emissions")
    method: str = Field(default="equity share of the investee's emissions", description="recorded in the ledger")

    def columns_used(self) -> list[str]:
        return [self.investee, *expression_columns(self.emissions)]


def compile_investee_share(ctx: CalcContext) -> CalcPlan:
    p: InvesteeParameters = ctx.parameters
    weights = ctx.entity_weights()
    if weights is None:
        raise InputError("calculator investee_share: the ruleset has no boundary; an investee's share comes from "
                         "the boundary's entities table")
    entities = ctx.input_table(p.entities)
    approach = ctx.policies.get("boundary.approach")
    joined = ctx.view("investees", f"""
SELECT s.*, e.entity AS _investee, e.parent AS _investee_parent, e.equity_share AS _investee_share,
       w.weight AS _investee_weight
FROM {ctx.src} s LEFT JOIN {entities} e ON e.entity = s.{ident(p.investee)} LEFT JOIN {weights} w ON w.entity = e.entity""")
    outside = ctx.view("outside", f"SELECT * FROM {joined} WHERE coalesce(_investee_weight, 0) = 0")
    problems: list[Problem] = [
        (lambda r: f"{r}._investee IS NULL", reason_text("investee.not_valid", column=p.investee)),
        (lambda r: f"{r}._investee_parent IS DISTINCT FROM {r}.entity", reason_text("investee.not_parent")),
        (lambda r: f"{r}._investee_share IS NULL", reason_text("investee.no_share")),
    ]

    def attributed(row: str) -> str:
        return (f"try(CAST(round_even({ctx.value_sql(p.emissions, row)} * {row}._investee_share, 6) "
                f"AS DECIMAL(18,6)))")

    plan = _reported(ctx.with_source(outside), attributed, p.unit, p.method, "primary", problems)
    reason = reason_sql("investee.consolidated", investee="_investee", approach=literal(str(approach)),
                        weight="rtrim(rtrim(CAST(_investee_weight AS VARCHAR), '0'), '.')")
    excluded = f"SELECT _row_id AS row_id, {reason} AS reason FROM {joined} WHERE _investee_weight > 0"
    return CalcPlan(ledger=plan.ledger, rejects=plan.rejects, excluded=excluded)


INVESTEE_SHARE = Calculator(
    name="investee_share", doc="An investee outside Scope 1/2 × the holder's equity share in it, from the boundary's "
                               "entities table; an investee Scope 1/2 consolidates is excluded.",
    parameters=InvesteeParameters, compile=compile_investee_share, data_type="primary", factor_parameters=(),
    table_parameters=("entities",), reads_boundary=True, reads_policies=("boundary.approach",),
    methods=(("equity share of the investee's emissions", "primary"),))


# ------------------------------------------------------------------------------------------- coverage


def _uncovered(ctx: FunctionContext) -> str:
    """SQL: the entities the boundary does not consolidate (weight 0) that no row of the named table's
    investee column names, with the boundary's reason; refused entities (weight NULL) are rejects already."""
    if len(ctx.positional) != 1 or ctx.arguments or "." not in str(ctx.positional[0]):
        raise ValueError("investees_without_figure(table.investee_column)")
    table, column = str(ctx.positional[0]).split(".", 1)
    if table not in ctx.inputs or column not in ctx.columns.get(table, ()):
        raise ValueError(f"no input column {table}.{column}")
    if ctx.boundary is None:
        raise ValueError("the ruleset has no boundary: no entity is outside Scope 1/2")
    return (f"SELECT b.entity, b.reason FROM {ctx.boundary} b WHERE b.weight = 0 AND b.entity NOT IN "
            f"(SELECT CAST({ident(column)} AS VARCHAR) FROM {ctx.inputs[table]} WHERE {ident(column)} IS NOT NULL)")


def investees_without_figure(ctx: FunctionContext) -> str:
    return f"SELECT count(*) FROM ({_uncovered(ctx)})"


def investees_without_figure_findings(ctx: FunctionContext) -> str:
    table = str(ctx.positional[0]).split(".", 1)[0]
    weight_0 = reason_sql("investee.weight_0", entity="entity")
    finding = reason_sql("investee.without_figure", reason=f"coalesce(reason, {weight_0})", table=literal(table),
                         entity="entity")
    return f"SELECT {finding} FROM ({_uncovered(ctx)}) ORDER BY entity"


FUNCTIONS = [ExpressionFunction(
    "investees_without_figure", "how many entities the boundary leaves outside Scope 1/2 (weight 0) no row of "
    "table.column names as investee: each is missing from category 15 (listed by name with the boundary's reason)",
    investees_without_figure, (), findings=investees_without_figure_findings)]
