"""What a run folder carries so that its figures can be explained from the folder alone (`tanso explain`):

- each rule's record in the manifest: title, lines, scope/category/basis, input table, the policies it read;
- the boundary's weights per entity, in the manifest;
- `factors.<format>`: every row of a factor file the ledger used, with its file and row number;
- `ruleset/…`: a copy of the ruleset's source files as evaluated, so a rule's text is shown without the checkout.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from tanso.model.policy_calls import policies_in_rule
from tanso.model.ruleset import Ruleset
from tanso.plan.context import FactorTable
from tanso.plan.sql import ident, literal
from tanso.plugins import Registry
from tanso.run.input_files import relative_path
from tanso.run.inputs import FACTOR_COLUMNS

SNAPSHOT_FOLDER = "ruleset"
USED_FACTORS_TABLE = "run_factors"
# Its rows in one order whatever the thread count: factors.csv and the workbook's factors sheet.
USED_FACTORS_ORDER = "factor_set, file_row, factor_id, gas, keys, unit, per, value"
USED_FACTORS_COLUMNS = {
    "factor_set": "VARCHAR", "factor_id": "VARCHAR", "gas": "VARCHAR", "value": "DECIMAL(28,12)", "unit": "VARCHAR",
    "per": "VARCHAR", "keys": "VARCHAR", "file": "VARCHAR", "file_row": "BIGINT", "publisher": "VARCHAR",
    "edition": "VARCHAR", "licence": "VARCHAR", "version": "VARCHAR", "source": "VARCHAR",
}
_DESCRIPTIVE = {*FACTOR_COLUMNS, "version", "source"}   # a factor row's other columns are what it is matched on


def rule_record(ruleset: Ruleset, registry: Registry, rule_id: str, input_table: str) -> dict[str, Any]:
    """A rule's place in the inventory and what it read, for its entry in the manifest's `rules`."""
    rule = ruleset.rules[rule_id]
    node = rule.node
    calculators = registry.calculators
    read = {name for step in rule.steps for name in calculators[step.calculator].policies_read(step.parameters)}
    read |= {name for name, _ in policies_in_rule(node)}
    return {"title": node.title, "end_line": node.span.end_line, "scope": node.scope, "category": node.category,
            "basis": node.basis, "input": input_table, "policies": sorted(read & set(ruleset.policies))}


def boundary_record(ruleset: Ruleset, registry: Registry, weights: list[tuple]) -> dict[str, Any] | None:
    """The boundary method, where it is declared, the policies it read and each entity's weight and reason."""
    step = ruleset.boundary
    if step is None:
        return None
    return {"method": step.method, "source": ruleset.cite(step.span), "layer": step.layer,
            "policies": sorted(registry.boundary_methods[step.method].reads_policies),
            "entities": {entity: {"weight": weight, "reason": reason} for entity, weight, reason in weights}}


def create_used_factors(con, factors: dict[str, FactorTable], ledger: str, data_dir: Path) -> None:
    """Table USED_FACTORS_TABLE: the factor-file rows whose (factor_set, factor_id) the ledger has, each file named
    relative to the data folder. A factor a calculator derives (a blend, a product of two factors, an instrument) is
    in no file and not listed."""
    columns = ", ".join(f"{ident(name)} {sql_type}" for name, sql_type in USED_FACTORS_COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TABLE {USED_FACTORS_TABLE} ({columns})")
    parts = [_factor_rows(name, table, data_dir) for name, table in sorted(factors.items())]
    if not parts:
        return
    con.execute(f"INSERT INTO {USED_FACTORS_TABLE} SELECT f.* FROM ({' UNION ALL '.join(parts)}) f "
                f"SEMI JOIN (SELECT DISTINCT factor_set, factor_id FROM {ledger}) l "
                f"ON l.factor_set = f.factor_set AND l.factor_id = f.factor_id")


def _factor_rows(name: str, table: FactorTable, data_dir: Path) -> str:
    keys = [c for c in table.columns if c not in _DESCRIPTIVE]
    described = " || ', ' || ".join(f"{literal(k + '=')} || coalesce(CAST({ident(k)} AS VARCHAR), '')"
                                    for k in keys) or "NULL"
    text = {c: f"CAST({ident(c)} AS VARCHAR)" for c in ("factor_id", "gas", "unit", "per", "publisher", "edition",
                                                       "licence")}
    values = {"factor_set": literal(name), **text, "value": "value", "keys": described,
              "file": literal(relative_path(Path(table.source_file), data_dir)), "file_row": "_row", "version": literal(table.version),
              "source": "CAST(source AS VARCHAR)" if "source" in table.columns else "NULL"}
    listing = ", ".join(f"CAST({values[c]} AS {t}) AS {ident(c)}" for c, t in USED_FACTORS_COLUMNS.items())
    return f"SELECT {listing} FROM {table.relation}"


def snapshot_ruleset(cited: dict[str, str], out_dir: Path) -> dict[str, str]:
    """Copy the ruleset's source files (`Ruleset.cited`: each file as given → the name the ledger cites it by)
    under out_dir/ruleset/, each by its cited name. Returns each cited name → its copy's path in out_dir."""
    copies = {}
    for name, relative in cited.items():
        if not Path(name).is_file():
            continue
        copies[relative] = f"{SNAPSHOT_FOLDER}/{relative}"
        target = out_dir / copies[relative]
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(name, target)
    return copies
