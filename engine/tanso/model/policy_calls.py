"""`policy("name")` calls: which options an expression or a rule reads, fixed when a run starts."""

from __future__ import annotations

from tanso.dsl import ast

POLICY_FUNCTION = "policy"  # policy("option.name"): an option's value, fixed when a run starts


def calls_in(expr: ast.Expr):
    return (node for node in ast.walk(expr) if isinstance(node, ast.Call))


def policies_named(expr: ast.Expr | None) -> list[tuple[str, ast.Span]]:
    """Options an expression reads through `policy("name")`, with where each is read."""
    return [] if expr is None else [
        (c.arguments[0].value.value, c.span) for c in calls_in(expr)
        if c.function == POLICY_FUNCTION and len(c.arguments) == 1 and isinstance(c.arguments[0].value, ast.Literal)]


def policies_in_rule(node: ast.Rule) -> list[tuple[str, ast.Span]]:
    """Options a rule reads in its `where` clause and its calc arguments (not through calculators)."""
    return policies_named(node.source.where if node.source else None) + policies_named(node.calc)
