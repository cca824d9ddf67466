"""Plan one run's rules on DuckDB: load the inputs and factor sets they read, apply the boundary and
the exclusions, compile every calculator into views (ledger, rejects, claims) per rule and method.

`_Planner` holds the connection and the plan-time state of the run; the rest of `tanso.run` reads it.
"""

from __future__ import annotations

import logging
from typing import Callable

import pyarrow as pa

from tanso import contracts
from tanso.backends import Backend
from tanso.diagnostics import InputError
from tanso.model.policy_calls import policies_in_rule
from tanso.model.ruleset import Rule, Ruleset, lookup_columns
from tanso.plan.context import BoundaryContext, CalcContext, FactorTable
from tanso.plan.sql import condition, ident, literal
from tanso.run import chain
from tanso.run.inputs import LoadedInput, load_factor_set, load_input
from tanso.run.lazy_views import LazyViews
from tanso.run.lookups import joined_relation, lookups_on, matched_sql
from tanso.run.reporting_period import outside_sql
from tanso.run.session import Session

log = logging.getLogger(__name__)

LEVEL_COLUMN = "data_quality"   # the ledger's data-quality level, and the input column that overrides it per row
RESULT_TYPE = contracts.CALC_LEDGER_COLUMNS["quantity"]  # result_co2e_kg as a derived rule reads it


class _Planner:
    """Holds the connection and the plan-time state of one run."""

    def __init__(self, ruleset: Ruleset, session: Session, backend: Backend | None = None, *,
                 ledger_only: bool = False):
        self.ruleset, self.session = ruleset, session
        # Only the ledgers are read (a comparison's scenarios sum them): the rejects stay views, never computed,
        # and views are held, read as the CTEs of the queries and tables that name them (lazy_views.py).
        self.ledger_only = ledger_only
        self._lazy = LazyViews(self._make) if ledger_only else None
        self.backend = backend or session.backend    # where the plan's relations are defined
        self.registry, self.data_dir, self.con = session.registry, session.data_dir, session.con
        self.inputs: dict[str, LoadedInput] = {}         # the inputs this run reads (loaded once per session)
        self.factors: dict[str, FactorTable] = {}
        self.rule_sources: dict[str, str] = {}     # rule id → relation with its rows
        self.rule_ledgers: dict[str, str] = {}
        self.ledger_parts: dict[str, list[str]] = {}  # rule id → its ledger, one relation per method
        self.ledger_constants: dict[str, dict] = {}   # ledger part → its lineage columns' one value each
        self.rule_rejects: dict[str, str] = {}
        self.instrument_rejects: list[str] = []    # instrument rows calculators refused, as run_rejects rows
        self.claims: list[str] = []                # claims of instruments on rule rows, as run_claims rows
        self.rule_exclusions: list[str] = []       # rule rows a calculator left out on purpose, as run_excluded rows
        self.rule_tables: dict[str, str] = {}      # rule id → input table its rows come from
        self.columns: dict[str, dict[str, str]] = {}  # rule id → columns of its rows
        self.candidates: dict[str, str] = {}       # rule id → its rows before the boundary is applied
        self.precision: dict[str, list[dict]] = {}  # rule id → the scale and rounding of its effective factors
        self._done: set[str] = set()
        self.relations: dict[str, str] = {}          # what a plan-time helper made once per run → its relation

    # -- plan-time helpers handed to calculators
    def query(self, sql: str) -> list[tuple]:
        if self.session.reuse is not None:
            return self.session.reuse.query(self.con, self.session.schema, sql, self._runnable)
        return self.con.execute(self._runnable(sql)).fetchall()

    def query_arrow(self, sql: str) -> pa.Table:
        """A plan-time query's rows as an Arrow table (as `query`, remembered across a comparison's scenarios)."""
        if self.session.reuse is not None:
            return self.session.reuse.query_arrow(self.con, self.session.schema, sql, self._runnable)
        return self.con.sql(self._runnable(sql)).to_arrow_table()

    def define(self, statement: str) -> None:
        """A relation of the plan (CREATE OR REPLACE VIEW|TABLE), defined on the run's backend."""
        held = self._lazy.hold(statement) if self._lazy is not None else None
        if held is not None:
            if self.session.reuse is not None:   # its content key is known as a made view's would be
                self.session.reuse.hold(self.session.schema, *held)
            return
        self._make(statement)

    def _make(self, statement: str) -> None:
        if self.session.reuse is not None:
            self.session.reuse.define(self.con, self.session.schema, statement, self._runnable)
        else:
            self.backend.define(self.con, self._runnable(statement))

    def _runnable(self, statement: str) -> str:
        """The statement to run: in a ledger-only plan, with the held views it reads (lazy_views.py)."""
        return self._lazy.runnable(statement) if self._lazy is not None else statement

    def register(self, name: str, table: pa.Table) -> str:
        """A plan-time Arrow table as a (read-only) temporary table; in a comparison, one per content."""
        relation = self.session.relation_name(name)
        if self.session.reuse is not None:
            earlier = self.session.reuse.registered(relation, name, table)
            if earlier is not None:
                return earlier
        self.con.register(relation + "_arrow", table)
        self.con.execute(f"CREATE OR REPLACE TEMP TABLE {relation} AS SELECT * FROM {relation}_arrow")
        self.con.unregister(relation + "_arrow")
        return relation

    def factor_table(self, name: str) -> FactorTable:
        if name not in self.factors:
            declared = self.ruleset.factor_sets.get(name)
            shipped = None if declared is not None else self.registry.factor_sets[name]
            path = self.data_dir / declared.file if declared is not None else shipped.path
            if (name, str(path)) not in self.session.factors:
                provenance = {} if shipped is None else {
                    "version": shipped.version, "publisher": shipped.publisher, "edition": shipped.edition,
                    "licence": shipped.licence}
                removals = declared.removals if declared is not None else shipped.removals
                sheet = declared.sheet if declared is not None else None
                self.session.factors[name, str(path)] = load_factor_set(self.con, self.registry, name, path, provenance,
                                                                        removals, sheet)
                log.info("read factor set %s from %s", name, path if declared is not None else path.name)
            self.factors[name] = self.session.factors[name, str(path)]
        return self.factors[name]

    def input(self, name: str) -> LoadedInput:
        if name not in self.inputs:
            if name not in self.session.inputs:
                loaded = load_input(self.con, self.registry, self.ruleset.inputs[name], self.data_dir)
                log.info("read %s from %s: rows %s, refused %s", name, loaded.file, f"{loaded.rows:,}",
                         f"{loaded.rejected:,}")
                self.session.inputs[name] = loaded
            self.inputs[name] = self.session.inputs[name]
        return self.inputs[name]

    # -- rules
    def table_relation(self, table: str) -> str:
        """The valid rows of an input table, joined with its mapping tables where rules look them up."""
        if not lookups_on(self.ruleset, table):
            return self.input(table).relation
        name = f"looked_up__{table}"
        if name not in self._done:
            mappings = {lookup.table: self.input(lookup.table) for lookup in lookups_on(self.ruleset, table)}
            joined_relation(self.con, self.ruleset, table, self.input(table), mappings)
            if self.session.reuse is not None:   # made without `define`: never assumed equal between scenarios
                self.session.reuse.outside(self.session.schema, name)
            self._done.add(name)
        return name

    def where_sql(self, source) -> str:
        """A source's `where` as SQL (NULL counts as false), policies fixed at plan time."""
        if source.where is None:
            return "TRUE"
        return f"coalesce({self.condition_sql(source)}, FALSE)"

    def condition_sql(self, source) -> str:
        """A source's `where` as SQL, NULL where it reads a NULL (a lookup found no row): TRUE without one."""
        if source.where is None:
            return "TRUE"
        policies = {name: value.value for name, value in self.ruleset.policies.items()}
        return condition(source.where, policies=policies)

    def rows_sql(self, source) -> str:
        """The rows a rule or exclusion reading `source` takes: its `where`, among the rows its lookups found."""
        return self.where_sql(source) if not source.lookups else f"({matched_sql(source)} AND {self.where_sql(source)})"

    def exclusion_filter(self, table: str) -> str:
        """SQL condition true for rows of `table` no rule computes: outside the reporting period (or not
        placed in it) or removed by an explicit exclusion."""
        outside = outside_sql(self.ruleset, table)
        parts = [outside] if outside is not None else []
        parts += [self.rows_sql(item.node.source) for item in self.ruleset.exclusions.values()
                  if item.node.source is not None and item.node.source.table == table]
        return " OR ".join(parts) if parts else "FALSE"

    def boundary_relation(self) -> str | None:
        """Entity weights from the ruleset's boundary method, computed once per run."""
        step = self.ruleset.boundary
        if step is None:
            return None
        if "run_boundary" not in self._done:
            method = self.registry.boundary_methods[step.method]
            tables = {name: self.input(getattr(step.parameters, name)).relation for name in method.table_parameters}
            files = {name: self.input(getattr(step.parameters, name)).file.name for name in method.table_parameters}
            ctx = BoundaryContext(parameters=step.parameters, tables=tables, query=self.query, files=files,
                                  policies={p: self.ruleset.policy(p) for p in method.reads_policies})
            weights = method.compile(ctx)
            # Each entity once, with a weight between 0 and 1 of at most BOUNDARY_WEIGHT_PLACES decimal places
            # (no silent rounding),
            # or no weight and the reason its row is refused.
            # Through `query`: in a comparison asked once per content, not in every scenario.
            problems = self.query(
                f"SELECT entity, count(*), min(weight) FROM ({weights}) GROUP BY entity HAVING count(*) > 1 "
                f"OR bool_or((weight IS NULL AND reason IS NULL) OR weight < 0 OR weight > 1 "
                f"OR CAST(weight AS DECIMAL(38,30)) <> CAST(CAST(weight AS {contracts.BOUNDARY_WEIGHT_TYPE}) AS DECIMAL(38,30))) "
                f"ORDER BY entity LIMIT 5")
            if problems:
                shown = "; ".join(f"{e}: {'listed ' + str(n) + ' times' if n > 1 else 'weight ' + str(w)}"
                                  for e, n, w in problems)
                raise InputError(f"boundary {step.method} ({step.span.short}): each entity needs exactly one weight "
                                 f"between 0 and 1 with at most {contracts.BOUNDARY_WEIGHT_PLACES} decimal places ({shown})")
            self.define(f"CREATE OR REPLACE TABLE run_boundary AS SELECT CAST(entity AS VARCHAR) AS entity, "
                             f"CAST(weight AS {contracts.BOUNDARY_WEIGHT_TYPE}) AS weight, CAST(reason AS VARCHAR) AS reason "
                             f"FROM ({weights})")
            self._done.add("run_boundary")
        return "run_boundary"

    def boundary_weights(self) -> list[tuple]:
        """(entity, weight, reason) of the boundary, where the run computed one."""
        if "run_boundary" not in self._done:
            return []
        return self.con.execute("SELECT entity, weight, reason FROM run_boundary ORDER BY entity").fetchall()

    def in_boundary(self, columns: dict[str, str]) -> str:
        """SQL condition true for the rows the boundary includes (weight above 0), naming the included entities
        only, as a registered table of them: what reads no weight is then keyed by that list (run/reuse.py),
        equal under two boundaries that weigh the same entities differently."""
        if self.boundary_relation() is None or "entity" not in columns:
            return "TRUE"
        if "included_entities" not in self.relations:
            names = self.query("SELECT entity FROM run_boundary WHERE weight > 0 ORDER BY entity")
            self.relations["included_entities"] = self.register(
                "included_entities", pa.table({"entity": pa.array([n for n, in names], pa.string())}))
        return f"entity IN (SELECT entity FROM {self.relations['included_entities']})"

    def on_demand(self, name: str, sql: Callable[[], str]) -> Callable[[], str]:
        """The view `name` of `sql`, defined the first time it is asked for (most calculators never ask)."""
        def defined() -> str:
            if name not in self.relations:
                self.define(f"CREATE OR REPLACE VIEW {name} AS {sql()}")
                self.relations[name] = name
            return name
        return defined

    def weighted(self, base: str, columns: dict[str, str]) -> str:
        """The rows with their entity's boundary weight (1 where there is no boundary or no entity)."""
        boundary = self.boundary_relation()
        if boundary is None or "entity" not in columns:
            return (f"SELECT *, CAST(1 AS {contracts.BOUNDARY_WEIGHT_TYPE}) AS _boundary_weight, CAST(NULL AS VARCHAR) AS _boundary_reason "
                    f"FROM {base}")
        return (f"SELECT b.*, w.weight AS _boundary_weight, w.reason AS _boundary_reason FROM {base} b "
                f"LEFT JOIN {boundary} w ON w.entity = b.entity")

    def rule_results(self, rule_id: str) -> str:
        """Each row's result under a rule, for the rules derived from it: a narrow table computed once
        (not the rule's whole ledger, whose rows are only computed when the ledger is written)."""
        table = f"rule_results__{_safe(rule_id)}"
        if table not in self._done:
            # Typed as declared (`decimal` → DECIMAL(18,6), the contract's quantity type; a result beyond it
            # is NULL, which the derived rule rejects, never a run abort), so a calculator
            # multiplying it stays in range and the ledger's `quantity` is the value multiplied.
            # At 100%: the derived rows carry the same boundary weight and are weighted once.
            self.define(f"CREATE OR REPLACE TABLE {table} AS SELECT row_id, "
                             f"try(CAST(round_even(total, 6) AS {RESULT_TYPE})) AS result_co2e_kg FROM "
                             f"(SELECT row_id, sum(co2e_kg) AS total FROM {self.rule_ledgers[rule_id]} GROUP BY row_id)")
            self._done.add(table)
        return table

    def plan_rule(self, rule: Rule) -> None:
        source = rule.node.source
        rid = _safe(rule.id)
        if source.table is not None:
            base = self.table_relation(source.table)
            self.rule_tables[rule.id] = source.table
            columns = {c.name: c.type_name for c in self.ruleset.inputs[source.table].columns} \
                | lookup_columns(self.ruleset.inputs, source)
        else:
            upstream = source.results_of.dotted
            self.rule_tables[rule.id] = self.rule_tables[upstream]
            base = f"results__{rid}"
            self.define(
                f"CREATE OR REPLACE VIEW {base} AS SELECT s.*, r.result_co2e_kg FROM {self.rule_sources[upstream]} s "
                f"JOIN {self.rule_results(upstream)} r ON r.row_id = s._row_id")
            columns = {**self.columns[upstream], "result_co2e_kg": "decimal"}
        where = self.rows_sql(source)
        candidates = f"candidates__{rid}"
        unweighted = None   # src's rows without their weights, on demand (CalcContext.unweighted_src)
        if source.table is not None:
            excluded = self.exclusion_filter(source.table)
            self.define(f"CREATE OR REPLACE VIEW {candidates} AS SELECT * FROM ({self.weighted(base, columns)}) "
                             f"WHERE {where} AND NOT ({excluded})")
            unweighted = self.on_demand(f"in_boundary__{rid}", lambda: f"SELECT * FROM {base} WHERE "
                                        f"{self.in_boundary(columns)} AND {where} AND NOT ({excluded})")
        else:  # derived rows keep the weight of the rows they derive from
            self.define(f"CREATE OR REPLACE VIEW {candidates} AS SELECT * FROM {base} WHERE {where}")
        self.candidates[rule.id] = candidates
        src = f"src__{rid}"
        self.define(f"CREATE OR REPLACE VIEW {src} AS SELECT * FROM {candidates} WHERE _boundary_weight > 0")
        self.rule_sources[rule.id] = src
        self.columns[rule.id] = columns

        ledgers, rejects = [], []
        scope, category = rule.node.scope, rule.node.category
        rule_lineage = {"rule_id": (rule.id, "VARCHAR"), "rule_source": (self.ruleset.cite(rule.node.span), "VARCHAR"),
                        "scope": (scope, "INTEGER"), "category": (category, "INTEGER"),
                        "basis": (rule.node.basis, "VARCHAR"), "input_table": (self.rule_tables[rule.id], "VARCHAR")}
        lineage_columns = ", ".join(f"CAST({literal(value)} AS {kind}) AS {name}"
                                    for name, (value, kind) in rule_lineage.items())
        # A first_of chain: each method reads the rows the earlier ones leave, selected by joins (chain.py);
        # its rejects are built over the rows every method leaves.
        chained = len(rule.steps) > 1
        compiled, pricings = [], []
        for index, step in enumerate(rule.steps):
            calculator = self.registry.calculators[step.calculator]
            step_src, step_unweighted = src, unweighted
            if chained:
                step_src = f"src__{rid}_{index}"
                self.define(f"CREATE OR REPLACE VIEW {step_src} AS {chain.left_by(src, pricings)}")
                if index > 0 and unweighted is not None:   # the rows the earlier methods leave, without weights:
                    # which rows a method leaves reads their keys and quantities, never their weight (chain.py)
                    step_unweighted = self.on_demand(f"in_boundary__{rid}_{index}", lambda earlier=list(pricings): (
                        chain.left_by(unweighted(), earlier)))
            ctx = CalcContext(rule_id=f"{rid}_{index}", calculator=step.calculator, parameters=step.parameters,
                              policies={p: self.ruleset.policy(p) for p in
                                        [*calculator.reads_policies, *(name for name, _ in policies_in_rule(rule.node))]},
                              src=step_src, columns=columns, query=self.query, query_arrow=self.query_arrow,
                              define=self.define, register=self.register,
                              factor_table=self.factor_table, input_table=lambda name: self.input(name).relation,
                              entity_weights=self.boundary_relation, ledger_only=self.ledger_only,
                              unweighted_src=step_unweighted,
                              weigh=lambda relation, columns=columns: self.weighted(relation, columns))
            plan = calculator.compile(ctx)
            self.precision.setdefault(rule.id, []).extend({"calculator": step.calculator, **entry} for entry in ctx.precision)
            reject_view = f"rejects__{rid}_{index}"
            if chained and plan.pricing is None:  # which rows it leaves: its rejects' row ids, a table
                self.define(f"CREATE OR REPLACE TABLE {reject_view} AS "
                            f"{_project(plan.rejects, contracts.CALC_REJECT_COLUMNS)}")
                self.define(f"CREATE OR REPLACE TABLE rejected__{rid}_{index} AS "
                            f"SELECT DISTINCT row_id FROM {reject_view}")
            compiled.append((index, step, calculator, plan, step_src))
            pricings.append(plan.pricing or chain.RejectedIds(f"rejected__{rid}_{index}"))
        rows = src   # the rows the rule's rejects are of
        if chained:
            rows = f"unpriced__{rid}"
            # Only the rejects read them: a table in a run, where every method's rejects do; a view (never made,
            # lazy_views.py) in a ledger-only plan, which sums ledgers and reads no rejects.
            kind = "VIEW" if self.ledger_only else "TABLE"
            self.define(f"CREATE OR REPLACE {kind} {rows} AS {chain.left_by(src, pricings)}")
        for index, step, calculator, plan, step_src in compiled:
            # One view per method, so the ledger can be written one method's query at a time.
            ledger_view, reject_view = f"rule_ledger__{rid}_{index}", f"rejects__{rid}_{index}"
            self.ledger_constants[ledger_view] = {**{name: value for name, (value, _) in rule_lineage.items()},
                                                  "calculator": step.calculator}
            self.define(f"CREATE OR REPLACE VIEW {ledger_view} AS SELECT {lineage_columns}, {literal(step.calculator)} "
                        f"AS calculator, l.* FROM ("
                        f"{_with_level(_project(plan.ledger, contracts.CALC_LEDGER_COLUMNS), calculator, step_src, columns)}"
                        f") l")
            if not chained or plan.pricing is not None:
                # A table where compare's runs reuse it between them; else read once (by the run's rejects) or
                # never (a scenario's): a view.
                kind = "TABLE" if self.session.reuse is not None and not self.ledger_only else "VIEW"
                rejected = plan.pricing.over(rows).rejects if chained else plan.rejects
                self.define(f"CREATE OR REPLACE {kind} {reject_view} AS "
                            f"{_project(rejected, contracts.CALC_REJECT_COLUMNS)}")
            lineage = f"{literal(rule.id)} AS rule_id, {literal(self.ruleset.cite(rule.node.span))} AS rule_source"
            if plan.instrument_rejects is not None:
                view = f"instrument_rejects__{rid}_{index}"
                self.define(f"CREATE OR REPLACE VIEW {view} AS "
                                 f"{_project(plan.instrument_rejects, contracts.CALC_INSTRUMENT_REJECT_COLUMNS)}")
                self.instrument_rejects.append(f"SELECT row_id, input_table, input_row, {lineage}, reason FROM {view}")
            if plan.excluded is not None:
                view = f"excluded__{rid}_{index}"
                self.define(f"CREATE OR REPLACE VIEW {view} AS {_project(plan.excluded, contracts.CALC_EXCLUDED_COLUMNS)}")
                self.rule_exclusions.append(
                    f"SELECT e.row_id, {literal(self.rule_tables[rule.id])}, s._row, {literal(rule.id)}, "
                    f"{literal(step.calculator)}, {literal(self.ruleset.cite(rule.node.span))}, e.reason FROM {view} e "
                    f"JOIN {step_src} s ON s._row_id = e.row_id")
            if plan.claims is not None:
                view = f"claims__{rid}_{index}"
                self.define(f"CREATE OR REPLACE VIEW {view} AS {_project(plan.claims, contracts.CALC_CLAIM_COLUMNS)}")
                self.claims.append(f"SELECT instrument_table, instrument_row_id, instrument_row, instrument_id, {lineage}, "
                                   f"{literal(self.rule_tables[rule.id])} AS input_table, row_id, input_row, factor_id, "
                                   f"quantity, quantity_unit, instrument_quantity FROM {view}")
            ledgers.append(ledger_view)
            rejects.append((reject_view, step.calculator))

        # The rule's ledger: its one method's view, else the union of its methods' views.
        rule_ledger = ledgers[0]
        if len(ledgers) > 1:
            rule_ledger = f"rule_ledger__{rid}"
            self.define(f"CREATE OR REPLACE VIEW {rule_ledger} AS "
                        + " UNION ALL ".join(f"SELECT * FROM {part}" for part in ledgers))
        self.rule_ledgers[rule.id] = rule_ledger
        self.ledger_parts[rule.id] = ledgers
        # A row rejected by every method of a chain is rejected with every method's reason.
        last, last_calc = rejects[-1]
        reasons = " || '; ' || ".join(f"'{calc}: ' || r{i}.reason" for i, (_, calc) in enumerate(rejects))
        joins = " ".join(f"JOIN {view} r{i} ON r{i}.row_id = r{len(rejects) - 1}.row_id"
                         for i, (view, _) in enumerate(rejects[:-1]))
        self.rule_rejects[rule.id] = (
            f"SELECT r{len(rejects) - 1}.row_id, {literal(self.rule_tables[rule.id])} AS input_table, s._row AS input_row, "
            f"{literal(rule.id)} AS rule_id, {literal(self.ruleset.cite(rule.node.span))} AS rule_source, "
            f"{reasons} AS reason "
            f"FROM {last} r{len(rejects) - 1} {joins} JOIN {rows} s ON s._row_id = r{len(rejects) - 1}.row_id")


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def _with_level(ledger: str, calculator: contracts.Calculator, src: str, columns: dict[str, str]) -> str:
    """The ledger with its `data_quality`: the row's own declared level, else the calculator's for the data type."""
    level = " ".join(f"WHEN {literal(t)} THEN {literal(v)}" for t, v in calculator.levels)
    level = f"CASE l.data_type {level} END" if level else "CAST(NULL AS VARCHAR)"
    if LEVEL_COLUMN not in columns:
        return f"SELECT l.*, {level} AS {LEVEL_COLUMN} FROM ({ledger}) l"
    return (f"SELECT l.*, coalesce(nullif(trim(CAST(s.{LEVEL_COLUMN} AS VARCHAR)), ''), {level}) AS {LEVEL_COLUMN} "
            f"FROM ({ledger}) l JOIN {src} s ON s._row_id = l.row_id")


def _project(select: str, columns: dict[str, str]) -> str:
    """Fix the calculator's output to the contract's columns and types (a no-op cast when they match)."""
    listing = ", ".join(f"CAST({ident(n)} AS {t}) AS {ident(n)}" for n, t in columns.items())
    return f"SELECT {listing} FROM ({select}) AS calc"
