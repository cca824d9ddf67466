"""Explain a figure of a finished run, from its output folder alone: which rules made it, by which
methods, from which factors, reading which policy values, for which entities at which boundary weight,
from which input rows — and which rows it does not include (rejected, excluded, another basis).

Levels (`depth`): 1 rules · 2 methods and data types · 3 factors · 4 policies read · 5 entities and
boundary weights · 6 input rows. Each breakdown lists its largest `top` parts and what the others add up
to, so every level adds up exactly to its parent: rules to the figure; methods, entities and input rows
to their rule; factors to their method. All sums are DuckDB decimal sums over ledger.parquet (one
aggregate per level, never a Python loop over ledger rows); Python only formats them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal, localcontext
from typing import Any, Generic, TypeVar

from tanso.audit import messages  # noqa: F401  (registers the words of the note below)
from tanso.audit.run_folder import RunFolder
from tanso.audit.selection import Known, RowRef, SelectorError, Selection, parse
from tanso.i18n import t
from tanso.plan.sql import literal
from tanso.run.exclusions import BOUNDARY_EXCLUSION

FORMAT = "tanso-explain.v1"
LEVELS = ("rules", "methods", "factors", "policies", "entities", "rows")
DEFAULT_DEPTH = 3
DEFAULT_TOP = 10
_WEIGHTED = "co2e_kg * boundary_weight"   # a ledger row's part of the inventory, kg CO2e, exact
_EXACT_DIGITS = 80                         # a decimal context wide enough for any sum of ledger values, exactly
T = TypeVar("T")


@dataclass(frozen=True)
class Breakdown(Generic[T]):
    """The largest parts of a parent and what the others add up to: parts + rest = parent, exactly."""

    parts: list[T]
    rest_count: int = 0
    rest_kg: Decimal = Decimal(0)


@dataclass(frozen=True)
class FactorRow:
    """The factor-file row a factor id stands for (factors.<format> of the run folder)."""

    value: Decimal
    unit: str
    per: str
    keys: str | None
    file: str
    file_row: int
    publisher: str | None
    edition: str | None
    licence: str | None
    source: str | None


@dataclass(frozen=True)
class FactorPart:
    factor_set: str | None
    factor_id: str | None
    gas: str
    gwp: str | None
    version: str | None
    co2e_kg: Decimal
    ledger_rows: int
    activity: Decimal | None          # the quantity the factor multiplied, where it is in one unit
    activity_unit: str | None
    row: FactorRow | None             # None: the calculator derived it (a blend, a product, an instrument)


@dataclass(frozen=True)
class MethodPart:
    calculator: str
    method: str | None
    data_type: str | None
    co2e_kg: Decimal
    ledger_rows: int
    factors: Breakdown[FactorPart] | None


@dataclass(frozen=True)
class PolicyRead:
    name: str
    value: Any
    set_at: str | None                # file:line:col; None: the layer (default, command line) says where
    layer: str | None
    source: str | None
    status: str | None


@dataclass(frozen=True)
class EntityPart:
    entity: str | None
    weight: Decimal
    unweighted_kg: Decimal            # at 100%
    co2e_kg: Decimal
    ledger_rows: int


@dataclass(frozen=True)
class RowPart:
    input_table: str
    file: str | None
    row_id: str | None
    input_row: int | None
    entity: str | None
    quantity: Decimal | None          # None: its ledger rows multiplied different quantities
    quantity_unit: str | None
    co2e_kg: Decimal
    ledger_rows: int


@dataclass(frozen=True)
class RulePart:
    rule_id: str
    title: str | None
    source: str | None                # file:line
    text: list[str] | None            # the rule's statement from the folder's copy of the ruleset
    co2e_kg: Decimal
    ledger_rows: int
    methods: Breakdown[MethodPart] | None
    policies: list[PolicyRead] | None
    entities: Breakdown[EntityPart] | None
    left_out_by_boundary: int | None  # rows of weight-0 entities, excluded
    rows: Breakdown[RowPart] | None


@dataclass(frozen=True)
class LeftOut:
    """Rows of one rule and input that a figure does not include, for one reason or exclusion."""

    rule_id: str | None
    input_table: str | None
    why: str
    rows: int


@dataclass(frozen=True)
class LeftOutRows:
    """The rejected (or excluded) rows touching a figure: the largest groups, and what the others hold."""

    file: str | None                  # the run folder's table they are listed in
    rows: int
    groups: list[LeftOut]
    rest_groups: int = 0
    rest_rows: int = 0


@dataclass(frozen=True)
class Boundary:
    method: str
    source: str
    policies: list[PolicyRead]
    partial: dict[str, dict[str, Any]]   # entities weighted below 1: weight and reason


@dataclass(frozen=True)
class Explanation:
    folder: str
    ruleset: str | None
    digest: str | None
    selection: str
    basis: str | None                 # the basis the figure is in, where rules declare bases
    basis_chosen: bool                # True: no basis was selected and explain took the first
    depth: int
    top: int
    co2e_kg: Decimal
    ledger_rows: int
    input_rows: int
    rule_count: int
    completeness: str | None
    completeness_groups: list[dict[str, Any]]
    rejected: LeftOutRows
    excluded: LeftOutRows
    left_out_note: str | None         # what rejects and excluded cannot be narrowed by
    other_bases: dict[str, Decimal]   # the same selection in the other bases: alternatives, never added
    outside_scopes_kg: Decimal | None
    boundary: Boundary | None
    factors_file: str | None          # the run folder's table of factor-file rows (None: it has none)
    rules: Breakdown[RulePart] | None


def explain(folder: RunFolder, words: tuple[str, ...] = (), *, depth: int = DEFAULT_DEPTH,
            top: int = DEFAULT_TOP) -> Explanation:
    """The explanation of the figure `words` select in the run `folder` (SelectorError for a bad selector)."""
    con, manifest = folder.connect(), folder.manifest
    asked = parse(words, _known(con, folder))
    selection = _in_one_basis(con, folder, asked)
    con.execute(f"CREATE TEMP VIEW selected AS SELECT *, {_WEIGHTED} AS kg FROM {folder.ledger} "
                f"WHERE {selection.where()}")
    kg, ledger_rows, input_rows, rule_count = con.execute(
        "SELECT coalesce(sum(kg), 0), count(*), count(DISTINCT (input_table, input_row)), count(DISTINCT rule_id) "
        "FROM selected").fetchone()
    _rules_table(con, folder)
    for row in asked.rows:
        _check_row_exists(con, folder, row)
    row_tables = ", ".join(literal(r.table) for r in selection.rows) or "input"   # a row: the rules reading its table
    con.execute(f"CREATE TEMP VIEW selected_rules AS SELECT * FROM run_rules WHERE {selection.rule_where()} "
                f"AND input IN ({row_tables})")
    boundary_touches = _boundary_touches(selection, manifest)
    rejected, excluded = _left_out(con, folder, selection, top, boundary_touches)
    unrecorded = sorted(selection.kinds & {"entity", "gas"})
    return Explanation(
        folder=str(folder.path), ruleset=manifest.get("ruleset", {}).get("name"), digest=manifest.get("digest"),
        selection=selection.text, basis=selection.bases[0] if len(selection.bases) == 1 else None,
        basis_chosen=selection.bases != asked.bases, depth=depth, top=top, co2e_kg=kg, ledger_rows=ledger_rows,
        input_rows=input_rows, rule_count=rule_count, completeness=manifest.get("completeness", {}).get("status"),
        completeness_groups=_completeness_groups(con, manifest), rejected=rejected, excluded=excluded,
        left_out_note=t("explain.unrecorded", kinds=t("explain.or").join(unrecorded),
                        all_kinds=t("explain.and").join(unrecorded)) if unrecorded else None,
        other_bases=_other_bases(con, folder, selection) if selection.bases != asked.bases else {},
        outside_scopes_kg=None if selection.scopes else con.execute(
            f"SELECT sum({_WEIGHTED}) FROM {folder.ledger} WHERE {selection.where(scoped=False)} "
            f"AND scope IS NULL").fetchone()[0],
        boundary=_boundary(manifest, selection) if depth >= 5 else None, factors_file=folder.file_of("factors"),
        rules=_rules(con, folder, selection, depth, top, boundary_touches) if depth >= 1 else None)


def _in_one_basis(con, folder: RunFolder, selection: Selection) -> Selection:
    """Rules of different bases are alternative views of the same emissions, never added: where the selected
    rows span several bases and none is selected, the figure is in the first."""
    if selection.bases:
        return selection
    bases = [b for (b,) in con.execute(f"SELECT DISTINCT basis FROM {folder.ledger} WHERE {selection.where()} "
                                       f"AND basis IS NOT NULL ORDER BY basis").fetchall()]
    return selection.with_bases((bases[0],)) if len(bases) > 1 else selection


def _other_bases(con, folder: RunFolder, selection: Selection) -> dict[str, Decimal]:
    """kg of the selection's rows in each basis but the figure's."""
    return dict(con.execute(
        f"SELECT basis, sum({_WEIGHTED}) FROM {folder.ledger} WHERE {selection.with_bases(()).where()} "
        f"AND basis IS NOT NULL AND basis <> {literal(selection.bases[0])} GROUP BY basis ORDER BY basis").fetchall())


# ----------------------------------------------------------------------------- what the run has

def _known(con, folder: RunFolder) -> Known:
    scopes, categories, bases, entities, gases = con.execute(
        f"SELECT list(DISTINCT scope), list(DISTINCT category) FILTER (category IS NOT NULL), "
        f"list(DISTINCT basis) FILTER (basis IS NOT NULL), list(DISTINCT entity) FILTER (entity IS NOT NULL), "
        f"list(DISTINCT gas) FILTER (gas IS NOT NULL) FROM {folder.ledger}").fetchone()
    rules = folder.manifest.get("rules", {})
    boundary = folder.manifest.get("boundary") or {}
    recorded = {key: {r[key] for r in rules.values() if r.get(key) is not None} for key in ("category", "basis")}
    return Known(scopes=frozenset(scopes or ()) | {r.get("scope") for r in rules.values() if "scope" in r},
                 categories=frozenset(categories or ()) | recorded["category"],
                 bases=frozenset(bases or ()) | recorded["basis"],
                 entities=frozenset(entities or ()) | set(boundary.get("entities", {})),
                 rules=tuple(rules), gases=frozenset(gases or ()), tables=frozenset(folder.manifest.get("inputs", {})))


def _check_row_exists(con, folder: RunFolder, row: RowRef) -> None:
    """A row of a table the rules read is in the ledger, rejects or excluded (nothing is silent), so a key or
    number found in none of them is a typing mistake: refused with the closest keys, not explained as 0 kg.
    Rows of reference tables (exchange rates, entities …) reach no ledger row of their own and are not checked."""
    if not con.execute("SELECT count(*) FROM run_rules WHERE input = ?", [row.table]).fetchone()[0]:
        return
    parts = [f"SELECT CAST(row_id AS VARCHAR) AS row_id, CAST(input_row AS BIGINT) AS input_row, input_table "
             f"FROM {table}" for table in (folder.ledger, folder.table("rejects"), folder.table("excluded")) if table]
    rows = f"(SELECT * FROM ({' UNION ALL '.join(parts)}) WHERE input_table = {literal(row.table)})"
    match = f"row_id = {literal(row.key)}" if row.key is not None else f"input_row = {int(row.number)}"
    if con.execute(f"SELECT count(*) FROM {rows} WHERE {match}").fetchone()[0]:
        return
    if row.key is None:
        last = con.execute(f"SELECT max(input_row) FROM {rows}").fetchone()[0]
        raise SelectorError(t("sel.no_row_number", row=row, table=row.table, number=row.number, last=last))
    close = [key for key, _ in con.execute(
        f"SELECT DISTINCT row_id, levenshtein(row_id, {literal(row.key)}) AS distance FROM {rows} "
        f"WHERE row_id IS NOT NULL AND distance <= greatest(2, length({literal(row.key)}) // 3) "
        f"ORDER BY distance, row_id LIMIT 3").fetchall()]
    hint = t("sel.did_you_mean", names=t("sel.or").join(f"row:{row.table}:{key}" for key in close)) if close else ""
    raise SelectorError(t("sel.no_row_key", row=row, table=row.table, on=row.key, hint=hint))


def _rules_table(con, folder: RunFolder) -> None:
    """run_rules: each rule's scope, category, basis and input table, from the manifest (or the ledger)."""
    con.execute("CREATE TEMP TABLE run_rules (rule_id VARCHAR, scope INTEGER, category INTEGER, basis VARCHAR, "
                "input VARCHAR)")
    records = [(r, v.get("scope"), v.get("category"), v.get("basis"), v.get("input"))
               for r, v in folder.manifest.get("rules", {}).items() if "input" in v]
    if records:
        con.executemany("INSERT INTO run_rules VALUES (?, ?, ?, ?, ?)", records)
    else:   # a run folder written before rules were recorded in full
        con.execute(f"INSERT INTO run_rules SELECT DISTINCT rule_id, scope, category, basis, input_table "
                    f"FROM {folder.ledger}")


def _completeness_groups(con, manifest: dict[str, Any]) -> list[dict[str, Any]]:
    """The completeness groups (rejects per rule, or per input read) that touch the selected rules."""
    selected = con.execute("SELECT rule_id, input FROM selected_rules").fetchall()
    rules, inputs = {rule for rule, _ in selected}, {table for _, table in selected}
    return [g for g in manifest.get("completeness", {}).get("groups", [])
            if g.get("rule") in rules or g.get("refused_by") in rules
            or (g.get("rule") is None and g.get("input") in inputs)]


# ----------------------------------------------------------------------------- what the figure leaves out

def _boundary_touches(selection: Selection, manifest: dict[str, Any]) -> bool:
    """Whether rows the boundary excluded can be of the selection: not where it names only entities the
    boundary weighs above 0 (excluded rows record no entity, only that the boundary left them out)."""
    weights = (manifest.get("boundary") or {}).get("entities", {})
    return not selection.entities or any(Decimal(str(weights.get(e, {}).get("weight", 0))) == 0
                                         for e in selection.entities)


def _left_out(con, folder: RunFolder, selection: Selection, top: int,
              boundary_touches: bool) -> tuple[LeftOutRows, LeftOutRows]:
    """Rejected and excluded rows of the selected rules, and rows refused or left out of the tables they read."""
    touching = ("(rule_id IN (SELECT rule_id FROM selected_rules) OR (rule_id IS NULL AND input_table IN "
                "(SELECT input FROM selected_rules)))")
    rows = selection.rows_where("CAST(row_id AS VARCHAR)", "CAST(input_row AS BIGINT)")
    boundary = "TRUE" if boundary_touches else f"exclusion_id IS DISTINCT FROM {literal(BOUNDARY_EXCLUSION)}"
    found = []
    for name, why, only in (("rejects", "reason", "TRUE"),
                            ("excluded", "coalesce(exclusion_id || ': ', '') || reason", boundary)):
        table = folder.table(name)
        if table is None:
            found.append(LeftOutRows(None, 0, []))
            continue
        grouped = (f"SELECT rule_id, input_table, {why} AS why, count(*) AS rows FROM {table} "
                   f"WHERE {touching} AND ({rows}) AND {only} GROUP BY ALL")
        parts, rest = _largest(con, grouped, (), ("rule_id", "input_table", "why"), top, measure="rows")
        groups = [LeftOut(p["rule_id"], p["input_table"], p["why"], p["rows"]) for p in parts]
        rest_groups, rest_rows = rest.get((), (0, 0))
        found.append(LeftOutRows(folder.file_of(name), sum(g.rows for g in groups) + rest_rows, groups, rest_groups,
                                 rest_rows))
    return found[0], found[1]


def _boundary(manifest: dict[str, Any], selection: Selection) -> Boundary | None:
    record = manifest.get("boundary")
    if not record:
        return None
    entities = record.get("entities", {})
    partial = {e: v for e, v in entities.items() if Decimal(str(v.get("weight"))) < 1
               and (not selection.entities or e in selection.entities)}
    return Boundary(record.get("method"), record.get("source"),
                    [_policy(manifest, name) for name in record.get("policies", [])], partial)


def _policy(manifest: dict[str, Any], name: str) -> PolicyRead:
    record = manifest.get("policies", {}).get(name, {})
    return PolicyRead(name, record.get("value"), record.get("at"), record.get("layer"), record.get("source"),
                      record.get("status"))


# ----------------------------------------------------------------------------- the levels

def _rules(con, folder: RunFolder, selection: Selection, depth: int, top: int,
           boundary_touches: bool) -> Breakdown[RulePart]:
    parts, rest = _largest(con, "SELECT rule_id, sum(kg) AS kg, count(*) AS ledger_rows FROM selected GROUP BY rule_id",
                           (), ("rule_id",), top)
    listed = [p["rule_id"] for p in parts]
    within = f"rule_id IN ({', '.join(literal(r) for r in listed) or 'NULL'})"
    methods = _methods(con, folder, within, depth, top) if depth >= 2 else {}
    entities = _entities(con, within, top) if depth >= 5 else {}
    boundary_excluded = _boundary_excluded(con, folder, selection, within) if depth >= 5 and boundary_touches else {}
    rows = _input_rows(con, folder, within, top) if depth >= 6 else {}
    records = folder.manifest.get("rules", {})
    rules = []
    for part in parts:
        rule_id, record = part["rule_id"], records.get(part["rule_id"], {})
        snapshot = folder.rule_text(rule_id) if depth >= 2 else None
        rules.append(RulePart(
            rule_id=rule_id, title=record.get("title"), source=record.get("source"),
            text=snapshot[2] if snapshot else None, co2e_kg=part["kg"], ledger_rows=part["ledger_rows"],
            methods=methods.get((rule_id,)) if depth >= 2 else None,
            policies=[_policy(folder.manifest, name) for name in record.get("policies", [])] if depth >= 4 else None,
            entities=entities.get((rule_id,)) if depth >= 5 else None,
            left_out_by_boundary=boundary_excluded.get(rule_id, 0) if depth >= 5 else None,
            rows=rows.get((rule_id,)) if depth >= 6 else None))
    count, total = rest.get((), (0, Decimal(0)))
    return Breakdown(rules, count, total)


def _methods(con, folder: RunFolder, within: str, depth: int, top: int) -> dict[tuple, Breakdown[MethodPart]]:
    keys = ("rule_id", "calculator", "method", "data_type")
    factors = _factors(con, folder, within, top) if depth >= 3 else {}
    return _breakdowns(con, f"SELECT {', '.join(keys)}, sum(kg) AS kg, count(*) AS ledger_rows FROM selected "
                            f"WHERE {within} GROUP BY ALL", keys, top,
                       lambda p: MethodPart(p["calculator"], p["method"], p["data_type"], p["kg"], p["ledger_rows"],
                                            factors.get(tuple(p[k] for k in keys)) if depth >= 3 else None))


def _factors(con, folder: RunFolder, within: str, top: int) -> dict[tuple, Breakdown[FactorPart]]:
    method, factor = ("rule_id", "calculator", "method", "data_type"), ("factor_set", "factor_id", "gas")
    one_unit = "min(quantity_unit) = max(quantity_unit)"
    listed, rest = _largest(con, f"SELECT {', '.join(method + factor)}, sum(kg) AS kg, count(*) AS ledger_rows, "
                                 f"{_one_value('factor_version')}, {_one_value('gwp')}, "
                                 f"CASE WHEN {one_unit} THEN sum(quantity) END AS activity, "
                                 f"CASE WHEN {one_unit} THEN min(quantity_unit) END AS activity_unit "
                                 f"FROM selected WHERE {within} GROUP BY ALL", method, factor, top)
    file_rows = _factor_rows(con, folder, {tuple(p[c] for c in factor) for p in listed})
    return _by_parent(listed, rest, method, lambda p: FactorPart(
        p["factor_set"], p["factor_id"], p["gas"], p["gwp"], p["factor_version"], p["kg"], p["ledger_rows"],
        p["activity"], p["activity_unit"], file_rows.get(tuple(p[c] for c in factor))))


def _factor_rows(con, folder: RunFolder, factors: set[tuple]) -> dict[tuple, FactorRow]:
    """The file row of each (factor_set, factor_id, gas) listed (a file listing an id twice: its first row)."""
    table = folder.table("factors")
    if table is None or not factors:
        return {}
    wanted = ", ".join(f"({', '.join(literal(v) for v in key)})" for key in sorted(factors, key=str))
    return {tuple(row[:3]): FactorRow(*row[3:]) for row in con.execute(
        f"SELECT DISTINCT ON (f.factor_set, f.factor_id, f.gas) f.factor_set, f.factor_id, f.gas, "
        f"CAST(f.value AS DECIMAL(28,12)), f.unit, f.per, f.keys, f.file, CAST(f.file_row AS BIGINT), f.publisher, "
        f"f.edition, f.licence, f.source FROM {table} f JOIN (VALUES {wanted}) w(factor_set, factor_id, gas) "
        f"ON w.factor_set = f.factor_set AND w.factor_id = f.factor_id AND w.gas = f.gas "
        f"ORDER BY f.factor_set, f.factor_id, f.gas, CAST(f.file_row AS BIGINT)").fetchall()}


def _one_value(column: str) -> str:
    """A column that has one value per group (a factor's version and GWP), or says it has several."""
    return f"CASE WHEN min({column}) IS NOT DISTINCT FROM max({column}) THEN min({column}) ELSE '(several)' END AS {column}"


def _entities(con, within: str, top: int) -> dict[tuple, Breakdown[EntityPart]]:
    keys = ("rule_id", "entity", "boundary_weight")
    return _breakdowns(con, f"SELECT {', '.join(keys)}, sum(co2e_kg) AS unweighted_kg, sum(kg) AS kg, "
                            f"count(*) AS ledger_rows FROM selected WHERE {within} GROUP BY ALL", keys, top,
                       lambda p: EntityPart(p["entity"], p["boundary_weight"], p["unweighted_kg"], p["kg"],
                                            p["ledger_rows"]))


def _boundary_excluded(con, folder: RunFolder, selection: Selection, within: str) -> dict[str, int]:
    """Per rule, its rows of the selection that the boundary excluded (their entity's weight is 0)."""
    table = folder.table("excluded")
    if table is None:
        return {}
    rows = selection.rows_where("CAST(row_id AS VARCHAR)", "CAST(input_row AS BIGINT)")
    return dict(con.execute(f"SELECT rule_id, count(*) FROM {table} WHERE exclusion_id = "
                            f"{literal(BOUNDARY_EXCLUSION)} AND {within} AND ({rows}) GROUP BY rule_id").fetchall())


def _input_rows(con, folder: RunFolder, within: str, top: int) -> dict[tuple, Breakdown[RowPart]]:
    files = {name: record.get("file") for name, record in folder.manifest.get("inputs", {}).items()}
    keys = ("rule_id", "input_table", "input_row", "row_id")
    grouped = (f"SELECT rule_id, input_table, input_row, CAST(row_id AS VARCHAR) AS row_id, sum(kg) AS kg, "
               f"count(*) AS ledger_rows, min(entity) AS entity, "
               f"CASE WHEN min(quantity) = max(quantity) AND min(quantity_unit) = max(quantity_unit) "
               f"THEN min(quantity) END AS quantity, "
               f"CASE WHEN min(quantity_unit) = max(quantity_unit) THEN min(quantity_unit) END AS quantity_unit "
               f"FROM selected WHERE {within} GROUP BY rule_id, input_table, input_row, row_id")
    return _breakdowns(con, grouped, keys, top, lambda p: RowPart(
        p["input_table"], files.get(p["input_table"]), p["row_id"], p["input_row"], p["entity"], p["quantity"],
        p["quantity_unit"], p["kg"], p["ledger_rows"]))


# ----------------------------------------------------------------------------- the largest parts, exactly

def _breakdowns(con, grouped: str, keys: tuple[str, ...], top: int, make, parents: int = 1) -> dict[tuple, Breakdown]:
    """Group `grouped`'s rows by their first `parents` keys: each parent's breakdown into its largest parts."""
    partition = keys[:parents]
    return _by_parent(*_largest(con, grouped, partition, keys[parents:], top), partition, make)


def _by_parent(listed: list[dict[str, Any]], rest: dict[tuple, tuple[int, Decimal]], partition: tuple[str, ...],
               make) -> dict[tuple, Breakdown]:
    found: dict[tuple, list] = {}
    for part in listed:
        found.setdefault(tuple(part[k] for k in partition), []).append(make(part))
    return {parent: Breakdown(items, *rest.get(parent, (0, Decimal(0)))) for parent, items in found.items()}


def _largest(con, grouped: str, partition: tuple[str, ...], order: tuple[str, ...], top: int,
             measure: str = "kg") -> tuple[list[dict[str, Any]], dict[tuple, tuple[int, Decimal]]]:
    """Of each partition of `grouped`, the `top` rows largest by `measure` (ties in `order`), and per partition
    how many rows are not listed and what their `measure` adds up to: its DuckDB sum less the listed ones'.

    Only the rows at or above each partition's top-th largest measure are sorted, never all the groups (a
    million input rows are a million groups)."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE groups AS {grouped}")
    keys, same = ", ".join(partition), " AND ".join(f"g.{c} IS NOT DISTINCT FROM f.{c}" for c in partition) or "TRUE"
    by = f"GROUP BY {keys}" if partition else ""
    floors = f"SELECT {keys + ', ' if partition else ''}list_min(max({measure}, {int(top)})) AS floor FROM groups {by}"
    over = f"PARTITION BY {', '.join(f'g.{c}' for c in partition)} " if partition else ""
    ties = "".join(f", g.{c} NULLS FIRST" for c in order)
    cursor = con.execute(f"SELECT g.* FROM groups g JOIN ({floors}) f ON {same} WHERE g.{measure} >= f.floor "
                         f"QUALIFY row_number() OVER ({over}ORDER BY g.{measure} DESC{ties}) <= {int(top)} "
                         f"ORDER BY {''.join(f'g.{c} NULLS FIRST, ' for c in partition)}g.{measure} DESC{ties}")
    names = [d[0] for d in cursor.description]
    listed = [dict(zip(names, row)) for row in cursor.fetchall()]
    totals = {tuple(row[:-2]): (row[-2], row[-1]) for row in con.execute(
        f"SELECT {keys + ', ' if partition else ''}count(*), sum({measure}) FROM groups {by}").fetchall()}
    rest = {}
    with localcontext(prec=_EXACT_DIGITS):
        for key, (count, total) in totals.items():
            shown = [row[measure] for row in listed if tuple(row[c] for c in partition) == key]
            if count > len(shown):
                rest[key] = (count - len(shown), total - sum(shown))
    return listed, rest


# ----------------------------------------------------------------------------- JSON

def as_json(explanation: Explanation) -> dict[str, Any]:
    """The explanation as JSON-ready data (FORMAT): kilograms exact, as strings."""
    return {"format": FORMAT, **_plain(asdict(explanation))}


def exact(value: Decimal) -> str:
    """A decimal's exact digits, without trailing zeros."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _plain(value):
    if isinstance(value, Decimal):
        return exact(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value
