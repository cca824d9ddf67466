"""The factors a ruleset can use, as candidates to suggest: one per factor of a set (its key columns'
values and `per` unit), whatever gases the set lists for it.

A candidate's key is what a rule matches on: the `match:` columns of the rules that use the set, or
for a set no rule uses, the fewest leading descriptive columns that tell its rows apart (with the
gas). Its name is the values of the set's descriptive columns; its title the set's.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tanso.plan.sql import ident
from tanso.run.inputs import FACTOR_COLUMNS, load_factor_set

# Columns of a factor file that describe provenance or values, not the factor.
NOT_DESCRIPTIVE = frozenset({*FACTOR_COLUMNS, "factor_id", "version", "source", "published_value", "published_as",
                             "price_basis", "currency_year", "mass_percent", "blend_share", "carbon_content_kg_c_per_gj"})


@dataclass(frozen=True)
class Candidate:
    factor_set: str
    key: tuple[tuple[str, str], ...]   # (column, value) a rule matches on
    per: str
    name: str                          # the key's and the descriptive columns' values
    title: str                         # the set's title
    factor_ids: tuple[str, ...]

    @property
    def label(self) -> str:
        """How the mapping table and the messages name it: `set: column=value, …`."""
        return f"{self.factor_set}: " + ", ".join(f"{c}={v}" for c, v in self.key)


def rule_match_columns(ruleset) -> dict[str, tuple[str, ...]]:
    """Factor set → the `match:` columns of the first rule step that uses it."""
    found: dict[str, tuple[str, ...]] = {}
    for rule in ruleset.rules.values():
        for step in rule.steps:
            factors, match = getattr(step.parameters, "factors", None), getattr(step.parameters, "match", None)
            if isinstance(factors, str) and match:
                found.setdefault(factors, tuple(match))
    return found


def factor_files(ruleset, registry, data_dir: Path) -> list[tuple[str, str, Path, dict[str, str], str | None]]:
    """(name, title, path, provenance, sheet) of the ruleset's factor files and of every shipped pack."""
    declared = [(name, decl.title or name, data_dir / decl.file, {}, decl.sheet)
                for name, decl in sorted(ruleset.factor_sets.items())]
    shipped = [(name, source.title, source.path, {"version": source.version}, None) for name, source in
               sorted(registry.factor_sets.items()) if name not in ruleset.factor_sets]
    return declared + shipped


def candidates(con, registry, name: str, title: str, path: Path, provenance: dict[str, str],
               match: tuple[str, ...] | None, sheet: str | None = None) -> list[Candidate]:
    """The candidates of one factor file (loaded and checked as a run loads it)."""
    table = load_factor_set(con, registry, f"suggest_{len(name)}_{name}", path, provenance, removals=True, sheet=sheet)
    descriptive = [c for c in table.columns if c not in NOT_DESCRIPTIVE]
    keys = list(match) if match else _key_columns(con, table.relation, descriptive)
    if not keys:
        return []
    other = [c for c in descriptive if c not in keys]
    # Values that describe (not flags such as biomass=false, nor numbers such as a model year's range).
    texts = ", ".join(f"coalesce(string_agg(DISTINCT CAST({ident(c)} AS VARCHAR), ' ') FILTER (WHERE NOT "
                      f"regexp_full_match(lower(CAST({ident(c)} AS VARCHAR)), '(true|false|[-0-9., ]*)')), '')"
                      for c in other) or "''"
    rows = con.execute(
        f"SELECT {', '.join(f'CAST({ident(k)} AS VARCHAR)' for k in keys)}, CAST(per AS VARCHAR), "
        f"list(DISTINCT CAST(factor_id AS VARCHAR) ORDER BY CAST(factor_id AS VARCHAR)), concat_ws(' ', {texts}) "
        f"FROM {table.relation} GROUP BY ALL ORDER BY ALL").fetchall()
    found = []
    for *values, per, ids, extra in rows:
        key = tuple(zip(keys, (v or "" for v in values)))
        # each word once: a set's level columns often repeat its key ("Fuels > Liquid fuels > Diesel", "Diesel")
        described = " ".join(dict.fromkeys(" ".join([*(v.replace("_", " ") for _, v in key), extra]).split()))
        found.append(Candidate(name, key, per or "", described, title, tuple(ids)))
    return found


def _key_columns(con, relation: str, descriptive: list[str]) -> list[str]:
    """The fewest leading descriptive columns that, with the gas, tell the rows apart."""
    total = con.execute(f"SELECT count(*) FROM {relation}").fetchone()[0]
    for end in range(1, len(descriptive) + 1):
        columns = ", ".join(ident(c) for c in [*descriptive[:end], "gas"])
        if con.execute(f"SELECT count(*) FROM (SELECT DISTINCT {columns} FROM {relation})").fetchone()[0] == total:
            return descriptive[:end]
    return descriptive
