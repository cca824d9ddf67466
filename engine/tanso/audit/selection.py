"""Which ledger rows a figure is made of: dbt-like selectors over the ledger's generic columns.

    scope:1   scope:2.market   scope:none   basis:market   category:6   entity:ACME-DE
    rule:s1.stationary   rule:s3.*   row:fuel_use:F0002   row:fuel_use#17   gas:CH4

Terms of different kinds must all hold (intersection); terms of one kind are alternatives
(`scope:1 scope:2` is both scopes). Rows without a basis count in every basis; `scope:none` selects the
rows rules report outside the scopes. An unknown kind or value is a SelectorError naming the values
that are close.
"""

from __future__ import annotations

import difflib
import fnmatch
from dataclasses import dataclass, field, replace

from tanso.audit import messages  # noqa: F401  (registers the words of the refusals below)
from tanso.diagnostics import TansoError
from tanso.i18n import t
from tanso.plan.sql import literal

KINDS = ("scope", "basis", "category", "entity", "rule", "row", "gas")
OUTSIDE_SCOPES = "none"
TOTAL = "the total"   # what no selector selects, as the JSON names it (`selection_said` says it in the run's language)


class SelectorError(TansoError):
    """A selector that names an unknown kind or a value the run does not have."""

    exit_code = 64   # sysexits EX_USAGE, as every usage error of the command line


@dataclass(frozen=True)
class RowRef:
    """One input row: by its key (`row:fuel_use:F0002`) or by its row number (`row:fuel_use#17`)."""

    table: str
    key: str | None = None
    number: int | None = None

    def __str__(self) -> str:
        return f"{self.table}:{self.key}" if self.key is not None else f"{self.table}#{self.number}"


@dataclass(frozen=True)
class Known:
    """The values a run has, for checking selectors and suggesting close ones."""

    scopes: frozenset[int | None]
    categories: frozenset[int]
    bases: frozenset[str]
    entities: frozenset[str]
    rules: tuple[str, ...]
    gases: frozenset[str]
    tables: frozenset[str]


@dataclass(frozen=True)
class Selection:
    terms: tuple[str, ...] = ()
    scopes: tuple[int | None, ...] = ()
    categories: tuple[int, ...] = ()
    bases: tuple[str, ...] = ()
    entities: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()            # rule ids, patterns expanded
    gases: tuple[str, ...] = ()
    rows: tuple[RowRef, ...] = ()
    kinds: frozenset[str] = field(default_factory=frozenset)   # the kinds the terms name

    @property
    def text(self) -> str:
        return " ".join(self.terms) or TOTAL

    def with_bases(self, bases: tuple[str, ...]) -> Selection:
        """The same selection in these bases (none: every basis)."""
        return replace(self, bases=bases, kinds=(self.kinds | {"basis"}) if bases else (self.kinds - {"basis"}))

    def where(self, *, scoped: bool = True) -> str:
        """SQL over the ledger's columns. `scoped`: without a scope term, only rows inside the scopes."""
        conditions = [self.rule_where(scoped=scoped)]
        if self.entities:
            conditions.append(_in("entity", self.entities))
        if self.gases:
            conditions.append(_in("gas", self.gases))
        if self.rows:
            conditions.append(self.rows_where("CAST(row_id AS VARCHAR)", "CAST(input_row AS BIGINT)"))
        return " AND ".join(f"({c})" for c in conditions if c != "TRUE") or "TRUE"

    def rule_where(self, *, scoped: bool = True) -> str:
        """The terms about rules (rule, scope, category, basis) as SQL over rule_id, scope, category, basis."""
        conditions = []
        if self.rules:
            conditions.append(_in("rule_id", self.rules))
        if self.scopes:
            inside = [s for s in self.scopes if s is not None]
            parts = ([_in("scope", inside)] if inside else []) + (["scope IS NULL"] if None in self.scopes else [])
            conditions.append(" OR ".join(parts))
        elif scoped:
            conditions.append("scope IS NOT NULL")
        if self.categories:
            conditions.append(_in("category", self.categories))
        if self.bases:
            conditions.append(f"basis IS NULL OR {_in('basis', self.bases)}")
        return " AND ".join(f"({c})" for c in conditions) or "TRUE"

    def rows_where(self, key: str, number: str) -> str:
        """The row terms as SQL, given the expressions of a table's row key and row number."""
        if not self.rows:
            return "TRUE"
        return " OR ".join(f"(input_table = {literal(r.table)} AND " +
                           (f"{key} = {literal(r.key)})" if r.key is not None else f"{number} = {r.number})")
                           for r in self.rows)


def selection_said(selection: str) -> str:
    """A selection's text in the run's language: its terms as written, the total in words."""
    return t("sel.total") if selection == TOTAL else selection


def _in(column: str, values) -> str:
    if not values:
        return "FALSE"
    return f"{column} IN ({', '.join(literal(v) for v in values)})"


def parse(words: tuple[str, ...], known: Known) -> Selection:
    """The selection the words name (each word may hold several terms separated by spaces)."""
    terms = tuple(term for word in words for term in word.split())
    values: dict[str, list] = {kind: [] for kind in KINDS}
    for term in terms:
        kind, colon, value = term.partition(":")
        if not colon or not value:
            raise SelectorError(_not_a_term(term, known))
        if kind not in KINDS:
            raise SelectorError(t("sel.unknown_kind", term=term, kind=kind, hint=_did_you_mean(kind, KINDS),
                                  kinds=", ".join(KINDS)))
        if kind == "scope" and "." in value:   # scope:2.market = scope:2 basis:market
            value, _, basis = value.partition(".")
            values["basis"].append(_checked("basis", basis, known.bases))
        values[kind].append(_value(kind, value, known))
    rules = tuple(dict.fromkeys(r for pattern in values["rule"] for r in _rules_matching(pattern, known.rules)))
    return Selection(terms=terms, scopes=tuple(dict.fromkeys(values["scope"])),
                     categories=tuple(dict.fromkeys(values["category"])), bases=tuple(dict.fromkeys(values["basis"])),
                     entities=tuple(dict.fromkeys(values["entity"])), rules=rules,
                     gases=tuple(dict.fromkeys(values["gas"])), rows=tuple(dict.fromkeys(values["row"])),
                     kinds=frozenset(kind for kind, listed in values.items() if listed))


def _value(kind: str, value: str, known: Known):
    if kind == "scope":
        if value == OUTSIDE_SCOPES:
            return None
        return _checked("scope", _number(kind, value), known.scopes)
    if kind == "category":
        return _checked("category", _number(kind, value), known.categories)
    if kind == "row":
        return _row(value, known)
    if kind == "rule":
        return value
    return _checked(kind, value, {"basis": known.bases, "entity": known.entities, "gas": known.gases}[kind])


def _number(kind: str, value: str) -> int:
    if not value.isdigit():
        outside = t("sel.or_outside", kind=kind, none=OUTSIDE_SCOPES) if kind == "scope" else ""
        raise SelectorError(t("sel.a_number", kind=kind, value=value, outside=outside))
    return int(value)


def _checked(kind: str, value, present) -> object:
    if value in present:
        return value
    shown = sorted((OUTSIDE_SCOPES if v is None else str(v) for v in present), key=_natural)
    raise SelectorError(t("sel.no_such", kind=kind, value=value, what=t(f"sel.what.{kind}"),
                          hint=_did_you_mean(str(value), shown), listing=_listing(shown)))


def _row(value: str, known: Known) -> RowRef:
    table, colon, key = value.partition(":")
    if colon:
        reference = RowRef(table, key=key) if key else None
    else:
        table, hash_, number = value.partition("#")
        reference = RowRef(table, number=int(number)) if hash_ and number.isdigit() else None
    if reference is None:
        raise SelectorError(t("sel.row_form", value=value))
    _checked("input table", reference.table, known.tables)
    return reference


def _rules_matching(pattern: str, rules: tuple[str, ...]) -> list[str]:
    matching = [r for r in rules if fnmatch.fnmatchcase(r, pattern)]
    if not matching:
        raise SelectorError(t("sel.no_rule_matches", pattern=pattern, hint=_did_you_mean(pattern, rules)))
    return matching


def _not_a_term(term: str, known: Known) -> str:
    if term in known.rules:
        hint = t("sel.did_you_mean", names=f"rule:{term}")
    elif term in known.entities:
        hint = t("sel.did_you_mean", names=f"entity:{term}")
    else:
        hint = ""
    return t("sel.not_a_term", term=term, kinds=", ".join(KINDS), hint=hint)


def _did_you_mean(value: str, candidates) -> str:
    close = difflib.get_close_matches(value, [str(c) for c in candidates], n=3, cutoff=0.6)
    if not close:
        lowered = {str(c).lower(): str(c) for c in candidates}
        close = [lowered[value.lower()]] if value.lower() in lowered else []
    return t("sel.did_you_mean", names=t("sel.or").join(close)) if close else ""


def _listing(values: list[str], shown: int = 12) -> str:
    if not values:
        return t("sel.none")
    listed = ", ".join(values[:shown])
    return t("sel.and_more", listed=listed, n=len(values) - shown) if len(values) > shown else listed


def _natural(value: str) -> tuple:
    return (0, int(value), "") if value.isdigit() else (1, 0, value)
