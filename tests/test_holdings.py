"""The boundary as a tree of holdings (GHG Protocol Corporate Standard, rev. 2004, chapter 3).

The boundary method runs on DuckDB over an entities table as the engine registers it (typed columns
and `_row`, the file's data row). Sources: Table 1 ("financial accounting categories": the share each
category counts at under equity share and financial control) and the Holland Industries example (ch. 3,
Table 2). Values of the example: Holland America and BGB were checked against an independent
implementation of the example; the other rows are as the standard's table gives them (re-check against
the PDF before quoting them elsewhere). The standard's text is not copied.
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from tanso.diagnostics import InputError
from tanso.plan.context import BoundaryContext
from tanso_ghgp.boundary import ConsolidationParameters, compile_consolidation

COLUMNS = ("entity VARCHAR, parent VARCHAR, equity_share DECIMAL(18,6), financial_control BOOLEAN, "
           "operational_control BOOLEAN, joint_financial_control BOOLEAN, holding VARCHAR, _row BIGINT")
PARAMETERS = ConsolidationParameters(entities="entities", parent="parent", holding="holding",
                                     joint_financial_control="joint_financial_control")


def weights(rows: list[tuple], approach: str, basis: str = "ghgp_2004") -> dict[str, tuple[Decimal, str | None]]:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE entities ({COLUMNS})")
    if rows:
        con.executemany("INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        [(*row, index) for index, row in enumerate(rows, 1)])
    ctx = BoundaryContext(parameters=PARAMETERS, tables={"entities": "entities"},
                          query=lambda sql: con.execute(sql).fetchall(), files={"entities": "entities.csv"},
                          policies={"boundary.approach": approach, "boundary.financial_control_basis": basis})
    return {entity: (weight, reason) for entity, weight, reason in con.execute(compile_consolidation(ctx)).fetchall()}


def shares(rows: list[tuple], approach: str, basis: str = "ghgp_2004") -> dict[str, Decimal]:
    return {entity: weight for entity, (weight, _) in weights(rows, approach, basis).items()}


# entity, parent, equity share, financial control, operational control, joint financial control, holding
TABLE_1 = [
    ("WHOLLY", None, "1", True, True, False, "wholly_owned_subsidiary"),
    ("PARTLY", None, "0.6", True, True, False, "partly_owned_subsidiary"),
    ("ASSOC", None, "0.3", False, False, False, "associate"),
    ("JV", None, "0.5", False, True, True, "joint_venture"),
    ("PARTNERSHIP", None, "0.4", False, False, True, "non_incorporated_jv"),
    ("FIXED", None, "0.05", False, False, False, "fixed_asset_investment"),
]


@pytest.mark.parametrize("approach, expected", [
    # Table 1, equity share column: the equity share, except fixed-asset investments (0%)
    ("equity_share", {"WHOLLY": "1", "PARTLY": "0.6", "ASSOC": "0.3", "JV": "0.5", "PARTNERSHIP": "0.4", "FIXED": "0"}),
    # Table 1, financial control column: subsidiaries 100%, joint financial control at the equity share,
    # associates and fixed-asset investments 0%
    ("financial_control", {"WHOLLY": "1", "PARTLY": "1", "ASSOC": "0", "JV": "0.5", "PARTNERSHIP": "0.4", "FIXED": "0"}),
    # ch. 3, operational control: 100% of what the company operates, whatever the category
    ("operational_control", {"WHOLLY": "1", "PARTLY": "1", "ASSOC": "0", "JV": "1", "PARTNERSHIP": "0", "FIXED": "0"}),
])
def test_each_category_of_table_1_counts_as_the_standard_says(approach, expected):
    assert shares(TABLE_1, approach) == {k: Decimal(v) for k, v in expected.items()}


def test_the_category_is_derived_when_not_declared_and_gives_the_same_shares():
    undeclared = [(*row[:6], None) for row in TABLE_1 if row[0] != "PARTNERSHIP"]   # a partnership must be declared
    for approach in ("equity_share", "financial_control"):
        assert shares(undeclared, approach) == {k: v for k, v in shares(TABLE_1, approach).items() if k != "PARTNERSHIP"}


# Holland Industries (ch. 3, Table 2): Holland America is an 83% subsidiary; BGB a 50% joint venture of
# Holland America with joint financial control; IRW a 75% subsidiary of Holland America; Kahuna Chemicals
# a non-incorporated joint venture of three equal partners; QuickFix 43% but financially controlled; Nallo
# 56% without financial control (an associate); Syntal 1% (a fixed-asset investment).
HOLLAND = [
    ("Holland Switzerland", None, "1", True, True, False, None),
    ("Holland America", None, "0.83", True, True, False, None),
    ("BGB", "Holland America", "0.5", False, False, True, None),
    ("IRW", "Holland America", "0.75", True, True, False, None),
    ("Kahuna Chemicals", None, "0.333", False, False, True, "non_incorporated_jv"),
    ("QuickFix", None, "0.43", True, True, False, None),
    ("Nallo", None, "0.56", False, False, False, None),
    ("Syntal", None, "0.01", False, False, False, None),
]


def test_holland_industries_under_equity_share():
    assert shares(HOLLAND, "equity_share") == {
        "Holland Switzerland": Decimal("1"), "Holland America": Decimal("0.83"),
        "BGB": Decimal("0.415"),        # 83% × 50%
        "IRW": Decimal("0.6225"),       # 83% × 75%
        "Kahuna Chemicals": Decimal("0.333"), "QuickFix": Decimal("0.43"), "Nallo": Decimal("0.56"),
        "Syntal": Decimal("0")}


def test_holland_industries_under_financial_control():
    assert shares(HOLLAND, "financial_control") == {
        "Holland Switzerland": Decimal("1"), "Holland America": Decimal("1"),
        "BGB": Decimal("0.5"),          # 100% (subsidiary) × 50% (joint financial control)
        "IRW": Decimal("1"), "Kahuna Chemicals": Decimal("0.333"), "QuickFix": Decimal("1"),
        "Nallo": Decimal("0"), "Syntal": Decimal("0")}


def test_interests_multiply_along_the_chain_and_control_is_decided_level_by_level():
    group = [("TOP", None, "1", True, True, False, None),
             ("SUB", "TOP", "0.6", True, True, False, None),
             ("VENTURE", "SUB", "0.5", False, True, True, None),       # the example: 60% × 50% = 30%
             ("SUBSUB", "SUB", "0.8", True, True, False, None),
             ("ASSOC", "SUB", "0.25", False, False, False, None),
             ("UNDER_ASSOC", "ASSOC", "1", True, True, False, None)]   # controlled by an entity we do not control
    assert shares(group, "equity_share") == {"TOP": 1, "SUB": Decimal("0.6"), "VENTURE": Decimal("0.3"),
                                             "SUBSUB": Decimal("0.48"), "ASSOC": Decimal("0.15"),
                                             "UNDER_ASSOC": Decimal("0.15")}
    by_control = weights(group, "financial_control")
    assert {k: w for k, (w, _) in by_control.items()} == {"TOP": 1, "SUB": 1, "VENTURE": Decimal("0.5"), "SUBSUB": 1,
                                                          "ASSOC": 0, "UNDER_ASSOC": 0}
    assert by_control["UNDER_ASSOC"][1].startswith("UNDER_ASSOC is held through ASSOC (an associate")
    assert "which is not under financial control" in by_control["UNDER_ASSOC"][1]
    assert by_control["ASSOC"][1].startswith("ASSOC (an associate")


def test_under_the_financial_statements_basis_a_joint_venture_is_equity_accounted():
    # IFRS 11 para. 24: outside the consolidation (category 15 takes its equity share); a joint operation stays
    assert shares(TABLE_1, "financial_control", basis="financial_statements")["JV"] == 0
    assert shares(TABLE_1, "financial_control", basis="financial_statements")["PARTNERSHIP"] == Decimal("0.4")


@pytest.mark.parametrize("rows, message", [
    ([("A", "B", "0.5", True, True, False, None), ("B", "A", "0.5", True, True, False, None)],
     "row 1 (A): its parents form a cycle: A > B > A"),
    ([("A", "A", "0.5", True, True, False, None)], "row 1 (A): its parents form a cycle: A > A"),
    ([("A", None, "1.2", True, True, False, None)], "row 1 (A): equity_share 1.200000 is outside 0..1"),
    ([("A", None, "0.5", True, True, False, "wholly_owned_subsidiary")],
     "row 1 (A): holding wholly_owned_subsidiary: a wholly owned subsidiary needs equity_share 1"),
    ([("A", None, "0.3", True, True, False, "associate")],
     "row 1 (A): holding associate: financial_control is true, so it is a subsidiary"),
    # 0.51 × 0.333 = 0.16983 needs 5 places; the ledger holds 4 (refused, never rounded)
    ([("A", None, "0.51", False, False, True, None), ("B", "A", "0.333", False, False, True, None)],
     "row 2 (B): its share in the inventory is 0.16983 (A > B), more than the 4 decimal places"),
])
def test_a_table_the_tree_cannot_be_built_from_is_refused_naming_its_rows(rows, message):
    with pytest.raises(InputError) as refused:
        weights(rows, "equity_share")
    assert "entities.csv" in str(refused.value) and message in str(refused.value)


@pytest.mark.parametrize("approach", ["equity_share", "financial_control", "operational_control"])
def test_an_entity_held_through_a_parent_that_is_not_a_valid_row_is_refused_naming_it(approach):
    # B's parent A has no valid row (rejected while reading, or never there); C is held through B. Neither
    # gets a weight: the engine rejects their rows with the reason, and the run goes on (incomplete).
    found = weights([("B", "A", "0.5", True, True, False, None), ("C", "B", "0.5", True, True, False, None),
                     ("D", None, "1", True, True, False, None)], approach)
    assert found["B"] == (None, "its parent 'A' is not a valid row of entities.csv (no row, or its row was rejected)")
    assert found["C"] == (None, "it is held through 'B', whose parent 'A' is not a valid row of entities.csv "
                                "(no row, or its row was rejected)")
    assert found["D"] == (Decimal(1), None)


def test_shares_multiplied_along_a_chain_keep_every_decimal_the_ledger_can_hold():
    # Held directly, through a 60 % subsidiary and through a 50 % joint venture: each weight exact
    # (0.3333, 0.6 × 0.5 = 0.3, 0.5 × 0.3332 = 0.1666), none rounded.
    rows = [("THIRD", None, "0.3333", False, False, True, None),
            ("SUB", None, "0.6", False, False, True, None), ("SUB_HALF", "SUB", "0.5", False, False, True, None),
            ("JV", None, "0.5", False, False, True, None), ("JV_THIRD", "JV", "0.3332", False, False, True, None)]
    found = shares(rows, "equity_share")
    assert found["THIRD"] == Decimal("0.3333") and found["SUB_HALF"] == Decimal("0.3")
    assert found["JV_THIRD"] == Decimal("0.1666")
    assert shares(rows, "financial_control")["SUB_HALF"] == Decimal("0.3")   # joint ventures at their share
