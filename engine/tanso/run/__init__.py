"""Running rulesets: `prepare` (load + graph), `evaluate` (execute), `export` (write tables).

`evaluate` and `RunResult` are imported on first use: `tanso check` only prepares, and the
execution modules bring DuckDB, pyarrow and pint (about a third of `check`'s time when imported).
"""

from __future__ import annotations

from dataclasses import field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from tanso.diagnostics import Diagnostics, RulesetError
from tanso.dsl.values import written
from tanso.frozen import frozen
from tanso.graph import Dependencies, check_acyclic, dependencies, unread_policies
from tanso.i18n import t
from tanso.model.resolve import load_ruleset
from tanso.model.ruleset import Ruleset
from tanso.plugins import Registry, load_registry

if TYPE_CHECKING:
    import networkx as nx

    from tanso.run.execute import RunResult, evaluate

__all__ = ["Prepared", "prepare", "evaluate", "export", "RunResult"]


def __getattr__(name: str):
    if name in ("evaluate", "RunResult"):
        from tanso.run import execute
        return getattr(execute, name)
    raise AttributeError(f"module 'tanso.run' has no attribute {name!r}")

EXPORT_FORMATS = ("csv", "parquet", "json")


@frozen
class Prepared:
    registry: Registry
    ruleset: Ruleset
    dependencies: Dependencies
    warnings: Diagnostics = field(default_factory=Diagnostics)   # the ruleset is usable; worth reading

    @cached_property
    def graph(self) -> nx.DiGraph:
        """The dependency graph in networkx (made on first use: `tanso check` needs none)."""
        return self.dependencies.to_networkx()


def prepare(path: Path, *, overlays: tuple[Path, ...] = (), overrides: dict[str, str] | None = None,
            registry: Registry | None = None) -> Prepared:
    """Parse, resolve and graph a ruleset; every diagnostic is raised at once in a RulesetError."""
    registry = registry or load_registry()
    diagnostics = Diagnostics()
    ruleset = load_ruleset(path, registry, overlays=overlays, overrides=overrides, diagnostics=diagnostics)
    graph = dependencies(ruleset, registry)
    check_acyclic(graph, diagnostics)
    if diagnostics.errors:
        raise RulesetError("the ruleset has errors", diagnostics)
    for name in unread_policies(ruleset, registry, graph):
        chosen = ruleset.policies[name]
        where = t("diag.on_command_line") if chosen.span is None else t("diag.in_layer", layer=chosen.layer)
        diagnostics.warning(t("diag.unread_policy", name=name, value=written(chosen.value), where=where), chosen.span,
                            hint=t("diag.unread_policy_help"))
    return Prepared(registry, ruleset, graph, diagnostics)


def export(result: RunResult, out_dir: Path, fmt: str) -> list[Path]:
    """Write ledger, rejects, excluded, claims (where the run has any), factors (the factor-file rows the ledger used)
    and summary in `fmt` (the ledger is always also Parquet), a copy of the ruleset's files under ruleset/, then —
    last — manifest.json with the sha256 and size of every file in `out_dir` (`outputs`) and, where the caller
    (`tanso evaluate`) recorded none, the invocation of this run as `tanso evaluate` would record it: the ruleset,
    overlays and --set values `prepare` was given, the data folder `evaluate` was, the rules it ran and `fmt`, so
    that `tanso verify --reperform` re-performs a run written by the library too."""
    from tanso.plan.sql import literal
    from tanso.reasons import codes_sql
    from tanso.run.execute import SUMMARY_KEYS
    from tanso.run.lineage import USED_FACTORS_ORDER, USED_FACTORS_TABLE, snapshot_ruleset
    from tanso.run.manifest import invocation
    from tanso.run.outputs import write_manifest
    con = result.connection
    con.execute(f"SET schema = '{result.schema}'")
    out_dir.mkdir(parents=True, exist_ok=True)
    # rejects.csv and excluded.csv: the reason's code (tanso.reasons) beside its English text, which the digest hashes
    tables = {"ledger": "SELECT * FROM run_ledger",
              **{name: f"SELECT * EXCLUDE (reason), {codes_sql('reason')} AS reason_code, reason FROM run_{name} "
                       f"ORDER BY ALL" for name in ("rejects", "excluded")},
              # Which instrument (e.g. certificate) covered how much of which rule row: only where a
              # calculator of the run records claims.
              **({"claims": "SELECT * FROM run_claims ORDER BY ALL"} if result.claims else {}),
              "factors": f"SELECT * FROM {USED_FACTORS_TABLE} ORDER BY {USED_FACTORS_ORDER}",
              "summary": f"SELECT {', '.join(SUMMARY_KEYS)}, sum(co2e_kg) AS co2e_kg, sum(ledger_rows) AS ledger_rows "
                         f"FROM run_groups GROUP BY ALL ORDER BY ALL NULLS FIRST"}
    options = {"csv": "FORMAT csv, HEADER true", "parquet": "FORMAT parquet, COMPRESSION zstd", "json": "FORMAT json, ARRAY true"}[fmt]
    written = []
    for name, query in tables.items():
        path = out_dir / f"{name}.{fmt}"
        if name == "ledger" and fmt == "parquet":
            written.append(result.ledger_path)
            continue
        con.execute(f"COPY ({query}) TO {literal(str(path))} ({options})")
        written.append(path)
    snapshot = snapshot_ruleset(result.ruleset.cited, out_dir)
    manifest = {**result.manifest, "ruleset": {**result.manifest["ruleset"], "snapshot": snapshot}}
    given = result.ruleset.loaded_from
    if "invocation" not in manifest and given is not None and result.recordable:
        manifest["invocation"] = invocation(given.path, given.overlays, result.data_dir, given.sets, result.selector,
                                            fmt, result.ruleset.cited, out_dir,
                                            previous=result.previous["folder"] if result.previous else None)
    write_manifest(out_dir, manifest)
    return written
