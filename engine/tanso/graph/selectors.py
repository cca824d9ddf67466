"""dbt-style rule selection: what `--select` and `--exclude` mean.

A selector is space-separated terms whose rules are united; a term is comma-separated atoms whose
rules are intersected (`tag:optional,path:scope3.tanso`: the optional rules of scope3.tanso). An atom
is a rule id (`s3.cat1`, a prefix `s3.*`, or a parent `s3` for `s3.…`; `rule:s3.cat1` too, as `tanso explain`
writes it), `tag:NAME` (rules with that
tag), or `path:PATH` (rules written in that ruleset file, a folder of them, or a glob such as
`path:*/scope3.tanso`), optionally with graph operators: `atom+` adds what depends on its rules,
`+atom` what they need. An atom that matches nothing is an error with a suggestion, as is a selection
left empty by its intersections or by `--exclude`: a selector never silently runs nothing (or all).
Each is a usage error (exit 64): the command line is wrong, not the ruleset.
"""

from __future__ import annotations

from pathlib import Path, PurePath

import networkx as nx

from tanso.diagnostics import RulesetError, did_you_mean
from tanso.i18n import t

METHODS = ("rule", "tag", "path")


class SelectorError(RulesetError):
    """A --select or --exclude that names nothing or matches no rule."""

    exit_code = 64   # sysexits EX_USAGE, as every usage error of the command line


def select(graph: nx.DiGraph, selector: str | None, exclude: str | None = None) -> set[str]:
    """The graph nodes chosen by `selector` (None: every rule) less those of `exclude` (rules and,
    through `+`, the nodes on their paths)."""
    chosen = _union(graph, selector, "--select") if selector is not None else \
        {n for n in graph if n.startswith("rule:")}
    if exclude is not None:
        chosen -= _union(graph, exclude, "--exclude")
        if not any(n.startswith("rule:") for n in chosen):
            chose = f"--select '{selector}' " if selector is not None else ""
            raise SelectorError(t("select.nothing_left", chose=chose, exclude=exclude))
    return chosen


def refuse_results_left_out(graph: nx.DiGraph, chosen: set[str]) -> None:
    """A rule chosen to run that reads another's results (`from results of`) needs that rule in the run: no
    earlier run's results stand in for it (dbt would read a built table), so it is a usage error, never a guess.
    (`tanso graph` may show a rule alone: this holds for the runs.)"""
    for node in sorted(n for n in chosen if n.startswith("rule:")):
        for upstream, _, data in sorted(graph.in_edges(node, data=True)):
            if upstream.startswith("rule:") and upstream not in chosen:
                raise SelectorError(t("select.upstream_left_out", rule=node.split(":", 1)[1],
                                      upstream=upstream.split(":", 1)[1], span=data.get("span")))


def _union(graph: nx.DiGraph, selector: str, option: str) -> set[str]:
    terms = selector.split()
    if not terms:   # e.g. `--select "$(tanso diff --names-only A B)"` when nothing changed
        raise SelectorError(t("select.empty", option=option))
    chosen: set[str] = set()
    for term in terms:
        atoms = [a for a in term.split(",") if a]
        if not atoms:
            raise SelectorError(t("select.term_names_none", option=option, term=term))
        found = _atom(graph, atoms[0], option)
        for atom in atoms[1:]:
            found &= _atom(graph, atom, option)
        if not any(n.startswith("rule:") for n in found):
            raise SelectorError(t("select.no_rule_in_all", option=option, term=term, atoms=", ".join(atoms)))
        chosen |= found
    return chosen


def _atom(graph: nx.DiGraph, atom: str, option: str) -> set[str]:
    upstream, downstream = atom.startswith("+"), atom.endswith("+")
    pattern = atom.strip("+")
    rules = [n for n in graph.nodes if n.startswith("rule:")]
    method, _, value = pattern.partition(":") if ":" in pattern else ("", "", pattern)
    if not value:
        raise SelectorError(t("select.names_nothing_after" if method else "select.names_nothing", option=option,
                              atom=atom, method=method))
    if method and method not in METHODS:
        hint = did_you_mean(method, METHODS)
        raise SelectorError(t("select.unknown_method", option=option, atom=atom, method=method,
                              methods=", ".join(m + ":" for m in METHODS))
                            + (t("select.hint", hint=hint) if hint else ""))
    if method == "tag":
        matches = [n for n in rules if value in graph.nodes[n].get("tags", ())]
        known = sorted({t for n in rules for t in graph.nodes[n].get("tags", ())})
        what = t("select.what.tag")
    elif method == "path":
        matches = [n for n in rules if _in_path(graph.nodes[n]["span"].file, value)]
        known = sorted({graph.nodes[n]["span"].file for n in rules})
        what = t("select.what.file")
    else:
        matches = [n for n in rules if _matches(n.split(":", 1)[1], value)]
        known = [n.split(":", 1)[1] for n in rules]
        what = t("select.what.rule")
    if not matches:
        hint = did_you_mean(value, known) if method != "path" else _path_hint(value, known)
        listed = "" if hint or method != "tag" else t("select.tags", tags=", ".join(known) or t("select.no_tags"))
        raise SelectorError(t("select.matches_none", option=option, atom=atom, what=what, value=value)
                            + (t("select.then", text=hint) if hint else "") + listed)
    chosen = set(matches)
    for node in matches:
        if downstream:
            chosen |= nx.descendants(graph, node)
        if upstream:
            chosen |= nx.ancestors(graph, node)
    return chosen


def selector_of(graph: nx.DiGraph, rule_ids: list[str]) -> str | None:
    """The --select that chooses exactly these rules (their ids), which a run selected through the library
    records; None when an id would also choose, as its parent (`s1` for `s1.…`), a rule not among them."""
    chosen = set(rule_ids)
    others = [n.split(":", 1)[1] for n in graph if n.startswith("rule:") and n.split(":", 1)[1] not in chosen]
    if any(_matches(other, rule_id) for rule_id in chosen for other in others):
        return None
    return " ".join(sorted(chosen))


def _matches(rule_id: str, pattern: str) -> bool:
    if pattern.endswith("*"):
        return rule_id.startswith(pattern[:-1])
    return rule_id == pattern or rule_id.startswith(pattern + ".")


def _in_path(file: str, value: str) -> bool:
    """The rule's file is PATH, lies under the folder PATH, or matches the glob PATH from the right."""
    if PurePath(file).match(value):
        return True
    wanted, actual = Path(value).resolve(), Path(file).resolve()
    return actual == wanted or wanted in actual.parents


def _path_hint(value: str, files: list[str]) -> str | None:
    by_name = {PurePath(f).name: f for f in files}
    hint = did_you_mean(PurePath(value).name, by_name)
    if hint is None:
        return t("select.rules_in", files=", ".join(files)) if files else None
    return hint
