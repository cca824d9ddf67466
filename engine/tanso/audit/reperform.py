"""`tanso verify OUT --reperform`: run the recorded ruleset again and prove every output byte-identical.

The manifest records how the run was invoked (`invocation`: the ruleset and overlays as the run
recorded their paths, the data folder, the --set values, --select, --out-format and --previous) and the sha256 of
every ruleset, input and factor file. Re-performance

1. finds each of those files — the ruleset's in the run folder's own copy (`ruleset/`) or where the run
   recorded them (moved to `--ruleset`), inputs and factor files where the run recorded them (moved to
   `--data`) — and refuses any that is missing or whose sha256 differs from the manifest, naming each
   (exit 9);
2. lays them out in a temporary folder at exactly the paths the run was invoked with (the manifest names
   a ruleset file by its cited name and an input by its name under the data folder; `as_invoked` maps
   them back), because the re-run records its invocation too. Relative paths are rebuilt there; a data
   folder given by its absolute path is read where it is (re-performed with the files at that path);
3. runs `tanso evaluate` there with the recorded arguments, into a temporary --out and a throwaway log;
4. compares every file, manifest.json included, byte for byte, and names the first that differs.

No field is excluded from the comparison: a manifest holds no time, host, user or thread count (who ran
it and when are in the log), and the ledger's bytes are the same on any thread count.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import Any, Callable, Iterator

from tanso.audit import CannotVerify
from tanso.audit.report import Report, Said, sha256_file
from tanso.audit.verify import COMPARISON_FORMAT, read_manifest
from tanso.run.lineage import SNAPSHOT_FOLDER
from tanso.run.outputs import MANIFEST, file_outputs
from tanso.scratch import owned_folder

_CHUNK = 1 << 16
_KEPT_ENV = ("TANSO_LOAD_PLUGINS", "TANSO_TRACE_PLUGINS", "TANSO_SPARK_DRIVER_MEMORY")


def recorded_files(manifest: dict[str, Any]) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """The run's ruleset files, input files and factor files, each path as the run was invoked (`as_invoked`) → sha256."""
    (ruleset_named, inputs, factors), (ruleset_path, data_path) = named_files(manifest)
    return ({ruleset_path(k): v for k, v in ruleset_named.items()}, {data_path(k): v for k, v in inputs.items()},
            {data_path(k): v for k, v in factors.items()})


def named_files(manifest: dict[str, Any]) -> tuple[tuple[dict[str, str], dict[str, str], dict[str, str]],
                                                   tuple[Callable[[str], str], Callable[[str], str]]]:
    """The run's ruleset files (by cited name), input files and factor files (by name under the data folder) →
    sha256, as the manifest names them whatever the paths typed; and `as_invoked`'s maps of those names to paths."""
    try:
        invoked = manifest["invocation"]
        if not all(isinstance(invoked[k], str) for k in ("ruleset", "data", "out_format")) \
                or not all(isinstance(v, str) for v in [*invoked["overlays"], *invoked["set"]]) \
                or not all(isinstance(v, (str, type(None)))
                           for v in (invoked["select"], invoked.get("exclude"), invoked.get("previous"))):
            raise TypeError
        # An input of several part files (`file "…"`) lists each part with its own sha256.
        inputs = {part["file"]: part["sha256"] for i in manifest["inputs"].values() for part in i.get("parts", [i])}
        files = (manifest["ruleset"]["files"], inputs, {f["file"]: f["sha256"] for f in manifest["factor_sets"].values()})
        if not all(isinstance(k, str) and isinstance(v, str) for recorded in files for k, v in recorded.items()):
            raise TypeError
        return files, as_invoked(invoked)
    except (KeyError, TypeError, AttributeError, ValueError):
        raise CannotVerify("the manifest does not record how the run was invoked and every file it read (a run by an "
                           "earlier tanso, a comparison, or an edited manifest)") from None


def as_invoked(invoked: dict[str, Any]) -> tuple[Callable[[str], str], Callable[[str], str]]:
    """(ruleset file's cited name → its path as the run was invoked, data file's name under the data folder → its
    path as invoked): each relative to the folder the run was started in, or absolute. A manifest by an earlier
    tanso, which recorded those paths themselves, maps each to itself."""
    cited = invoked.get("cited")
    if cited is None:
        return str, str
    arguments = list(zip([cited["ruleset"], *cited["overlays"]], [invoked["ruleset"], *invoked["overlays"]], strict=True))
    root = os.path.join(invoked["ruleset"], *[os.pardir] * _depth(cited["ruleset"]))

    def ruleset_path(name: str) -> str:
        within = [(position, typed) for position, typed in arguments if _is_within(name, position)]
        if not within:   # a base ruleset's file, beside the one run
            return os.path.normpath(os.path.join(root, name))
        position, typed = max(within, key=lambda argument: _depth(argument[0]))
        return os.path.normpath(os.path.join(typed, os.path.relpath(name, position)))

    def data_path(name: str) -> str:
        return name if os.path.isabs(name) else os.path.normpath(os.path.join(invoked["data"], name))

    return ruleset_path, data_path


def _depth(cited: str) -> int:
    return len(PurePosixPath(cited).parts)


def _is_within(name: str, position: str) -> bool:
    return position == "." or name == position or name.startswith(position + "/")


def locate(recorded: str, recorded_root: str, root: Path | None) -> Path:
    """Where a recorded file is now: relative to the root it was recorded under, moved to `root` when given.
    A file recorded by its absolute path is read there."""
    if os.path.isabs(recorded) or root is None:
        return Path(recorded)
    return root / os.path.relpath(recorded, recorded_root)


def snapshot(out: Path, manifest: dict[str, Any]) -> dict[str, Path]:
    """The copies of the ruleset's files the run folder holds (`ruleset.snapshot`: cited name → copy), by each file's
    path as the run was invoked."""
    copies = manifest.get("ruleset", {}).get("snapshot")
    if not isinstance(copies, dict):
        return {}
    ruleset_path, _ = as_invoked(manifest["invocation"])
    return {ruleset_path(recorded): out / copy for recorded, copy in copies.items()
            if isinstance(copy, str) and not os.path.isabs(copy) and ".." not in Path(copy).parts}


def find_sources(files: dict[str, str], recorded_root: str, root: Path | None, what: str, report: Report,
                 copies: dict[str, Path] | None = None) -> dict[str, Path]:
    """Each recorded file's location: its copy in the run folder if there is one (unless `root` says where it is
    now), else where it was recorded (moved to `root`). A problem for each that is missing or whose sha256 differs."""
    found = {}
    for recorded, sha in sorted(files.items()):
        path = locate(recorded, recorded_root, root)
        if recorded in (copies or {}) and (root is None or not path.is_file()):
            path = copies[recorded]
        if not path.is_file():
            report.add("cannot verify", str(path), f"{what} file of the run is missing")
            continue
        actual = sha256_file(path)
        if actual != sha:
            report.add("cannot verify", str(path), f"{what} file is not the one the run read (its sha256 differs from "
                                                   "the manifest)", sha, actual)
        found[recorded] = path
    return found


def reperform(out: Path, data_dir: Path | None = None, ruleset: Path | None = None,
              earlier_run: Path | None = None) -> Report:
    """Re-run OUT's recorded invocation on its recorded files (found under `data_dir` and `ruleset` when they
    moved, the earlier run at `earlier_run` when an evidence pack holds it) and compare every output byte for
    byte: see the module docstring."""
    report = Report(f"{out} (re-performed)")
    try:
        manifest, _ = read_manifest(out)
        if manifest["format"] == COMPARISON_FORMAT:
            report.add("cannot verify", MANIFEST, Said("folder.comparison_not_a_run", path=str(out),
                                                       command="verify --reperform"))
            return report
        ruleset_files, inputs, factors = recorded_files(manifest)
    except CannotVerify as error:
        report.add("cannot verify", MANIFEST, f"{error}: it cannot be re-performed")
        return report
    data_files = inputs | factors
    invoked = manifest["invocation"]
    recorded_data = invoked["data"]
    if data_dir is not None and os.path.isabs(recorded_data) and data_dir.resolve() != Path(recorded_data).resolve():
        # The manifest holds the folder's path (invocation, each input's file): a run elsewhere writes another one.
        report.add("cannot verify", recorded_data, "the run named its data folder by this absolute path, which its "
                                                   "manifest records, so --data cannot move it: put the folder back "
                                                   f"there, or a symlink to {data_dir}, and re-perform without --data")
        return report
    copies = snapshot(out, manifest)
    sources = find_sources(ruleset_files, invoked["ruleset"], ruleset, "ruleset", report, copies)
    sources |= find_sources(data_files, invoked["data"], data_dir, "input or factor", report)
    earlier = find_earlier_run(out, invoked.get("previous"), manifest, report, earlier_run)
    if report.problems:
        return report
    with owned_folder("reperform") as scratch:
        cited = {recorded: copy.relative_to(out / SNAPSHOT_FOLDER).as_posix() for recorded, copy in copies.items()
                 if copy.is_relative_to(out / SNAPSHOT_FOLDER)}
        work = _lay_out(Path(scratch) / "tree", invoked, sources, set(ruleset_files), cited)
        again, previous = _beside_the_earlier_run(Path(scratch) / "runs", invoked.get("previous"), earlier)
        command = [sys.executable, "-m", "tanso.cli", "evaluate", invoked["ruleset"], "--data", invoked["data"],
                   "--out", str(again), "--out-format", invoked["out_format"], "--allow-rejects",
                   "--log", str(Path(scratch) / "log.jsonl"),
                   *(a for o in invoked["overlays"] for a in ("--overlay", o)),
                   *(a for s in invoked["set"] for a in ("--set", s)),
                   *(("--select", invoked["select"]) if invoked["select"] else ()),
                   *(("--exclude", invoked["exclude"]) if invoked.get("exclude") else ()),
                   *(("--previous", str(previous)) if previous else ())]
        # This very tanso and plugins, and only the recorded invocation: no option from a TANSO_* variable
        # or a tanso.toml (the plugin selection and Spark's memory are not options, and are kept).
        env = {k: v for k, v in os.environ.items() if not k.startswith("TANSO_") or k in _KEPT_ENV}
        env |= {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p), "TANSO_CONFIG": "none"}
        done = subprocess.run(command, cwd=work, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
        if done.returncode != 0:
            why = (done.stderr.strip().splitlines() or ["no message"])[-1]
            report.add("cannot verify", "re-performance", f"the re-run failed (exit {done.returncode}): {why}")
            return report
        _compare(out, again, report)
    if not report.problems:
        report.facts.append(f"re-performed: {len(ruleset_files)} ruleset and {len(data_files)} input and factor files "
                            f"as recorded; every output byte-identical")
    return report


def find_earlier_run(out: Path, recorded: str | None, manifest: dict[str, Any], report: Report,
                 moved_to: Path | None = None) -> Path | None:
    """The earlier run folder the run compared with (`--previous`), where the run recorded it from its own folder
    (or `moved_to`), if it is that run (its digest): the restatements come from its ledger."""
    if recorded is None:
        return None
    parts = PurePosixPath(recorded).parts
    climbs = len(parts) - len(tuple(itertools.dropwhile(lambda part: part == "..", parts)))
    if os.path.isabs(recorded) or ".." in parts[climbs:]:
        report.add("cannot verify", recorded, "the earlier run (--previous) is not recorded as a path from the run "
                                              "folder (`../acme-2024`), as tanso records it")
        return None
    # as it was recorded: from the run folder's path as typed
    folder = moved_to if moved_to is not None else Path(os.path.normpath(out / recorded))
    expected = (manifest.get("previous") or {}).get("digest")
    try:
        found = json.loads((folder / MANIFEST).read_text(encoding="utf-8")).get("digest")
    except (OSError, ValueError, AttributeError):
        report.add("cannot verify", str(folder), "the earlier run the run compared with (--previous) is missing")
        return None
    if found != expected:
        report.add("cannot verify", str(folder), "not the earlier run the run compared with (--previous): its digest "
                                                 "differs", expected, found)
        return None
    return folder


def _beside_the_earlier_run(runs: Path, recorded: str | None, earlier: Path | None) -> tuple[Path, Path | None]:
    """The re-run's folder, and the earlier run linked where the re-run's folder finds it as the run recorded it
    (`../acme-2024`): as deep under `runs` as that path climbs, so that it stays inside."""
    climbs = 0 if recorded is None else PurePosixPath(recorded).parts.count("..")   # leading only: find_earlier_run
    again = runs.joinpath(*["up"] * max(climbs - 1, 0), "out")
    if earlier is None:
        return again, None
    previous = Path(os.path.normpath(again / recorded))
    previous.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(earlier.resolve(), previous)
    return again, previous


def _lay_out(tree: Path, invoked: dict[str, Any], sources: dict[str, Path], ruleset_files: set[str],
             cited: dict[str, str]) -> Path:
    """Rebuild the recorded relative paths under `tree`; return the folder to run in (`_working_folder`)."""
    relative = [p for p in [*sources, invoked["ruleset"], invoked["data"]] if not os.path.isabs(p)]
    work = tree.joinpath(*_working_folder(relative, cited))
    work.mkdir(parents=True)
    if not os.path.isabs(invoked["data"]):
        Path(os.path.normpath(work / invoked["data"])).mkdir(parents=True, exist_ok=True)   # even with no input in it
    for recorded, source in sources.items():
        if os.path.isabs(recorded):
            continue
        target = Path(os.path.normpath(work / recorded))
        target.parent.mkdir(parents=True, exist_ok=True)
        if recorded in ruleset_files:
            shutil.copyfile(source, target)   # a copy: the run records a .tanso file by its resolved path
        else:
            os.symlink(source.resolve(), target)
    return work


def _working_folder(relative: list[str], cited: dict[str, str]) -> list[str]:
    """The folders from `tree` down to the one to run in: as many as the recorded paths climb ('../data'), so
    that every path stays inside `tree`, and named as the run's own where the outputs tell them. The outputs
    cite a ruleset file from the folder holding them all: a run in `ghgp-draft-2026` that recorded
    `ruleset.tanso` cited `ghgp-draft-2026/ruleset.tanso`, so it is re-run in a folder of that name (`cited`:
    recorded path → cited name). A folder no name is known for is `up`."""
    named: list[str] = []
    fewest = None   # the known names from the file that climbs least: the most of them
    for recorded, name in cited.items():
        if os.path.isabs(recorded):
            continue
        climbs = _climbs(recorded)
        tail, parts = Path(os.path.normpath(recorded)).parts[climbs:], PurePosixPath(name).parts
        if len(tail) < len(parts) and parts[len(parts) - len(tail):] == tail and (fewest is None or climbs < fewest):
            named, fewest = [*parts[:len(parts) - len(tail)], *["up"] * climbs], climbs
    depth = max((_climbs(p) for p in relative), default=0)
    return ["up"] * max(0, depth - len(named)) + named


def _climbs(path: str) -> int:
    parts = Path(os.path.normpath(path)).parts
    return next((i for i, part in enumerate(parts) if part != ".."), len(parts))


def _compare(out: Path, again: Path, report: Report) -> None:
    """Every file of OUT against the re-performed run; the first difference in each that differs."""
    mine, theirs = file_outputs(out), file_outputs(again)
    mine[MANIFEST] = {"sha256": sha256_file(out / MANIFEST)}
    theirs[MANIFEST] = {"sha256": sha256_file(again / MANIFEST)}
    for name in sorted(set(mine) | set(theirs)):
        if name not in mine:
            report.add("altered", name, "the re-performed run writes this file; the run folder lacks it")
        elif name not in theirs:
            report.add("altered", name, "not written by the re-performed run")
        elif mine[name]["sha256"] != theirs[name]["sha256"]:
            where, expected, found = first_difference(again / name, out / name)
            report.add("altered", name, f"differs from the re-performed run at {where}", expected, found)


def first_difference(expected: Path, found: Path) -> tuple[str, str, str]:
    """Where two files first differ: a line of a text file (shown), a byte offset of any other."""
    if expected.suffix in (".csv", ".json"):
        for number, (a, b) in enumerate(_zip_longest_lines(expected, found), 1):
            if a != b:
                return f"line {number}", repr(a), repr(b)
    offset = 0
    with expected.open("rb") as left, found.open("rb") as right:
        while True:
            a, b = left.read(_CHUNK), right.read(_CHUNK)
            if a != b:
                index = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
                return f"byte {offset + index}", _byte(a, index), _byte(b, index)
            if not a:
                return "the end", "", ""
            offset += len(a)


def _zip_longest_lines(a: Path, b: Path) -> Iterator[tuple[str | None, str | None]]:
    with a.open("rb") as left, b.open("rb") as right:
        while True:
            x, y = left.readline(), right.readline()
            if not x and not y:
                return
            yield (x.decode("utf-8", "replace").rstrip("\n") if x else None,
                   y.decode("utf-8", "replace").rstrip("\n") if y else None)


def _byte(data: bytes, index: int) -> str:
    return f"0x{data[index]:02x}" if index < len(data) else "end of file"
