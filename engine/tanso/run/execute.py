"""Run a resolved ruleset on a data folder: plan every rule, execute on the backend, write the run record.

The run produces `ledger` (one row per input row × rule × gas), `rejects`, `excluded` and `summary`,
checks the conservation invariant and computes a digest that is the same for the same inputs on
any thread count.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import networkx as nx
import pyarrow as pa
import pyarrow.parquet as pq

from tanso import contracts
from tanso.backends import BackendFailure
from tanso.diagnostics import InputError, InvariantError
from tanso.dsl import ast
from tanso.graph import rule_order
from tanso.model.resolve import policies_in_rule
from tanso.model.ruleset import Rule, Ruleset, lookup_columns
from tanso.plan.context import BoundaryContext, CalcContext, FactorTable
from tanso.plan.sql import condition, ident, literal
from tanso.plugins import Registry
from tanso.run import expressions
from tanso.run.completeness import compute as completeness_block
from tanso.run.inputs import LoadedInput, find_file, load_factor_set, load_input
from tanso.run.lineage import boundary_record, create_used_factors, rule_record
from tanso.run.lookups import coverage as lookup_coverage
from tanso.run.lookups import joined_relation, lookups_on, matched_sql, rejected_by_lookups
from tanso.run.session import Session

LEDGER_FILE = "ledger.parquet"
LEDGER_ROW_GROUP = 122_880          # rows per Parquet row group, as DuckDB's own COPY writes them
LEDGER_BATCH = 16_384               # rows per Arrow batch taken from DuckDB while writing (bounds memory)
LEDGER_ZSTD_LEVEL = 3               # DuckDB's default zstd level
# Rows of one rule and method in input order, every column a tie-breaker: the same bytes on any thread count.
LEDGER_ORDER = ", ".join(["input_row", "gas", "factor_id", *(c for c in contracts.CALC_LEDGER_COLUMNS
                                                            if c not in ("input_row", "gas", "factor_id"))])
RESULT_TYPE = contracts.CALC_LEDGER_COLUMNS["quantity"]  # result_co2e_kg as a derived rule reads it
REJECT_COLUMNS = "row_id VARCHAR, input_table VARCHAR, input_row BIGINT, rule_id VARCHAR, rule_source VARCHAR, reason VARCHAR"
CLAIM_COLUMNS = ("instrument_table VARCHAR, instrument_row_id VARCHAR, instrument_row BIGINT, instrument_id VARCHAR, "
                 "rule_id VARCHAR, rule_source VARCHAR, input_table VARCHAR, row_id VARCHAR, input_row BIGINT, "
                 "factor_id VARCHAR, quantity DECIMAL(18,6), quantity_unit VARCHAR, instrument_quantity DECIMAL(18,6)")
EXCLUDED_COLUMNS = ("row_id VARCHAR, input_table VARCHAR, input_row BIGINT, rule_id VARCHAR, exclusion_id VARCHAR, "
                    "exclusion_source VARCHAR, reason VARCHAR")
BOUNDARY_EXCLUSION = "boundary"
SUMMARY_KEYS = ("scope", "category", "basis", "rule_id", "entity", "period")
GROUP_KEYS = (*SUMMARY_KEYS, "gas", "method", "data_type")
# What a comparison tells apart: a rule's total by these (see `rule_totals`).
AGGREGATE_KEYS = ("scope", "category", "basis", "entity", "method", "data_type")


@dataclass
class RunResult:
    ruleset: Ruleset
    out_dir: Path
    summary: list[dict[str, Any]]
    totals: list[dict[str, Any]]                # by scope and category
    gases: list[dict[str, Any]]                 # kg of each gas by scope (boundary-weighted)
    rejects_count: int
    excluded_count: int
    ledger_rows: int
    metrics: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    exclusions: list[dict[str, Any]]             # declared scope/category exclusions with justification
    manifest: dict[str, Any]
    digest: str
    connection: Any = field(repr=False, default=None)
    schema: str = "main"                        # where the run's tables (run_ledger, run_rejects, …) are
    inputs: dict[str, str] = field(default_factory=dict)   # input table → relation of its valid rows
    claims: bool = False                        # a calculator of the run recorded claims (run_claims, written out)
    # Rejected rows per rule and input file, their activity, reasons and stated tolerances
    # (`tanso.run.completeness`); status complete / accepted / incomplete.
    completeness: dict[str, Any] = field(default_factory=dict)

    @property
    def incomplete(self) -> bool:
        return self.completeness.get("status") == "incomplete"

    @property
    def ledger_path(self) -> Path:
        return self.out_dir / LEDGER_FILE


class _Planner:
    """Holds the connection and the plan-time state of one run."""

    def __init__(self, ruleset: Ruleset, session: Session):
        self.ruleset, self.session = ruleset, session
        self.registry, self.data_dir, self.con = session.registry, session.data_dir, session.con
        self.inputs: dict[str, LoadedInput] = {}         # the inputs this run reads (loaded once per session)
        self.factors: dict[str, FactorTable] = {}
        self.rule_sources: dict[str, str] = {}     # rule id → relation with its rows
        self.rule_ledgers: dict[str, str] = {}
        self.ledger_parts: dict[str, list[str]] = {}  # rule id → its ledger, one relation per method
        self.rule_rejects: dict[str, str] = {}
        self.instrument_rejects: list[str] = []    # instrument rows calculators refused, as run_rejects rows
        self.claims: list[str] = []                # claims of instruments on rule rows, as run_claims rows
        self.rule_tables: dict[str, str] = {}      # rule id → input table its rows come from
        self.columns: dict[str, dict[str, str]] = {}  # rule id → columns of its rows
        self.candidates: dict[str, str] = {}       # rule id → its rows before the boundary is applied
        self.precision: dict[str, list[dict]] = {}  # rule id → the scale and rounding of its effective factors
        self._done: set[str] = set()

    # -- plan-time helpers handed to calculators
    def query(self, sql: str) -> list[tuple]:
        return self.con.execute(sql).fetchall()

    def define(self, statement: str) -> None:
        """A relation of the plan (CREATE OR REPLACE VIEW|TABLE), defined on the run's backend."""
        self.session.backend.define(self.con, statement)

    def register(self, name: str, table: pa.Table) -> str:
        relation = self.session.relation_name(name)
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
                self.session.factors[name, str(path)] = load_factor_set(self.con, self.registry, name, path, provenance,
                                                                        removals)
            self.factors[name] = self.session.factors[name, str(path)]
        return self.factors[name]

    def input(self, name: str) -> LoadedInput:
        if name not in self.inputs:
            if name not in self.session.inputs:
                self.session.inputs[name] = load_input(self.con, self.registry, self.ruleset.inputs[name], self.data_dir)
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
        """SQL condition true for rows of `table` that an explicit exclusion removes."""
        parts = [self.rows_sql(item.node.source) for item in self.ruleset.exclusions.values()
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
            ctx = BoundaryContext(parameters=step.parameters, tables=tables, query=self.query,
                                  policies={p: self.ruleset.policy(p) for p in method.reads_policies})
            weights = method.compile(ctx)
            # Each entity once, with a weight between 0 and 1 of at most 4 decimal places (no silent rounding).
            problems = self.con.execute(
                f"SELECT entity, count(*), min(weight) FROM ({weights}) GROUP BY entity HAVING count(*) > 1 "
                f"OR bool_or(weight IS NULL OR weight < 0 OR weight > 1 "
                f"OR CAST(weight AS DECIMAL(38,18)) <> CAST(CAST(weight AS DECIMAL(5,4)) AS DECIMAL(38,18))) "
                f"ORDER BY entity LIMIT 5").fetchall()
            if problems:
                shown = "; ".join(f"{e}: {'listed ' + str(n) + ' times' if n > 1 else 'weight ' + str(w)}"
                                  for e, n, w in problems)
                raise InputError(f"boundary {step.method} ({step.span.short}): each entity needs exactly one weight "
                                 f"between 0 and 1 with at most 4 decimal places ({shown})")
            self.define(f"CREATE OR REPLACE TABLE run_boundary AS SELECT CAST(entity AS VARCHAR) AS entity, "
                             f"CAST(weight AS DECIMAL(5,4)) AS weight, CAST(reason AS VARCHAR) AS reason "
                             f"FROM ({weights})")
            self._done.add("run_boundary")
        return "run_boundary"

    def boundary_weights(self) -> list[tuple]:
        """(entity, weight, reason) of the boundary, where the run computed one."""
        if "run_boundary" not in self._done:
            return []
        return self.con.execute("SELECT entity, weight, reason FROM run_boundary ORDER BY entity").fetchall()

    def weighted(self, base: str, columns: dict[str, str]) -> str:
        """The rows with their entity's boundary weight (1 where there is no boundary or no entity)."""
        boundary = self.boundary_relation()
        if boundary is None or "entity" not in columns:
            return (f"SELECT *, CAST(1 AS DECIMAL(5,4)) AS _boundary_weight, CAST(NULL AS VARCHAR) AS _boundary_reason "
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
        if source.table is not None:
            excluded = self.exclusion_filter(source.table)
            self.define(f"CREATE OR REPLACE VIEW {candidates} AS SELECT * FROM ({self.weighted(base, columns)}) "
                             f"WHERE {where} AND NOT ({excluded})")
        else:  # derived rows keep the weight of the rows they derive from
            self.define(f"CREATE OR REPLACE VIEW {candidates} AS SELECT * FROM {base} WHERE {where}")
        self.candidates[rule.id] = candidates
        src = f"src__{rid}"
        self.define(f"CREATE OR REPLACE VIEW {src} AS SELECT * FROM {candidates} WHERE _boundary_weight > 0")
        self.rule_sources[rule.id] = src
        self.columns[rule.id] = columns

        ledgers, rejects = [], []
        step_src = src
        for index, step in enumerate(rule.steps):
            calculator = self.registry.calculators[step.calculator]
            ctx = CalcContext(rule_id=f"{rid}_{index}", calculator=step.calculator, parameters=step.parameters,
                              policies={p: self.ruleset.policy(p) for p in
                                        [*calculator.reads_policies, *(name for name, _ in policies_in_rule(rule.node))]},
                              src=step_src, columns=columns, query=self.query, define=self.define, register=self.register,
                              factor_table=self.factor_table, input_table=lambda name: self.input(name).relation)
            plan = calculator.compile(ctx)
            self.precision.setdefault(rule.id, []).extend({"calculator": step.calculator, **entry} for entry in ctx.precision)
            ledger_view, reject_view = f"ledger__{rid}_{index}", f"rejects__{rid}_{index}"
            self.define(f"CREATE OR REPLACE VIEW {ledger_view} AS {_project(plan.ledger, contracts.CALC_LEDGER_COLUMNS)}")
            self.define(f"CREATE OR REPLACE TABLE {reject_view} AS "
                             f"{_project(plan.rejects, contracts.CALC_REJECT_COLUMNS)}")
            # An earlier method's reasons matter only for the rows this one rejects too: keep only those
            # (at 10M rows, s3.cat1's first methods reject ~3M rows each, with a reason per row).
            for earlier, _ in rejects:
                self.define(f"CREATE OR REPLACE TABLE {earlier} AS SELECT * FROM {earlier} "
                                 f"WHERE row_id IN (SELECT row_id FROM {reject_view})")
            lineage = f"{literal(rule.id)} AS rule_id, {literal(rule.node.span.short)} AS rule_source"
            if plan.instrument_rejects is not None:
                view = f"instrument_rejects__{rid}_{index}"
                self.define(f"CREATE OR REPLACE VIEW {view} AS "
                                 f"{_project(plan.instrument_rejects, contracts.CALC_INSTRUMENT_REJECT_COLUMNS)}")
                self.instrument_rejects.append(f"SELECT row_id, input_table, input_row, {lineage}, reason FROM {view}")
            if plan.claims is not None:
                view = f"claims__{rid}_{index}"
                self.define(f"CREATE OR REPLACE VIEW {view} AS {_project(plan.claims, contracts.CALC_CLAIM_COLUMNS)}")
                self.claims.append(f"SELECT instrument_table, instrument_row_id, instrument_row, instrument_id, {lineage}, "
                                   f"{literal(self.rule_tables[rule.id])} AS input_table, row_id, input_row, factor_id, "
                                   f"quantity, quantity_unit, instrument_quantity FROM {view}")
            ledgers.append((ledger_view, step.calculator))
            rejects.append((reject_view, step.calculator))
            if index + 1 < len(rule.steps):  # the next method of a first_of chain gets what this one could not do
                # Which rows, read by every later method, is a narrow table of its own. The rows this method
                # rejected are among its own rows, so one semi-join with the rule's rows selects them;
                # filtering the previous method's rows instead nested one semi-join (and its hash table over
                # the rows) per earlier method.
                rejected, next_src = f"rejected__{rid}_{index}", f"src__{rid}_{index + 1}"
                self.define(f"CREATE OR REPLACE TABLE {rejected} AS SELECT row_id FROM {reject_view}")
                self.define(f"CREATE OR REPLACE VIEW {next_src} AS SELECT s.* FROM {src} s "
                                 f"WHERE s._row_id IN (SELECT row_id FROM {rejected})")
                step_src = next_src

        # One view per method, so the ledger can be written one method's query at a time.
        scope, category = rule.node.scope, rule.node.category
        parts = []
        for index, (view, calc) in enumerate(ledgers):
            parts.append(f"rule_ledger__{rid}_{index}")
            self.define(
                f"CREATE OR REPLACE VIEW {parts[-1]} AS "
                f"SELECT {literal(rule.id)} AS rule_id, {literal(rule.node.span.short)} AS rule_source, "
                f"CAST({literal(scope)} AS INTEGER) AS scope, CAST({literal(category)} AS INTEGER) AS category, "
                f"CAST({literal(rule.node.basis)} AS VARCHAR) AS basis, "
                f"{literal(self.rule_tables[rule.id])} AS input_table, {literal(calc)} AS calculator, l.* FROM {view} l")
        rule_ledger = f"rule_ledger__{rid}"
        self.define(f"CREATE OR REPLACE VIEW {rule_ledger} AS "
                         + " UNION ALL ".join(f"SELECT * FROM {part}" for part in parts))
        self.rule_ledgers[rule.id] = rule_ledger
        self.ledger_parts[rule.id] = parts
        # A row rejected by every method of a chain is rejected with every method's reason.
        last, last_calc = rejects[-1]
        reasons = " || '; ' || ".join(f"'{calc}: ' || r{i}.reason" for i, (_, calc) in enumerate(rejects))
        joins = " ".join(f"JOIN {view} r{i} ON r{i}.row_id = r{len(rejects) - 1}.row_id"
                         for i, (view, _) in enumerate(rejects[:-1]))
        self.rule_rejects[rule.id] = (
            f"SELECT r{len(rejects) - 1}.row_id, {literal(self.rule_tables[rule.id])} AS input_table, s._row AS input_row, "
            f"{literal(rule.id)} AS rule_id, {literal(rule.node.span.short)} AS rule_source, {reasons} AS reason "
            f"FROM {last} r{len(rejects) - 1} {joins} JOIN {src} s ON s._row_id = r{len(rejects) - 1}.row_id")


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)


def _project(select: str, columns: dict[str, str]) -> str:
    """Fix the calculator's output to the contract's columns and types (a no-op cast when they match)."""
    listing = ", ".join(f"CAST({ident(n)} AS {t}) AS {ident(n)}" for n, t in columns.items())
    return f"SELECT {listing} FROM ({select}) AS calc"


def evaluate(ruleset: Ruleset, registry: Registry, graph: nx.DiGraph, data_dir: Path, out_dir: Path, *,
             selected: set[str] | None = None, threads: int | None = None, memory_limit: str | None = None,
             progress: Callable[[str], None] = lambda message: None, session: Session | None = None,
             label: str = "run", backend: str = "duckdb", spark_master: str | None = None) -> RunResult:
    out_dir.mkdir(parents=True, exist_ok=True)
    session = session or Session(registry, data_dir, threads, memory_limit, backend, spark_master)
    schema = session.new_schema(label)
    planner = _Planner(ruleset, session)
    con = planner.con
    order = [r for r in rule_order(graph) if selected is None or f"rule:{r}" in selected]
    if not order:
        raise InputError("no rule to evaluate (check --select)")
    for rule_id in order:
        progress(f"planning {rule_id}")
        try:
            planner.plan_rule(ruleset.rules[rule_id])
        except BackendFailure as error:
            raise BackendFailure(f"rule {rule_id}: {error}") from None

    # Tables only metrics, checks or reporters read (a reporter's input only where the data has it):
    # loaded now, so that their refused rows are in the rejects too.
    read_after = {t for item in [*ruleset.metrics.values(), *ruleset.checks.values()]
                  for t in expressions.tables_read_by(item.node.expr)}
    read_after |= {t for reporter in registry.reporters.values() for t in reporter.inputs
                   if t in ruleset.inputs and find_file(data_dir, t, registry) is not None}
    for table in sorted(read_after & set(ruleset.inputs)):
        planner.input(table)

    progress("computing rejects and exclusions")
    tables = sorted({planner.rule_tables[r] for r in order})
    con.execute(f"CREATE OR REPLACE TABLE run_rejects ({REJECT_COLUMNS})")
    # Every table the run read: the rules' rows, instruments a calculator consumes (certificates), tables
    # a calculator or the boundary reads (entities, exchange rates, suppliers …) and what metrics, checks
    # and reporters read: its refused rows are rejects.
    for table in sorted(planner.inputs):
        if planner.inputs[table].rejected:
            con.execute(f"INSERT INTO run_rejects SELECT row_id, {literal(table)}, input_row, NULL, NULL, reason "
                        f"FROM {planner.inputs[table].rejects}")
    for rule_id in order:
        con.execute(f"INSERT INTO run_rejects {planner.rule_rejects[rule_id]}")
    for instrument_rejects in planner.instrument_rejects:
        con.execute(f"INSERT INTO run_rejects {instrument_rejects}")
    con.execute(f"CREATE OR REPLACE TABLE run_claims ({CLAIM_COLUMNS})")
    for claims in planner.claims:
        con.execute(f"INSERT INTO run_claims {claims}")
    _check_claims(con)
    con.execute(f"CREATE OR REPLACE TABLE run_excluded ({EXCLUDED_COLUMNS})")
    _exclusions(planner, tables, order)
    _boundary_outcomes(planner, order)

    progress("writing the ledger")
    ledger_path = out_dir / LEDGER_FILE
    _write_ledger(con, session.backend, [(r, part) for r in order for part in planner.ledger_parts[r]], ledger_path)
    con.execute(f"CREATE OR REPLACE VIEW run_ledger AS SELECT * FROM read_parquet({literal(str(ledger_path))})")
    create_used_factors(con, planner.factors, "run_ledger")

    progress("summarising and checking conservation")
    # One pass over the ledger: every total, the summary and the ledger's fingerprint come from it.
    con.execute(f"CREATE OR REPLACE TABLE run_groups AS SELECT {', '.join(GROUP_KEYS)}, "
                f"sum(co2e_kg * boundary_weight) AS co2e_kg, sum(amount * boundary_weight) AS amount_kg, "
                f"count(*) AS ledger_rows, sum(hash(row_id, gas, co2e_kg, factor_id) % 1000000007) AS fingerprint "
                f"FROM run_ledger GROUP BY ALL")
    selected_rows = _check_conservation(planner, order, tables)
    progress("measuring what the rejects leave out")
    completeness = completeness_block(planner, order, selected_rows)
    lookups = lookup_coverage(planner, order)
    if lookups:
        completeness["lookups"] = lookups
    summary = _rows(con, f"SELECT {', '.join(SUMMARY_KEYS)}, sum(co2e_kg) AS co2e_kg, sum(ledger_rows) AS ledger_rows "
                         f"FROM run_groups GROUP BY ALL ORDER BY ALL NULLS FIRST")
    # Rules of different bases (location / market) are alternative views of the same emissions:
    # totals keep them apart and never add them.
    totals = _rows(con, "SELECT scope, category, basis, sum(co2e_kg) AS co2e_kg, count(DISTINCT rule_id) AS rules "
                        "FROM run_groups GROUP BY ALL ORDER BY scope NULLS FIRST, category NULLS FIRST, basis NULLS FIRST")
    gases = _rows(con, "SELECT scope, basis, gas, sum(amount_kg) AS amount_kg FROM run_groups GROUP BY ALL "
                       "ORDER BY scope NULLS FIRST, basis NULLS FIRST, gas")
    counts = con.execute("SELECT (SELECT coalesce(sum(ledger_rows), 0) FROM run_groups), "
                         "(SELECT count(*) FROM run_rejects), (SELECT count(*) FROM run_excluded)").fetchone()
    functions_ctx = expressions.Relations(ledger="run_ledger", inputs={t: planner.inputs[t].relation for t in planner.inputs},
                                          rules={r.id: (r.node.scope, r.node.category) for r in ruleset.rules.values()},
                                          policies={name: p.value for name, p in ruleset.policies.items()})
    metrics = [expressions.evaluate_metric(item.node, registry, con, functions_ctx) for item in ruleset.metrics.values()]
    checks = [expressions.evaluate_check(item.node, registry, con, functions_ctx) for item in ruleset.checks.values()]
    declared_exclusions = [
        {"id": item.node.id, "scope": item.node.scope, "category": item.node.category,
         "justification": item.node.justification, "source": item.node.span.short, "layer": item.layer}
        for item in ruleset.exclusions.values() if item.node.source is None]
    digest = _digest(con, summary, metrics)
    manifest = _manifest(ruleset, registry, planner, order, digest, threads)
    manifest["completeness"] = completeness
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
    return RunResult(ruleset, out_dir, summary, totals, gases, counts[1], counts[2], counts[0], metrics, checks,
                     declared_exclusions, manifest, digest, con, schema,
                     {name: loaded.relation for name, loaded in sorted(planner.inputs.items())}, bool(planner.claims),
                     completeness)


def _check_claims(con) -> None:
    """No instrument is claimed beyond its quantity, nor from more than one row of its table (an id
    listed twice would hold its quantity twice): set-based, over every claim of the run."""
    problems = con.execute(
        "SELECT instrument_table, instrument_id, count(DISTINCT instrument_row_id), sum(quantity), "
        "max(instrument_quantity), min(instrument_quantity), any_value(quantity_unit) FROM run_claims "
        "GROUP BY instrument_table, instrument_id HAVING count(DISTINCT instrument_row_id) > 1 "
        "OR count(DISTINCT quantity_unit) > 1 OR min(instrument_quantity) <> max(instrument_quantity) "
        "OR sum(quantity) > min(instrument_quantity) OR bool_or(quantity < 0 OR instrument_id IS NULL) "
        "ORDER BY ALL LIMIT 5").fetchall()
    if problems:
        shown = "; ".join(f"{table} {instrument!r}: {claimed} {unit} claimed from {rows} row(s), "
                          f"quantity {held} {unit}" for table, instrument, rows, claimed, held, _, unit in problems)
        raise InvariantError("instruments over-claimed — an instrument is one row of its table and covers at most "
                             "its quantity: " + shown)


def _write_ledger(con, backend, parts: list[tuple[str, str]], path: Path) -> None:
    """Write the rules' ledgers into one Parquet file, one query per rule and method at a time.

    One COPY over the union of every rule kept the joins, windows and semi-joins of all rules in
    memory until the end (5 GB at 10M rows of ghgp-current). Each query here is freed before the
    next starts, so memory is that of the largest single method. Rows come in rule order, and within a rule and method
    in LEDGER_ORDER (input row first), so the bytes are the same on any thread count; the file is laid
    out as DuckDB's COPY writes it (full row groups, zstd, decimals up to 18 digits as integers)."""
    writer, pending, pending_rows = None, [], 0
    try:
        for rule_id, relation in parts:
            try:
                reader = backend.batches(con, f"SELECT * FROM {relation} ORDER BY {LEDGER_ORDER}", LEDGER_BATCH)
            except BackendFailure as error:
                raise BackendFailure(f"rule {rule_id}: {error}") from None
            if writer is None:
                # Dictionary-encode the repetitive text columns only; row ids are all distinct.
                texts = [f.name for f in reader.schema
                         if f.name != "row_id" and (pa.types.is_string(f.type) or pa.types.is_large_string(f.type))]
                writer = pq.ParquetWriter(path, reader.schema, compression="zstd", compression_level=LEDGER_ZSTD_LEVEL,
                                          use_dictionary=texts, store_decimal_as_integer=True)
            for batch in reader:
                pending.append(batch)
                pending_rows += batch.num_rows
                if pending_rows >= LEDGER_ROW_GROUP:
                    table = pa.Table.from_batches(pending)
                    full = pending_rows - pending_rows % LEDGER_ROW_GROUP
                    writer.write_table(table.slice(0, full), row_group_size=LEDGER_ROW_GROUP)
                    pending, pending_rows = table.slice(full).to_batches(), pending_rows - full
        if pending_rows:
            writer.write_table(pa.Table.from_batches(pending))
    finally:
        if writer is not None:
            writer.close()


def _rows(con, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def _exclusions(planner: _Planner, tables: list[str], order: list[str]) -> None:
    """Explicit exclusions first (their justification is the reason), then rows no rule selects."""
    con, ruleset = planner.con, planner.ruleset
    for table in tables:
        relation = planner.table_relation(table)
        claimed = []
        for item in ruleset.exclusions.values():
            source = item.node.source
            if source is None or source.table != table:
                continue
            where = planner.rows_sql(source)
            # The first exclusion that matches a row claims it.
            earlier = " OR ".join(f"({c})" for c in claimed) or "FALSE"
            con.execute(f"INSERT INTO run_excluded SELECT _row_id, {literal(table)}, _row, NULL, {literal(item.node.id)}, "
                        f"{literal(item.node.span.short)}, {literal(item.node.justification)} FROM {relation} "
                        f"WHERE {where} AND NOT ({earlier})")
            claimed.append(where)
        rule_filters = [planner.rows_sql(ruleset.rules[r].node.source) for r in order
                        if ruleset.rules[r].node.source.table == table]
        already = " OR ".join(f"({c})" for c in claimed) or "FALSE"
        # A row whose key a rule would look up but is in no mapping row is rejected once, naming the key.
        unmapped = rejected_by_lookups(planner, table, order)
        if unmapped is not None:
            con.execute(f"INSERT INTO run_rejects SELECT _row_id, {literal(table)}, _row, NULL, _lookup_source, "
                        f"{literal(str(planner.inputs[table].file))} || ' row ' || CAST(_row AS VARCHAR) || ': ' || "
                        f"_lookup_reason FROM ({unmapped}) WHERE NOT ({already})")
            already += f" OR _row IN (SELECT _row FROM ({unmapped}))"
        if "TRUE" in rule_filters:
            continue
        selected = " OR ".join(rule_filters) or "FALSE"
        reading = [r for r in order if ruleset.rules[r].node.source.table == table]
        rules = ", ".join(reading)
        # A row the rules cannot select because a column they select by is empty is a data gap, not a choice.
        keys = list(dict.fromkeys(n.dotted for r in reading for n in ast.walk(ruleset.rules[r].node.source.where)
                                  if isinstance(n, ast.Name) and n.dotted in planner.inputs[table].columns))
        empty = " ".join(f"WHEN {ident(k)} IS NULL THEN {literal(f'column {k}: missing value (the rules reading {table} select rows by {k}: {rules})')}"
                         for k in keys)
        unselected = f"WHERE NOT ({selected}) AND NOT ({already})"
        if keys:
            con.execute(f"INSERT INTO run_rejects SELECT _row_id, {literal(table)}, _row, NULL, NULL, "
                        f"{literal(str(planner.inputs[table].file))} || ' row ' || CAST(_row AS VARCHAR) || ': ' || "
                        f"CASE {empty} END FROM {relation} {unselected} AND ({' OR '.join(f'{ident(k)} IS NULL' for k in keys)})")
            unselected += f" AND NOT ({' OR '.join(f'{ident(k)} IS NULL' for k in keys)})"
        con.execute(f"INSERT INTO run_excluded SELECT _row_id, {literal(table)}, _row, NULL, NULL, NULL, "
                    f"{literal('no rule selects this row (rules reading ' + table + ': ' + rules + ')')} "
                    f"FROM {relation} {unselected}")


def _boundary_outcomes(planner: _Planner, order: list[str]) -> None:
    """Rows of weight-0 entities are excluded per rule, with the boundary's reason; rows whose entity
    the boundary does not know are rejected (a data gap, not a choice)."""
    if planner.ruleset.boundary is None:
        return
    con, source = planner.con, planner.ruleset.boundary.span.short
    rejected_entities = _rejected_entities(planner)
    for rule_id in order:
        rule = planner.ruleset.rules[rule_id]
        if rule.node.source.table is None or "entity" not in planner.columns[rule_id]:
            continue  # derived rows inherit their origin's weight; rows without an entity are not weighted
        candidates, table = planner.candidates[rule_id], literal(planner.rule_tables[rule_id])
        con.execute(f"INSERT INTO run_excluded SELECT _row_id, {table}, _row, {literal(rule_id)}, "
                    f"{literal(BOUNDARY_EXCLUSION)}, {literal(source)}, _boundary_reason FROM {candidates} "
                    f"WHERE _boundary_weight = 0")
        con.execute(f"INSERT INTO run_rejects SELECT c._row_id, {table}, c._row, {literal(rule_id)}, "
                    f"{literal(rule.node.span.short)}, 'entity ' || coalesce('''' || c.entity || '''', 'empty') "
                    f"|| coalesce(' is in ' || r.file || ' but its row ' || CAST(r.input_row AS VARCHAR) "
                    f"|| ' was rejected: ' || r.problem, ' is not in the boundary''s entities table') "
                    f"FROM {candidates} c LEFT JOIN ({rejected_entities}) r ON r.entity = c.entity "
                    f"WHERE c._boundary_weight IS NULL")


def _rejected_entities(planner: _Planner) -> str:
    """Entities whose row of a boundary table was refused while reading: entity, file, input_row, problem
    (the first such row of each entity), so a row of that entity is rejected for the real cause."""
    step = planner.ruleset.boundary
    method = planner.registry.boundary_methods[step.method]
    parts = []
    for parameter in method.table_parameters:
        loaded = planner.inputs.get(getattr(step.parameters, parameter))
        if loaded is None or not loaded.rejected or "entity" not in loaded.columns:
            continue
        parts.append(f"SELECT CAST(t.entity AS VARCHAR) AS entity, {literal(loaded.file.name)} AS file, r.input_row, "
                     f"r.problem FROM {loaded.rejects} r JOIN {loaded.typed} t ON t._row = r.input_row "
                     f"WHERE t.entity IS NOT NULL")
    if not parts:
        return "SELECT CAST(NULL AS VARCHAR) AS entity, '' AS file, 0 AS input_row, '' AS problem WHERE FALSE"
    return (f"SELECT entity, arg_min(file, input_row) AS file, min(input_row) AS input_row, "
            f"arg_min(problem, input_row) AS problem FROM ({' UNION ALL '.join(parts)}) GROUP BY entity")


def _check_conservation(planner: _Planner, order: list[str], tables: list[str]) -> dict[str, int]:
    """Every row a rule selects is in its ledger, its rejects or (boundary) excluded — exactly one —
    and every row of an input file is valid or rejected while reading."""
    con = planner.con
    problems = []
    # Rows per rule in the ledger, counted exactly with a bitmap over the dense row numbers.
    in_ledger = {}
    for table in tables:
        rows = planner.inputs[table].rows
        in_ledger |= dict(con.execute(
            f"SELECT rule_id, bit_count(bitstring_agg(input_row, 1, {max(rows, 1)})) FROM run_ledger "
            f"WHERE input_table = {literal(table)} GROUP BY rule_id").fetchall())
    # A rule's rejects of its own rows (not of the instruments its calculator refused).
    rejected = {rule_id: n for rule_id, table, n in con.execute(
        "SELECT rule_id, input_table, count(*) FROM run_rejects WHERE rule_id IS NOT NULL GROUP BY ALL").fetchall()
        if rule_id in planner.rule_tables and planner.rule_tables[rule_id] == table}
    excluded = dict(con.execute("SELECT rule_id, count(*) FROM run_excluded WHERE rule_id IS NOT NULL GROUP BY ALL").fetchall())
    selected = {}
    # One scan per table counts the rows every rule selects. The boundary's LEFT JOIN is left out: with
    # one weight per entity (checked when the boundary is built) it cannot change a count.
    for table in tables:
        rules = [r for r in order if planner.rule_tables[r] == table]
        counts = con.execute("SELECT " + ", ".join(f"(SELECT count(*) FROM {planner.candidates[r]})" for r in rules)
                             if any(planner.ruleset.rules[r].node.source.table is None for r in rules) else
                             f"SELECT {', '.join(_selected_count(planner, r) for r in rules)} "
                             f"FROM {planner.table_relation(table)}").fetchone()
        selected |= dict(zip(rules, counts))
    for rule_id in order:
        n_ledger, n_rejected, n_excluded = in_ledger.get(rule_id, 0), rejected.get(rule_id, 0), excluded.get(rule_id, 0)
        if selected[rule_id] != n_ledger + n_rejected + n_excluded:
            problems.append(f"rule {rule_id}: {selected[rule_id]} rows selected, {n_ledger} in the ledger, "
                            f"{n_rejected} rejected, {n_excluded} excluded by the boundary")
    overlap = con.execute("SELECT r.rule_id, count(*) FROM run_rejects r SEMI JOIN run_ledger l "
                          "ON l.rule_id = r.rule_id AND l.row_id = r.row_id AND l.input_table = r.input_table GROUP BY ALL").fetchall()
    problems += [f"rule {rule_id}: {n} rows both in the ledger and in rejects" for rule_id, n in overlap]
    # Every table the run read (by a rule, a calculator, the boundary, a metric, a check or a reporter): each
    # row of its file is valid or a reject, counted in the relations the run used.
    for table in sorted(planner.inputs):
        loaded = planner.inputs[table]
        valid, refused = con.execute(f"SELECT (SELECT count(*) FROM {loaded.relation}), "
                                     f"(SELECT count(*) FROM {loaded.rejects})").fetchone()
        if loaded.rows != refused + valid or refused != loaded.rejected:
            problems.append(f"input {table}: {loaded.rows} rows read, {valid} valid + {refused} rejected"
                            + (f" (the load counted {loaded.rejected} rejected)" if refused != loaded.rejected else ""))
    if problems:
        raise InvariantError("conservation violated — every input row must be in the ledger, rejects or excluded: "
                             + "; ".join(problems))
    return selected


def _selected_count(planner: _Planner, rule_id: str) -> str:
    source = planner.ruleset.rules[rule_id].node.source
    return f"count(*) FILTER (WHERE {planner.rows_sql(source)} AND NOT ({planner.exclusion_filter(source.table)}))"


def _digest(con, summary: list[dict], metrics: list[dict]) -> str:
    """Hash of the summary and an order-independent fingerprint of the ledger, rejects and excluded."""
    fingerprint = con.execute("SELECT sum(ledger_rows), sum(co2e_kg), sum(amount_kg), sum(fingerprint) "
                              "FROM run_groups").fetchone()
    reject_print = con.execute("SELECT count(*), sum(hash(row_id, rule_id, reason) % 1000000007) FROM run_rejects").fetchone()
    excluded_print = con.execute("SELECT count(*), sum(hash(row_id, exclusion_id, reason) % 1000000007) FROM run_excluded").fetchone()
    canonical = json.dumps({"summary": summary, "ledger": fingerprint, "rejects": reject_print,
                            "excluded": excluded_print, "metrics": metrics}, default=_canonical, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _manifest(ruleset: Ruleset, registry: Registry, planner: _Planner, order: list[str], digest: str,
              threads: int | None) -> dict[str, Any]:
    from importlib import metadata

    from tanso.run.inputs import file_digest
    return {
        "format": "tanso-manifest.v1",
        "tanso_version": metadata.version("tanso"),
        "ruleset": {"name": ruleset.name, "layers": list(ruleset.layers),
                    "files": {f: file_digest(Path(f)) for f in ruleset.files if Path(f).exists()}},
        "policies": {name: {"value": p.value, "layer": p.layer, "source": p.provenance.source,
                            "as_of": p.provenance.as_of, "status": p.provenance.status,
                            "at": str(p.span) if p.span else None} for name, p in ruleset.policies.items()},
        "rules": {r: {"source": ruleset.rules[r].node.span.short, "layer": ruleset.rules[r].layer,
                      "calculators": [s.calculator for s in ruleset.rules[r].steps],
                      "effective_factors": planner.precision.get(r, []),
                      **rule_record(ruleset, registry, r, planner.rule_tables[r])} for r in order},
        "boundary": boundary_record(ruleset, registry, planner.boundary_weights()),
        "inputs": {name: {"file": str(i.file), "sha256": i.sha256, **({"notes": list(i.notes)} if i.notes else {})}
                   for name, i in sorted(planner.inputs.items())},
        "factor_sets": {name: {"file": f.source_file, "version": f.version, "publisher": f.publisher,
                               "edition": f.edition, "licence": f.licence} for name, f in sorted(planner.factors.items())},
        "plugins": sorted({f"{i.package}=={i.version}" for i in registry.implementations()}),
        "backend": planner.session.backend.label,
        "digest": digest,
    }


def rule_totals(ruleset: Ruleset, graph: nx.DiGraph, session: Session, rule_ids: list[str],
                label: str) -> dict[str, dict[tuple, Decimal]]:
    """Each rule's boundary-weighted kg CO2e by AGGREGATE_KEYS, without writing a ledger: the cheap
    evaluation a comparison runs for the scenarios it needs beyond the base and the revision."""
    session.new_schema(label)
    planner = _Planner(ruleset, session)
    wanted = {f"rule:{r}" for r in rule_ids}
    needed = wanted | {a for node in wanted for a in nx.ancestors(graph, node) if a.startswith("rule:")}
    for rule_id in (r for r in rule_order(graph) if f"rule:{r}" in needed):
        planner.plan_rule(ruleset.rules[rule_id])
    keys = ", ".join(AGGREGATE_KEYS)
    return {rule_id: {tuple(row[:-1]): row[-1] for row in planner.con.execute(
        f"SELECT {keys}, sum(co2e_kg * boundary_weight) FROM {planner.rule_ledgers[rule_id]} GROUP BY ALL").fetchall()}
        for rule_id in rule_ids}


def run_rule_totals(result: RunResult) -> dict[str, dict[tuple, Decimal]]:
    """The same totals, read from a finished run's aggregation table."""
    result.connection.execute(f"SET schema = '{result.schema}'")
    totals: dict[str, dict[tuple, Decimal]] = {}
    for rule_id, *key, value in result.connection.execute(
            f"SELECT rule_id, {', '.join(AGGREGATE_KEYS)}, sum(co2e_kg) FROM run_groups GROUP BY ALL").fetchall():
        totals.setdefault(rule_id, {})[tuple(key)] = value
    return totals
