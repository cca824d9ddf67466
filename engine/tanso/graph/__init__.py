"""The dependency graph of a ruleset (networkx): order, cycles, rendering; dbt-style selection in `selectors`.

`dependencies` collects the nodes and edges without networkx (`Dependencies`), enough for `tanso check`
(is there a cycle, which options are read); `build_graph` and `Prepared.graph` make the networkx graph
from it, in the same order, for the commands that sort, select or draw. Nodes are `rule:ID`, `policy:NAME`, `table:NAME`, `factors:NAME`, `boundary:METHOD`, `exclusion:ID`,
`metric:ID`, `check:ID`. Each edge keeps the span of the place that uses the dependency, so a cycle
can be shown edge by edge.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from tanso.diagnostics import Diagnostics, Note
from tanso.dsl import ast
from tanso.i18n import t
from tanso.model.policy_calls import policies_in_rule, policies_named
from tanso.model.ruleset import Ruleset, lookup_columns
from tanso.plugins import Registry

if TYPE_CHECKING:   # networkx (0.2 s to import) is imported by the commands that need a graph, not by check
    import networkx as nx


def __getattr__(name: str):
    if name == "select":   # tanso.graph.select, as callers import it
        from tanso.graph.selectors import select
        return select
    raise AttributeError(f"module 'tanso.graph' has no attribute {name!r}")


class Dependencies:
    """Nodes and edges with their attributes, in the order added, as `networkx.DiGraph` keeps them."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[tuple[str, str], dict[str, Any]] = {}
        self._out: dict[str, int] = {}

    def add_node(self, node: str, **attributes: Any) -> None:
        self.nodes.setdefault(node, {}).update(attributes)

    def add_edge(self, u: str, v: str, **attributes: Any) -> None:
        self.add_edges((u,), v, **attributes)

    def add_edges(self, sources: Iterable[str], v: str, **attributes: Any) -> None:
        """`add_edge(u, v, **attributes)` for each u of `sources`, in order: a metric reading every rule
        adds hundreds of edges (most of `tanso check`'s graph), without a call per edge."""
        nodes, edges, out = self.nodes, self.edges, self._out
        # The new edges share one attribute dict (an update replaces an edge's dict, never changes it in
        # place; networkx copies it): a metric's hundreds of edges cost no dict each.
        shared = dict(attributes)
        for u in sources:
            if u not in nodes:
                nodes[u] = {}
            if v not in nodes:
                nodes[v] = {}
            edge = edges.get((u, v))
            if edge is None:
                edges[u, v] = shared
                out[u] = out.get(u, 0) + 1
            else:
                edges[u, v] = {**edge, **attributes}

    def __iter__(self):
        return iter(self.nodes)

    def out_degree(self, node: str) -> int:
        return self._out.get(node, 0)

    def acyclic(self) -> bool:
        """No cycle (Kahn: every node can be taken once all it depends on is taken)."""
        needs = dict.fromkeys(self.nodes, 0)
        successors: dict[str, list[str]] = {}
        for u, v in self.edges:
            needs[v] += 1
            successors.setdefault(u, []).append(v)
        ready = [node for node, count in needs.items() if count == 0]
        taken = 0
        while ready:
            taken += 1
            for v in successors.get(ready.pop(), ()):
                needs[v] -= 1
                if needs[v] == 0:
                    ready.append(v)
        return taken == len(self.nodes)

    def to_networkx(self) -> nx.DiGraph:
        import networkx as nx
        graph = nx.DiGraph()
        graph.add_nodes_from(self.nodes.items())
        graph.add_edges_from((u, v, attributes) for (u, v), attributes in self.edges.items())
        return graph


def build_graph(ruleset: Ruleset, registry: Registry) -> nx.DiGraph:
    return dependencies(ruleset, registry).to_networkx()


def dependencies(ruleset: Ruleset, registry: Registry) -> Dependencies:
    graph = Dependencies()
    for name in ruleset.inputs:
        graph.add_node(f"table:{name}", kind="table")
    for rule in ruleset.rules.values():
        node = f"rule:{rule.id}"
        graph.add_node(node, kind="rule", span=rule.node.span, tags=rule.node.tags)
        source = rule.node.source
        if source is not None and source.table is not None:
            graph.add_edge(f"table:{source.table}", node, span=source.span)
            _add_lookups(graph, source, node)
        if source is not None and source.results_of is not None:
            graph.add_edge(f"rule:{source.results_of.dotted}", node, span=source.results_of.span)
        for need in rule.node.needs:
            graph.add_edge(f"rule:{need.dotted}", node, span=need.span)
        for step in rule.steps:
            calculator = registry.calculators[step.calculator]
            for parameter in calculator.factor_parameters:
                factor_set = getattr(step.parameters, parameter, None)
                if factor_set:
                    graph.add_node(f"factors:{factor_set}", kind="factors")
                    graph.add_edge(f"factors:{factor_set}", node, span=step.span)
            for parameter in calculator.table_parameters:
                table = getattr(step.parameters, parameter, None)
                if table:
                    graph.add_edge(f"table:{table}", node, span=step.span)
            for policy in calculator.policies_read(step.parameters):
                graph.add_node(f"policy:{policy}", kind="policy")
                graph.add_edge(f"policy:{policy}", node, span=step.span)
    if ruleset.boundary is not None:
        _add_boundary(graph, ruleset, registry)
    _add_exclusions(graph, ruleset)
    for rule in ruleset.rules.values():
        for policy, span in policies_in_rule(rule.node):
            graph.add_node(f"policy:{policy}", kind="policy")
            graph.add_edge(f"policy:{policy}", f"rule:{rule.id}", span=span)
    selections: dict = {}
    for kind, items in (("metric", ruleset.metrics), ("check", ruleset.checks)):
        for item in items.values():
            node = f"{kind}:{item.node.id}"
            graph.add_node(node, kind=kind, span=item.node.span)
            graph.add_edges((f"rule:{rule_id}" for rule_id in _rules_read_by(item.node.expr, ruleset, selections)), node,
                            span=item.node.span)
            for policy, span in policies_named(item.node.expr):
                graph.add_node(f"policy:{policy}", kind="policy")
                graph.add_edge(f"policy:{policy}", node, span=span)
    return graph


def _add_boundary(graph: Dependencies, ruleset: Ruleset, registry: Registry) -> None:
    """The boundary reads its entities table and policies; every rule on rows with an entity reads it."""
    step = ruleset.boundary
    method = registry.boundary_methods[step.method]
    node = f"boundary:{step.method}"
    graph.add_node(node, kind="boundary", span=step.span)
    for name in method.table_parameters:
        graph.add_edge(f"table:{getattr(step.parameters, name)}", node, span=step.span)
    for policy in method.reads_policies:
        graph.add_edge(f"policy:{policy}", node, span=step.span)
    for rule in ruleset.rules.values():
        if reads_boundary(rule, ruleset, registry):
            graph.add_edge(node, f"rule:{rule.id}", span=step.span)


def reads_boundary(rule, ruleset: Ruleset, registry: Registry) -> bool:
    """Whether the boundary weights a rule's rows: the engine does for rows with an `entity` column of an
    input table (its own or one a lookup adds), and a calculator that finds the entity itself does
    (`Calculator.reads_boundary`)."""
    source = rule.node.source
    by_entity = source is not None and source.table in ruleset.inputs and (
        "entity" in ruleset.columns_of(source.table) or "entity" in lookup_columns(ruleset.inputs, source))
    return by_entity or any(registry.calculators[step.calculator].reads_boundary for step in rule.steps
                            if step.calculator in registry.calculators)


def _add_exclusions(graph: Dependencies, ruleset: Ruleset) -> None:
    """A row-level exclusion reads its table and the options in its where clause; every rule on that
    table reads it (the excluded rows never reach the rule)."""
    rules_on: dict[str, list[str]] = {}
    for rule in ruleset.rules.values():
        if rule.node.source is not None:
            rules_on.setdefault(rule.node.source.table, []).append(rule.id)
    for item in ruleset.exclusions.values():
        source = item.node.source
        if source is None:
            continue
        node = f"exclusion:{item.node.id}"
        graph.add_node(node, kind="exclusion", span=item.node.span)
        graph.add_edge(f"table:{source.table}", node, span=source.span)
        _add_lookups(graph, source, node)
        for policy, span in policies_named(source.where):
            graph.add_node(f"policy:{policy}", kind="policy")
            graph.add_edge(f"policy:{policy}", node, span=span)
        for rule_id in rules_on.get(source.table, ()):
            graph.add_edge(node, f"rule:{rule_id}", span=item.node.span)


def _add_lookups(graph: Dependencies, source: ast.Source, node: str) -> None:
    """A lookup reads its mapping table: `tanso graph` shows the mapping feeding the rule or exclusion."""
    for lookup in source.lookups:
        graph.add_edge(f"table:{lookup.table}", node, span=lookup.span, lookup=lookup.key)


def _rules_read_by(expr: ast.Expr, ruleset: Ruleset, selections: dict) -> list[str]:
    """Rules an expression's function calls read: `rule:` arguments, else every rule in the
    named scope/category, else every rule; in the order the calls are written, each rule once.
    `selections` keeps the rules of each scope/category choice already made (a ruleset's metrics and
    checks ask for the same few, each a pass over every rule)."""
    found: dict[str, None] = {}
    _collect_rules_read(expr, ruleset, found, selections)
    return list(found)


def _collect_rules_read(expr: ast.Expr, ruleset: Ruleset, found: dict[str, None], selections: dict) -> None:
    if isinstance(expr, ast.Call):
        named = {a.name: a.value for a in expr.arguments if a.name}
        if "rule" in named and isinstance(named["rule"], ast.Name):
            found[named["rule"].dotted] = None
        else:
            scopes = frozenset(_numbers(named.get("scope")))
            categories = frozenset(_numbers(named.get("category")))
            selected = selections.get((scopes, categories))
            if selected is None:
                selected = selections[scopes, categories] = dict.fromkeys(
                    rule_id for rule_id, rule in ruleset.rules.items()
                    if (not scopes or rule.node.scope in scopes) and (not categories or rule.node.category in categories))
            found.update(selected)
        for argument in expr.arguments:
            _collect_rules_read(argument.value, ruleset, found, selections)
    elif isinstance(expr, ast.BinaryOp):
        _collect_rules_read(expr.left, ruleset, found, selections)
        _collect_rules_read(expr.right, ruleset, found, selections)
    elif isinstance(expr, ast.UnaryOp):
        _collect_rules_read(expr.operand, ruleset, found, selections)


def _numbers(expr: ast.Expr | None) -> set[int]:
    if isinstance(expr, ast.Literal):
        return {int(expr.value)}
    if isinstance(expr, ast.ListExpr):
        return {int(i.value) for i in expr.items if isinstance(i, ast.Literal)}
    return set()


def check_acyclic(dependencies: Dependencies, diagnostics: Diagnostics) -> None:
    """Report each cycle as `a → b → a` with the source excerpt of every edge."""
    if dependencies.acyclic():
        return
    import networkx as nx
    graph = dependencies.to_networkx()
    for component in nx.strongly_connected_components(graph):
        if len(component) == 1:
            node = next(iter(component))
            if not graph.has_edge(node, node):
                continue
        # Start from the first node in declaration order: a subgraph view iterates the component's
        # set, whose order changes with PYTHONHASHSEED, and the message must not.
        start = next(n for n in graph if n in component)
        cycle = nx.find_cycle(graph.subgraph(component), source=start)
        path = " → ".join([_label(u) for u, _ in cycle] + [_label(cycle[0][0])])
        notes = [Note(t("diag.cycle_edge", reader=_label(v), read=_label(u)), graph.edges[u, v]["span"])
                 for u, v in cycle]
        diagnostics.error(t("diag.cycle", path=path), graph.nodes[cycle[0][1]].get("span"), notes=notes,
                          hint=t("diag.cycle_help"))


def _label(node: str) -> str:
    return node.split(":", 1)[1]


def evaluation_order(graph: nx.DiGraph) -> list[str]:
    """Deterministic topological order (ties broken by node name)."""
    import networkx as nx
    return list(nx.lexicographical_topological_sort(graph))


def rule_order(graph: nx.DiGraph) -> list[str]:
    return [_label(n) for n in evaluation_order(graph) if n.startswith("rule:")]


def render(graph: nx.DiGraph, fmt: str, nodes: set[str] | None = None) -> str:
    sub = graph.subgraph(nodes) if nodes is not None else graph
    order = [n for n in evaluation_order(graph) if n in sub]
    edges = sorted(sub.edges)
    if fmt == "dot":
        lines = ["digraph tanso {", "  rankdir=LR;"]
        shapes = {"rule": "box", "table": "cylinder", "factors": "folder", "policy": "note", "metric": "ellipse",
                  "check": "diamond", "boundary": "hexagon", "exclusion": "octagon"}
        for n in order:
            lines.append(f'  "{n}" [label="{_label(n)}", shape={shapes.get(sub.nodes[n].get("kind"), "box")}];')
        lines += [f'  "{u}" -> "{v}"' + (f' [label="{_edge_label(sub, u, v)}"]' if _edge_label(sub, u, v) else "") + ";"
                  for u, v in edges]
        return "\n".join(lines + ["}"]) + "\n"
    if fmt == "mermaid":
        ids = {n: f"n{i}" for i, n in enumerate(order)}
        lines = ["flowchart LR"]
        lines += [f'  {ids[n]}["{n}"]' for n in order]
        lines += [f"  {ids[u]} --" + (f" {_edge_label(sub, u, v)} --" if _edge_label(sub, u, v) else "") + f"> {ids[v]}"
                  for u, v in edges]
        return "\n".join(lines) + "\n"
    lines = []
    for i, n in enumerate(order, 1):
        needs = [p + (f" ({_edge_label(sub, p, n)})" if _edge_label(sub, p, n) else "") for p in sorted(sub.predecessors(n))]
        lines.append(f"{i:>3}. {n}" + (f"  ← {', '.join(needs)}" if needs else ""))
    return "\n".join(lines) + "\n"


def _edge_label(graph: nx.DiGraph, u: str, v: str) -> str | None:
    key = graph.edges[u, v].get("lookup")
    return f"lookup on {key}" if key else None


def unread_policies(ruleset: Ruleset, registry: Registry, graph: Dependencies | nx.DiGraph) -> list[str]:
    """Options a ruleset (or --set) chooses that nothing reads: no rule, calculator, boundary, exclusion,
    metric, check or reporter. Such a `set` changes no number, which its author should be told."""
    read = {node.split(":", 1)[1] for node in graph if node.startswith("policy:") and graph.out_degree(node)}
    read |= {name for reporter in registry.reporters.values() for name in reporter.reads_policies}
    return [name for name, value in ruleset.policies.items()
            if value.layer != "default" and name not in read and not registry.policy_options[name].recorded_only]

