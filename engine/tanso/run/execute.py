"""Run a resolved ruleset on a data folder: plan every rule, execute on the backend, write the run record.

The run produces `ledger` (one row per input row × rule × gas), `rejects`, `excluded` and `summary`,
checks the conservation invariant and computes a digest that is the same for the same inputs on
any thread count. This module orchestrates; the steps are `planner` (the rules as views), `exclusions`,
`ledger` (the Parquet file), `conservation` and `manifest` (digest and manifest).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import networkx as nx

from tanso.backends import BackendFailure
from tanso.backends.duckdb import DuckDBBackend
from tanso.diagnostics import InputError
from tanso.graph import rule_order
from tanso.graph.selectors import refuse_results_left_out, selector_of
from tanso.i18n import t
from tanso.model.ruleset import Ruleset
from tanso.plan.sql import literal
from tanso.plan.units import conventions_relied_on, noting_conventions
from tanso.plugins import Registry
from tanso.run import expressions
from tanso.run.completeness import compute as completeness_block
from tanso.run.conservation import _check_claims, _check_conservation
from tanso.run.exclusions import _boundary_outcomes, _exclusions
from tanso.run.input_files import input_files
from tanso.run.ledger import LEDGER_FILE, _write_ledger
from tanso.run.lineage import create_used_factors
from tanso.run.lookups import coverage as lookup_coverage
from tanso.run.manifest import _digest, _manifest
from tanso.run.planner import _Planner
from tanso.run.restatements import differences, previous_run, restatements as restated_periods, sources
from tanso.run.totals import drop_rules, rejects_of, rules_beyond_range
from tanso.run.session import Session

REJECT_COLUMNS = "row_id VARCHAR, input_table VARCHAR, input_row BIGINT, rule_id VARCHAR, rule_source VARCHAR, reason VARCHAR"
CLAIM_COLUMNS = ("instrument_table VARCHAR, instrument_row_id VARCHAR, instrument_row BIGINT, instrument_id VARCHAR, "
                 "rule_id VARCHAR, rule_source VARCHAR, input_table VARCHAR, row_id VARCHAR, input_row BIGINT, "
                 "factor_id VARCHAR, quantity DECIMAL(18,6), quantity_unit VARCHAR, instrument_quantity DECIMAL(18,6)")
EXCLUDED_COLUMNS = ("row_id VARCHAR, input_table VARCHAR, input_row BIGINT, rule_id VARCHAR, exclusion_id VARCHAR, "
                    "exclusion_source VARCHAR, reason VARCHAR")
SUMMARY_KEYS = ("scope", "category", "basis", "rule_id", "entity", "period")
SCENARIO_BACKEND = DuckDBBackend()   # where compare's scenarios run (rule_totals)
GROUP_KEYS = (*SUMMARY_KEYS, "gas", "method", "data_type", "data_quality")
# What a comparison tells apart: a rule's total by these (see `rule_totals`).
AGGREGATE_KEYS = ("scope", "category", "basis", "entity", "method", "data_type", "data_quality")


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
    # With --previous OUT: the earlier run (folder, digest) and the periods it reported that this run
    # reports differently (`tanso.run.restatements`).
    previous: dict[str, Any] | None = None
    restatements: list[dict[str, Any]] = field(default_factory=list)
    data_dir: Path = Path()                     # the data folder as given: the manifest names files under it
    # The rules run, as a --select (None: every rule); `recordable` False when no selector chooses exactly them.
    selector: str | None = None
    recordable: bool = True
    # Units its conversions read by convention, as written (`gal`: the US gallon; tanso.plan.units), said first.
    unit_conventions: list[str] = field(default_factory=list)

    @property
    def incomplete(self) -> bool:
        return self.completeness.get("status") == "incomplete"

    @property
    def ledger_path(self) -> Path:
        return self.out_dir / LEDGER_FILE


# DuckDB's memory limit for an evaluate given none: above it DuckDB spills to disk. The process peaks ~0.55 GB above
# it (Python and libraries ~0.2 GB; while the ledger is written DuckDB's sort and the Parquet writer hold ~0.3 GB
# outside it), so 448MB keeps ghgp-current at 10M rows under 1 GB (benchmarks/README.md); `80%` gives DuckDB's own
# default back. Compare uses the same (compare.COMPARE_MEMORY_LIMIT).
EVALUATE_MEMORY_LIMIT = "448MB"


@noting_conventions
def evaluate(ruleset: Ruleset, registry: Registry, graph: nx.DiGraph, data_dir: Path, out_dir: Path, *,
             selected: set[str] | None = None, threads: int | None = None, memory_limit: str | None = None,
             progress: Callable[..., None] = lambda message, done=None, total=None: None,
             session: Session | None = None,
             label: str = "run", previous: Path | None = None, backend: str = "duckdb",
             spark_master: str | None = None) -> RunResult:
    earlier = previous_run(previous) if previous is not None else None   # checked before the work starts
    out_dir.mkdir(parents=True, exist_ok=True)
    session = session or Session(registry, data_dir, threads, memory_limit or EVALUATE_MEMORY_LIMIT, backend,
                                 spark_master)
    schema = session.new_schema(label)
    planner = _Planner(ruleset, session)
    con = planner.con
    if selected is not None:
        refuse_results_left_out(graph, selected)
    order = [r for r in rule_order(graph) if selected is None or f"rule:{r}" in selected]
    if not order:
        raise InputError("no rule to evaluate (check --select)")
    for done, rule_id in enumerate(order, 1):
        progress(f"planning {rule_id}", done, len(order))
        try:
            planner.plan_rule(ruleset.rules[rule_id])
        except BackendFailure as error:
            raise BackendFailure(f"rule {rule_id}: {error}") from None

    # Tables only metrics, checks or reporters read (a reporter's input only where the data has it):
    # loaded now, so that their refused rows are in the rejects too.
    read_after = {t for item in [*ruleset.metrics.values(), *ruleset.checks.values()]
                  for t in expressions.tables_read_by(item.node.expr)}
    read_after |= {t for reporter in registry.reporters.values() for t in reporter.inputs
                   if t in ruleset.inputs and input_files(data_dir, ruleset.inputs[t], registry)}
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
    for rule_exclusions in planner.rule_exclusions:
        con.execute(f"INSERT INTO run_excluded {rule_exclusions}")

    progress("writing the ledger")
    ledger_path = out_dir / LEDGER_FILE
    _write_ledger(con, session.backend, [(r, part) for r in order for part in planner.ledger_parts[r]], ledger_path,
                  lambda rule_id, done, total: progress(f"writing the ledger: {rule_id}", done, total),
                  planner.ledger_constants)
    con.execute(f"CREATE OR REPLACE VIEW run_ledger AS SELECT * FROM read_parquet({literal(str(ledger_path))})")

    progress("summarising and checking conservation")
    # One pass over the ledger: every total, the summary and the ledger's fingerprint come from it.
    groups = (f"CREATE OR REPLACE TABLE run_groups AS SELECT {', '.join(GROUP_KEYS)}, "
              f"sum(co2e_kg * boundary_weight) AS co2e_kg, sum(amount * boundary_weight) AS amount_kg, "
              f"count(*) AS ledger_rows, sum(hash(row_id, gas, co2e_kg, factor_id) % 1000000007) AS fingerprint "
              f"FROM run_ledger GROUP BY ALL")
    beyond = rules_beyond_range(con, lambda: con.execute(groups))
    if beyond:   # rows of rules whose totals exact decimals cannot hold: rejects, never a stopped run
        con.execute(f"INSERT INTO run_rejects {rejects_of(beyond)}")
        drop_rules(ledger_path, set(beyond))
        con.execute(groups)
    create_used_factors(con, planner.factors, "run_ledger", planner.data_dir)
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
                                          policies={name: p.value for name, p in ruleset.policies.items()},
                                          rule_tables=dict(planner.rule_tables),
                                          columns={t: planner.inputs[t].columns for t in planner.inputs},
                                          places={t: planner.inputs[t].place_sql for t in planner.inputs},
                                          boundary=planner.boundary_relation(), cite=ruleset.cite)
    metrics = [expressions.evaluate_metric(item.node, registry, con, functions_ctx) for item in ruleset.metrics.values()]
    checks = [expressions.evaluate_check(item.node, registry, con, functions_ctx) for item in ruleset.checks.values()]
    declared_exclusions = [
        {"id": item.node.id, "scope": item.node.scope, "category": item.node.category,
         "justification": item.node.justification, "source": ruleset.cite(item.node.span), "layer": item.layer}
        for item in ruleset.exclusions.values() if item.node.source is None]
    digest = _digest(con, summary, metrics, checks)
    manifest = _manifest(ruleset, registry, planner, order, digest, threads)
    selector = None if selected is None else selector_of(graph, order)
    manifest["completeness"] = completeness
    manifest["checks"] = checks   # outcomes, with the findings of integrity checks (flagged periods, regions)
    restatements = restated_periods(con, earlier, "run_ledger") if earlier is not None else []
    if earlier is not None:
        earlier["differences"] = differences(earlier["sources"], sources(manifest))
        # its folder from the run folder: in `invocation`
        manifest["previous"] = {"digest": earlier["digest"], "differences": earlier["differences"]}
        manifest["restatements"] = restatements
    conventions = conventions_relied_on()
    if conventions:
        manifest["unit_conventions"] = [t("unit.convention.gal", lang="en", unit=unit) for unit in conventions]
    (out_dir / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True, default=str) + "\n")
    return RunResult(ruleset, out_dir, summary, totals, gases, counts[1], counts[2], counts[0], metrics, checks,
                     declared_exclusions, manifest, digest, con, schema,
                     {name: loaded.relation for name, loaded in sorted(planner.inputs.items())}, bool(planner.claims),
                     completeness, earlier, restatements, planner.data_dir, selector, selected is None or selector is not None,
                     conventions)

def _rows(con, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def rule_totals(ruleset: Ruleset, graph: nx.DiGraph, session: Session, rule_ids: list[str],
                label: str) -> dict[str, dict[tuple, Decimal]]:
    """Each rule's boundary-weighted kg CO2e by AGGREGATE_KEYS, without writing a ledger: the cheap
    evaluation a comparison runs for the scenarios it needs beyond the base and the revision. They run in
    DuckDB whatever the session's backend (SCENARIO_BACKEND, named in compare's manifest): DuckDB, the
    catalogue, computes every table of a plan anyway, and the totals are read from it."""
    return planned_totals(plan_rules(ruleset, graph, session, rule_ids, label), rule_ids)


def planned_totals(planner: _Planner, rule_ids: list[str]) -> dict[str, dict[tuple, Decimal] | None]:
    """rule_totals of rules already planned; None for a rule whose sum passes the range of exact totals (a run
    rejects its rows: tanso.run.totals)."""
    import duckdb
    keys = ", ".join(AGGREGATE_KEYS)
    totals: dict[str, dict[tuple, Decimal] | None] = {}
    for rule_id in rule_ids:
        # Through the planner's query: in a comparison, a rule whose ledger is the same query over the same
        # relations as in an earlier scenario (run/reuse.py) is summed once.
        try:
            totals[rule_id] = {tuple(row[:-1]): row[-1] for row in planner.query(
                f"SELECT {keys}, sum(co2e_kg * boundary_weight) FROM {planner.rule_ledgers[rule_id]} GROUP BY ALL")}
        except duckdb.OutOfRangeException:
            totals[rule_id] = None
    return totals


def plan_rules(ruleset: Ruleset, graph: nx.DiGraph, session: Session, rule_ids: list[str], label: str) -> _Planner:
    """The rules (and those they read the results of) planned in a new schema of the session, in DuckDB,
    for their totals: their rejects are not computed."""
    session.new_schema(label)
    planner = _Planner(ruleset, session, SCENARIO_BACKEND, ledger_only=True)
    wanted = {f"rule:{r}" for r in rule_ids}
    needed = wanted | {a for node in wanted for a in nx.ancestors(graph, node) if a.startswith("rule:")}
    for rule_id in (r for r in rule_order(graph) if f"rule:{r}" in needed):
        planner.plan_rule(ruleset.rules[rule_id])
    return planner


def boundary_weights(ruleset: Ruleset, session: Session, label: str) -> list[tuple]:
    """(entity, weight, reason) of the ruleset's boundary as a scenario computes it, planning no rule; [] without one."""
    session.new_schema(label)
    planner = _Planner(ruleset, session, SCENARIO_BACKEND, ledger_only=True)
    planner.boundary_relation()
    return planner.boundary_weights()


def run_rule_totals(result: RunResult) -> dict[str, dict[tuple, Decimal]]:
    """The same totals, read from a finished run's aggregation table."""
    result.connection.execute(f"SET schema = '{result.schema}'")
    totals: dict[str, dict[tuple, Decimal]] = {}
    for rule_id, *key, value in result.connection.execute(
            f"SELECT rule_id, {', '.join(AGGREGATE_KEYS)}, sum(co2e_kg) FROM run_groups GROUP BY ALL").fetchall():
        totals.setdefault(rule_id, {})[tuple(key)] = value
    return totals
