"""Outputs are atomic, locked and complete; no user mistake ends in a traceback (issue #10, items 7 and 8)."""

from __future__ import annotations

import fcntl
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ACME_DATA, ACME_RULESET, FUEL_FACTORS, fuel_row, fuel_ruleset, make_case
from tanso.cli import main
from tanso.model.sources import cited_names
from tanso.run.outputs import CANONICAL_FIELD, verify

TANSO = Path(sys.executable).parent / "tanso"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def small_case(tmp_path):
    return make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "10"), fuel_row("F2", "20")]},
                     {"fuels": FUEL_FACTORS})


# ----------------------------------------------------------------------------- complete, hashed, replaced whole

def test_the_manifest_lists_every_output_with_its_sha256_and_size(tmp_path):
    case, out = small_case(tmp_path), tmp_path / "out"
    assert run("evaluate", case.ruleset, "--data", case.data, "--out", out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["outputs"]) == {"ledger.parquet", "ledger.csv", "rejects.csv", "excluded.csv", "factors.csv",
                                        "summary.csv", "ruleset/case.tanso"}
    assert manifest["outputs"]["ledger.csv"]["size"] == (out / "ledger.csv").stat().st_size
    assert verify(out) == []
    # no lock, no temp; the workspace log beside OUT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out", "ruleset", "tanso-log.jsonl"]


def test_a_second_run_replaces_the_folder_whole(tmp_path):
    case, out = small_case(tmp_path), tmp_path / "out"
    assert run("evaluate", case.ruleset, "--data", case.data, "--out", out, "--out-format", "parquet").exit_code == 0
    assert run("evaluate", case.ruleset, "--data", case.data, "--out", out).exit_code == 0
    assert not (out / "summary.parquet").exists()   # nothing of the previous run is left beside the new one
    assert verify(out) == []


def test_compare_writes_a_manifest_for_the_folder_and_each_run(tmp_path):
    case, out = small_case(tmp_path), tmp_path / "cmp"
    outcome = run("compare", case.ruleset, "--data", case.data, "--set", "gwp.set=AR6", "--out", out)
    assert outcome.exit_code == 0, outcome.output
    assert verify(out) == [] and verify(out / "base") == [] and verify(out / "revised") == []
    listed = json.loads((out / "manifest.json").read_text())["outputs"]
    assert {"comparison.json", "base/ledger.parquet", "base/manifest.json", "revised/manifest.json"} <= set(listed)


def test_a_folder_of_other_files_is_never_replaced(tmp_path):
    case, out = small_case(tmp_path), tmp_path / "mine"
    out.mkdir()
    (out / "thesis.docx").write_text("years of work")
    outcome = run("evaluate", case.ruleset, "--data", case.data, "--out", out)
    assert outcome.exit_code == 73
    assert "thesis.docx" in outcome.output
    assert (out / "thesis.docx").read_text() == "years of work"


def test_a_file_added_to_an_output_folder_is_not_deleted(tmp_path):
    case, out = small_case(tmp_path), tmp_path / "out"
    assert run("evaluate", case.ruleset, "--data", case.data, "--out", out).exit_code == 0
    (out / "notes.txt").write_text("keep me")
    outcome = run("evaluate", case.ruleset, "--data", case.data, "--out", out)
    assert outcome.exit_code == 73 and "notes.txt" in outcome.output
    assert (out / "notes.txt").exists()


def test_out_under_a_regular_file_exits_73(tmp_path):
    case = small_case(tmp_path)
    (tmp_path / "afile").write_text("x")
    outcome = run("evaluate", case.ruleset, "--data", case.data, "--out", tmp_path / "afile" / "out")
    assert outcome.exit_code == 73
    assert "is a file, not a folder" in outcome.output and "Traceback" not in outcome.output


def test_a_read_only_parent_exits_73(tmp_path, monkeypatch):
    case = small_case(tmp_path)
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o555)
    if os.geteuid() == 0:   # root writes anywhere: make the check see what a user would
        import tanso.run.outputs as outputs
        monkeypatch.setattr(outputs.os, "access", lambda path, mode: Path(path) != parent)
    outcome = run("evaluate", case.ruleset, "--data", case.data, "--out", parent / "out")
    assert outcome.exit_code == 73
    assert "not writable" in outcome.output
    parent.chmod(0o755)


# ----------------------------------------------------------------------------- locked

def test_a_second_run_on_the_same_out_is_refused_naming_the_first(tmp_path):
    case, out = small_case(tmp_path), tmp_path / "out"
    with open(tmp_path / "out.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        held.write("pid 4242 on elsewhere, started 2025-01-01T00:00:00+00:00: tanso evaluate\n")
        held.flush()
        outcome = run("evaluate", case.ruleset, "--data", case.data, "--out", out)
    assert outcome.exit_code == 75
    assert "being written by another tanso run" in outcome.output and "pid 4242 on elsewhere" in outcome.output
    assert not out.exists()


def test_leftovers_of_a_killed_run_are_removed_and_a_moved_away_run_put_back(tmp_path):
    case, out = small_case(tmp_path), tmp_path / "out"
    assert run("evaluate", case.ruleset, "--data", case.data, "--out", out).exit_code == 0
    (tmp_path / ".out.tmp-99999-abcd1234").mkdir()                     # killed while writing
    os.rename(out, tmp_path / ".out.old-99999-00ff00ff")                 # killed between its two renames
    (tmp_path / ".other.tmp-1-ab").mkdir()                              # not ours: left alone
    (tmp_path / "out.lock").write_text("pid 99999 (dead)")              # a lock nobody holds
    assert run("evaluate", case.ruleset, "--data", case.data, "--out", out).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [".other.tmp-1-ab", "data", "out", "ruleset", "tanso-log.jsonl"]
    assert verify(out) == []


# ----------------------------------------------------------------------------- signals

def test_signals_at_random_moments_leave_the_previous_run_or_the_new_one_never_a_mixture(tmp_path):
    out = tmp_path / "out"
    command = [str(TANSO), "evaluate", str(ACME_RULESET), "--data", str(ACME_DATA), "--out", str(out), "--allow-rejects"]
    first = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert first.returncode == 0, first.stderr
    rng = random.Random(10)
    deadline = time.monotonic() + 45
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGKILL):
        if time.monotonic() > deadline:
            break
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.5, 3.0))
        process.send_signal(sig)
        _, stderr = process.communicate(timeout=60)
        assert "Traceback" not in stderr
        if process.returncode != 0:
            assert process.returncode == {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGKILL: -9}[sig], stderr
        if sig != signal.SIGKILL and process.returncode != 0:
            # one line; naming OUT once the command has read its arguments (a signal can come before)
            assert stderr.strip().splitlines()[-1] in ("interrupted", f"interrupted: {out} left as it was")
            assert not any(p.name.startswith(f".out.tmp-{process.pid}-") for p in tmp_path.iterdir())
        assert verify(out) == [], sig   # the previous complete run or the new one, whole
    last = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert last.returncode == 0, last.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "tanso-log.jsonl"]
    assert verify(out) == []


FINALISER_INTERRUPTED = """
import os, signal, sys, time
import click
from tanso.cli import main

@main.command("wait")
def wait():
    class Finalised:
        def __del__(self):
            os.kill(os.getpid(), signal.SIGINT)
            sum(range(200_000))        # the handler runs in here: its Interrupted can only be printed and dropped
    Finalised()                        # collected at once
    for _ in range(100):
        time.sleep(0.01)               # ordinary code: the signal must interrupt the command here
    print("finished as if never interrupted")

main(["wait"])
"""


def test_an_interruption_landing_in_a_finaliser_still_interrupts_the_command():
    done = subprocess.run([sys.executable, "-c", FINALISER_INTERRUPTED], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (130, ""), done.stderr
    assert done.stderr.strip() == "interrupted"     # no "Exception ignored in …" block


# ----------------------------------------------------------------------------- deterministic bytes

def test_the_ledger_files_are_the_same_bytes_on_one_and_two_threads(tmp_path):
    for threads in (1, 2):
        assert run("evaluate", ACME_RULESET, "--data", ACME_DATA, "--out", tmp_path / str(threads),
                   "--threads", threads, "--allow-rejects").exit_code == 0
    for name in ("ledger.parquet", "ledger.csv", "rejects.csv", "excluded.csv", "summary.csv"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes(), name


def test_a_run_records_the_same_bytes_from_any_working_folder(tmp_path, monkeypatch):
    """The ledger cites a rule by its file relative to the ruleset's root, never the working folder: run from
    the case's folder, from inside the ruleset, and from elsewhere by absolute paths through a symlink. The
    factor rows and the manifest name their files the same way (an input or factor file relative to the data
    folder): only the arguments as typed differ, and each run is re-performed from where it ran."""
    extra = ('metric per_row "kg per row" = total(scope: 1) / 0\n'
             'check s1.some "Some fuel" = rows(scope: 1) >= 1\n')
    case = make_case(tmp_path / "case", fuel_ruleset(extra=extra), {"fuel_use": [fuel_row("F1", "10"),
                                                                          fuel_row("F2", "-1")]}, {"fuels": FUEL_FACTORS})
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "link").symlink_to(case.ruleset)
    runs = {"case": (case.ruleset.parent, "ruleset", "data"), "ruleset": (case.ruleset, ".", "../data"),
            "elsewhere": (tmp_path / "elsewhere", tmp_path / "elsewhere" / "link", case.data)}
    for name, (cwd, ruleset, data) in runs.items():
        monkeypatch.chdir(cwd)
        assert run("evaluate", ruleset, "--data", data, "--out", tmp_path / "runs" / name, "--allow-rejects").exit_code == 0
    manifests = {name: json.loads((tmp_path / "runs" / name / "manifest.json").read_text()) for name in runs}
    assert len({m["digest"] for m in manifests.values()}) == 1
    assert manifests["ruleset"]["rules"]["s1.fuel"]["source"] == "case.tanso:11"
    assert manifests["ruleset"]["checks"][0]["source"] == "case.tanso:16"
    for output in ("ledger.parquet", "ledger.csv", "rejects.csv", "excluded.csv", "summary.csv", "factors.csv"):
        assert len({(tmp_path / "runs" / name / output).read_bytes() for name in runs}) == 1, output
    assert ",case.tanso:11," in (tmp_path / "runs" / "ruleset" / "rejects.csv").read_text()
    assert ",factors/fuels.csv,1," in (tmp_path / "runs" / "ruleset" / "factors.csv").read_text()
    # The command's arguments are typed relative to the working folder; the manifest's digest of its own content
    # covers them.
    run_specific = {"invocation", CANONICAL_FIELD}
    assert len({json.dumps({k: v for k, v in m.items() if k not in run_specific}) for m in manifests.values()}) == 1
    assert [m["invocation"]["ruleset"] for m in manifests.values()] == ["ruleset", ".", str(tmp_path / "elsewhere" / "link")]
    recorded = manifests["case"]
    assert (list(recorded["ruleset"]["files"]), recorded["inputs"]["fuel_use"]["file"],
            recorded["factor_sets"]["fuels"]["file"]) == (["case.tanso"], "fuel_use.csv", "factors/fuels.csv")
    assert recorded["completeness"]["groups"][0]["source"] == "case.tanso:11"
    for name, (cwd, _, _) in runs.items():
        monkeypatch.chdir(cwd)
        assert run("verify", tmp_path / "runs" / name, "--reperform").exit_code == 0, name


def test_a_ruleset_that_extends_another_is_cited_from_their_common_folder_whichever_folder_runs_it(tmp_path,
                                                                                                   monkeypatch):
    case = make_case(tmp_path / "case", fuel_ruleset(), {"fuel_use": [fuel_row("F1", "10")]}, {"fuels": FUEL_FACTORS})
    revised = case.ruleset.parent / "revised"
    revised.mkdir()
    (revised / "revised.tanso").write_text("ruleset revised\n  extends ruleset\n\nset gwp.set = AR6\n")
    runs = {"case": (case.ruleset.parent, "ruleset/../revised", "data"), "revised": (revised, ".", "../data")}
    for name, (cwd, ruleset, data) in runs.items():
        monkeypatch.chdir(cwd)
        assert run("evaluate", ruleset, "--data", data, "--out", tmp_path / "runs" / name).exit_code == 0
    manifests = [json.loads((tmp_path / "runs" / name / "manifest.json").read_text()) for name in runs]
    assert manifests[0]["digest"] == manifests[1]["digest"]
    assert [m["rules"]["s1.fuel"]["source"] for m in manifests] == ["ruleset/case.tanso:11"] * 2
    assert [m["policies"]["gwp.set"]["at"] for m in manifests] == ["revised/revised.tanso:4:1"] * 2
    # Re-performed in a folder named as the run's was: the ledger cites `revised/…`, not the folder's name.
    assert run("verify", tmp_path / "runs" / "revised", "--reperform").exit_code == 0


def test_an_overlay_from_another_folder_is_cited_by_its_folders_name_not_by_the_path_they_share(tmp_path):
    """The ruleset's root is the folder its files share; for an overlay from elsewhere on the disk that folder
    could be `/`. Each file is then cited by its own folder's name, the base's and the overlay's alike, in
    the ledger, the manifest and a comparison's changes."""
    case = make_case(tmp_path / "case", fuel_ruleset(), {"fuel_use": [fuel_row("F1", "10")]}, {"fuels": FUEL_FACTORS})
    far = tmp_path / "far" / "away" / "revision"
    far.mkdir(parents=True)
    (far / "revision.tanso").write_text("ruleset revision\n  extends ruleset\n\nset gwp.set = AR6\n")
    (far / "ruleset").symlink_to(case.ruleset)   # the base beside it, where `extends` looks (for compare)
    out = tmp_path / "runs" / "overlaid"
    assert run("evaluate", case.ruleset, "--overlay", far / "revision.tanso", "--data", case.data, "--out", out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert sorted(manifest["ruleset"]["files"]) == ["revision/revision.tanso", "ruleset/case.tanso"]
    assert manifest["rules"]["s1.fuel"]["source"] == "ruleset/case.tanso:11"
    assert manifest["policies"]["gwp.set"]["at"] == "revision/revision.tanso:4:1"
    assert ",ruleset/case.tanso:11," in (out / "ledger.csv").read_text()
    assert run("verify", out, "--reperform").exit_code == 0
    compared = tmp_path / "runs" / "compared"
    assert run("compare", case.ruleset, far / "revision.tanso", "--data", case.data, "--format", "json",
               "--out", compared).exit_code == 0
    changes = json.loads((compared / "comparison.json").read_text())["changes"]
    assert {change["key"]: change["where"] for change in changes}["policy:gwp.set"] == "revision/revision.tanso:4"


def test_files_of_folders_of_the_same_name_are_cited_by_as_many_folder_names_as_tell_them_apart():
    assert cited_names(["/srv/a/rules/base.tanso", "/home/ana/b/rules/overlay.tanso"]) == {
        "/srv/a/rules/base.tanso": "a/rules/base.tanso", "/home/ana/b/rules/overlay.tanso": "b/rules/overlay.tanso"}


# ----------------------------------------------------------------------------- user mistakes, no traceback

@pytest.mark.parametrize("args, message", [
    (["--format", "compare-html"], "one of table, json, inventory"),
    (["--format", "compare-json"], "unknown format 'compare-json'"),
    (["--threads", "-1"], "number of threads"),
    (["--threads", "0"], "number of threads"),
    (["--memory-limit", "lots"], "not a memory size"),
    (["--set", "=AR6"], "not name=value"),
])
def test_bad_options_of_evaluate_are_usage_errors(args, message):
    outcome = run("evaluate", ACME_RULESET, "--data", ACME_DATA, *args)
    assert outcome.exit_code == 64, outcome.output
    assert message in outcome.output


@pytest.mark.parametrize("limit", ["1MB", "8MB"])
def test_running_out_of_memory_names_the_limit_not_a_file(limit):
    """At 1MB DuckDB fails reading the first CSV, at 8MB later, in a rule: either way the limit is named, never
    the file (which is fine) or a traceback."""
    outcome = run("evaluate", ACME_RULESET, "--data", ACME_DATA, "--memory-limit", limit)
    assert outcome.exit_code == 2, outcome.output
    assert "error: out of memory: DuckDB reached its limit (" in outcome.output
    assert "--memory-limit sets what DuckDB may hold before it spills to disk" in outcome.output
    assert "cannot be read" not in outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)


def test_compare_offers_only_the_comparison_formats():
    outcome = run("compare", ACME_RULESET, "--data", ACME_DATA, "--format", "inventory")
    assert outcome.exit_code == 64
    assert "one of table, json, html" in outcome.output


def test_a_non_utf8_byte_in_a_ruleset_is_a_diagnostic(tmp_path):
    path = tmp_path / "latin1.tanso"
    path.write_bytes(fuel_ruleset().encode() + b"\n# caf\xe9\n")
    outcome = run("check", path)
    assert outcome.exit_code == 1
    assert "not UTF-8 text: byte 0xe9" in outcome.output and "latin1.tanso:" in outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)


@pytest.mark.parametrize("expression", ["(" * 400 + "1" + ")" * 400, " + ".join(["1"] * 20000)])
def test_deep_expressions_are_refused_without_a_recursion_error(tmp_path, expression):
    path = tmp_path / "deep.tanso"
    path.write_text(f'ruleset deep\nmetric m "m" = {expression}\n')
    outcome = run("check", path)
    assert outcome.exit_code == 1, outcome.output
    assert "nested" in outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)


def test_a_hundred_nested_parentheses_still_evaluate(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(extra='\nmetric m "m" = ' + "(" * 98 + "total(scope: [1])" + ")" * 98 + "\n"),
                     {"fuel_use": [fuel_row("F1", "10")]}, {"fuels": FUEL_FACTORS})
    outcome = run("evaluate", case.ruleset, "--data", case.data)
    assert outcome.exit_code == 0, outcome.output
    assert "metric m:" in outcome.output


def test_at_most_50_diagnostics_are_printed(tmp_path):
    path = tmp_path / "many.tanso"
    path.write_text("ruleset many\n" + "".join(f"set no.such.option{i} = 1\n" for i in range(10_000)))
    outcome = run("check", path)
    assert outcome.exit_code == 1
    assert outcome.output.count("error:") == 50
    assert "… and 9950 more" in outcome.output
    assert len(outcome.output) < 50_000


def test_a_non_utf8_test_file_is_reported_not_a_traceback(tmp_path):
    path = tmp_path / "cases.yaml"
    path.write_bytes(b"\xff\xfe cases")
    outcome = run("test", path)
    assert outcome.exit_code == 1
    assert "not UTF-8 text" in outcome.output
    assert outcome.exception is None or isinstance(outcome.exception, SystemExit)
