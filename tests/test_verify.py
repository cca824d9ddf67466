"""`tanso verify OUT` and `tanso verify OUT --reperform` (issue #11, item 2).

Any single byte changed in any output file — manifest.json included — is detected; the ledger is
summed against the summary exactly and the first differing line named; a run re-performed from its
recorded ruleset and inputs is byte-identical, and inputs that are not the run's are refused by name.
Exit codes: 0 verified, 8 altered, 9 cannot verify.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit_helpers import Workspace, cli, workspace
from conftest import examples
from tanso.graph import select
from tanso.run import evaluate, export, prepare
from tanso.run.outputs import CANONICAL_FIELD, canonical_digest, file_outputs, manifest_text

# One worker runs the whole module under pytest -n 2 (--dist loadgroup), so its module fixtures are
# computed once, not once on each worker (conftest.py hands the groups out first).
pytestmark = pytest.mark.xdist_group("verify")


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    ws = workspace(tmp_path_factory.mktemp("verify") / "ws")
    ws.evaluate()
    return ws


def copy_of(out: Path, into: Path) -> Path:
    """The run folder copied where no log is (so only the folder itself is verified)."""
    return Path(shutil.copytree(out, into / "copy" / "out"))


def rewrite_consistently(out: Path, name: str, edit) -> None:
    """Edit an output file and update the manifest to match (its hash and canonical digest): only a
    content check or the log can then tell."""
    path = out / name
    path.write_bytes(edit(path.read_bytes()))
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["outputs"] = file_outputs(out)
    manifest[CANONICAL_FIELD] = canonical_digest(manifest)
    (out / "manifest.json").write_text(manifest_text(manifest))


def test_a_run_as_written_is_verified(ws):
    result = cli("verify", ws.root / "runs" / "out")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"verified: {ws.root / 'runs' / 'out'}")
    assert "summary.csv: 4 lines equal the sums of ledger.parquet" in result.stdout
    assert "logged as entry #1" in result.stdout


@settings(max_examples=examples(10))
@given(data=st.data())
def test_any_single_byte_changed_in_any_output_file_is_detected(ws, data):
    run = ws.root / "runs" / "out"
    names = [*json.loads((run / "manifest.json").read_text())["outputs"], "manifest.json"]
    assert {"ledger.parquet", "ledger.csv", "summary.csv", "rejects.csv", "excluded.csv"} <= set(names)
    for name in names:   # every file the manifest lists, whatever it is, and the manifest itself
        with tempfile.TemporaryDirectory() as scratch:
            out = copy_of(run, Path(scratch))
            content = bytearray((out / name).read_bytes())
            position = data.draw(st.integers(0, len(content) - 1), label=f"{name}: position")
            content[position] = data.draw(st.integers(0, 255).filter(lambda v: v != content[position]), label="value")
            (out / name).write_bytes(content)
            result = cli("verify", out)
        # A manifest that can no longer be read cannot be verified (9); any other change is an alteration (8).
        assert result.exit_code in ((8, 9) if name == "manifest.json" else (8,)), result.output
        assert name in result.stdout


def test_each_problem_names_the_file_with_the_expected_and_found_hash(ws, tmp_path):
    out = copy_of(ws.root / "runs" / "out", tmp_path)
    listed = json.loads((out / "manifest.json").read_text())["outputs"]
    (out / "rejects.csv").write_text("row_id\n")
    (out / "excluded.csv").unlink()
    (out / "notes.txt").write_text("added later")
    result = cli("verify", out, "--format", "json")
    assert result.exit_code == 8
    report = json.loads(result.stdout)
    assert report["status"] == "altered"
    problems = {p["subject"]: p for p in report["problems"]}
    assert problems["rejects.csv"]["expected"].startswith(listed["rejects.csv"]["sha256"])
    assert problems["excluded.csv"]["message"] == "missing"
    assert problems["notes.txt"]["message"].startswith("not in the manifest")


def test_the_ledger_must_add_up_to_the_summary_exactly_and_the_first_differing_line_is_named(ws, tmp_path):
    out = copy_of(ws.root / "runs" / "out", tmp_path)
    lines = (out / "summary.csv").read_text().splitlines(keepends=True)
    number = lines[2].rstrip("\n").split(",")
    number[6] = str(float(number[6]) + 0.000001)   # a millionth of a kilogram, on line 3
    lines[2] = ",".join(number) + "\n"
    rewrite_consistently(out, "summary.csv", lambda _: "".join(lines).encode())
    result = cli("verify", out)
    assert result.exit_code == 8
    assert "summary.csv line 3: differs from the ledger's sums" in result.stdout
    assert f"co2e_kg={number[6]}" in result.stdout


def test_a_manifest_edited_in_its_content_does_not_match_its_canonical_digest(ws, tmp_path):
    out = copy_of(ws.root / "runs" / "out", tmp_path)
    manifest = json.loads((out / "manifest.json").read_text())
    manifest["tanso_version"] = "9.9.9"
    (out / "manifest.json").write_text(manifest_text(manifest))
    result = cli("verify", out)
    assert result.exit_code == 8
    assert "its content does not match its canonical_sha256" in result.stdout


@pytest.mark.parametrize("target, why", [("missing", "no such run folder"), ("ruleset", "not a tanso run"),
                                         ("bad-format", "unknown manifest format")])
def test_what_is_not_a_tanso_run_cannot_be_verified(ws, tmp_path, target, why):
    (tmp_path / "bad-format").mkdir()
    (tmp_path / "bad-format" / "manifest.json").write_text('{"format": "something-else"}')
    path = ws.root / "ruleset" if target == "ruleset" else tmp_path / target
    result = cli("verify", path)
    assert result.exit_code == 9
    assert why in result.stdout


def test_usage_mistakes_exit_64():
    assert cli("verify").exit_code == 64
    assert cli("verify", ".", "--data", ".").exit_code == 64


# ----------------------------------------------------------------------------- re-performance

def test_a_run_re_performed_from_its_recorded_files_is_byte_identical_even_moved(ws, tmp_path):
    shutil.copytree(ws.root / "data", tmp_path / "elsewhere" / "inputs")
    shutil.copytree(ws.root / "ruleset", tmp_path / "elsewhere" / "rules")
    result = cli("verify", ws.root / "runs" / "out", "--reperform", "--data", "elsewhere/inputs",
                 "--ruleset", "elsewhere/rules", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert "every output byte-identical" in result.stdout


def test_re_performance_ignores_tanso_variables_and_tanso_toml(ws, tmp_path):
    # An option the recorded invocation did not have would make the re-run differ (other GWP values).
    (tmp_path / "tanso.toml").write_text('[evaluate]\nset = ["gwp.set=AR6"]\n')
    for env in ({"TANSO_EVALUATE_SET": "gwp.set=AR6"}, {"TANSO_CONFIG": str(tmp_path / "tanso.toml")}):
        result = cli("verify", ws.root / "runs" / "out", "--reperform", "--data", ws.root / "data", cwd=tmp_path,
                     env=env)
        assert result.exit_code == 0, result.output
        assert "every output byte-identical" in result.stdout


def test_inputs_that_are_not_the_runs_are_refused_naming_each(ws, tmp_path):
    data = Path(shutil.copytree(ws.root / "data", tmp_path / "data"))
    (data / "fuel_use.csv").write_text((data / "fuel_use.csv").read_text().replace("250.5", "205.5"))
    (data / "factors" / "fuels.csv").unlink()
    result = cli("verify", ws.root / "runs" / "out", "--reperform", "--data", data)
    assert result.exit_code == 9, result.output
    assert f"{data / 'fuel_use.csv'}: input or factor file is not the one the run read" in result.stdout
    assert f"{data / 'factors' / 'fuels.csv'}: input or factor file of the run is missing" in result.stdout


def test_an_output_altered_with_its_manifest_differs_from_the_re_performed_run(ws, tmp_path):
    out = copy_of(ws.root / "runs" / "out", tmp_path)
    rewrite_consistently(out, "ledger.csv", lambda data: data.replace(b"E2", b"E3", 1))
    # The ruleset from the run folder's own copy (ruleset/), the data from where it is.
    result = cli("verify", out, "--reperform", "--data", ws.root / "data", cwd=tmp_path)
    assert result.exit_code == 8, result.output
    assert "ledger.csv: differs from the re-performed run at line" in result.stdout
    assert "manifest.json: differs from the re-performed run" in result.stdout


def test_a_run_written_through_the_library_is_re_performed(tmp_path):
    """`prepare`, `evaluate` and `export` record the invocation as `tanso evaluate` does — the ruleset and --set
    values prepared, the data folder evaluated, the rules selected — so that the run can be re-performed."""
    stationary = 'rule s1.stationary "Stationary fuel"\n  scope 1\n  from fuel_use where use = "stationary"\n' \
                 '  calc fuel_combustion(factors: fuels)\n'
    ws = workspace(tmp_path / "ws", stationary)
    out = ws.root / "runs" / "library"
    prepared = prepare(ws.root / "ruleset", overrides={"gwp.set": "AR6"})
    result = evaluate(prepared.ruleset, prepared.registry, prepared.graph, ws.root / "data", out,
                      selected=select(prepared.graph, "s1.stationary"))
    export(result, out, "csv")
    invoked = json.loads((out / "manifest.json").read_text())["invocation"]
    assert (invoked["set"], invoked["select"], invoked["data"]) == (["gwp.set=AR6"], "s1.stationary", str(ws.root / "data"))
    verified = cli("verify", out, "--reperform")
    assert verified.exit_code == 0, verified.output
    assert "every output byte-identical" in verified.stdout


def test_a_run_that_compared_with_a_previous_run_is_re_performed_with_it(tmp_path):
    """--previous is recorded in the invocation from the run folder (the manifest keeps the earlier run's digest)
    and the earlier run is laid out again: an untouched run verifies from any working folder, and so does a copy
    of both runs elsewhere; without its earlier run it cannot be re-performed."""
    ws = workspace(tmp_path / "ws")
    ws.evaluate("runs/first")
    ws.evaluate("runs/second", "--previous", "runs/first")
    invoked = json.loads((ws.root / "runs" / "second" / "manifest.json").read_text())["invocation"]
    assert invoked["previous"] == "../first"
    result = cli("verify", "runs/second", "--reperform", cwd=ws.root)
    assert result.exit_code == 0, result.output
    auditor = Path(shutil.copytree(ws.root / "runs", tmp_path / "audit" / "runs"))   # the runs, not the data
    result = cli("verify", auditor / "second", "--reperform", "--data", ws.root / "data", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    shutil.move(ws.root / "runs" / "first", tmp_path / "moved")
    result = cli("verify", "runs/second", "--reperform", cwd=ws.root)
    assert result.exit_code == 9, result.output
    assert "runs/first: the earlier run the run compared with (--previous) is missing" in result.stdout


def test_a_comparison_cannot_be_re_performed_or_exported_and_each_command_says_why_in_either_language(ws, tmp_path):
    """A comparison folder is verified with its runs, but records no invocation to re-perform or pack: verify
    --reperform and export each say it is a comparison, what they take instead and what checks it (exit 9)."""
    compared = ws.root / "runs" / "cmp"
    assert cli("compare", "ruleset", "--data", "data", "--set", "gwp.set=AR6", "--out", compared,
               cwd=ws.root).exit_code == 0
    for lang, said in (("en", "runs/cmp is a comparison (written by `tanso compare --out`), not a run: {command} takes "
                              "a folder `tanso evaluate --out` wrote"),
                       ("ja", "runs/cmp は比較の結果（`tanso compare --out` が書いたもの）で、実行ではない：{command} には "
                              "`tanso evaluate --out` が書いたフォルダを指定する")):
        result = cli("verify", "runs/cmp", "--reperform", "--lang", lang, cwd=ws.root)
        assert result.exit_code == 9, result.output
        assert said.format(command="verify --reperform") in result.stdout
        result = cli("export", "runs/cmp", "--evidence", tmp_path / "cmp.zip", "--lang", lang, cwd=ws.root)
        assert result.exit_code == 9, result.output
        assert said.format(command="export") in result.output
        assert "tanso verify runs/cmp" in result.output
