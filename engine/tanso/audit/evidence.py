"""Evidence packs: a verified run, as evaluated, in one zip that `tanso verify PACK.zip` checks offline.

    evidence.json        the index: format, the manifest's sha256, every member's sha256, the name the
                         manifest gives each ruleset, factor and input file, the log's head when packed
    run/…                every output file and manifest.json (with the run's copy of its ruleset,
                         run/ruleset/…, where the run wrote one)
    ruleset/…, factors/… the ruleset files (where the run folder has no copy) and factor files the run
                         read, refused if their sha256 no longer matches the manifest; inputs/… too
                         with --with-inputs (the manifest holds their hashes either way). Each is named
                         as the manifest names it — a ruleset file by its cited name, an input or
                         factor file by its name under the data folder — never by a path as typed
    previous/…           with a run that compared with an earlier one (`--previous`), that run's ledger.parquet and
                         manifest.json, which re-performance reads (checked against the manifest's digest of it)
    verification.txt     `tanso verify OUT` when packed, of the run folder as `run/`
    log/excerpt.jsonl    the log entries of this manifest (its run, its approvals) and the log's head (the index
                         names the log from the run folder, `../tanso-log.jsonl`, as it names the files)
    keys/ID.pub.pem      the public keys that signed those approvals

The zip is deterministic (sorted members, fixed timestamps and permissions; the same bytes whatever the
working folder and however OUT, --data, --ruleset and --log are spelt) and written atomically
(a temporary file beside it, then renamed). Verification covers every member's bytes; the zip's own
metadata (timestamps, attributes) is not evidence and is not checked.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import os
import secrets
import zipfile
import zlib
from pathlib import Path, PurePosixPath
from typing import Any

from tanso.audit import Altered, CannotVerify, UsageMistake
from tanso.audit.approvals import (ApprovalStatus, approvals_of, public_key, public_pem, required_approvals,
                                   signature_problem)
from tanso.audit.checks import verify_folder
from tanso.audit.log import entries, line_problems, log_path, manifest_shas, parse, read_log
from tanso.audit.report import Report, sha256_bytes
from tanso.audit.reperform import find_earlier_run, find_sources, named_files, recorded_files, reperform, snapshot
from tanso.audit.verify import COMPARISON_FORMAT, read_manifest, verify_run
from tanso.i18n import t
from tanso.run.ledger import LEDGER_FILE
from tanso.run.manifest import from_run_folder
from tanso.run.outputs import MANIFEST, OutputError
from tanso.scratch import owned_folder

INDEX = "evidence.json"
PACK_FORMAT = "tanso-evidence.v2"
_NAMED_BY_PATH = "tanso-evidence.v1"   # an earlier pack: sources by the paths the run was given (`recorded`)
EXCERPT = "log/excerpt.jsonl"
PREVIOUS = "previous"
_PREVIOUS_FILES = (LEDGER_FILE, MANIFEST)   # what `evaluate --previous` reads of the earlier run
REPORT = "verification.txt"
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_CHUNK = 1 << 20


def write_pack(out: Path, pack: Path, *, with_inputs: bool = False, data_dir: Path | None = None,
               ruleset: Path | None = None, log: Path | None = None) -> int:
    """Write the evidence pack of the verified run OUT; return how many files it holds."""
    log = Path(os.path.abspath(log)) if log is not None else None   # the log's place, however it was typed
    checked = verify_folder(out, log)
    if checked.problems:
        error = Altered if checked.status in ("altered", "untrusted") else CannotVerify
        raise error(f"{out} is not packed: {checked.status}\n" + "\n".join(p.text() for p in checked.problems))
    manifest, data = read_manifest(out)
    if manifest["format"] == COMPARISON_FORMAT:
        raise CannotVerify(t("folder.comparison_not_a_run", path=out, command="export"))
    manifest_sha = sha256_bytes(data)
    (ruleset_files, inputs, factors), (ruleset_path, data_path) = named_files(manifest)
    invoked = manifest["invocation"]
    located = Report(str(out))
    # Each member and its sha256 (known: the run was just verified, the sources are checked against the manifest).
    members: dict[str, Path | bytes] = {f"run/{name}": out / name for name in manifest["outputs"]}
    digests = {f"run/{name}": listed["sha256"] for name, listed in manifest["outputs"].items()}
    members[f"run/{MANIFEST}"], digests[f"run/{MANIFEST}"] = data, manifest_sha
    sources: dict[str, dict[str, str]] = {}
    copies = snapshot(out, manifest)
    # Members are named as the manifest names the files (a ruleset file by its cited name, an input or factor
    # file by its name under the data folder), never by the paths the run or this command were given.
    for kind, what, named, to_path, recorded_root, root in (
            ("ruleset", "ruleset", ruleset_files, ruleset_path, invoked["ruleset"], ruleset),
            ("factors", "factor", factors, data_path, invoked["data"], data_dir),
            ("inputs", "input", inputs if with_inputs else {}, data_path, invoked["data"], data_dir)):
        name_of = {to_path(name): name for name in named}
        files = {to_path(name): sha for name, sha in named.items()}
        for recorded, path in find_sources(files, recorded_root, root, what, located, copies).items():
            copied = path == copies.get(recorded)   # the run folder's own copy: already under run/
            member = f"run/{path.relative_to(out).as_posix()}" if copied else _member(kind, name_of[recorded])
            members[member], digests[member] = path, files[recorded]
            sources[member] = {"kind": kind, "name": name_of[recorded], "sha256": files[recorded]}
    earlier = find_earlier_run(out, invoked.get("previous"), manifest, located)
    for name in _PREVIOUS_FILES if earlier is not None else ():
        members[f"{PREVIOUS}/{name}"] = (earlier / name).read_bytes()
    if located.problems:
        raise CannotVerify(f"{out} is not packed: the files it read are not all there as they were\n"
                           + "\n".join(p.text() for p in located.problems))
    path = log_path(out, log)
    excerpt, head = _excerpt(path, manifest_sha) if path.exists() else ([], None)
    members[EXCERPT] = b"".join(line + b"\n" for line in excerpt)
    for entry in (e for e in entries(parse(members[EXCERPT])) if e.get("type") == "approval"):
        members[f"keys/{entry['key_id']}.pub.pem"] = public_pem(base64.b64decode(entry["public_key"]))
    members[REPORT] = dataclasses.replace(checked, target="run/").text().encode("utf-8")
    digests |= {name: sha256_bytes(content) for name, content in members.items() if isinstance(content, bytes)}
    index = {"format": PACK_FORMAT, "manifest_sha256": manifest_sha, "sources": sources,
             "log": {"file": from_run_folder(path, out), "head": head} if head else None, "members": digests}
    members[INDEX] = json.dumps(index, indent=2, sort_keys=True).encode("utf-8") + b"\n"
    _write_zip(pack, members, digests)
    return len(members)


def _member(kind: str, name: str) -> str:
    """A member name for a file the manifest names: under its kind, never absolute, never climbing out."""
    parts = [("_up_" if part == ".." else part) for part in PurePosixPath(Path(name).as_posix()).parts if part != "/"]
    return "/".join([kind, *parts])


def _excerpt(path: Path, manifest_sha: str) -> tuple[list[bytes], dict[str, Any] | None]:
    """The raw lines of this manifest's entries, and the log's last entry (its head) with them; nothing
    when the log does not know the manifest (the run was logged elsewhere)."""
    lines = read_log(path)
    chosen = [line for line in lines if line.entry is not None and manifest_sha in manifest_shas(line.entry)]
    if not chosen:
        return [], None
    if lines[-1] not in chosen:
        chosen.append(lines[-1])
    last = lines[-1].entry
    return [line.raw for line in chosen], {"seq": last["seq"], "hash": last["hash"]}


def _write_zip(pack: Path, members: dict[str, Path | bytes], digests: dict[str, str]) -> None:
    """Sorted members with fixed metadata into a temporary file beside PACK, renamed into place."""
    temporary = pack.with_name(f".{pack.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        with zipfile.ZipFile(temporary, "w") as archive:
            for name in sorted(members):
                info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
                info.compress_type, info.external_attr, info.create_system = zipfile.ZIP_DEFLATED, 0o644 << 16, 3
                content = members[name]
                digest = hashlib.sha256()
                with archive.open(info, "w", force_zip64=True) as target:
                    if isinstance(content, bytes):
                        target.write(content)
                        digest.update(content)
                    else:
                        with content.open("rb") as source:
                            while chunk := source.read(_CHUNK):
                                target.write(chunk)
                                digest.update(chunk)
                if name != INDEX and digest.hexdigest() != digests[name]:
                    raise OutputError(f"{content} changed while it was being packed; nothing was written")
        with temporary.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, pack)
    except OSError as error:
        raise OutputError(f"cannot write the evidence pack {pack}: {error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)


# ----------------------------------------------------------------------------- verify

def verify_pack(pack: Path, trusted: dict[str, bytes] | None = None, again: bool = False) -> Report:
    """Offline: every member against the index, the run inside against its manifest and sums, the ruleset,
    factor and input files against the manifest, and the log excerpt's entries and signatures; with `again`,
    the run re-performed from the pack's own files when all of that holds."""
    report = Report(str(pack))
    if not zipfile.is_zipfile(pack):
        report.add("cannot verify", str(pack), "not a zip: neither a run folder nor an evidence pack")
        return report
    try:
        with zipfile.ZipFile(pack) as archive, owned_folder("evidence") as scratch:
            index = _index(archive)
            unpacked = _unpack(archive, index, Path(scratch), report)
            inner = verify_run(Path(scratch) / "run", "run/")
            report.problems += inner.problems
            report.facts += inner.facts
            if not any(p.kind == "cannot verify" for p in inner.problems):
                _check_against_manifest(unpacked, index, trusted, report)
            if again and not report.problems:
                _reperform(Path(scratch), unpacked, report)
    except CannotVerify as error:
        report.add("cannot verify", str(pack), str(error))
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError, ValueError) as error:
        report.add("altered", str(pack), f"the zip is damaged: {error}")
    return report


def _index(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        index = json.loads(archive.read(INDEX))
    except KeyError:
        raise CannotVerify(f"no {INDEX}: not a tanso evidence pack") from None
    except (ValueError, RecursionError) as error:
        raise CannotVerify(f"{INDEX} is not JSON ({error}): the pack is damaged") from None
    if not _well_formed(index):
        raise CannotVerify(f"{INDEX}: not a {PACK_FORMAT} index (or a damaged one)")
    return index


def _well_formed(index: Any) -> bool:
    if not isinstance(index, dict) or index.get("format") not in (PACK_FORMAT, _NAMED_BY_PATH):
        return False
    members, sources, log = index.get("members"), index.get("sources"), index.get("log")
    return (isinstance(members, dict) and all(isinstance(sha, str) for sha in members.values())
            and isinstance(sources, dict) and all(isinstance(source, dict) for source in sources.values())
            and (log is None or isinstance(log, dict) and isinstance(log.get("head"), dict)))


def _unpack(archive: zipfile.ZipFile, index: dict[str, Any], into: Path, report: Report) -> dict[str, tuple[Path, str]]:
    """Each member written under `into` (streamed) and checked against the index's sha256: name → (file, sha256)."""
    listed, present = index["members"], set(archive.namelist()) - {INDEX}
    unpacked = {}
    for name in sorted(set(listed) | present):
        parts = PurePosixPath(name).parts
        if name not in present:
            report.add("altered", name, "listed in the index, missing from the pack", listed[name], "no member")
            continue
        if not parts or PurePosixPath(name).is_absolute() or ".." in parts or name.endswith("/"):
            report.add("altered", name, "not a name tanso gives a member (absolute, or climbing out)")
            continue
        target, digest = into.joinpath(*parts), hashlib.sha256()
        target.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(name) as source, target.open("wb") as copy:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                copy.write(chunk)
        unpacked[name] = (target, digest.hexdigest())
        if name not in listed:
            report.add("altered", name, "in the pack, not in its index: added", "no member", digest.hexdigest())
        elif digest.hexdigest() != listed[name]:
            report.add("altered", name, "sha256 differs from the pack's index", listed[name], digest.hexdigest())
    report.facts.append(f"{INDEX}: {len(listed)} members hashed")
    return unpacked


def _check_against_manifest(unpacked: dict[str, tuple[Path, str]], index: dict[str, Any],
                            trusted: dict[str, bytes] | None, report: Report) -> None:
    manifest_path, manifest_sha = unpacked[f"run/{MANIFEST}"]
    manifest = json.loads(manifest_path.read_bytes())
    if index.get("manifest_sha256") != manifest_sha:
        report.add("altered", f"run/{MANIFEST}", "not the manifest the pack was made of", index.get("manifest_sha256"),
                   manifest_sha)
    by_path = index["format"] == _NAMED_BY_PATH
    ruleset_files, inputs, factors = recorded_files(manifest) if by_path else named_files(manifest)[0]
    expected = {"ruleset": ruleset_files, "factors": factors, "inputs": inputs}
    key = "recorded" if by_path else "name"
    packed = {(s.get("kind"), s.get(key)): member for member, s in index["sources"].items()}
    for kind, files in expected.items():
        for recorded, sha in sorted(files.items()):
            member = packed.get((kind, recorded))
            if member is None:
                if kind != "inputs":   # inputs are packed only --with-inputs
                    report.add("altered", recorded, f"a {kind} file of the run is missing from the pack")
            elif member in unpacked and unpacked[member][1] != sha:
                report.add("altered", member, "not the file the run read (sha256 differs from the manifest)", sha,
                           unpacked[member][1])
    _check_previous(unpacked, manifest, report)
    _check_excerpt(unpacked, index, manifest, manifest_sha, trusted, report)


def _check_previous(unpacked: dict[str, tuple[Path, str]], manifest: dict[str, Any], report: Report) -> None:
    """The earlier run's files, where packed, are those of the run the manifest compared with: its manifest by
    the digest the manifest records, its ledger by the sha256 that manifest lists."""
    ledger, earlier = (unpacked.get(f"{PREVIOUS}/{name}") for name in _PREVIOUS_FILES)
    if ledger is None or earlier is None:
        return
    try:
        outputs = json.loads(earlier[0].read_bytes())
        digest, ledger_sha = outputs.get("digest"), outputs["outputs"][LEDGER_FILE]["sha256"]
    except (ValueError, RecursionError, AttributeError, KeyError, TypeError):
        report.add("altered", f"{PREVIOUS}/{MANIFEST}", "not the manifest of a tanso run")
        return
    expected = (manifest.get("previous") or {}).get("digest")
    if digest != expected:
        report.add("altered", f"{PREVIOUS}/{MANIFEST}", "not the earlier run the run compared with (--previous): "
                                                       "its digest differs", expected, digest)
    if ledger[1] != ledger_sha:
        report.add("altered", f"{PREVIOUS}/{LEDGER_FILE}", "not the earlier run's ledger (sha256 differs from its "
                                                           "manifest)", ledger_sha, ledger[1])


def _reperform(scratch: Path, unpacked: dict[str, tuple[Path, str]], report: Report) -> None:
    """Re-perform the packed run from the pack's files: its inputs and factor files laid out as one data folder
    (`inputs/…` and `factors/…` are each named under it), the ruleset from the run's copy, the earlier run from
    `previous/`."""
    manifest = json.loads(unpacked[f"run/{MANIFEST}"][0].read_bytes())
    if manifest.get("inputs") and not any(member.startswith("inputs/") for member in unpacked):
        report.add("cannot verify", "inputs/", "the pack holds the inputs' hashes, not the files: export it "
                                              "--with-inputs to re-perform it")
        return
    data = scratch / "data"
    for member, (path, _) in unpacked.items():
        kind, _, name = member.partition("/")
        if kind in ("inputs", "factors"):
            target = data / name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
    earlier = scratch / PREVIOUS if f"{PREVIOUS}/{MANIFEST}" in unpacked else None
    report.merge(reperform(scratch / "run", data, None, earlier))


def _check_excerpt(unpacked: dict[str, tuple[Path, str]], index: dict[str, Any], manifest: dict[str, Any],
                   manifest_sha: str, trusted: dict[str, bytes] | None, report: Report) -> None:
    lines = parse(unpacked[EXCERPT][0].read_bytes() if EXCERPT in unpacked else b"")
    if trusted is None:
        trusted = {}
        for name in (name for name in unpacked if name.startswith("keys/")):
            try:
                trusted.update(public_key(unpacked[name][0].read_bytes(), name))
            except UsageMistake as error:
                report.add("altered", name, str(error))
        report.facts.append("signers trusted from the pack's own keys/ (pass --trust to check them against keys you hold)")
    for line in lines:
        report.problems += [dataclasses.replace(p, subject=f"{EXCERPT} {p.subject}") for p in line_problems(line)]
        if line.entry is not None and line.entry.get("type") == "approval":
            problem = signature_problem(line.entry, trusted, f"{EXCERPT} line {line.number} (approval)")
            if problem is not None:
                report.problems.append(problem)
    logged = entries(lines)
    head = (index.get("log") or {}).get("head")
    if head is not None and not any(e.get("hash") == head.get("hash") for e in logged):
        report.add("altered", EXCERPT, "the log head the index records is not in the excerpt", head.get("hash"), "none")
    if head is not None and not any(e.get("type") == "run" and manifest_sha in manifest_shas(e) for e in logged):
        report.add("altered", EXCERPT, "the excerpt holds no run entry of this manifest")
    ApprovalStatus(required_approvals(manifest), approvals_of(logged, manifest_sha, trusted)).lead(report)
    report.facts.append(f"{EXCERPT}: {len(lines)} entries" + (f"; log head when packed #{head.get('seq')} {head.get('hash')}"
                                                              if head else " (the run was not in a log)"))
