"""A run's digest (the same for the same inputs on any thread count) and its manifest: ruleset,
policies, rules, boundary, inputs, factor sets, plugins and backend, with their provenance.

The manifest names a ruleset file as the ledger cites it (relative to the ruleset's root,
`tanso.model.sources`) and an input or factor file relative to the data folder, so that the same run from
another working folder writes the same manifest; only `invocation` (the command's arguments as typed) and
the manifest's own digest of its content differ."""

from __future__ import annotations

import hashlib
import json
import os
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import Any

from tanso.model.resolve import display_path, ruleset_files
from tanso.model.ruleset import Ruleset
from tanso.plugins import Registry
from tanso.run.input_files import relative_path
from tanso.run.inputs import LoadedInput
from tanso.run.lineage import boundary_record, rule_record
from tanso.run.planner import _Planner

# What a check concluded (not its title or where it is written): a digest that held while a check's verdict
# or findings changed (a plugin upgrade, a corrected lookup) would vouch for a result nobody re-read.
CHECK_OUTCOME = ("id", "passed", "problem", "findings", "notes")


def _digest(con, summary: list[dict], metrics: list[dict], checks: list[dict]) -> str:
    """Hash of the summary, the metrics, the checks' outcomes and an order-independent fingerprint of the
    ledger, rejects and excluded."""
    fingerprint = con.execute("SELECT sum(ledger_rows), sum(co2e_kg), sum(amount_kg), sum(fingerprint) "
                              "FROM run_groups").fetchone()
    reject_print = con.execute("SELECT count(*), sum(hash(row_id, rule_id, reason) % 1000000007) FROM run_rejects").fetchone()
    excluded_print = con.execute("SELECT count(*), sum(hash(row_id, exclusion_id, reason) % 1000000007) FROM run_excluded").fetchone()
    canonical = json.dumps({"summary": summary, "ledger": fingerprint, "rejects": reject_print,
                            "excluded": excluded_print, "metrics": metrics,
                            "checks": [{key: check.get(key) for key in CHECK_OUTCOME} for check in checks]},
                           default=_canonical, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _canonical(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _manifest(ruleset: Ruleset, registry: Registry, planner: _Planner, order: list[str], digest: str,
              threads: int | None) -> dict[str, Any]:
    from importlib import metadata

    from tanso.run.inputs import file_digest
    return {
        "format": "tanso-manifest.v1",
        "tanso_version": metadata.version("tanso"),
        "ruleset": {"name": ruleset.name, "layers": list(ruleset.layers),
                    "files": {ruleset.cited.get(f, f): file_digest(Path(f)) for f in ruleset.files if Path(f).exists()},
                    # the days the inventory covers (`period … to …`); rows of dated inputs outside them are excluded
                    **({"reporting_period": {"start": ruleset.period.start, "end": ruleset.period.end,
                                             "source": ruleset.cite(ruleset.period.span),
                                             "inputs": {name: table.period for name, table in sorted(ruleset.inputs.items())
                                                        if table.period is not None}}}
                       if ruleset.period else {})},
        "policies": {name: {"value": p.value, "layer": p.layer, "source": p.provenance.source,
                            "as_of": p.provenance.as_of, "status": p.provenance.status,
                            "at": ruleset.cite(p.span, column=True) if p.span else None}
                     for name, p in ruleset.policies.items()},
        "rules": {r: {"source": ruleset.cite(ruleset.rules[r].node.span), "layer": ruleset.rules[r].layer,
                      "calculators": [s.calculator for s in ruleset.rules[r].steps],
                      "effective_factors": planner.precision.get(r, []),
                      **rule_record(ruleset, registry, r, planner.rule_tables[r])} for r in order},
        "boundary": boundary_record(ruleset, registry, planner.boundary_weights()),
        "inputs": {name: _manifest_input(i) for name, i in sorted(planner.inputs.items())},
        "factor_sets": {name: {"file": relative_path(Path(f.source_file), planner.data_dir), "sha256": file_digest(Path(f.source_file)), "version": f.version,
                               "publisher": f.publisher, "edition": f.edition, "licence": f.licence}
                        for name, f in sorted(planner.factors.items())},
        "plugins": sorted({f"{i.package}=={i.version}" for i in registry.implementations()}),
        "backend": planner.session.backend.label,
        "digest": digest,
        # The sign-offs the ruleset requires (`require approvals`): `tanso verify` reports a run without them as a draft.
        **({"approvals": {"required": ruleset.approvals.node.required(),
                          "source": ruleset.cite(ruleset.approvals.node.span),
                          "layer": ruleset.approvals.layer}} if ruleset.approvals else {}),
    }


def _manifest_input(loaded: LoadedInput) -> dict[str, Any]:
    """File (under the data folder) and sha256; an input of several parts lists each part's sha256 and the input
    rows it holds."""
    entry: dict[str, Any] = {"file": relative_path(loaded.file, loaded.data_dir), "sha256": loaded.sha256}
    if len(loaded.parts) > 1 or any(p.sheet is not None for p in loaded.parts):
        entry["parts"] = [{"file": relative_path(p.file, loaded.data_dir),
                           **({} if p.sheet is None else {"sheet": p.sheet}),
                           "sha256": p.sha256, "rows": p.rows, "first_input_row": p.first_row} for p in loaded.parts]
    if loaded.notes:
        entry["notes"] = list(loaded.notes)
    return entry


def invocation(ruleset: Path, overlays: tuple[Path, ...], data_dir: Path, sets: tuple[str, ...],
               selector: str | None, out_format: str, cited: dict[str, str], out: Path,
               excluder: str | None = None, previous: Path | str | None = None) -> dict[str, Any]:
    """What `evaluate` records in the manifest so that the run can be re-performed: everything that
    shapes the output bytes (not --threads, --memory-limit or --format, which do not). The ruleset, overlays
    and data folder as typed (relative to the working folder: the one part of a manifest that depends on where
    the command ran), and under `cited` the names the run cites the ruleset and overlays by (`Ruleset.cited`),
    which map the manifest's file names back to those paths. `--previous`, where given, from the run folder OUT
    (`../acme-2024`): an auditor finds the earlier run beside the run wherever both are copied, from any folder."""
    return {"command": "evaluate", "ruleset": display_path(ruleset), "overlays": [display_path(o) for o in overlays],
            "data": str(data_dir), "set": list(sets), "select": selector, "out_format": out_format,
            "cited": {"ruleset": _cited_argument(ruleset, cited), "overlays": [_cited_argument(o, cited) for o in overlays]},
            **({"exclude": excluder} if excluder else {}), **({"previous": from_run_folder(previous, out)} if previous else {})}


def from_run_folder(path: Path | str, out: Path) -> str:
    """A path from the run folder OUT (an earlier run, the log), as the paths are typed (symlinks kept: the same text from any
    working folder however both were spelt)."""
    return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(out))).as_posix()


def _cited_argument(path: Path, cited: dict[str, str]) -> str:
    """The name a ruleset folder or file given on the command line is cited by: a folder's, that of its files' folder."""
    name = cited[display_path(ruleset_files(path)[0])]
    return PurePosixPath(name).parent.as_posix() if path.is_dir() else name
