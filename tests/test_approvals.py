"""Signed approvals (issue #11, item 4): Ed25519 key pairs, approvals of a run's manifest in the log,
separation of duties, forgeries detected by `tanso verify --log`, and a ruleset that requires
approvals makes a run a draft until it has them."""

from __future__ import annotations

import base64
import json
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit_helpers import Workspace, cli, log_lines, workspace
from tanso.audit.approvals import approval_status, load_private_key, sign
from tanso.audit.log import entry_hash
from tanso.run.outputs import canonical_json

REQUIRE = "require approvals preparer, reviewer\n"


# One worker runs the whole module under pytest -n 2 (--dist loadgroup), so its module fixtures are
# computed once, not once on each worker (conftest.py hands the groups out first).
pytestmark = pytest.mark.xdist_group("approvals")


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    """A ruleset that requires a preparer's and a reviewer's approval; keys of alice, bob and mallory;
    runs/out run by carol, approved by alice (preparer) and bob (reviewer); runs/draft (AR6) run by carol."""
    ws = workspace(tmp_path_factory.mktemp("approvals") / "ws", REQUIRE)
    out = ws.evaluate("runs/out", "--by", "carol")
    for name in ("alice", "bob", "mallory"):
        ws.keys(name)
    assert ws.approve(out, "preparer", "alice", key(ws, "alice"), "prepared from the ERP extract").exit_code == 0
    assert ws.approve(out, "reviewer", "bob", key(ws, "bob"), "tied out to invoices").exit_code == 0
    ws.evaluate("runs/draft", "--by", "carol", "--set", "gwp.set=AR6")
    return ws


def key(ws: Workspace, name: str, public: bool = False) -> Path:
    return ws.root / "keys" / (f"{name}.pub.pem" if public else f"{name}.pem")


def rewrite(log: Path, edit, at: int) -> None:
    """Edit entry `at` (0-based) and re-hash the chain from there, as a forger who knows the format would."""
    entries = log_lines(log)
    edit(entries[at])
    for index in range(at, len(entries)):
        if index:
            entries[index]["prev"] = entries[index - 1]["hash"]
        entries[index]["hash"] = entry_hash(entries[index])
    log.write_bytes(b"".join(canonical_json(e) + b"\n" for e in entries))


def test_keygen_writes_a_private_key_only_its_owner_reads_and_never_overwrites(ws):
    assert stat.S_IMODE(key(ws, "alice").stat().st_mode) == 0o600
    assert b"PUBLIC KEY" in key(ws, "alice", public=True).read_bytes()
    result = cli("keygen", "--out", ws.root / "keys" / "alice")
    assert result.exit_code == 73 and "never overwritten" in result.output


def test_a_run_is_a_draft_until_its_required_approvals_are_signed(ws):
    draft = ws.root / "runs" / "draft"
    assert cli("verify", draft).stdout.splitlines()[0] == "draft — not approved (missing: preparer, reviewer)"
    approved = ws.approve(draft, "preparer", "alice", key(ws, "alice"))
    assert approved.exit_code == 0, approved.output
    assert approved.stdout.splitlines()[1] == "draft — not approved (missing: reviewer)"
    assert cli("log", "--log", ws.log).stdout.splitlines()[0] == "draft — not approved (missing: reviewer): draft (entry #4)"
    assert approval_status(draft).missing == {"reviewer": 1}

    assert ws.approve(draft, "reviewer", "bob", key(ws, "bob")).exit_code == 0
    result = cli("verify", draft, "--trust", ws.root / "keys")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "approved: preparer alice, reviewer bob"
    assert approval_status(draft).final
    assert not cli("log", "--log", ws.log).stdout.startswith("draft")


@pytest.mark.parametrize("role, by, signer, why", [
    ("reviewer", "alice", "mallory", "separation of duties: alice already signed this run as preparer"),
    ("reviewer", "dave", "alice", "separation of duties: this key already signed this run as preparer"),
    ("reviewer", "bob", "mallory", "bob (key"),                     # bob has approved as reviewer already
])
def test_one_person_and_one_key_sign_one_role(ws, role, by, signer, why):
    result = ws.approve(ws.root / "runs" / "out", role, by, key(ws, signer))
    assert result.exit_code == 77, result.output
    assert why in result.output


def test_whoever_ran_the_run_cannot_review_it_and_roles_are_the_rulesets(ws):
    result = ws.approve(ws.root / "runs" / "draft", "reviewer", "Carol", key(ws, "mallory"))
    assert result.exit_code == 77
    assert "Carol ran this run (log entry #4) and so prepared it" in result.output
    misspelt = ws.approve(ws.root / "runs" / "draft", "reviwer", "bob", key(ws, "bob"))
    assert misspelt.exit_code == 64 and "did you mean 'reviewer'?" in misspelt.output


def test_an_altered_run_or_one_not_in_the_log_is_not_approved(ws, tmp_path):
    import shutil
    out = Path(shutil.copytree(ws.root / "runs" / "out", tmp_path / "runs" / "out"))
    unlogged = ws.approve(out, "preparer", "alice", key(ws, "alice"))
    assert unlogged.exit_code == 9 and "is not in the log" in unlogged.output
    (out / "summary.csv").write_text("edited\n")
    altered = ws.approve(out, "preparer", "alice", key(ws, "alice"))
    assert altered.exit_code == 8 and "summary.csv" in altered.output


@pytest.mark.parametrize("mistake", ["missing", "public key", "encrypted", "rsa", "garbage"])
def test_a_key_that_cannot_sign_is_a_usage_mistake(ws, tmp_path, mistake):
    path = tmp_path / "key.pem"
    if mistake == "public key":
        path.write_bytes(key(ws, "alice", public=True).read_bytes())
    elif mistake == "encrypted":
        path.write_bytes(Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.BestAvailableEncryption(b"pw")))
    elif mistake == "rsa":
        path.write_bytes(rsa.generate_private_key(public_exponent=65537, key_size=1024).private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    elif mistake == "garbage":
        path.write_text("not a key")
    result = ws.approve(ws.root / "runs" / "out", "preparer", "zed", path)
    assert result.exit_code == 64, result.output
    assert f"--key {path}" in result.output


@pytest.mark.parametrize("trusted", ["alice.pem", "garbage"])
def test_a_trust_file_that_is_not_a_public_key_is_a_usage_mistake(ws, tmp_path, trusted):
    path = key(ws, "alice") if trusted == "alice.pem" else tmp_path / "garbage.pem"
    tmp_path.joinpath("garbage.pem").write_text("not a key")
    result = cli("verify", "--log", ws.log, "--trust", path)
    assert result.exit_code == 64 and "is not a public key in PEM" in result.output


# ----------------------------------------------------------------------------- forgeries

def forged_log(ws: Workspace, tmp_path: Path) -> tuple[Path, int]:
    """A copy of the log up to bob's approval of runs/out, and its index (the last)."""
    index = next(i for i, e in enumerate(log_lines(ws.log)) if e.get("by") == "bob")
    log = tmp_path / "tanso-log.jsonl"
    log.write_bytes(b"".join(ws.log.read_bytes().splitlines(keepends=True)[:index + 1]))
    return log, index


def test_a_changed_note_role_or_manifest_breaks_the_signature(ws, tmp_path):
    for field, value in (("note", "looked at nothing"), ("role", "approver"), ("manifest_sha256", "0" * 64)):
        log, index = forged_log(ws, tmp_path)
        rewrite(log, lambda entry: entry.update({field: value}), index)
        result = cli("verify", "--log", log)
        assert result.exit_code == 8, field
        assert "the signature does not verify" in result.stdout


def test_a_signature_by_another_key_is_detected_and_a_substituted_key_is_untrusted(ws, tmp_path):
    mallory = load_private_key(key(ws, "mallory"))
    log, index = forged_log(ws, tmp_path)

    def sign_with_mallory_keeping_bobs_key(entry):
        entry["note"] = "approved by mallory"
        entry["signature"] = base64.b64encode(mallory.sign(canonical_json(
            {k: v for k, v in entry.items() if k not in ("signature", "hash")}))).decode()
    rewrite(log, sign_with_mallory_keeping_bobs_key, index)
    assert "the signature does not verify" in cli("verify", "--log", log).stdout

    log, index = forged_log(ws, tmp_path)
    rewrite(log, lambda entry: entry.update(sign({k: v for k, v in entry.items()
                                                  if k not in ("signature", "public_key", "key_id", "hash")}, mallory)),
            index)
    assert cli("verify", "--log", log).exit_code == 0   # an embedded key proves only that the entry is unchanged
    result = cli("verify", "--log", log, "--trust", key(ws, "alice", public=True), "--trust", key(ws, "bob", public=True))
    assert result.exit_code == 8
    assert "UNTRUSTED" in result.stdout and "not among the trusted keys" in result.stdout
    assert json.loads(cli("verify", "--log", log, "--trust", key(ws, "bob", public=True),
                          "--format", "json").stdout)["status"] == "untrusted"


def test_rewriting_history_before_an_approval_breaks_its_signature(ws, tmp_path):
    log, _ = forged_log(ws, tmp_path)
    rewrite(log, lambda entry: entry.update({"user": "someone else"}), 0)   # the run, with the chain re-hashed
    result = cli("verify", "--log", log)
    assert result.exit_code == 8
    assert result.stdout.count("the signature does not verify") >= 2   # each approval signed the old history
