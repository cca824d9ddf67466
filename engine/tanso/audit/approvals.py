"""Signed approvals of a run, recorded in the log; separation of duties; a run's approval status.

`tanso approve OUT --role reviewer --by NAME --key KEY.pem` appends an `approval` entry signed with
Ed25519: the signature covers the whole entry but its signature and hash — the manifest's sha256, role,
by, note, time, and `prev`, the hash of the log before it (so rewriting earlier history breaks it).
The entry embeds the signer's public key, which only proves the entry was not changed since *that* key
signed it: who signed is established by `--trust` (public keys you hold), and a signer not among them
is reported as untrusted.

Separation of duties, per manifest: a person (by name) or a key signs in one role only, each approval of
a role is by a different person and key, and whoever ran the run (the log's `user`) may only sign as
`preparer`.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from tanso.audit import Altered, CannotVerify, NotPermitted, UsageMistake
from tanso.audit.log import Line, chain_problems, entries, log_path, manifest_shas, open_for_append, read_log
from tanso.audit.report import Problem, Report, Said, sha256_bytes
from tanso.audit.verify import read_manifest, verify_run
from tanso.diagnostics import did_you_mean
from tanso.run.outputs import OutputError, canonical_json

PREPARER = "preparer"
UNSIGNED = ("signature", "hash")   # what a signature does not cover


# ----------------------------------------------------------------------------- keys

def key_id(public: bytes) -> str:
    """A short name of a public key: the first 16 hex digits of the sha256 of its 32 raw bytes."""
    return sha256_bytes(public)[:16]


def raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def generate_keys(name: Path) -> tuple[Path, Path]:
    """Write NAME.pem (the private key, readable by its owner only) and NAME.pub.pem (the public key)."""
    base = name.with_suffix("") if name.suffix == ".pem" else name
    private_path, public_path = base.with_name(base.name + ".pem"), base.with_name(base.name + ".pub.pem")
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = public_pem(raw_public(key.public_key()))
    for path, data, mode in ((private_path, private, 0o600), (public_path, public, 0o644)):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, mode)
        except FileExistsError:
            raise OutputError(f"{path} exists: a key is never overwritten (choose another --out)") from None
        except OSError as error:
            raise OutputError(f"cannot write {path}: {error.strerror or error}") from None
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    return private_path, public_path


def load_private_key(path: Path) -> Ed25519PrivateKey:
    data = _read_key_file(path, "--key")
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise UsageMistake(f"--key {path} is encrypted with a password; tanso signs with an unencrypted Ed25519 "
                           f"key (make one with `tanso keygen`; protect it by its file permissions)") from None
    except (ValueError, UnsupportedAlgorithm):
        hint = " (that is a public key: sign with the private one, NAME.pem)" if b"PUBLIC KEY" in data else ""
        raise UsageMistake(f"--key {path} is not a private key in PEM{hint}; make a key pair with `tanso keygen`") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise UsageMistake(f"--key {path} is a {type(key).__name__.removeprefix('_')} key; tanso signs with Ed25519 "
                           f"keys (`tanso keygen`)")
    return key


def load_trusted_keys(paths: tuple[Path, ...]) -> dict[str, bytes]:
    """The public keys of --trust (files, or folders of *.pem files; private keys in a folder are skipped), by id."""
    trusted = {}
    for path in paths:
        files = sorted(path.glob("*.pem")) if path.is_dir() else [path]
        for file in files:
            data = _read_key_file(file, "--trust")
            if not (path.is_dir() and b"PRIVATE KEY" in data):
                trusted.update(public_key(data, f"--trust {file}"))
    return trusted


def public_key(data: bytes, source: str) -> dict[str, bytes]:
    """{key id: raw key} of an Ed25519 public key in PEM."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise UsageMistake(f"{source} is not a public key in PEM (NAME.pub.pem from `tanso keygen`)") from None
    if not isinstance(key, Ed25519PublicKey):
        raise UsageMistake(f"{source} is not an Ed25519 public key")
    return {key_id(raw_public(key)): raw_public(key)}


def public_pem(raw: bytes) -> bytes:
    return Ed25519PublicKey.from_public_bytes(raw).public_bytes(serialization.Encoding.PEM,
                                                                serialization.PublicFormat.SubjectPublicKeyInfo)


def _read_key_file(path: Path, option: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as error:
        raise UsageMistake(f"{option} {path}: {error.strerror or error}") from None


# ----------------------------------------------------------------------------- signatures

def sign(entry: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, Any]:
    public = raw_public(key.public_key())
    signed = {**entry, "key_id": key_id(public), "public_key": base64.b64encode(public).decode("ascii")}
    signed["signature"] = base64.b64encode(key.sign(_payload(signed))).decode("ascii")
    return signed


def _payload(entry: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in entry.items() if k not in UNSIGNED})


def signature_problem(entry: dict[str, Any], trusted: dict[str, bytes] | None, subject: str) -> Problem | None:
    """Why an approval entry's signature cannot be relied on, or None: it verifies against the embedded key,
    and (with a trust list) that key is trusted."""
    try:
        public = base64.b64decode(str(entry.get("public_key")), validate=True)
        signature = base64.b64decode(str(entry.get("signature")), validate=True)
        Ed25519PublicKey.from_public_bytes(public).verify(signature, _payload(entry))
    except (binascii.Error, ValueError, InvalidSignature):
        return Problem("altered", subject, "the signature does not verify: the entry was changed after it was "
                                           "signed (note, role, manifest …), or signed by another key")
    if entry.get("key_id") != key_id(public):
        return Problem("altered", subject, "key_id does not name the embedded public key", key_id(public),
                       str(entry.get("key_id")))
    if trusted is not None and key_id(public) not in trusted:
        return Problem("untrusted", subject, f"signed by {entry.get('by')!r} with key {key_id(public)}, which is "
                                             f"not among the trusted keys (--trust)")
    return None


def signature_problems(lines: list[Line], trusted: dict[str, bytes] | None) -> list[Problem]:
    found = (signature_problem(line.entry, trusted, f"log line {line.number} (approval)")
             for line in lines if line.entry is not None and line.entry.get("type") == "approval")
    return [problem for problem in found if problem is not None]


def approvals_of(logged: list[dict[str, Any]], manifest_sha: str, trusted: dict[str, bytes] | None) -> list[dict]:
    """The approvals of a manifest whose signatures verify (and, with a trust list, are trusted)."""
    return [e for e in logged if e.get("type") == "approval" and e.get("manifest_sha256") == manifest_sha
            and signature_problem(e, trusted, "") is None]


# ----------------------------------------------------------------------------- status

@dataclass(frozen=True)
class ApprovalStatus:
    required: dict[str, int]                              # role → number of approvals (`require approvals`)
    approvals: list[dict[str, Any]] = field(default_factory=list)

    @property
    def missing(self) -> dict[str, int]:
        given = {role: sum(1 for a in self.approvals if a.get("role") == role) for role in self.required}
        return {role: count - given[role] for role, count in self.required.items() if given[role] < count}

    @property
    def final(self) -> bool:
        return not self.missing

    def line(self) -> str | None:
        """The first line of a report: "draft — not approved (missing: reviewer)", the approvals, or None."""
        if self.missing:
            missing = ", ".join(role if n == 1 else f"{n} {role}" for role, n in self.missing.items())
            return Said("verify.draft", missing=missing)
        if self.approvals:
            return Said("verify.approved", approvals=", ".join(f"{a.get('role')} {a.get('by')}" for a in self.approvals))
        return None

    def lead(self, report: Report) -> None:
        """Put the status first in a verification report (a draft always; "approved" only above a sound run)."""
        if self.line() and (not self.final or not report.problems):
            report.status_lines.insert(0, self.line())
        report.details["approvals"] = self.as_json()

    def as_json(self) -> dict[str, Any]:
        return {"required": self.required, "missing": self.missing, "final": self.final,
                "approvals": [{k: a.get(k) for k in ("seq", "time", "role", "by", "note", "key_id")}
                              for a in self.approvals]}


def approval_status(out: Path, log: Path | None = None, trusted: dict[str, bytes] | None = None) -> ApprovalStatus:
    """The approvals a run folder has in its log, against those its ruleset requires. For reporters and
    `tanso explain`: a report of a run whose status is not `final` says so on its first line."""
    manifest, data = read_manifest(out)
    path = log_path(out, log)
    logged = entries(read_log(path)) if path.exists() else []
    return ApprovalStatus(required_approvals(manifest), approvals_of(logged, sha256_bytes(data), trusted))


def required_approvals(manifest: dict[str, Any]) -> dict[str, int]:
    approvals = manifest.get("approvals")
    return roles(approvals.get("required") if isinstance(approvals, dict) else None)


def roles(required: Any) -> dict[str, int]:
    """Role → count, as a manifest or a run entry records it (anything else, e.g. a hand-edited value, is no requirement)."""
    if not isinstance(required, dict):
        return {}
    return {role: count for role, count in required.items() if isinstance(count, int)}


# ----------------------------------------------------------------------------- approve

def approve(out: Path, *, role: str, by: str, key_path: Path, note: str, log: Path | None = None
            ) -> tuple[dict[str, Any], ApprovalStatus]:
    """Verify OUT, check separation of duties, and append a signed approval of its manifest to the log."""
    key = load_private_key(key_path)
    checked = verify_run(out)
    if checked.problems:
        error = Altered if checked.status == "altered" else CannotVerify
        raise error(f"{out} cannot be approved: {checked.status}\n" + "\n".join(p.text() for p in checked.problems))
    manifest, data = read_manifest(out)
    manifest_sha, required = sha256_bytes(data), required_approvals(manifest)
    if required and role not in required:
        hint = did_you_mean(role, required)
        raise UsageMistake(f"--role {role}: the ruleset requires approvals by {', '.join(required)}"
                           + (f"; {hint}" if hint else ""))
    path = log_path(out, log)
    with open_for_append(path) as book:
        broken = chain_problems(book.lines) + signature_problems(book.lines, None)
        if broken:
            raise Altered(f"the log {path} is altered; nothing is signed onto it:\n"
                          + "\n".join(p.text() for p in broken))
        logged = entries(book.lines)
        runs = [e for e in logged if e.get("type") == "run" and manifest_sha in manifest_shas(e)]
        if not runs:
            raise CannotVerify(f"{out} is not in the log {path}: approvals are of logged runs (run `tanso "
                               f"evaluate` with --out, or pass the run's --log)")
        signer = key_id(raw_public(key.public_key()))
        _check_duties(role, by, signer, runs, approvals_of(logged, manifest_sha, None))
        entry = book.append({"type": "approval", "by": by, "role": role, "note": note, "out": runs[-1].get("out"),
                             "manifest_sha256": manifest_sha},
                            sign=lambda unsigned: sign(unsigned, key))
        return entry, ApprovalStatus(required, approvals_of(entries(book.lines), manifest_sha, None))


def _check_duties(role: str, by: str, signer: str, runs: list[dict], approvals: list[dict]) -> None:
    person = by.strip().casefold()
    for approval in approvals:
        same_key, same_person = approval.get("key_id") == signer, str(approval.get("by")).strip().casefold() == person
        if not (same_key or same_person):
            continue
        who = f"{approval.get('by')} (key {approval.get('key_id')}, log entry #{approval.get('seq')})"
        if approval.get("role") == role:
            raise NotPermitted(f"{who} has already approved this run as {role}; each approval is by a different "
                               f"person with a different key")
        raise NotPermitted(f"separation of duties: {'this key' if same_key else by} already signed this run as "
                           f"{approval.get('role')} — {who}; a {role} must be another person with another key")
    for run in runs:
        if role != PREPARER and str(run.get("user")).strip().casefold() == person:
            raise NotPermitted(f"separation of duties: {by} ran this run (log entry #{run.get('seq')}) and so prepared "
                               f"it; a {role} must be another person")
