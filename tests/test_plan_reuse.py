"""Plan-time tables shared between a comparison's scenarios (tanso.run.reuse): a table is reused only
when everything it is computed from is the same, and a reused table reads exactly as a computed one."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest

from conftest import FUEL_FACTORS, REPO, fuel_row, fuel_ruleset, make_case
from tanso.run import prepare
from tanso.run.execute import evaluate, plan_rules, planned_totals, rule_totals, run_rule_totals
from tanso.run.reuse import PlanReuse
from tanso.run.session import Session


@pytest.fixture()
def con():
    connection = duckdb.connect()
    connection.execute("CREATE TEMP TABLE rows AS SELECT i AS id, i % 3 AS k FROM range(10) t(i)")
    yield connection
    connection.close()


def _schema(con, reuse: PlanReuse, name: str, threshold: int, table_sql: str = "SELECT * FROM v WHERE k = {t}"):
    con.execute(f"CREATE SCHEMA {name}")
    con.execute(f"SET schema = '{name}'")
    reuse.define(con, name, f"CREATE OR REPLACE VIEW v AS SELECT * FROM rows WHERE id >= {threshold}")
    reuse.define(con, name, f"CREATE OR REPLACE TABLE t AS {table_sql.format(t=1)}")
    return sorted(con.execute("SELECT id FROM t").fetchall())


def test_a_table_of_the_same_query_over_the_same_relations_is_computed_once(con):
    reuse = PlanReuse()
    first = _schema(con, reuse, "a", threshold=2)
    second = _schema(con, reuse, "b", threshold=2)
    assert second == first and reuse.reused == 1
    assert con.execute("SELECT table_type FROM information_schema.tables WHERE table_schema = 'b' "
                       "AND table_name = 't'").fetchone() == ("VIEW",)


def test_a_different_view_underneath_is_a_different_table(con):
    reuse = PlanReuse()
    first = _schema(con, reuse, "a", threshold=2)
    second = _schema(con, reuse, "b", threshold=5)   # the same table SQL over another `v`
    assert reuse.reused == 0 and second != first
    assert second == [(7,)]


def test_a_relation_made_outside_define_is_never_assumed_equal(con):
    reuse = PlanReuse()
    for name, value in (("a", 1), ("b", 2)):
        con.execute(f"CREATE SCHEMA {name}")
        con.execute(f"SET schema = '{name}'")
        con.execute(f"CREATE TABLE made_elsewhere AS SELECT {value} AS x")
        reuse.outside(name, "made_elsewhere")
        reuse.define(con, name, "CREATE OR REPLACE TABLE t AS SELECT x FROM made_elsewhere")
        assert con.execute("SELECT x FROM t").fetchall() == [(value,)]
    assert reuse.reused == 0


def test_registered_arrow_tables_are_keyed_by_their_contents(con):
    reuse = PlanReuse()
    results = []
    for number, (name, values) in enumerate((("a", [1, 2]), ("b", [1, 2]), ("c", [1, 3]))):
        con.execute(f"CREATE SCHEMA {name}")
        con.execute(f"SET schema = '{name}'")
        relation = f"plan_{number}_units"   # a new name in every scenario, as Session.relation_name gives
        earlier = reuse.registered(relation, "units", pa.table({"k": values}))
        if earlier is None:
            con.register(relation + "_arrow", pa.table({"k": values}))
            con.execute(f"CREATE TEMP TABLE {relation} AS SELECT * FROM {relation}_arrow")
        reuse.define(con, name, f"CREATE OR REPLACE TABLE t AS SELECT r.id FROM rows r "
                                f"JOIN {earlier or relation} u ON u.k = r.k")
        results.append(sorted(con.execute("SELECT id FROM t").fetchall()))
    assert reuse.reused == 1 and results[0] == results[1] != results[2]


def test_an_arrow_table_registered_again_with_the_same_label_and_contents_is_the_first_one(con):
    """One temporary table per (label, contents): the same contents under another label, or other
    contents (values or types) under the same label, are tables of their own."""
    reuse = PlanReuse()
    reuse.collect(lambda relation: True)
    assert reuse.registered("plan_1_units", "units", pa.table({"k": [1, 2]})) is None
    assert reuse.registered("plan_2_units", "units", pa.table({"k": [1, 2]})) == "plan_1_units"
    assert reuse.registered("plan_3_kwh", "kwh", pa.table({"k": [1, 2]})) is None
    assert reuse.registered("plan_4_units", "units", pa.table({"k": [1, 3]})) is None
    assert reuse.registered("plan_5_units", "units", pa.table({"k": pa.array([1, 2], pa.int32())})) is None
    assert list(reuse.recent) == [f"plan_{n}_{label}" for n, label in
                                  ((1, "units"), (2, "units"), (3, "kwh"), (4, "units"), (5, "units"))]


def test_a_reused_table_narrowed_in_place_reads_the_reused_rows_and_leaves_them_intact(con):
    reuse = PlanReuse()
    first = _schema(con, reuse, "a", threshold=0)
    assert _schema(con, reuse, "b", threshold=0) == first and reuse.reused == 1
    # the planner's "keep only the rows the next method rejects too": AS SELECT … FROM itself
    reuse.define(con, "b", "CREATE OR REPLACE TABLE t AS SELECT * FROM t WHERE id = 4")
    assert con.execute("SELECT id FROM b.t").fetchall() == [(4,)]
    assert sorted(con.execute("SELECT id FROM a.t").fetchall()) == first == [(1,), (4,), (7,)]
    # and a third scenario still finds the first one's table, not the narrowed one
    assert _schema(con, reuse, "c", threshold=0) == first and reuse.reused == 2


def test_a_plan_time_query_is_answered_once_per_content_and_statements_always_run(con):
    reuse = PlanReuse()
    answers = []
    for name, threshold in (("a", 2), ("b", 2), ("c", 8)):
        _schema(con, reuse, name, threshold)
        answers.append(reuse.query(con, name, "SELECT DISTINCT k FROM v ORDER BY k"))
    assert answers == [[(0,), (1,), (2,)], [(0,), (1,), (2,)], [(0,), (2,)]]   # c: ids 8 and 9 only
    assert reuse.reused == 1 + 1     # b's table and b's query; c's view differs, so c asks again
    reuse.query(con, "c", "CREATE TABLE side_effect AS SELECT 1 AS x")
    reuse.query(con, "c", "DROP TABLE side_effect")   # ran: a statement is never answered from memory


def test_a_create_if_not_exists_runs_once_per_text(con):
    """What it creates is named by its query and never dropped in a session (the boundary's holdings):
    run again it does nothing but bind its query, so it is not run again."""
    reuse = PlanReuse()
    statement = "CREATE TEMP TABLE IF NOT EXISTS holdings AS SELECT count(*) AS n FROM rows"
    reuse.query(con, "main", statement)
    con.execute("DROP TABLE holdings")
    reuse.query(con, "main", statement)   # not run again: the table stays dropped
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'holdings'").fetchone() == (0,)
    reuse.query(con, "main", statement.replace("count(*)", "max(id)"))   # another text runs
    assert con.execute("SELECT n FROM holdings").fetchall() == [(9,)]


def test_scenarios_compute_no_rejects_and_differ_in_totals_by_the_gwp_set(tmp_path, registry):
    """A scenario's totals read only its ledger: its rejects are never computed, nor made as views, and its
    ledger view is the totals query's own CTE (run/lazy_views.py); a scenario that changes only gwp.set
    weighs its own gases."""
    case = make_case(tmp_path, "", {"fuel_use": [fuel_row("F1", "100"), fuel_row("F2", "5", fuel="coal")]},
                     {"fuels": FUEL_FACTORS})
    session = Session(registry, case.data, reuse=True)
    totals, kinds = {}, {}
    for gwp in ("AR5", "AR6"):
        folder = tmp_path / gwp
        folder.mkdir()
        (folder / "case.tanso").write_text(fuel_ruleset(gwp))
        prepared = prepare(folder, registry=registry)
        totals[gwp] = rule_totals(prepared.ruleset, prepared.graph, session, ["s1.fuel"], f"scenario_{gwp}")["s1.fuel"]
        kinds[gwp] = session.con.execute(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = ? "
            "AND table_name IN ('rejects__s1_fuel_0', 'rule_ledger__s1_fuel_0') ORDER BY 1", [session.schema]).fetchall()
    assert kinds["AR5"] == kinds["AR6"] == []
    assert sum(totals["AR5"].values()) != sum(totals["AR6"].values())   # CH4 and N2O weigh differently



def test_market_based_rows_are_tables_in_scenarios_shared_where_only_the_fallback_differs(tmp_path, registry):
    """In a comparison's scenarios market-based Scope 2's rows with their kWh, and what certificates leave
    of them, are tables (each scenario's totals read the latter four times): the scenario that differs
    only in the residual-mix fallback computes neither again (a view of the first one's), and its totals
    are a run's, where both are views."""
    draft, data = REPO / "rulesets" / "ghgp-draft-2026", REPO / "examples" / "acme" / "data"
    session = Session(registry, data, reuse=True)
    totals, kinds = {}, {}
    for fallback in ("fossil", "location"):
        prepared = prepare(draft, registry=registry, overrides={"scope2.market.residual_mix_fallback": fallback})
        label = f"scenario_{fallback}"
        totals[fallback] = rule_totals(prepared.ruleset, prepared.graph, session, ["s2.market"], label)["s2.market"]
        kinds[fallback] = session.con.execute(
            "SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = ? "
            "AND table_name IN ('s2_market_0__consumption', 's2_market_0__remainder_kwh') ORDER BY 1",
            [session.schema]).fetchall()
    assert kinds["fossil"] == [("s2_market_0__consumption", "BASE TABLE"), ("s2_market_0__remainder_kwh", "BASE TABLE")]
    assert kinds["location"] == [("s2_market_0__consumption", "VIEW"), ("s2_market_0__remainder_kwh", "VIEW")]
    assert totals["fossil"] != totals["location"]
    run = evaluate(prepared.ruleset, registry, prepared.graph, data, tmp_path / "run", selected={"rule:s2.market"})
    assert run_rule_totals(run)["s2.market"] == totals["location"]


def test_a_scenarios_chain_tiers_read_only_what_the_earlier_tiers_leave(tmp_path, registry):
    """In a scenario only the ledger of market-based Scope 2's first_of chain is read, so a tier's rows are
    those the earlier tiers leave: the first tier's are the rows themselves and the fallback's join the
    two earlier tiers' accepted keys, not its own (its ledger's join with its factors rejects the rest).
    The totals are a run's, whose tier rows also keep what no tier prices (for the rejects)."""
    draft, data = REPO / "rulesets" / "ghgp-draft-2026", REPO / "examples" / "acme" / "data"
    session = Session(registry, data, reuse=True)
    prepared = prepare(draft, registry=registry)
    planner = plan_rules(prepared.ruleset, prepared.graph, session, ["s2.market"], "scenario")
    held = planner._lazy._held
    assert "_accepted" not in held["s2_market_0_remainder__tier0_rows"]
    assert held["s2_market_0_remainder__tier2_rows"].count("_accepted") == 2
    totals = planned_totals(planner, ["s2.market"])["s2.market"]
    run = evaluate(prepared.ruleset, registry, prepared.graph, data, tmp_path / "run", selected={"rule:s2.market"})
    assert run_rule_totals(run)["s2.market"] == totals


def test_market_based_certificate_allocation_is_shared_by_boundaries_including_the_same_entities(tmp_path, registry):
    """Market-based Scope 2's certificate allocation reads which rows the boundary includes, not their weights:
    under financial control the joint venture weighs 0.5 where operational control weighs it 1, the same
    entities are included, so the second boundary's scenario reads the first one's allocation, what it leaves
    of the rows, the tiers' keys and the rows no tier prices (views of them); each scenario's totals are still a
    run's under its own boundary, and they differ by that weight."""
    current, data = REPO / "rulesets" / "ghgp-current", REPO / "examples" / "acme" / "data"
    session = Session(registry, data, reuse=True)
    totals, kinds = {}, {}
    for approach in ("operational_control", "financial_control"):
        prepared = prepare(current, registry=registry, overrides={"boundary.approach": approach})
        totals[approach] = rule_totals(prepared.ruleset, prepared.graph, session, ["s2.market"], approach)["s2.market"]
        kinds[approach] = session.con.execute(
            "SELECT table_type FROM information_schema.tables WHERE table_schema = ? "
            "AND table_name IN ('s2_market_0__allocated', 's2_market_0__remainder_kwh', "
            "'s2_market_0_remainder__chain_keys', 's2_market_0_remainder__unpriced') ORDER BY 1",
            [session.schema]).fetchall()
        run = evaluate(prepared.ruleset, registry, prepared.graph, data, tmp_path / approach, selected={"rule:s2.market"})
        assert run_rule_totals(run)["s2.market"] == totals[approach]
    assert kinds == {"operational_control": [("BASE TABLE",)] * 4, "financial_control": [("VIEW",)] * 4}
    assert totals["operational_control"] != totals["financial_control"]


def test_the_keys_a_factor_product_prices_are_read_once_for_boundaries_including_the_same_entities(
        tmp_path, registry, monkeypatch):
    """Which (keys, unit) pairs a factor product prices follows from which rows the boundary includes, not
    from their weights: under financial control the joint venture weighs 0.5 where operational control
    weighs it 1, the same entities are included, so the second boundary's scenario asks no query for those
    pairs, neither of a rule's one method (s1.stationary) nor of the later methods of a first_of chain
    (s3.cat1's supplier allocation, materials and spend read what the earlier methods leave). Each
    scenario's totals are still a run's under its own boundary, and s1.stationary's differ by that weight
    (the joint venture burns fuel)."""
    current, data = REPO / "rulesets" / "ghgp-current", REPO / "examples" / "acme" / "data"
    rules = ["s1.stationary", "s3.cat1"]
    session = Session(registry, data, reuse=True)
    asked: list[str] = []
    answer = session.reuse._answer
    monkeypatch.setattr(session.reuse, "_answer", lambda schema, sql, kind, run: answer(
        schema, sql, kind, lambda: (asked.append(sql), run())[1]))
    keys_asked, totals = {}, {}
    for approach in ("operational_control", "financial_control"):
        asked.clear()
        prepared = prepare(current, registry=registry, overrides={"boundary.approach": approach})
        totals[approach] = rule_totals(prepared.ruleset, prepared.graph, session, rules, approach)
        keys_asked[approach] = sorted(sql.split(" FROM ")[-1].split()[0] for sql in asked if " AS from_unit FROM " in sql)
        run = evaluate(prepared.ruleset, registry, prepared.graph, data, tmp_path / approach,
                       selected={f"rule:{r}" for r in rules})
        assert {r: run_rule_totals(run).get(r, {}) for r in rules} == totals[approach]
    assert keys_asked == {"operational_control": ["in_boundary__s1_stationary", "in_boundary__s3_cat1",
                                                  "in_boundary__s3_cat1_1", "in_boundary__s3_cat1_2",
                                                  "in_boundary__s3_cat1_3"],
                          "financial_control": []}
    assert totals["operational_control"]["s1.stationary"] != totals["financial_control"]["s1.stationary"]


def test_a_scenario_computes_no_table_of_the_rows_no_method_of_a_chain_prices(tmp_path, registry):
    """The rows no method of a first_of chain prices are what the rule's rejects are built over: a table in a
    run, but a scenario reads no rejects, so there it is a view never made (run/lazy_views.py). Its totals
    are a run's."""
    current, data = REPO / "rulesets" / "ghgp-current", REPO / "examples" / "acme" / "data"
    session = Session(registry, data, reuse=True)
    prepared = prepare(current, registry=registry)
    totals = rule_totals(prepared.ruleset, prepared.graph, session, ["s3.cat1"], "scenario")["s3.cat1"]
    made = session.con.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = ? "
                               "AND table_name LIKE 'unpriced%'", [session.schema]).fetchall()
    assert made == []
    run = evaluate(prepared.ruleset, registry, prepared.graph, data, tmp_path / "run", selected={"rule:s3.cat1"})
    assert run_rule_totals(run)["s3.cat1"] == totals
