"""Evidence packs (issue #11, item 6): `tanso export OUT --evidence PACK.zip` bundles a verified run
as evaluated — outputs, manifest, ruleset and factor files, input hashes (inputs too with
--with-inputs), the log excerpt with its approvals and the log head, a verification report — into a
deterministic zip that `tanso verify PACK.zip` checks offline; anything changed inside is detected."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from audit_helpers import Workspace, cli, workspace
from tanso.audit.report import sha256_bytes


# One worker runs the whole module under pytest -n 2 (--dist loadgroup), so its module fixtures are
# computed once, not once on each worker (conftest.py hands the groups out first).
pytestmark = pytest.mark.xdist_group("evidence")


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    """A run that requires a reviewer, approved by bob."""
    ws = workspace(tmp_path_factory.mktemp("evidence") / "ws", "require approval reviewer\n")
    out = ws.evaluate("runs/out", "--by", "carol")
    private, _ = ws.keys("bob")
    assert ws.approve(out, "reviewer", "bob", private, "tied out").exit_code == 0
    return ws


@pytest.fixture(scope="module")
def pack(ws, tmp_path_factory) -> Path:
    pack = tmp_path_factory.mktemp("packs") / "evidence.zip"
    result = cli("export", "runs/out", "--evidence", pack, "--with-inputs", cwd=ws.root)
    assert result.exit_code == 0, result.output
    return pack


def rewritten(pack: Path, into: Path, edit_member: str, edit, update_index: bool = False) -> Path:
    """A copy of the pack with one member edited (and, as a careful forger would, the index updated)."""
    with zipfile.ZipFile(pack) as source:
        members = {name: source.read(name) for name in source.namelist()}
    members[edit_member] = edit(members[edit_member])
    if update_index:
        index = json.loads(members["evidence.json"])
        index["members"][edit_member] = sha256_bytes(members[edit_member])
        members["evidence.json"] = json.dumps(index).encode()
    target = into / "forged.zip"
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def test_a_pack_holds_the_run_as_evaluated(pack):
    names = zipfile.ZipFile(pack).namelist()
    assert names == sorted(names)
    assert {"evidence.json", "verification.txt", "log/excerpt.jsonl", "run/manifest.json", "run/ledger.parquet",
            "run/summary.csv", "run/rejects.csv", "run/ruleset/case.tanso", "factors/factors/fuels.csv",
            "inputs/fuel_use.csv"} <= set(names)   # named under the data folder, as the manifest names them
    assert not any(name.startswith("ruleset/") for name in names)   # the run folder's own copy is the one packed
    assert any(name.startswith("keys/") and name.endswith(".pub.pem") for name in names)
    excerpt = [json.loads(line) for line in zipfile.ZipFile(pack).read("log/excerpt.jsonl").splitlines()]
    assert [e["type"] for e in excerpt] == ["run", "approval"]
    index = json.loads(zipfile.ZipFile(pack).read("evidence.json"))
    assert index["log"]["head"]["hash"] == excerpt[-1]["hash"]
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in zipfile.ZipFile(pack).infolist())


def test_a_pack_is_verified_offline_with_its_approval_status(ws, pack, tmp_path):
    moved = Path(shutil.copy(pack, tmp_path / "moved.zip"))
    result = cli("verify", moved, cwd=tmp_path)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == ["approved: reviewer bob", f"verified: {moved}"]
    assert "signers trusted from the pack's own keys/" in result.stdout
    assert cli("verify", moved, "--trust", ws.root / "keys").exit_code == 0


def test_the_same_run_packs_to_the_same_bytes(ws, pack, tmp_path):
    again = tmp_path / "again.zip"
    assert cli("export", "runs/out", "--evidence", again, "--with-inputs", cwd=ws.root).exit_code == 0
    assert again.read_bytes() == pack.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.zip"]   # written atomically: no temporary left


def test_a_pack_does_not_depend_on_how_its_paths_are_typed(ws, pack, tmp_path):
    """Members are named as the manifest names the files, not by a path as typed: the same run packed from
    another working folder, with OUT, --data and --log spelt otherwise, is the same bytes; a run given its
    data folder by its absolute path packs its files under the same names."""
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    again = tmp_path / "again.zip"
    result = cli("export", f"{ws.root / 'runs' / 'out'}/", "--evidence", again, "--with-inputs",
                 "--data", os.path.relpath(ws.root / "data", elsewhere), "--log", os.path.relpath(ws.log, elsewhere),
                 cwd=elsewhere)
    assert result.exit_code == 0, result.output
    assert again.read_bytes() == pack.read_bytes()
    workspace_copy = Path(shutil.copytree(ws.root, tmp_path / "ws"))   # another run: not in the module's log
    assert cli("evaluate", "ruleset", "--data", workspace_copy / "data", "--out", "runs/absolute",
               cwd=workspace_copy).exit_code == 0
    absolute = tmp_path / "absolute.zip"
    assert cli("export", "./runs/absolute", "--evidence", absolute, "--with-inputs", cwd=workspace_copy).exit_code == 0
    unsigned = [name for name in zipfile.ZipFile(pack).namelist() if not name.startswith("keys/")]
    assert zipfile.ZipFile(absolute).namelist() == unsigned
    assert cli("verify", absolute).exit_code == 0


def test_a_pack_names_the_log_from_the_run_folder_so_a_copy_elsewhere_packs_the_same_bytes(ws, pack, tmp_path):
    assert json.loads(zipfile.ZipFile(pack).read("evidence.json"))["log"]["file"] == "../tanso-log.jsonl"
    copy = Path(shutil.copytree(ws.root, tmp_path / "auditor" / "ws"))
    again = tmp_path / "again.zip"
    assert cli("export", "runs/out", "--evidence", again, "--with-inputs", cwd=copy).exit_code == 0
    assert again.read_bytes() == pack.read_bytes()


def test_a_pack_by_an_earlier_tanso_still_verifies(pack, tmp_path):
    """Format v1 named each source by its path as the run was given it (`data/fuel_use.csv`, `--data data`)."""
    def as_v1(index: bytes) -> bytes:
        index = json.loads(index)
        prefix = {"ruleset": "ruleset/", "factors": "data/", "inputs": "data/"}
        index["sources"] = {member: {"kind": s["kind"], "recorded": prefix[s["kind"]] + s["name"], "sha256": s["sha256"]}
                            for member, s in index["sources"].items()}
        return json.dumps({**index, "format": "tanso-evidence.v1"}).encode()
    earlier = rewritten(pack, tmp_path, "evidence.json", as_v1)
    result = cli("verify", earlier)
    assert result.exit_code == 0, result.output
    (tmp_path / "renamed").mkdir()
    renamed = rewritten(earlier, tmp_path / "renamed", "evidence.json", lambda index: index.replace(b'"data/', b'"elsewhere/'))
    assert "a factors file of the run is missing from the pack" in cli("verify", renamed).stdout


@pytest.mark.parametrize("member, update_index, why", [
    ("run/ledger.csv", False, "run/ledger.csv: sha256 differs from the pack's index"),
    ("run/ledger.csv", True, "run/ledger.csv: sha256 differs from the manifest"),
    ("run/ruleset/case.tanso", True, "not the file the run read"),
    ("inputs/fuel_use.csv", True, "not the file the run read"),
    ("log/excerpt.jsonl", True, "the signature does not verify"),
])
def test_anything_changed_inside_the_pack_is_detected(pack, tmp_path, member, update_index, why):
    def edit(data: bytes) -> bytes:
        return data.replace(b"tied out", b"looked at", 1) if member.startswith("log/") else data + b"# edited\n"
    forged = rewritten(pack, tmp_path, member, edit, update_index)
    result = cli("verify", forged)
    assert result.exit_code == 8, result.output
    assert why in result.stdout


def test_a_pack_signed_by_keys_you_do_not_trust_is_untrusted(ws, pack, tmp_path):
    _, mallory = ws.keys("mallory")
    result = cli("verify", pack, "--trust", mallory)
    assert result.exit_code == 8
    assert "not among the trusted keys" in result.stdout
    assert result.stdout.startswith("draft — not approved (missing: reviewer)")   # the untrusted approval does not count


def test_what_is_not_an_evidence_pack_cannot_be_verified(tmp_path):
    (tmp_path / "notes.zip").write_text("not a zip")
    with zipfile.ZipFile(tmp_path / "other.zip", "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert cli("verify", tmp_path / "notes.zip").exit_code == 9
    result = cli("verify", tmp_path / "other.zip")
    assert result.exit_code == 9 and "not a tanso evidence pack" in result.stdout


def test_an_altered_run_or_changed_factor_file_is_not_packed(ws, tmp_path):
    workspace_copy = Path(shutil.copytree(ws.root, tmp_path / "ws"))
    (workspace_copy / "data" / "factors" / "fuels.csv").write_text("changed\n")
    result = cli("export", "runs/out", "--evidence", tmp_path / "p.zip", cwd=workspace_copy)
    assert result.exit_code == 9
    assert "data/factors/fuels.csv: factor file is not the one the run read" in result.output
    (workspace_copy / "runs" / "out" / "summary.csv").write_text("edited\n")
    result = cli("export", "runs/out", "--evidence", tmp_path / "p.zip", cwd=workspace_copy)
    assert result.exit_code == 8 and "summary.csv" in result.output
    assert not (tmp_path / "p.zip").exists()


def test_a_run_that_compared_with_an_earlier_run_is_packed_with_it_and_re_performed_from_the_pack(tmp_path):
    """The pack holds the earlier run's ledger and manifest (what --previous reads), checked against the digest
    the manifest records: the pack re-performs from any working folder, and an earlier ledger changed inside it,
    even with the index updated, is altered."""
    ws = workspace(tmp_path / "ws")
    ws.evaluate("runs/first")
    ws.evaluate("runs/second", "--previous", "runs/first")
    pack = tmp_path / "packs" / "second.zip"
    pack.parent.mkdir()
    assert cli("export", "runs/second", "--evidence", pack, "--with-inputs", cwd=ws.root).exit_code == 0
    assert {"previous/ledger.parquet", "previous/manifest.json"} <= set(zipfile.ZipFile(pack).namelist())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = cli("verify", pack, "--reperform", cwd=elsewhere)
    assert result.exit_code == 0, result.output
    assert "every output byte-identical" in result.stdout
    for update_index in (False, True):
        forged = rewritten(pack, elsewhere, "previous/ledger.parquet", lambda data: data[:-9] + b"X" + data[-8:],
                           update_index)
        result = cli("verify", forged, "--reperform", cwd=elsewhere)
        assert result.exit_code == 8, result.output
        assert "previous/ledger.parquet" in result.stdout


def test_a_pack_without_its_inputs_cannot_be_re_performed(pack, tmp_path):
    """A pack exported without --with-inputs verifies, but says what re-performing it needs."""
    without = tmp_path / "without-inputs.zip"
    with zipfile.ZipFile(pack) as source:
        members = {name: source.read(name) for name in source.namelist() if not name.startswith("inputs/")}
    index = json.loads(members["evidence.json"])
    index["members"] = {n: s for n, s in index["members"].items() if not n.startswith("inputs/")}
    index["sources"] = {n: s for n, s in index["sources"].items() if not n.startswith("inputs/")}
    members["evidence.json"] = json.dumps(index).encode()
    with zipfile.ZipFile(without, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    assert cli("verify", without).exit_code == 0
    result = cli("verify", without, "--reperform")
    assert result.exit_code == 9, result.output
    assert "--with-inputs" in result.stdout
