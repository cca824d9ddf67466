"""`tanso diff A B`: what changed between two versions of a ruleset.

Exit codes: 0 the comparison was made (whether or not there are differences) · 10 with --exit-code,
there are differences (as `git diff --exit-code`, which uses 1; Tanso's 1 is a ruleset with errors) ·
1 a side has ruleset errors · 64 bad usage: no such path, not a git repository, unknown revision, or
no such path at that revision.
"""

from __future__ import annotations

import json
from contextlib import ExitStack

import click

EXIT_DIFFERENT = 10


@click.command(name="diff")
@click.argument("a")
@click.argument("b")
@click.option("--data", "data_a", metavar="DIR[@REV]", default=None,
              help="compare the factor files A declares row by row, read from DIR (at git revision REV)")
@click.option("--data-b", "data_b", metavar="DIR[@REV]", default=None,
              help="where B's factor files are read (default: --data)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--names-only", is_flag=True,
              help="print only the rules of B whose results may differ, space-separated, for "
                   "`tanso evaluate B --select` (nothing when there are none)")
@click.option("--exit-code", "exit_code", is_flag=True, help=f"exit {EXIT_DIFFERENT} when A and B differ")
def diff(a: str, b: str, data_a: str | None, data_b: str | None, fmt: str, names_only: bool, exit_code: bool) -> None:
    """Compare ruleset versions A and B, each resolved (with what it extends): rules, options, inputs,
    factor sets (and their files' rows, with --data), exclusions, boundary, tolerances, metrics, checks.

    A and B are a ruleset folder or file, or PATH@REV to read it at a git revision (e.g.
    rulesets/ghgp-current@HEAD~3), from the repository holding PATH, without a checkout.
    Exits 0 whether or not they differ (10 with --exit-code when they do), 1 on ruleset errors.
    """
    from tanso.audit.ruleset_diff import diff_rulesets, open_side
    from tanso.cli import _fail
    from tanso.diagnostics import TansoError
    try:
        with ExitStack() as stack:
            before = open_side(a, data_a, stack)
            after = open_side(b, data_b or data_a, stack, registry=before.prepared.registry)
            result = diff_rulesets(before, after)
            if names_only:
                click.echo(" ".join(result.reevaluate), nl=bool(result.reevaluate))   # a --select union
            elif fmt == "json":
                click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False, default=str))
            else:
                click.echo(result.render_text(), nl=False)
    except TansoError as error:
        _fail(error)
    if exit_code and result.different:
        raise SystemExit(EXIT_DIFFERENT)
