"""What `tanso verify` and `tanso log` report: a run folder with its log entry and approvals, a log alone."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tanso.audit import CannotVerify
from tanso.audit.approvals import ApprovalStatus, approvals_of, required_approvals, roles, signature_problems
from tanso.audit.log import Line, chain_problems, entries, head, log_path, manifest_shas, read_log
from tanso.audit.report import Report, Said, counted, sha256_bytes
from tanso.audit.verify import read_manifest, verify_run
from tanso.i18n import t
from tanso.run.outputs import MANIFEST


def verify_log(path: Path, trusted: dict[str, bytes] | None = None, pinned_head: str | None = None) -> Report:
    """The chain, every approval's signature (and signer, with a trust list), and the pinned head."""
    return checked_log(path, trusted, pinned_head)[0]


def checked_log(path: Path, trusted: dict[str, bytes] | None, pinned_head: str | None) -> tuple[Report, list[Line]]:
    """The verdict on a log and its lines (none when it cannot be read)."""
    report = Report(str(path))
    try:
        lines = read_log(path)
    except CannotVerify as error:
        report.add("cannot verify", str(path), error.said)
        return report, []
    report.problems += chain_problems(lines) + signature_problems(lines, trusted)
    last = head(lines)
    if pinned_head is not None and not any(e.get("hash") == pinned_head for e in entries(lines)):
        report.add("altered", Said("verify.log_head"), Said("verify.pinned"), pinned_head,
                   f"#{last['seq']} {last['hash']}" if last else Said("verify.none"))
    signed = sum(1 for e in entries(lines) if e.get("type") == "approval")
    count = counted(len(lines), "entry")
    report.facts.append(Said("verify.log", entries=count, seq=last["seq"], hash=last["hash"]) if last
                        else Said("verify.log_count", entries=count))
    if signed:
        report.facts.append(Said("verify.signed", approvals=counted(signed, "signed approval"),
                                 how=Said("verify.trusted" if trusted is not None else "verify.not_trusted")))
    report.details["log"] = {"file": str(path), "entries": len(lines), "head": last}
    return report, lines


def verify_folder(out: Path, log: Path | None = None, trusted: dict[str, bytes] | None = None,
                  pinned_head: str | None = None) -> Report:
    """The run folder, then — where there is a log — the log, the entry that recorded this manifest and
    the approvals; the approval status goes first. A manifest that cannot be read is `cannot verify`,
    unless the log recorded another one for this folder: then it is altered."""
    report = verify_run(out)
    try:
        manifest_sha = sha256_bytes((out / MANIFEST).read_bytes())
    except OSError:
        manifest_sha = "no file"
    path = log_path(out, log)
    logged: list[dict[str, Any]] = []
    if log is None and not path.exists():
        report.facts.append(Said("verify.no_log", path=path))
    else:
        log_report, lines = checked_log(path, trusted, pinned_head)
        report.merge(log_report)
        logged = entries(lines)
        _check_logged(out, manifest_sha, path, logged, report)
    try:
        manifest, _ = read_manifest(out)
    except CannotVerify:
        return report
    ApprovalStatus(required_approvals(manifest), approvals_of(logged, manifest_sha, trusted)).lead(report)
    return report


def _check_logged(out: Path, manifest_sha: str, path: Path, logged: list[dict[str, Any]], report: Report) -> None:
    runs = [e for e in logged if e.get("type") == "run" and manifest_sha in manifest_shas(e)]
    if runs:
        run = runs[-1]
        report.facts.append(Said("verify.logged", manifest=MANIFEST, seq=run.get("seq"), command=run.get("command"),
                                 user=run.get("user"), time=run.get("time")))
        return
    here = os.path.abspath(out)
    same_folder = [e for e in logged if e.get("type") == "run" and os.path.abspath(path.parent / str(e.get("out"))) == here]
    if same_folder:
        report.add("altered", MANIFEST, Said("verify.not_logged_here", seq=same_folder[-1].get("seq")),
                   str(same_folder[-1].get("manifest_sha256")), manifest_sha)
    else:
        report.facts.append(Said("verify.not_in_log", manifest=MANIFEST, path=path))


def history(path: Path, trusted: dict[str, bytes] | None = None) -> tuple[Report, list[str], list[dict[str, Any]]]:
    """`tanso log`: the verdict on the log, a line per entry (drafts first), and the entries."""
    report, lines = checked_log(path, trusted, None)
    logged = entries(lines)
    latest: dict[str, dict[str, Any]] = {}   # each folder's last run
    for entry in logged:
        if entry.get("type") == "run":
            latest[str(entry.get("out"))] = entry
    for out, run in latest.items():
        status = ApprovalStatus(roles(run.get("approvals_required")),
                                approvals_of(logged, run.get("manifest_sha256"), trusted))
        if not status.final:
            report.status_lines.append(Said("log.draft", status=status.line(), out=out, seq=run.get("seq")))
    return report, [_describe(e) for e in logged], logged


def _describe(entry: dict[str, Any]) -> str:
    """An entry's line in the run's language (`tanso log`; its JSON keeps the entries as logged)."""
    kind = entry.get("type", "?")
    start = t("log.start", seq=entry.get("seq"), time=entry.get("time"),
              type=t(f"log.type.{kind}") if kind in ("run", "approval") else kind)
    manifest = str(entry.get("manifest_sha256", ""))[:12]
    if kind == "run":
        rulesets = entry.get("rulesets") if isinstance(entry.get("rulesets"), dict) else {}
        versions = ", ".join(f"{r.get('name')}@{str(r.get('version'))[:12]}" + ("" if folder == "." else f" ({folder})")
                             for folder, r in rulesets.items() if isinstance(r, dict))
        return t("log.run", start=start, user=entry.get("user"), command=entry.get("command"), out=entry.get("out"),
                 versions=versions, manifest=manifest)
    if kind == "approval":
        return t("log.approval", start=start, by=entry.get("by"), role=entry.get("role"), out=entry.get("out"),
                 manifest=manifest, key_id=entry.get("key_id"), note=entry.get("note"))
    return f"{start}  {entry}"
