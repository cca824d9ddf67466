"""A finished run's output folder, read as it is: no re-run, no ruleset checkout, no data folder.

What `tanso evaluate --out` wrote: manifest.json (the run's record), ledger.parquet, the other tables in
the run's output format (csv, parquet or json), factors.<format> and ruleset/ (the source files as
evaluated; see `tanso.run.lineage`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any


from tanso.audit import messages  # noqa: F401  (registers the words of the refusals below)
from tanso.diagnostics import TansoError
from tanso.i18n import t
from tanso.plan.sql import literal
from tanso.run.ledger import LEDGER_FILE
from tanso.run.lineage import SNAPSHOT_FOLDER
from tanso.run.outputs import MANIFEST

if TYPE_CHECKING:
    import duckdb

RUN_FORMAT = "tanso-manifest.v1"
_READERS = {".parquet": "read_parquet({})", ".csv": "read_csv({}, header = true, all_varchar = true)",
            ".json": "read_json({})"}


class NotARunFolder(TansoError):
    """The folder is missing, unreadable, or not what `tanso evaluate --out` writes."""

    exit_code = 66   # sysexits EX_NOINPUT


@dataclass(frozen=True)
class RunFolder:
    path: Path
    manifest: dict[str, Any]

    @classmethod
    def open(cls, path: Path) -> RunFolder:
        """The run folder at `path`, or NotARunFolder saying what is wrong with it."""
        if not path.exists():
            raise NotARunFolder(t("folder.missing", path=path))
        if not path.is_dir():
            raise NotARunFolder(t("folder.a_file", path=path))
        try:
            manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise NotARunFolder(t("folder.no_manifest", path=path, manifest=MANIFEST)) from None
        except (OSError, ValueError) as error:
            raise NotARunFolder(t("folder.unreadable", path=path / MANIFEST, error=error)) from None
        found = manifest.get("format") if isinstance(manifest, dict) else None
        if found != RUN_FORMAT:
            comparison = str(found).startswith("tanso-comparison")
            hint = t("folder.a_comparison") if comparison else ""
            raise NotARunFolder(t("folder.not_a_run", path=path / MANIFEST, found=repr(found), expected=repr(RUN_FORMAT),
                                  hint=hint))
        if not (path / LEDGER_FILE).is_file():
            raise NotARunFolder(t("folder.no_ledger", path=path, ledger=LEDGER_FILE))
        return cls(path, manifest)

    @property
    def rows_left_out(self) -> int:
        """Rows rejected beyond the ruleset's tolerances (0 for a complete or accepted run): the run's totals
        are incomplete when it is above 0, and anything computed from them must say so."""
        completeness = self.manifest.get("completeness") or {}
        return int(completeness.get("rows_not_accepted") or 0) if completeness.get("status") == "incomplete" else 0

    @property
    def ledger(self) -> str:
        return f"read_parquet({literal(str(self.path / LEDGER_FILE))})"

    def data_file(self, name: str) -> Path:
        """A file the manifest names under the data folder (an input's, a factor set's), where the run read it:
        relative to the folder the run was started in, or absolute."""
        from tanso.audit.reperform import as_invoked
        return Path(as_invoked(self.manifest.get("invocation") or {})[1](name))

    def file_of(self, name: str) -> str | None:
        """The file name of the run's table `name` (rejects, excluded, factors …); None where it wrote none."""
        return next((f"{name}{suffix}" for suffix in _READERS if (self.path / f"{name}{suffix}").is_file()), None)

    def table(self, name: str) -> str | None:
        """SQL reading the run's table `name` in the format it was written in (CSV as text: cast where a number
        is needed); None where the run did not write it, or wrote it as an empty JSON array (which has no columns)."""
        file = self.file_of(name)
        if file is None or (file.endswith(".json") and _empty_array(self.path / file)):
            return None
        return _READERS[Path(file).suffix].format(literal(str(self.path / file)))

    def rule_text(self, rule_id: str) -> tuple[str, int, list[str]] | None:
        """(file, first line, lines) of a rule's statement, from the folder's copy of the ruleset."""
        record = self.manifest.get("rules", {}).get(rule_id, {})
        file, _, line = str(record.get("source", "")).rpartition(":")
        copies = self.manifest.get("ruleset", {}).get("snapshot", {})
        # A run cites a file by its copy's name (`ruleset/<file>`); an earlier run cited it by its path.
        cited = f"{SNAPSHOT_FOLDER}/{file}"
        copy = copies.get(file) or (cited if cited in copies.values() else None)
        if copy is None or not line.isdigit():
            return None
        try:
            lines = (self.path / copy).read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            return None
        first = int(line)
        last = int(record.get("end_line") or first)
        return file, first, lines[first - 1:last]

    def connect(self) -> duckdb.DuckDBPyConnection:
        """A connection that has checked the ledger can be read."""
        import duckdb
        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")   # the command's output is the explanation alone
        try:
            con.execute(f"SELECT count(*) FROM {self.ledger}").fetchone()
        except duckdb.Error as error:
            raise NotARunFolder(t("folder.unreadable", path=self.path / LEDGER_FILE, error=str(error).splitlines()[0])) from None
        return con


def _empty_array(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(64).decode("utf-8", "replace").strip()
    return head.startswith("[") and head[1:].lstrip().startswith("]")
