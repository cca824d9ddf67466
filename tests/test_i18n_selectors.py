"""A selector that chooses nothing is refused in the run's language: `tanso explain`'s (a kind, a value or a row the run
does not have, with the did-you-mean; a folder that is no run) and `--select`/`--exclude`'s (exit 64 both). English
stays the default; the JSON of an explanation keeps its English words."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "examples" / "acme" / "data"


def tanso(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tanso.cli", *map(str, args)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    """A small Acme run: its stationary combustion and its business travel."""
    out = tmp_path_factory.mktemp("selectors") / "run"
    done = tanso("evaluate", REPO / "rulesets" / "ghgp-current", "--data", DATA, "--out", out,
                 "--select", "s1.stationary s3.cat6.travel")
    assert done.returncode == 0, done.stderr
    return out


@pytest.mark.parametrize("selector, english, japanese", [
    ("row:fuel_use:F00002", "error: row:fuel_use:F00002: fuel_use has no row with key F00002 in this run (every row it "
                            "read is in the ledger, rejects or excluded); did you mean row:fuel_use:F0002",
     "エラー: row:fuel_use:F00002：この実行の fuel_use にキー F00002 の行はない（読んだ行はすべて台帳・不採用・除外のいずれかにある）。"
     "row:fuel_use:F0002 または "),
    ("row:fuel_use#99999", "fuel_use has no row 99999 in this run (its rows are numbered 1 to ",
     "エラー: row:fuel_use#99999：この実行の fuel_use に 99999 行目はない（行番号は 1〜"),
    ("row:fuel_use", "row:fuel_use: name a row as row:TABLE:KEY (its key column) or row:TABLE#N",
     "row:fuel_use：行は row:TABLE:KEY（キー列の値）か row:TABLE#N（ファイルでの行番号）で指定する"),
    ("scope:9", "scope:9: this run has no scope 9 (it has 1, 3)", "エラー: scope:9：この実行にスコープ 9 はない（あるのは 1, 3）"),
    ("scope:x", "scope:x: scope is a number (e.g. scope:1, or scope:none for the rows outside the scopes)",
     "scope:x：scope は数値（例：scope:1。スコープ外の行は scope:none）"),
    ("category:60", "category:60: this run has no category 60; did you mean 6? (it has 6)",
     "category:60：この実行にカテゴリ 60 はない。6 のことですか？（あるのは 6）"),
    ("rule:s9.*", "rule:s9.*: no rule of this run matches (a pattern may use * and ?, e.g. rule:s3.*)",
     "rule:s9.*：この実行のどのルールにも合わない（パターンには * と ? を使える。例：rule:s3.*）"),
    ("foo:1", "foo:1: unknown selector kind 'foo' (kinds: scope, basis,", "foo:1：不明なセレクターの種類 'foo'（種類：scope, basis,"),
    ("s1.stationary", "'s1.stationary' is not a selector: write KIND:VALUE with KIND one of scope, basis, category, "
                      "entity, rule, row, gas; did you mean rule:s1.stationary?",
     "'s1.stationary' はセレクターではない：KIND:VALUE の形で書く（KIND は scope, basis, category, entity, rule, row, gas "
     "のいずれか）。rule:s1.stationary のことですか？"),
])
def test_an_explain_selector_the_run_cannot_answer_is_refused_in_the_runs_language(run, selector, english, japanese):
    said = tanso("explain", run, selector)
    assert said.returncode == 64 and english in said.stderr, said.stderr
    said = tanso("explain", run, selector, "--lang", "ja")
    assert said.returncode == 64 and japanese in said.stderr, said.stderr


def test_a_folder_that_is_no_run_is_refused_in_japanese(run, tmp_path):
    assert "エラー: " in (done := tanso("explain", tmp_path / "none", "--lang", "ja")).stderr and "：そのフォルダはない" in done.stderr
    assert done.returncode == 66
    done = tanso("explain", tmp_path, "--lang", "ja")
    assert done.returncode == 66 and "に manifest.json がない：`tanso evaluate --out` が書いたフォルダではない" in done.stderr
    assert "has no manifest.json: not a folder `tanso evaluate --out` wrote" in tanso("explain", tmp_path).stderr


def test_the_total_is_said_in_japanese_and_named_in_english_in_the_json(run):
    assert tanso("explain", run, "--depth", "0", "--lang", "ja").stdout.startswith("合計：")
    assert json.loads(tanso("explain", run, "--format", "json", "--lang", "ja").stdout)["selection"] == "the total"
    assert tanso("explain", run, "--depth", "0").stdout.startswith("the total: ")


@pytest.mark.parametrize("options, english, japanese", [
    (["--select", "s9.x"], "error: --select 's9.x' matches no rule (no rule 's9.x')",
     "エラー: --select 's9.x' に合うルールがない（ルール 's9.x' はない）"),
    (["--select", "tag:nope"], "matches no rule (no tag 'nope'); the tags are: optional",
     "--select 'tag:nope' に合うルールがない（タグ 'nope' はない）。タグは：optional"),
    (["--select", "path:scope9.tanso"], "(no ruleset file 'scope9.tanso'); did you mean 'scope3.tanso'?",
     "（ルールセットのファイル 'scope9.tanso' はない）。'scope3.tanso' のことですか？"),
    (["--select", "foo:x"], "--select 'foo:x': unknown selector method 'foo:'; one of rule:, tag:, path:",
     "--select 'foo:x'：不明なセレクターの方法 'foo:'。次のいずれか：rule:, tag:, path:"),
    (["--select", "tag:"], "--select 'tag:' names nothing after 'tag:'", "--select 'tag:' は 'tag:' の後に何も指定していない"),
    (["--select", "s1.stationary,s2.location"], "matches no rule: no rule is in all of s1.stationary, s2.location",
     "に合うルールがない：s1.stationary, s2.location のすべてに含まれるルールはない"),
    (["--select", " "], "--select names no rule (it is empty), so there is nothing to run",
     "--select がルールを指定していない（空）ため、実行するものがない"),
    (["--select", "s1.stationary", "--exclude", "s1"], "--select 's1.stationary' --exclude 's1' leaves no rule to run",
     "--select 's1.stationary' --exclude 's1' では実行するルールが残らない"),
])
def test_a_selection_that_runs_nothing_is_refused_in_the_runs_language(options, english, japanese):
    arguments = ["evaluate", REPO / "rulesets" / "ghgp-current", "--data", DATA, *options]
    said = tanso(*arguments)
    assert said.returncode == 64 and english in said.stderr, said.stderr
    said = tanso(*arguments, "--lang", "ja")
    assert said.returncode == 64 and japanese in said.stderr, said.stderr
