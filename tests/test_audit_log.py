"""The workspace log (issue #11, item 3): every run with --out appends an entry (who, when, which
folder, the manifest's sha256, the ruleset version); each entry carries the hash of the one before.
`tanso verify --log` detects an edited, deleted, inserted or reordered entry; removing the last entries
is caught only against a pinned head. Appends are locked: concurrent ones never interleave."""

from __future__ import annotations

import hashlib
import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_helpers import Workspace, cli, log_lines, workspace
from conftest import examples
from tanso.audit.log import GENESIS, open_for_append


# One worker runs the whole module under pytest -n 2 (--dist loadgroup), so its module fixtures are
# computed once, not once on each worker (conftest.py hands the groups out first).
pytestmark = pytest.mark.xdist_group("audit-log")


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    """Two runs and a preparer's approval in the log."""
    ws = workspace(tmp_path_factory.mktemp("log") / "ws")
    out = ws.evaluate("runs/out", "--by", "carol")
    private, _ = ws.keys("alice")
    assert ws.approve(out, "preparer", "alice", private).exit_code == 0
    ws.evaluate("runs/again", "--set", "gwp.set=AR6", "--by", "carol")
    return ws


def test_a_run_appends_who_ran_what_with_which_ruleset_version(ws):
    first, approval, second = log_lines(ws.log)
    manifest = ws.root / "runs" / "out" / "manifest.json"
    assert first["seq"] == 1 and first["prev"] == GENESIS
    assert (first["type"], first["command"], first["user"], first["out"]) == ("run", "evaluate", "carol", "out")
    assert first["manifest_sha256"] == hashlib.sha256(manifest.read_bytes()).hexdigest()
    ruleset = first["rulesets"]["."]
    assert ruleset["name"] == "case" and set(ruleset["files"]) == {"case.tanso"}
    assert first["time"].endswith("Z") and first["tanso_version"]
    assert (approval["seq"], approval["prev"]) == (2, first["hash"])
    assert (second["seq"], second["prev"], second["out"]) == (3, approval["hash"], "again")
    assert second["rulesets"]["."]["version"] == ruleset["version"]   # the same files: the same version


def test_the_log_is_where_the_user_says_or_beside_the_run_folders(ws, tmp_path, monkeypatch):
    assert cli("evaluate", "ruleset", "--data", "data", "--out", tmp_path / "a" / "out", cwd=ws.root).exit_code == 0
    assert len(log_lines(tmp_path / "a" / "tanso-log.jsonl")) == 1
    assert cli("evaluate", "ruleset", "--data", "data", "--out", tmp_path / "b" / "out", "--log", tmp_path / "my.jsonl",
               cwd=ws.root).exit_code == 0
    assert cli("evaluate", "ruleset", "--data", "data", "--out", tmp_path / "c" / "out", cwd=ws.root,
               env={"TANSO_LOG": str(tmp_path / "env.jsonl")}).exit_code == 0
    assert not (tmp_path / "b" / "tanso-log.jsonl").exists() and not (tmp_path / "c" / "tanso-log.jsonl").exists()
    assert len(log_lines(tmp_path / "my.jsonl")) == 1 and len(log_lines(tmp_path / "env.jsonl")) == 1


def test_a_failed_run_does_not_log(ws, tmp_path):
    shutil.copytree(ws.root / "ruleset", tmp_path / "ruleset")
    (tmp_path / "data").mkdir()
    result = cli("evaluate", "ruleset", "--data", "data", "--out", "runs/out", cwd=tmp_path)
    assert result.exit_code == 2
    assert not (tmp_path / "runs" / "tanso-log.jsonl").exists()


def test_a_comparison_logs_both_ruleset_versions(ws, tmp_path):
    log = tmp_path / "log.jsonl"
    assert cli("compare", "ruleset", "--data", "data", "--set", "gwp.set=AR6", "--out", tmp_path / "cmp",
               "--log", log, cwd=ws.root).exit_code == 0
    (entry,) = log_lines(log)
    assert entry["command"] == "compare" and set(entry["rulesets"]) == {"base", "revised"}


def test_tanso_log_shows_the_history_and_verify_log_finds_it_intact(ws):
    result = cli("log", "--log", ws.log)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("#1  ") and "carol  evaluate out  case@" in lines[0]
    assert "alice as preparer  out" in lines[1] and '"checked"' in lines[1]
    assert lines[3] == f"verified: {ws.log}"
    assert cli("verify", "--log", ws.log).exit_code == 0
    history = json.loads(cli("log", "--log", ws.log, "--format", "json").stdout)
    assert [e["type"] for e in history["entries"]] == ["run", "approval", "run"]


@settings(max_examples=examples(40))
@given(data=st.data())
def test_any_single_byte_changed_in_the_log_is_detected(ws, tmp_path_factory, data):
    content = bytearray(ws.log.read_bytes())
    position = data.draw(st.integers(0, len(content) - 1), label="position")
    content[position] = data.draw(st.integers(0, 255).filter(lambda v: v != content[position]), label="value")
    edited = tmp_path_factory.mktemp("edited") / "tanso-log.jsonl"
    edited.write_bytes(content)
    assert cli("verify", "--log", edited).exit_code in (8, 9)   # altered, or no longer a log at all
    assert cli("log", "--log", edited).exit_code in (8, 9)


@pytest.fixture(scope="module")
def long_log(ws, tmp_path_factory) -> Path:
    """The workspace's log with five more entries: room for deletions, swaps and copies."""
    log = tmp_path_factory.mktemp("long") / "tanso-log.jsonl"
    log.write_bytes(ws.log.read_bytes())
    for number in range(5):
        with open_for_append(log) as book:
            book.append({"type": "note", "number": number})
    return log


@settings(max_examples=examples(30))
@given(data=st.data())
def test_a_deleted_inserted_or_reordered_entry_is_detected(long_log, tmp_path_factory, data):
    lines = long_log.read_bytes().splitlines(keepends=True)
    i = data.draw(st.integers(0, len(lines) - 1), label="line")
    j = data.draw(st.integers(0, len(lines) - 1).filter(lambda j: j != i), label="other line")
    mutation = data.draw(st.sampled_from(["delete", "swap", "copy"]), label="mutation")
    if mutation == "delete":
        if i == len(lines) - 1:   # removing the last entry leaves an intact chain: see the pinned head
            i = j
        del lines[i]
    elif mutation == "swap":
        lines[i], lines[j] = lines[j], lines[i]
    else:
        lines.insert(j, lines[i])
    edited = tmp_path_factory.mktemp("edited") / "tanso-log.jsonl"
    edited.write_bytes(b"".join(lines))
    result = cli("verify", "--log", edited)
    assert result.exit_code == 8, result.output
    assert "an entry was deleted, inserted" in result.stdout


def test_removing_the_last_entries_is_caught_only_against_a_pinned_head(ws, tmp_path):
    pinned = cli("log", "--log", ws.log, "--head").stdout.strip()
    assert pinned == log_lines(ws.log)[-1]["hash"]
    truncated = tmp_path / "log.jsonl"
    truncated.write_bytes(b"".join(ws.log.read_bytes().splitlines(keepends=True)[:-1]))
    assert cli("verify", "--log", truncated).exit_code == 0   # a shorter chain is intact: why the head is pinned
    result = cli("verify", "--log", truncated, "--head", pinned)
    assert result.exit_code == 8
    assert "the pinned head is not in the log" in result.stdout


def test_a_manifest_rewritten_to_match_edited_outputs_is_caught_by_its_log_entry(ws, tmp_path):
    from test_verify import rewrite_consistently
    out = Path(shutil.copytree(ws.root / "runs" / "again", tmp_path / "again"))
    shutil.copy(ws.log, tmp_path / "tanso-log.jsonl")   # the workspace, copied whole
    rewrite_consistently(out, "ledger.csv", lambda data: data.replace(b"E2", b"E3", 1))
    result = cli("verify", out)
    assert result.exit_code == 8
    assert "manifest.json: not the manifest the log recorded for this folder (entry #3)" in result.stdout


def test_a_log_that_cannot_be_read_cannot_be_verified(tmp_path):
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "other.jsonl").write_text('{"hello": "world"}\n')
    for name, why in (("missing.jsonl", "no log at"), ("empty.jsonl", "is empty"), ("other.jsonl", "not a tanso log")):
        result = cli("verify", "--log", tmp_path / name)
        assert result.exit_code == 9 and why in result.stdout, result.output
    assert cli("log", "--log", tmp_path / "missing.jsonl").exit_code == 9


def test_concurrent_appends_never_interleave(tmp_path):
    log = tmp_path / "log.jsonl"

    def append(number: int) -> None:
        with open_for_append(log) as book:
            book.append({"type": "note", "number": number, "padding": "x" * 5000})

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(append, range(40)))
    assert sorted(e["number"] for e in log_lines(log)) == list(range(40))
    assert cli("verify", "--log", log).exit_code == 0


def test_nothing_is_appended_after_a_damaged_last_line(ws, tmp_path):
    log = tmp_path / "tanso-log.jsonl"
    log.write_bytes(ws.log.read_bytes()[:-20])   # a torn append
    result = cli("evaluate", "ruleset", "--data", "data", "--out", tmp_path / "out", cwd=ws.root)
    assert result.exit_code == 8
    assert "the last line of the log" in result.output and "nothing is appended" in result.output
