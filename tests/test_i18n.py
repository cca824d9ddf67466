"""Japanese output (`--lang ja`) and the English default: the message catalogue, diagnostics, the table
report and the securities-report (yuho) layout of rulesets/ssbj-2025, through the real CLI."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import fuel_ruleset
from tanso.diagnostics import expected_list
from tanso.i18n import LANGUAGES, MESSAGES, set_language, t

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "examples" / "acme" / "data"


def tanso(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tanso.cli", *map(str, args)], capture_output=True, text=True)


def test_every_message_has_every_language_and_the_same_placeholders():
    for key, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), key
        placeholders = [{part.split("}")[0].split(":")[0] for part in text.split("{")[1:]} for text in texts.values()]
        assert placeholders[0] >= placeholders[1], key   # Japanese needs no value English lacks


def test_category_names_are_the_ministry_of_the_environments():
    assert t("cat.1", lang="ja") == "購入した製品・サービス" and t("cat.15", lang="ja") == "投資"
    assert t("cat.4", lang="ja") == "輸送、配送（上流）" and t("cat.1") == "Purchased goods and services"


@pytest.mark.parametrize("lang, expected", [
    ("en", ["error: unknown policy option 'boundary.aproach'", "= help: did you mean 'boundary.approach'?", "1 error"]),
    ("ja", ["エラー: 不明なポリシーオプション 'boundary.aproach'", "= ヒント: 'boundary.approach' のことですか？",
            "エラー 1 件"]),
])
def test_diagnostics_in_each_language(lang, expected):
    done = tanso("check", REPO / "rulesets" / "ssbj-2025", "--set", "boundary.aproach=x", "--lang", lang)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    for text in expected:
        assert text in done.stdout + done.stderr


def test_an_unknown_language_is_refused_naming_the_choices():
    done = tanso("check", REPO / "rulesets" / "ssbj-2025", "--lang", "fr")
    assert done.returncode == 64 and "'en', 'ja'" in done.stderr   # usage error (EX_USAGE)


SELECT = "s1.stationary s2.location s2.market s3.cat15.equity_investments s3.cat6.hotels"


# One worker runs the whole module under pytest -n 2 (--dist loadgroup), so its module fixtures are
# computed once, not once on each worker (conftest.py hands the groups out first).
pytestmark = pytest.mark.xdist_group("i18n")


@pytest.fixture(scope="module")
def yuho(tmp_path_factory) -> dict[str, str]:
    """The yuho layout of the Acme demo under ssbj-2025 in both languages, and the Japanese table report."""
    out = {}
    for name, args in (("en", ["--format", "yuho"]), ("ja", ["--format", "yuho", "--lang", "ja"]),
                       ("table_ja", ["--lang", "ja"]),
                       ("relief", ["--format", "yuho", "--set", "ssbj.scope3_first_year_relief=true"])):
        done = tanso("evaluate", REPO / "rulesets" / "ssbj-2025", "--data", DATA, "--select", SELECT, *args)
        assert done.returncode == 0, done.stderr
        out[name] = done.stdout
    return out


def test_the_securities_report_in_japanese(yuho):
    text = yuho["ja"]
    assert text.startswith("許容範囲内で完全：入力 3 行が不採用、すべて許容済み")   # the completeness headline
    assert "温室効果ガス排出（有価証券報告書・SSBJ気候関連開示基準）" in text
    assert "報告企業：財務諸表の連結会計グループ" in text and "測定方法：GHGプロトコル企業基準（2004年）" in text
    assert "スコープ2（ロケーション基準）" in text and "スコープ2（マーケット基準）" in text
    # ACME-KR 1,080 t + ACME-CZ 500 t + KOBE-RENEW 150 t + ACME-JV (equity-accounted) 1,750 t, apart
    assert "その他の投資先（スコープ1・2の持分相当、カテゴリ15に含む）" in text and "3,480.000" in text
    assert "スコープ3 カテゴリ6 出張" in text and "スコープ3 カテゴリ15 投資" in text


def test_the_securities_report_in_english_by_default(yuho):
    text = yuho["en"]
    assert text.startswith("complete within stated tolerances: 3 input rows rejected, every one accepted")
    assert "Greenhouse gas emissions (securities report, SSBJ climate standard)" in text
    assert "Consolidated group" in text and "Scope 3 · category 6 Business travel" in text
    assert not any("\u3040" <= ch <= "\u30ff" for ch in text.split("Reporting entity")[1])   # no kana


def test_the_first_year_relief_replaces_scope_3(yuho):
    assert "Scope 3 not disclosed: first-year relief" in yuho["relief"] and "category 6" not in yuho["relief"]


def test_the_table_report_in_japanese(yuho):
    assert "スコープ／カテゴリ" in yuho["table_ja"] and "スコープ3 カテゴリ15" in yuho["table_ja"]


def test_the_reports_words_are_in_the_catalogue_and_a_key_cannot_mean_two_things():
    from tanso.i18n import register
    from tanso_report.messages import REPORT_MESSAGES
    assert all(MESSAGES[key] == texts for key, texts in REPORT_MESSAGES.items())
    assert t("inv.totals", lang="ja") == "合計" and t("inv.totals") == "Totals"
    register({"inv.totals": REPORT_MESSAGES["inv.totals"]})                   # the same texts again: fine
    with pytest.raises(ValueError, match="'inv.totals' is registered twice"):
        register({"inv.totals": {"en": "Sum", "ja": "総計"}})


@pytest.mark.parametrize("lang, line", [
    ("en", '  rule s1 [a.tanso:3]: 1 of 6 rows rejected, activity 9,000 km — accepted by t.tanso:1 (up to 9000 km): "x"'),
    ("ja", "  ルール s1 [a.tanso:3]：6 行中 1 行が不採用、活動量 9,000 km — t.tanso:1 で許容（9000 km まで）：「x」"),
])
def test_the_completeness_lines_in_each_language(lang, line):
    from tanso.i18n import set_language
    from tanso.run.completeness import lines
    group = {"rule": "s1", "input": "fuel_use", "source": "a.tanso:3", "rows_rejected": 1, "rows_selected": 6,
             "activity": [{"quantity": 9000, "unit": "km"}], "status": "accepted", "problem": None,
             "tolerance": {"source": "t.tanso:1", "statement": "up to 9000 km", "justification": "x"},
             "reasons": [{"reason": "r", "rows": 1}], "other_reasons": 0}
    set_language(lang)
    try:
        assert lines({"status": "accepted", "groups": [group], "rows_rejected": 1, "rows_not_accepted": 0})[1] == line
    finally:
        set_language("en")


@pytest.mark.parametrize("lang, head", [
    ("en", "complete within stated tolerances: 2 input rows rejected (3 rejections: a row counts once per rule), "
           "every one accepted"),
    ("ja", "許容範囲内で完全：入力 2 行が不採用（延べ 3 件：複数のルールが不採用にした行はルールごとに数える）、すべて許容済み"),
])
def test_a_row_rejected_by_two_rules_is_counted_per_rule_in_each_language(lang, head):
    from tanso.i18n import set_language
    from tanso.run.completeness import lines
    set_language(lang)
    try:
        assert lines({"status": "accepted", "groups": [], "rows_rejected": 3, "input_rows_rejected": 2,
                      "rows_not_accepted": 0})[0] == head
    finally:
        set_language("en")


# Words of Tanso's own English sentences; none of them is an id, file, unit or user text of the Acme demo.
ENGLISH = {"the", "is", "are", "no", "not", "in", "for", "of", "at", "to", "up", "row", "rows", "wrote", "reasons",
           "rejected", "accepted", "cannot", "converted", "negative", "missing", "factor", "allowed", "median",
           "threshold", "rise", "least", "robust", "deviations", "above", "trailing", "periods", "primary",
           "category", "applicable", "set", "metric", "check", "flagged", "information", "unit", "first"}


def english_left(text: str, ruleset) -> set[str]:
    """Tanso's English words in `text` once the ruleset's own words (titles, justifications) are taken out;
    ids, files and units (`s3.cat6.travel`, `data/x.csv`, `region_code`) are not words."""
    flat = " ".join(text.split())
    items = [*ruleset.checks.values(), *ruleset.metrics.values(), *ruleset.exclusions.values(), *ruleset.accepts.values()]
    for own in [ruleset.title, *(getattr(i.node, "title", None) for i in items),
                *(getattr(i.node, "justification", None) for i in items)]:
        if own:
            flat = flat.replace(" ".join(own.split()), " ")
    return {word for word in re.findall(r"[A-Za-z][\w./=',:@+-]*", flat) if word.lower() in ENGLISH}


@pytest.fixture(scope="module")
def acme_ja(tmp_path_factory) -> tuple[str, Path]:
    """The Acme demo under the standards in force, in Japanese: the terminal's text and the run folder."""
    out = tmp_path_factory.mktemp("acme_ja") / "run"
    done = tanso("evaluate", REPO / "rulesets" / "ghgp-current", "--data", DATA, "--out", out, "--lang", "ja")
    assert done.returncode == 0, done.stderr
    return done.stdout + done.stderr, out


def test_a_japanese_run_reads_japanese_but_for_ids_files_units_and_the_rulesets_own_words(acme_ja):
    from tanso.run import prepare
    text, _ = acme_ja
    assert english_left(text, prepare(REPO / "rulesets" / "ghgp-current").ruleset) == set()
    assert "理由：activity：係数セット travel に mode='air_long_haul', travel_class='first' の係数がない (1)" in text
    assert ("fuel_combustion：quantity が負の値（-40.000000） (1)；fuel_combustion：単位 'kg' は 'l' に換算できない (1)"
            in text)
    assert "tolerances.tanso:8 で許容（3 行まで）" in text
    assert "情報：カテゴリ3：一次データが排出量の 0.0%" in text
    assert "検出：region_code 'sa-east-1' は許可されていない：1 行（cloud/aws/" in text and "csv.gz 13 行目）" in text


def test_the_english_words_are_found_where_they_are_left():
    """The check above can fail: an English reason in a Japanese line is found."""
    from tanso.run import prepare
    line = "    理由：activity: no factor in travel for mode='air_long_haul', travel_class='first' (1)"
    assert english_left(line, prepare(REPO / "rulesets" / "ghgp-current").ruleset) == {"no", "factor", "in", "for"}


def test_rejects_csv_keeps_the_english_reason_and_gains_its_code(acme_ja):
    _, out = acme_ja
    with (out / "rejects.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["row_id", "input_table", "input_row", "rule_id", "rule_source", "reason_code", "reason"]
    assert {(r["row_id"], r["rule_id"]): (r["reason_code"], r["reason"]) for r in rows if r["row_id"] != "RF5"} == {
        ("B6", "s3.cat6.travel"): ("no_factor", "activity: no factor in travel for mode='air_long_haul', "
                                                "travel_class='first'"),
        ("F9001", "s1.stationary"): ("negative_quantity", "fuel_combustion: quantity is negative (-40.000000)"),
        ("F9001", "s3.cat3.wtt"): ("negative_quantity", "activity: quantity is negative (-40.000000)"),
        ("F9002", "s1.stationary"): ("no_factor", "fuel_combustion: no factor in fuels for fuel='coal'"),
        ("F9002", "s3.cat3.wtt"): ("no_factor", "activity: no factor in fuel_wtt for fuel='coal'"),
        ("F9003", "s1.stationary"): ("unit_not_convertible", "fuel_combustion: unit 'kg' cannot be converted to 'l'"),
        ("F9003", "s3.cat3.wtt"): ("unit_not_convertible", "activity: unit 'kg' cannot be converted to 'l'"),
    }


def test_a_reason_reads_back_as_its_code_and_parameters_and_a_chain_part_by_part():
    from tanso.reasons import parse, render
    first, second = parse("activity: no factor in travel for mode='x'; spend_based: unit 'kg' cannot be converted to 'USD'")
    assert (first.calculator, first.code, first.values) == ("activity", "no_factor", {"factor_set": "travel",
                                                                                     "keys": "mode='x'"})
    assert (second.calculator, second.code, second.values) == ("spend_based", "unit_not_convertible",
                                                               {"from_unit": "kg", "to_unit": "USD"})
    assert render("quantity is negative (-3)", lang="ja") == "quantity が負の値（-3）"
    read = parse("data/fuel_use.csv row 12: column entity: missing value (declared required)")
    assert [(p.file, p.row, p.code, p.values) for p in read] == [("data/fuel_use.csv", "12", "column.required",
                                                                  {"column": "entity"})]
    assert render("data/fuel_use.csv row 12: column entity: missing value (declared required)", lang="ja") == \
        "data/fuel_use.csv 12 行目：列 entity：値がない（必須と宣言）"
    assert render("something no template says", lang="ja") == "something no template says"   # kept, not lost


def test_metrics_print_as_the_totals_do_never_in_exponent_notation(acme_ja):
    text, _ = acme_ja
    # scope2_location is 16,415,439.180168 kg CO2e: once printed "1.64154e+7 kg CO2e"
    assert "指標 scope2_location：16,415.439 t-CO2e" in text
    assert "指標 intensity_location：19,104.5 kg CO2e / MUSD" in text and "指標 scope3_coverage：98.2 %" in text
    assert not re.search(r"[0-9]e[+-][0-9]", text)


@pytest.mark.parametrize("value, unit, shown", [
    (Decimal("16415439.2"), "kg CO2e", "16,415.439 t CO2e"),
    (Decimal("19104.53150196094"), "kg CO2e / MUSD", "19,104.5 kg CO2e / MUSD"),
    (Decimal("0.000123456789"), "kg CO2e / kWh", "0.000123457 kg CO2e / kWh"),   # six significant digits kept
    (Decimal("0.00536509"), None, "0.5 %"),
    (Decimal("1234567.891"), "1", "1,234,567.891"),
    (None, "kg CO2e", "—"),
])
def test_a_metric_value_is_shown_with_its_unit(value, unit, shown):
    from tanso_report.display import number
    assert number(value, unit, places=3) == shown


def test_a_long_list_of_choices_ends_in_the_runs_language():
    known = [f"input_{n:02}" for n in range(14)]
    set_language("ja")
    try:
        assert expected_list("input", known).endswith("input_11, … ほか 2 件")
    finally:
        set_language("en")
    assert expected_list("input", known).endswith("input_11, … (2 more)")


def test_a_scope_that_does_not_exist_is_said_in_the_runs_language(tmp_path):
    ruleset = tmp_path / "case.tanso"
    ruleset.write_text(fuel_ruleset().replace("scope 1", "scope 4"), encoding="utf-8")
    done = tanso("check", ruleset, "--lang", "ja")
    assert done.returncode == 1 and "エラー: スコープ 4 はない" in done.stdout + done.stderr
    assert "= ヒント: 定義：GHG Protocol Corporate Standard" in done.stdout + done.stderr
    assert "there is no scope" not in done.stdout + done.stderr


# Words of `tanso check`'s own English sentences: none of them is an id, keyword or file of the diagnostics cases.
CHECK_ENGLISH = {"unexpected", "end", "statement", "unknown", "given", "twice", "has", "needs", "cannot", "invalid",
                 "value", "parameter", "column", "which", "does", "have", "dependency", "cycle", "reads", "here", "role",
                 "listed", "requires", "approvals", "remove", "earlier", "layer", "defines", "there", "holds", "compared",
                 "arithmetic", "use", "always", "number", "text", "list", "comparison", "but", "the", "is", "no"}


@pytest.mark.parametrize("case", sorted((REPO / "tests" / "diagnostics").glob("*.tanso")), ids=lambda case: case.stem)
def test_every_diagnostics_case_says_its_problems_in_japanese(case):
    done = tanso("check", case, "--lang", "ja")
    said = [line.split(": ", 1)[1] for line in done.stderr.splitlines() if line.startswith(("エラー: ", "警告: ", "  注記: "))]
    assert done.returncode == 1 and said and "Traceback" not in done.stderr
    unquoted = [re.sub(r"'[^']*'|\"[^\"]*\"|policy\(\"[^\"]*\"\)", "", line) for line in said]
    # words, not parts of ids (fuel_use, s1.fuel): an id's letters are no English left untranslated
    words = [set(re.findall(r"(?<![\w.])[a-z]+(?![\w.])", line)) for line in unquoted]
    assert [line for line, found in zip(unquoted, words) if found & CHECK_ENGLISH] == []


@pytest.mark.parametrize("case, lines", [
    ("unknown_calc_parameter", ["エラー: activity にパラメータ 'mach' はない",
                                "= 想定: パラメータ factors, match, quantity, unit, quantity_unit, method, data_type"]),
    ("boundary_parameters", ["エラー: consolidation にはパラメータ 'entities' が必要",
                             "エラー: consolidation：パラメータ 'holding' に 数値 3 は書けない", "= 想定: 名前またはテキスト"]),
    ("misspelt_keyword", ["エラー: 予期しない 'frm'", "'calc' または 'category'"]),
    ("set_missing_value", ["エラー: 予期しない 文の終わり", '"引用符で囲んだ文字列" または']),
    ("dependency_cycle", ["エラー: 依存関係の循環：a → b → a", "注記: b はここで a を読む",
                          "= ヒント: ルールは自身の結果に依存できない。これらの依存のどれかを断つ"]),
    ("missing_column", ["エラー: spend_based には列 'currency' が必要だが、ルールの入力にない",
                        "= ヒント: パラメータ 'unit' の既定は列 'currency'。別の列を使うには 'unit: COLUMN' と書く"]),
    ("policy_value_of_the_wrong_kind", ['エラー: "AR7" は policy("gwp.set") が持ちうる値ではないため、この比較は常に偽',
                                        '= 想定: テキスト（次のいずれか："AR4", "AR5", "AR6"）']),
    ("require_approvals", ["エラー: ロール 'reviewer' が 2 回書かれている", "= 想定: 1 以上（または 'approver' を書かない）"]),
    ("text_in_arithmetic", ['エラー: 算術に テキスト "2" は使えない', "= ヒント: 数値は引用符なしで書く：2"]),
])
def test_diagnostics_in_japanese(case, lines):
    done = tanso("check", REPO / "tests" / "diagnostics" / f"{case}.tanso", "--lang", "ja")
    for line in lines:
        assert line in done.stderr


def test_a_jump_is_said_with_thousands_separators_as_the_metrics_are(acme_ja):
    text, _ = acme_ja
    assert "2025-09：6,944.4 kg CO2e。直前 6 期間の中央値 1,097.79、MAD 19.0625 → 上方へロバスト偏差 206.871 個分" in text
    assert "27,229.7 cloud_costs.cost。直前 6 期間の中央値 4,570.73" in text


def test_a_jumps_stored_statistics_stay_as_printf_wrote_them_and_are_said_without_exponents():
    import tanso_functions.series  # noqa: F401  (registers the jump's codes)
    from tanso.reasons import parse, render_one
    stored = ("account 1 · 2025-09: 1.23457e+06 kg CO2e; its trailing 6 periods: median 4570.73, MAD 1.5e-05 → "
              "86.2197 robust deviations above (threshold 3.5, rise at least 0.5 × the median)")
    assert parse(stored)[0].code == "jump"
    assert render_one(stored, lang="en") == (
        "account 1 · 2025-09: 1,234,570 kg CO2e; its trailing 6 periods: median 4,570.73, MAD 0.000015 → "
        "86.2197 robust deviations above (threshold 3.5, rise at least 0.5 × the median)")


# Words of explain's and verify's own English sentences and headers.
AUDIT_ENGLISH = {"exactly", "from", "rules", "rule", "run", "digest", "completeness", "accepted", "rejected", "excluded",
                 "not", "in", "this", "figure", "share", "where", "methods", "factors", "gas", "value", "activity",
                 "version", "default", "policies", "read", "listed", "more", "and", "verified", "output", "files",
                 "hashed", "lines", "equal", "sums", "of", "log", "entry", "head", "logged", "as", "by", "missing",
                 "expected", "found", "differs", "manifest", "added", "after", "problems", "ALTERED", "rows"}


def audit_english_left(text: str) -> set[str]:
    """The explain/verify words left in `text` but for the ruleset's and publishers' own words: a rule's heading,
    title (a row of the rules table) and text (`  12 │ …`), a policy value's source (`gwp.set = AR5 …`), a factor's
    provenance; ids before '：' or ' · ' (calculators), files, paths and quoted values."""
    kept = [line for line in text.splitlines() if "│" not in line and " = " not in line
            and not line.startswith(("──", "         ")) and not re.match(r"  \S+ +\S.*\.tanso:[0-9]+$", line)]
    flat = re.sub(r"\S+\.(tanso|csv|parquet|json|jsonl)\S*|/\S+|'[^']*'|\"[^\"]*\"|「[^」]*」|[\w.]+(：| ·)", " ",
                  " ".join(kept))
    return {word for word in re.findall(r"[A-Za-z]+", flat) if word in AUDIT_ENGLISH}


def test_explain_says_the_figure_in_japanese(acme_ja):
    _, out = acme_ja
    done = tanso("explain", out, "scope:1", "--depth", "4", "--lang", "ja")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("scope:1：778.639 t-CO2e\n  正確には 778,639.1715968495 kg-CO2e · 入力 204 行から台帳 601 行 · ルール 6 件")
    assert "  完全性：許容範囲内で完全" in text and "s1.stationary：135 行中 3 行が不採用（許容、許容範囲「3 行まで」" in text
    assert "この数値に含まないもの（不採用）：4 行（rejects.csv に記載）" in text
    assert "fuel_combustion：係数セット fuels に fuel='coal' の係数がない" in text     # a stored reason, said in Japanese
    assert "fuels · factors/fuels.csv 4 行目 · fuel=natural_gas" in text and "読んだポリシー" in text
    assert audit_english_left(text) == set()
    page = tanso("explain", out, "scope:1", "--format", "html", "--lang", "ja").stdout
    assert '<html lang="ja">' in page and "算定方法とデータの種類" in page and "深さ 3" in page


def test_explain_in_japanese_lines_up_its_columns_at_the_terminal(acme_ja):
    _, out = acme_ja
    lines = tanso("explain", out, "scope:1", "--lang", "ja").stdout.splitlines()
    header = next(line for line in lines if line.startswith("ルール"))
    first = lines[lines.index(header) + 1]
    # "ルール" takes six columns: the t-CO2e header ends where the first rule's tonnes end
    assert first.startswith("  s1.stationary")
    wide = sum(2 if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" else 1 for ch in header.split("t-CO2e")[0])
    assert wide + len("t-CO2e") == first.index("304.711") + len("304.711")


def test_verify_says_its_verdict_in_japanese_and_keeps_its_json_in_english(acme_ja, tmp_path):
    import shutil
    _, out = acme_ja
    altered = tmp_path / "altered"
    shutil.copytree(out, altered)
    with (altered / "ledger.csv").open("a", encoding="utf-8") as ledger:
        ledger.write("x\n")
    text = tanso("verify", out, "--lang", "ja").stdout
    assert text.startswith("検証済み：") and "manifest.json：出力ファイル 13 件をハッシュで照合" in text
    assert audit_english_left(text) == set()
    done = tanso("verify", altered, "--lang", "ja")
    assert done.returncode == 8
    assert done.stdout.startswith("改ざんあり：") and "  ledger.csv：sha256 がマニフェストと異なる\n    想定 " in done.stdout
    assert "（" in done.stdout and "バイト）" in done.stdout and audit_english_left(done.stdout) == set()
    problem = json.loads(tanso("verify", altered, "--format", "json", "--lang", "ja").stdout)["problems"][0]
    assert problem["message"] == "sha256 differs from the manifest"


def test_excluded_csv_keeps_the_english_reason_and_gains_its_code(acme_ja):
    _, out = acme_ja
    with (out / "excluded.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0])[-2:] == ["reason_code", "reason"]
    coded = {row["reason_code"]: row["reason"] for row in rows}
    assert coded == {
        "boundary.operational_control": coded["boundary.operational_control"],
        "provider.superseded_for": "superseded: aws model_version 'v3.1.0' restates 2025-03 for payer_account_id "
                                   "'301234567890' (this row: 'v3.0.0')",
        "investee.consolidated": "ACME-JV is consolidated in Scope 1/2 at weight 1 (boundary.approach = "
                                 "operational_control): not counted again in category 15",
        "no_rule_selects": "no rule selects this row (rules reading investments: s3.cat15.business_loans, "
                           "s3.cat15.equity_investments, s3.cat15.listed_equity, s3.cat15.project_finance)",
        "": "Fuel burned on the engine test bench is reported under the lab's own permit"}   # a justification
    assert coded["boundary.operational_control"] in {
        f"{entity} is not under operational control (boundary.approach = operational_control; GHG Protocol "
        f"Corporate Standard (rev. 2004), ch. 3, Table 1)" for entity in ("ACME-KR", "ACME-CZ")}


@pytest.mark.parametrize("stored, said", [
    ("ACME-X is held through ACME-H (an associate (significant influence, no financial control)), which is 0% under "
     "equity share (boundary.approach = equity_share; GHG Protocol Corporate Standard (rev. 2004), ch. 3, Table 1)",
     "ACME-X は ACME-H（関連会社（重要な影響力あり、財務支配力なし）） を通じて保有され、ACME-H は出資比率基準で 0%"
     "（boundary.approach = equity_share；GHG Protocol Corporate Standard (rev. 2004), ch. 3, Table 1）"),
    ("superseded: gcp version '2' restates 2025-01 (this row: '1')",
     "置き換え済み：gcp の version '2' が 2025-01 を再計算（この行：'1'）"),
])
def test_a_boundary_or_provider_exclusion_is_said_in_japanese(stored, said):
    import tanso_ghgp.plugin  # noqa: F401  (registers the codes)
    from tanso.reasons import render
    assert render(stored, lang="ja") == said


@pytest.mark.parametrize("stored, codes, said", [
    ("certificate 'GO-42' is not used: certificate_id 'GO-42' is listed on rows 1 and 3: a certificate is claimed once; "
     "fix the source", ["scope2.certificate_unused", "scope2.fix_source"],
     "証書 'GO-42' は使わない：certificate_id 'GO-42' が rows 1 and 3 に記載されている：証書が主張できるのは 1 回；元データを直す"),
    ("certificate 'C1' is not used: quantity is negative (-5.000000)", ["scope2.certificate_unused"],
     "証書 'C1' は使わない：quantity が負の値（-5.000000）"),
    ("certificate is not used: certificate_id is missing; unit is missing",
     ["scope2.certificate_unused_no_id", "missing_value"], "証書は使わない：certificate_id がない；unit がない"),
    ("market_based: unit litre is not an energy unit", ["scope2.not_energy"],
     "market_based：単位 litre はエネルギーの単位ではない"),
    ("quantity 2000000000 MWh is more than 999,999,999,999.999999 kWh, the most one row may hold (a unit or a decimal "
     "point out of place?)", ["scope2.too_large"],
     "quantity 2000000000 MWh は 1 行に入る上限 999,999,999,999.999999 kWh を超える（単位か小数点の誤り？）"),
    ("gl.csv row 2: account '6990' is not in account_map (account_map.csv)", ["lookup.not_in"],
     "gl.csv 2 行目：account '6990' は account_map（account_map.csv）にない"),
    ("gl.csv row 4: column account: missing value (the key looked up in account_map)", ["lookup.key_missing"],
     "gl.csv 4 行目：列 account：値がない（account_map で引くキー）"),
    ("account '5110' is in account_map.csv but its row 1 was rejected: column account: missing value (declared required)",
     ["lookup.row_rejected"],
     "account '5110' は account_map.csv にあるが、その 1 行目は不採用：列 account：値がない（必須と宣言）"),
    ("pcaf_attribution: attribution factor above 100% (outstanding exceeds the attribution base)", ["pcaf.above_100"],
     "pcaf_attribution：帰属係数が 100% を超える（残高が帰属の基準額を超える）"),
    ("investee_share: the entities table gives no equity share for the investee", ["investee.no_share"],
     "investee_share：事業体の表に投資先の持分比率がない"),
    ("supplier_product: footprint PF-1 is valid until 2024-12-31, before the row's period 2025-03: ask the supplier for a "
     "current footprint", ["pact.expired"],
     "supplier_product：フットプリント PF-1 の有効期限は 2024-12-31 で、行の期間 2025-03 より前：供給者に最新のフットプリントを求める"),
])
def test_certificate_lookup_investee_and_footprint_reasons_have_codes_and_japanese(stored, codes, said):
    import tanso_ghgp.plugin  # noqa: F401  (registers the plugin's codes)
    from tanso.reasons import parse, render
    assert [part.code for part in parse(stored)] == codes
    assert render(stored, lang="ja") == said


def test_a_rules_side_of_a_change_is_said_in_the_runs_language():
    from tanso.compare.changes import reason_text
    from tanso_report.comparison_view import show
    before, after = reason_text("change.absent"), reason_text("change.added_in", layer="ghgp_draft_2026")
    assert (before, after) == ("absent", "added in ghgp_draft_2026")          # as comparison.json keeps them
    set_language("ja")
    try:
        assert f"{show(before)} → {show(after)}" == "なし → ghgp_draft_2026 で追加"
        assert show("operational_control") == "operational_control" and show(None) == "—"
    finally:
        set_language("en")
    assert show(after) == "added in ghgp_draft_2026"


def test_more_of_checks_problems_are_said_in_japanese(tmp_path):
    cases = {"twice": ('rule s1.fuel "Again"\n  scope 1\n  from fuel_use\n  calc fuel_combustion(factors: fuels)\n',
                       ["エラー: このルールセットで 's1.fuel' が 2 回定義されている", "= ヒント: 最初の定義は "]),
             "clauses": ('rule s1.nothing "No calc"\n  scope 1\n  from fuel_use\n\naccept rejects s1.fuel up to 1.5 rows ""\n',
                         ["エラー: ルール 's1.nothing' に 'calc' 句がない", "エラー: 行数は整数（1.5 ではない）",
                          "エラー: 不採用の行の許容範囲には根拠が必要"])}
    for name, (extra, lines) in cases.items():
        ruleset = tmp_path / f"{name}.tanso"
        ruleset.write_text(fuel_ruleset(extra="\n" + extra), encoding="utf-8")
        said = tanso("check", ruleset, "--lang", "ja").stderr
        assert all(line in said for line in lines), said
    ruleset = tmp_path / "unread.tanso"
    ruleset.write_text(fuel_ruleset(), encoding="utf-8")
    unread = tanso("check", ruleset, "--set", "scope3.cat16.enabled=true", "--lang", "ja")
    assert "警告: ポリシー 'scope3.cat16.enabled' はコマンドラインで true に設定されているが" in unread.stderr


def test_every_method_and_data_type_a_calculator_declares_has_a_japanese_name():
    """A report in Japanese names the ledger's methods and data types in Japanese; a ruleset's own method text
    (`method: "PCAF listed equity (EVIC)"`) is its author's words and shows as written."""
    from tanso.i18n import label
    from tanso.plugins import load_registry
    declared = {pair for calculator in load_registry().calculators.values() for pair in calculator.methods or ()}
    set_language("ja")
    try:
        unnamed = sorted({f"method {m}" for m, _ in declared if not KANA_OR_KANJI.search(label("method", m))}
                         | {f"data type {d}" for _, d in declared if not KANA_OR_KANJI.search(label("data_type", d))})
        assert label("method", "PCAF listed equity (EVIC)") == "PCAF listed equity (EVIC)"
    finally:
        set_language("en")
    assert not unnamed, unnamed
    assert label("method", "average-data") == "average-data"      # English: the ledger's own words


KANA_OR_KANJI = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
