"""What the other commands print under `--lang ja` reads Japanese but for ids, files, units and the ruleset's own words:
the `--format inventory` layout (statements, data types, verification, category 15's coverage) and the commands
that print prose. English stays the default, word for word."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "examples" / "acme" / "data"
DRAFT = REPO / "rulesets" / "ghgp-draft-2026"
LAYOUT_ENGLISH = {"Scope", "Inventory", "Statement", "line", "verification", "boundary", "amounts", "location",
                  "based", "market", "dual", "reporting", "optional", "outside", "Outside", "scopes", "minimum", "Total",
                  "Data", "quality", "share", "levels", "primary", "data", "biogenic", "mass", "weighted", "verified",
                  "fully", "partially", "not", "Verification", "Category", "covers", "carrying", "value", "Check",
                  "failed", "unstated", "of", "which", "the", "in", "by", "each", "emissions", "impact", "credits",
                  "avoided", "physical", "None"}


def tanso(*args: str) -> subprocess.CompletedProcess:
    """The CLI, laid out 200 columns wide (a table's cells on one line each)."""
    return subprocess.run([sys.executable, "-m", "tanso.cli", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "200"})


def english_left(text: str, ruleset_path: Path, words: set[str]) -> set[str]:
    """`words` left in `text` once the ruleset's own words (titles, justifications) are taken out; ids, files and
    units (`s3.cat6.travel`, `data/x.csv`, `t-CO2e`) are not words."""
    from tanso.run import prepare
    ruleset = prepare(ruleset_path).ruleset
    flat = " ".join(text.split())
    items = [*ruleset.rules.values(), *ruleset.checks.values(), *ruleset.metrics.values(), *ruleset.exclusions.values(),
             *ruleset.accepts.values()]
    for own in [ruleset.title, *(getattr(i.node, "title", None) for i in items),
                *(getattr(i.node, "justification", None) for i in items)]:
        if own:
            flat = flat.replace(" ".join(own.split()), " ")
    return {word for word in re.findall(r"(?<![\w./-])[A-Za-z]+(?![\w./-])", flat) if word in words}


@pytest.fixture(scope="module")
def layouts() -> dict[str, str]:
    """The revision drafts' inventory layout of the Acme demo (three statements, data types, verification, category
    15's coverage), in each language."""
    said = {}
    for lang in ("en", "ja"):
        done = tanso("evaluate", DRAFT, "--data", DATA, "--format", "inventory", "--lang", lang)
        assert done.returncode == 0, done.stderr
        said[lang] = done.stdout
    return said


def test_the_inventory_layout_in_japanese(layouts):
    text = layouts["ja"]
    for line in ["バウンダリ financial_control · 地球温暖化係数 AR6 · 単位 t-CO2e", "ステートメント1 — 物理的インベントリ",
                 "│ スコープ2（ロケーション基準）", "│ 全体を検証済み │", "│     二次データ ", "うち任意（最小バウンダリの外）",
                 "合計：スコープ1＋スコープ2（ロケーション基準）＋スコープ3", "データ品質 — 各項目の排出量に占めるレベル別の割合",
                 "│ スコープ外 ", "ステートメント2 — マーケット基準", "ステートメント3 — インパクト（クレジット、削減貢献量）",
                 "スコープ外：バイオマス由来CO2 54.060 t（質量。CO2e 換算ではない）", "インベントリの検証：一部を検証済み",
                 "カテゴリ15 は投資の帳簿価額の 100.0% を対象とする", "不合格のチェック："]:
        assert line in text, line
    assert english_left(text, DRAFT, LAYOUT_ENGLISH) == set()


def test_the_inventory_layout_stays_english_by_default(layouts):
    text = layouts["en"]
    for line in ["boundary financial_control · GWP AR6 · amounts in t CO2e", "Statement 1 — physical inventory",
                 "│ fully verified ", "Total: Scope 1 + Scope 2 location-based + Scope 3",
                 "Verification of the inventory: partially verified", "Check failed: "]:
        assert line in text, line
    assert english_left(text, DRAFT, LAYOUT_ENGLISH) >= {"Scope", "Statement", "Total", "verified"}


@pytest.fixture(scope="module")
def logged(tmp_path_factory) -> Path:
    """A workspace whose log holds one run of the Acme demo's stationary combustion."""
    folder = tmp_path_factory.mktemp("logged")
    done = tanso("evaluate", REPO / "rulesets" / "ghgp-current", "--data", DATA, "--select", "s1.stationary",
                 "--out", folder / "run", "--log", folder / "log.jsonl")
    assert done.returncode == 0, done.stderr
    return folder


def test_the_log_in_japanese(logged):
    done = tanso("log", "--log", logged / "log.jsonl", "--lang", "ja")
    assert done.returncode == 0, done.stderr
    entry, verdict, count = done.stdout.splitlines()
    assert re.fullmatch(r"#1  \S+  実行  \S+  evaluate \S*run  ghgp_current@[0-9a-f]{12}  マニフェスト [0-9a-f]{12}", entry)
    assert verdict == f"検証済み：{logged / 'log.jsonl'}" and count.startswith("  ログ：1 件、先頭 #1 ")
    english = tanso("log", "--log", logged / "log.jsonl").stdout
    assert re.match(r"#1  \S+  run       \S+  evaluate \S*run  ghgp_current@[0-9a-f]{12}  manifest [0-9a-f]{12}\n", english)


def test_a_missing_log_is_said_in_japanese_and_named_in_english_in_the_json(logged):
    missing = logged / "none.jsonl"
    said = tanso("log", "--log", missing, "--lang", "ja").stdout
    assert f"{missing} にログがない（実行は --out のフォルダの隣に記録する。--log FILE を指定するか TANSO_LOG を設定する）" in said
    problems = json.loads(tanso("log", "--log", missing, "--format", "json", "--lang", "ja").stdout)["verification"]
    assert problems["problems"][0]["message"].startswith(f"no log at {missing} (runs log beside their --out folder")


@pytest.fixture(scope="module")
def acme(tmp_path_factory) -> Path:
    """The Acme demo under the standards in force: a run folder for base-year, engage and decompose."""
    out = tmp_path_factory.mktemp("acme") / "run"
    done = tanso("evaluate", REPO / "rulesets" / "ghgp-current", "--data", DATA, "--out", out, "--allow-rejects")
    assert done.returncode == 0, done.stderr
    return out


COMMAND_ENGLISH = {"Scope", "Total", "verdict", "base", "year", "recalculation", "required", "not", "threshold",
                   "changed", "policies", "significant", "supplier", "suppliers", "spend", "cum", "levels", "sectors",
                   "methods", "wrote", "inside", "organisational", "boundary", "weight", "purchases", "outside", "ranked",
                   "category", "within", "of", "in", "activity", "intensity", "error", "no", "such", "folder"}


def command_english(text: str) -> set[str]:
    """Tanso's words left in a command's text; ids, files, units, policy names and the sectors' own names (data of
    the shipped sector list, e.g. "Iron and steel") are not Tanso's."""
    from tanso_ghgp.engagement import SECTORS
    for sector in {line.split(",")[1] for line in SECTORS.read_text(encoding="utf-8").splitlines()[1:]}:
        text = text.replace(sector, " ")
    bare = re.sub(r"\S*/\S*|\b[\w]+\.[\w.]+\b|t-CO2e|USD|kg", " ", text)
    return {word for word in re.findall(r"[A-Za-z]+", bare) if word in COMMAND_ENGLISH}


def test_base_year_engage_and_decompose_in_japanese(acme, tmp_path):
    said = {"base-year": tanso("base-year", acme, acme, "--lang", "ja"),
            "engage": tanso("engage", acme, "--category", "1", "--data", DATA, "--out", tmp_path, "--lang", "ja"),
            "decompose": tanso("decompose", acme, acme, "--category", "1", "--lang", "ja"),
            "refusal": tanso("decompose", acme, tmp_path / "none", "--category", "1", "--lang", "ja")}
    assert said["base-year"].stdout.splitlines()[-1] == "判定：基準年の再計算は不要（閾値 5%）"
    assert "スコープ2（ロケーション基準）" in said["base-year"].stdout
    assert said["engage"].stdout.startswith("スコープ3 カテゴリ1：炭素集約的なセクターで支出の 80% までのサプライヤー（")
    assert "(平均データ法; 支出ベース法; サプライヤー固有の製品フットプリント)" in said["engage"].stdout
    assert said["engage"].stdout.splitlines()[-1].startswith("サプライヤー 18 社。出力しました：")
    assert said["decompose"].stdout.split() [:6] == ["サプライヤー", "基準", "kg", "kg", "Δ", "kg"]
    assert said["refusal"].returncode == 1 and said["refusal"].stderr == f"エラー: {tmp_path / 'none'}：そのフォルダはない\n"
    assert {name: command_english(done.stdout + done.stderr) for name, done in said.items()} == \
           {name: set() for name in said}
    english = tanso("base-year", acme, acme).stdout
    assert english.splitlines()[-1] == "verdict: base-year recalculation not required (threshold 5%)"
    assert command_english(english) >= {"Scope", "Total", "verdict"}


def test_every_status_a_policy_option_declares_and_where_a_value_was_set_have_japanese_names():
    """Explain's policies, compare's changes and the pages' option tables say a document's status and the default in
    the run's language; the manifest and the JSON keep the words as recorded."""
    from tanso.i18n import label, set_language
    from tanso.plugins import load_registry
    statuses = {option.status for option in load_registry().policy_options.values()} | {"draft"}
    set_language("ja")
    try:
        said = {status: label("status", status) for status in statuses} | {"default": label("layer", "default")}
    finally:
        set_language("en")
    assert [word for word, name in said.items() if name == word] == []
    assert said["published"] == "公表済み" and said["default"] == "既定値" and label("status", "published") == "published"


def test_explain_says_a_policys_status_in_japanese(acme):
    text = tanso("explain", acme, "scope:1", "--depth", "4", "--lang", "ja").stdout
    assert re.search(r"gwp\.methane_by_origin = true +既定値 +公表済み +GHG Protocol", text), text


def test_keygen_approve_and_export_say_what_they_did_in_japanese(logged, tmp_path):
    import shutil
    logged = shutil.copytree(logged, tmp_path / "workspace")   # the log the other tests read stays as it was
    key = tmp_path / "aiko"
    said = tanso("keygen", "--out", key, "--lang", "ja").stdout
    assert said == f"{key}.pem（秘密鍵：自分だけで保管する）と {key}.pub.pem（公開鍵：検証する人に渡す）を出力しました\n"
    done = tanso("approve", logged / "run", "--role", "reviewer", "--by", "Aiko", "--key", f"{key}.pem",
                 "--log", logged / "log.jsonl", "--lang", "ja")
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"\S*run を Aiko が reviewer として承認：ログのエントリ #2、鍵 [0-9a-f]+\n承認済み：reviewer Aiko\n",
                        done.stdout), done.stdout
    assert re.search(r"\n#2  \S+  承認  Aiko（reviewer）  \S*run  マニフェスト [0-9a-f]{12}  鍵 [0-9a-f]+  「」\n",
                     tanso("log", "--log", logged / "log.jsonl", "--lang", "ja").stdout)
    pack = tmp_path / "pack.zip"
    done = tanso("export", logged / "run", "--evidence", pack, "--log", logged / "log.jsonl", "--lang", "ja")
    assert done.returncode == 0 and re.fullmatch(rf"{re.escape(str(pack))} を出力しました：ファイル [0-9]+ 件\n", done.stdout)
