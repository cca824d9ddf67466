"""The reports a person reads: the comparison page (`compare --format html`) of the example under the
standards in force and the revision drafts, and the evaluate report (`evaluate --report html,xlsx`).

They say what the issue found missing (the scopes only in the totals, a takeaway, drivers sorted with
the small ones grouped, failing checks first with their reason, units, one precision, downloads), and
in headless Chromium at 1400 and 800 px no text overlaps, is clipped or breaks inside a word, no chart
label is cut, the console stays empty, and every chart draws the figures its table shows
(`page_layout`). The screenshots are kept under the tests' tmp_path.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import struct
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from page_layout import console_errors, console_messages, measure, page_text, run_chromium, screenshot
from tanso.cli import main
from tanso_report.pages import number, tonnes

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "examples" / "acme" / "data"
AMOUNT = re.compile(r"^[+−]?(<0\.1|\d{1,3}(,\d{3})*\.\d)$")     # t CO2e, one decimal, everywhere


def _compare(tmp_path_factory, *options: str) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("compare") / "out"
    outcome = CliRunner().invoke(main, ["compare", str(REPO / "rulesets" / "ghgp-current"),
                                        str(REPO / "rulesets" / "ghgp-draft-2026"), "--data", str(DATA),
                                        "--out", str(out), "--format", "json", *options], catch_exceptions=False)
    assert outcome.exit_code == 0, outcome.output[-3000:]
    return out / "comparison.html", json.loads((out / "comparison.json").read_text())


def _evaluate(tmp_path_factory, ruleset: str, *options: str) -> Path:
    out = tmp_path_factory.mktemp("evaluate") / "out"
    outcome = CliRunner().invoke(main, ["evaluate", str(REPO / "rulesets" / ruleset), "--data", str(DATA),
                                        "--out", str(out), "--report", "html,xlsx", *options], catch_exceptions=False)
    assert outcome.exit_code == 0, outcome.output[-3000:]
    return out


# One worker runs the whole module under pytest -n 2 (--dist loadgroup), so its module fixtures are
# computed once, not once on each worker (conftest.py hands the groups out first).
pytestmark = pytest.mark.xdist_group("html-report")


@pytest.fixture(scope="module")
def comparison(tmp_path_factory):
    """The example compared under the standards in force and the revision drafts (the issue's page)."""
    return _compare(tmp_path_factory)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The example evaluated with both reports."""
    return _evaluate(tmp_path_factory, "ghgp-current")


@pytest.fixture(scope="module")
def comparison_ja(tmp_path_factory):
    """The same comparison page in Japanese (`--lang ja`)."""
    return _compare(tmp_path_factory, "--lang", "ja")


@pytest.fixture(scope="module")
def run_ja(tmp_path_factory):
    """The example under ssbj-2025 with both reports in Japanese, as a Japanese preparer runs it."""
    return _evaluate(tmp_path_factory, "ssbj-2025", "--lang", "ja")


def _chart_rows(markup: str, chart: str) -> list[dict]:
    found = re.search(rf'<script type="application/json" class="chart-data" data-chart="{chart}">(.*?)</script>',
                      markup, re.S)
    assert found, chart
    return json.loads(found.group(1))


def _downloads(markup: str, media_type: str) -> dict[str, bytes]:
    return {name: base64.b64decode(payload) for payload, name in re.findall(
        rf'href="data:{re.escape(media_type)};base64,([A-Za-z0-9+/=]+)" download="([^"]+)"', markup)}


# ------------------------------------------------------------------------------------------- detectors


@pytest.mark.browser
def test_the_console_error_detector_catches_a_broken_script(tmp_path):
    broken = tmp_path / "broken.html"
    broken.write_text("<!DOCTYPE html><html><body><p id='p'>x</p><script>"
                      "document.getElementById('p').textContent = 'ran'; notDefinedAnywhere();</script></body></html>")
    clean = tmp_path / "clean.html"
    clean.write_text("<!DOCTYPE html><html><body><p id='p'>x</p><script>"
                     "document.getElementById('p').textContent = 'ran';</script></body></html>")
    bad = run_chromium(broken, tmp_path / "profile-broken", "--dump-dom")
    good = run_chromium(clean, tmp_path / "profile-clean", "--dump-dom")
    assert bad.returncode == 0 and good.returncode == 0, bad.stderr[-2000:]
    assert ">ran<" in bad.stdout and ">ran<" in good.stdout          # the scripts ran before the dump
    errors = console_errors(bad.stderr)
    assert errors and "notDefinedAnywhere" in errors[0], bad.stderr[-2000:]
    assert console_errors(good.stderr) == [] and console_messages(good.stderr) == []


@pytest.mark.browser
def test_the_layout_detector_catches_overlaps_clipping_broken_words_cut_labels_and_disagreeing_charts(tmp_path):
    page = tmp_path / "bad.html"
    page.write_text("""<!DOCTYPE html><html><body style="font: 15px 'DejaVu Sans'">
<div style="position: relative; height: 40px"><span style="position: absolute; left: 0">83,705.9</span>
  <span style="position: absolute; left: 20px">−1,036.8</span></div>
<div style="width: 60px; overflow: hidden; white-space: nowrap">scope2.market.matching</div>
<p style="width: 40px; word-break: break-all">ruleset.tanso:24</p>
<figure id="c"><svg width="200" height="40" font-size="12"><text x="5" y="15">Scope 3 · 15 Inve…</text><text x="5" y="35">12.0</text><text x="190" y="35">cut</text></svg>
<script type="application/json" class="chart-data" data-chart="c">[{"key": "k", "text": "12.0"}, {"key": "m", "text": "9.9"}]</script></figure>
<table data-chart="c"><tr data-key="k"><td>12.1</td></tr></table>
<div style="width: 2000px">wide</div></body></html>""", encoding="utf-8")
    found = measure(page, 800, tmp_path)
    assert any("83,705.9" in o and "−1,036.8" in o for o in found["overlaps"]), found
    assert any(c.startswith("scope2.market.matching") for c in found["clipped"]), found
    assert "cut (outside svg)" in found["clipped"]
    assert any("|" in b and "tanso" in b for b in found["broken"]), found
    assert found["truncated"] == ["Scope 3 · 15 Inve…"]
    assert sorted(found["disagree"]) == ["c: 9.9 not drawn", 'c: k 12.0 not in its table row ["12.1"]',
                                         "c: m 9.9 not in its table row []"]
    assert found["scroll_width"] > found["width"]


# ------------------------------------------------------------------------------------------- comparison


def test_the_comparison_page_is_self_contained_and_exports_every_chart_and_table(comparison):
    page, document = comparison
    markup = page.read_text(encoding="utf-8")
    assert not re.search(r"<script(?![^>]*type=\"application/json\")", markup)    # no script runs
    assert not re.search(r"<link\b", markup, re.I) and "@import" not in markup
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", markup, re.I)
    data = json.loads(re.search(r'<script type="application/json" id="data">(.*?)</script>', markup, re.S).group(1))
    assert data == document                                            # the JSON reporter's document
    figures = re.findall(r'<figure class="chart-box" id="([^"]+)"', markup)
    assert figures == ["waterfall-0", "waterfall-1", "scopes", "methods"]
    svgs, pngs = _downloads(markup, "image/svg+xml"), _downloads(markup, "image/png")
    assert sorted(svgs) == sorted(f"{f}.svg" for f in figures) and sorted(pngs) == sorted(f"{f}.png" for f in figures)
    assert all(s.startswith(b"<svg") for s in svgs.values()) and all(p[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs.values())
    tables = _downloads(markup, "text/csv")
    assert len(tables) == markup.count('class="csv"') >= 8
    rows = list(csv.DictReader(io.StringIO(tables["attribution-0.csv"].decode())))
    cat15 = next(r for r in rows if r["change"] == "scope3.cat15.scope")
    part = next(p for p in document["headlines"][0]["parts"] if p["change"]["name"] == "scope3.cat15.scope")
    exact = Decimal(part["shapley"]["fraction"].split("/")[0]) / Decimal(part["shapley"]["fraction"].split("/")[1])
    assert Decimal(cat15["Shapley"]) == exact / 1000                   # exact, in t, not rounded for display


def test_the_facts_name_the_data_folder_by_its_own_name_not_the_path_typed(comparison):
    """The page is the same bytes from any working folder and however --data was spelt (here an absolute path);
    the runs' manifests name every file read under it, with its sha256."""
    page, _ = comparison
    assert f"Data folder {DATA.name} GWP set" in page_text(page.read_text(encoding="utf-8"))   # the same for both runs


def test_the_totals_are_the_scopes_and_name_what_is_reported_outside_them(comparison):
    page, document = comparison
    markup = page.read_text(encoding="utf-8")
    stacked = {row["key"]: row["t"] for row in _chart_rows(markup, "scopes")}
    for view in document["headlines"]:
        for side in ("base_kg", "revised_kg"):                          # the bars end at the headline totals
            assert stacked[f"{side}:{view['basis']}"] == pytest.approx(float(Decimal(view[side]) / 1000))
        assert Decimal(view["outside_scopes"]["revised_kg"]) > 0
    cards = page_text(markup.split('id="headline"', 1)[1].split("</section>", 1)[0])
    for view in document["headlines"]:
        outside = view["outside_scopes"]
        assert (f"{tonnes(Decimal(view['base_kg']))} t CO2e Revised {tonnes(Decimal(view['revised_kg']))} t CO2e "
                f"Difference {tonnes(Decimal(view['delta_kg']), signed=True)} t CO2e") in cards
        assert (f"Reported outside the scopes, not in these totals: {tonnes(Decimal(outside['base_kg']))} → "
                f"{tonnes(Decimal(outside['revised_kg']))} t CO2e") in cards


def test_a_takeaway_says_what_drove_the_change(comparison):
    markup, document = comparison[0].read_text(encoding="utf-8"), comparison[1]
    takeaway = page_text(re.search(r'<p class="takeaway" id="takeaway">(.*?)</p>', markup, re.S).group(1))
    delta = Decimal(document["headlines"][0]["delta_kg"])
    assert takeaway.startswith(f"The location-based total rises by {tonnes(delta)} t CO2e (+")
    assert "of the increase is categories 15 and 16, driven by scope3.cat15.scope and scope3.cat16.enabled" in takeaway
    assert "a method change on the same data" in takeaway and "outside the scopes" in takeaway
    assert markup.index('id="takeaway"') < markup.index('id="headline"')


def test_the_drivers_are_sorted_with_the_small_ones_grouped(comparison):
    markup = comparison[0].read_text(encoding="utf-8")
    for chart in ("waterfall-0", "waterfall-1"):
        steps = _chart_rows(markup, chart)
        assert (steps[0]["key"], steps[-1]["key"]) == ("current", "revised")
        moves = [s for s in steps[1:-1] if s["key"] != "smaller"]
        sizes = [abs(s["end"] - s["start"]) for s in moves]
        assert sizes == sorted(sizes, reverse=True)
        movement = sum(sizes) + sum(abs(s["end"] - s["start"]) for s in steps if s["key"] == "smaller")
        assert all(size >= 0.0099 * movement for size in sizes)       # nothing under 1 % drawn on its own
        assert steps[-2]["key"] == "smaller" and re.fullmatch(r"\d+ smaller changes", steps[-2]["label"])
        assert len(steps) <= 11
    text = page_text(markup)
    assert re.search(r"No effect on the location-based total \(\d+\): [a-z0-9_.]+ ?, [a-z0-9_.]+", text)


def test_failing_checks_come_first_in_colour_with_their_reason(comparison):
    markup = comparison[0].read_text(encoding="utf-8")
    alert = markup.split('id="failing-checks"', 1)[1].split("</section>", 1)[0]
    assert markup.index('id="failing-checks"') < markup.index('id="headline"')
    assert '<span class="status FAIL">FAIL</span>' in alert and ".status.FAIL { color: #fff; background:" in markup
    text = page_text(alert)
    assert "Scope 2 (location-based) left out is at most boundary.scope12_max_excluded_share" in text
    assert "revised: boundary.scope12_max_excluded_share = 0.01" in text
    assert "current N/A → revised FAIL" in text


def test_metrics_carry_units_and_shares_are_percentages(comparison):
    markup, document = comparison[0].read_text(encoding="utf-8"), comparison[1]
    metrics = page_text(markup.split('id="metrics-table"', 1)[1].split("</table>", 1)[0])
    values = {(side, m["id"]): Decimal(m["value"]) for side in ("base", "revised")
              for m in document["metrics"][side] if m["value"] is not None}
    assert re.search(r"scope2_location [\d,]+\.\d t CO2e [\d,]+\.\d t CO2e", metrics)      # kg CO2e shown in t
    assert f"{values['base', 'scope2_location'] / 1000:,.1f} t CO2e" in metrics
    assert re.search(r"intensity_location [\d,]+\.\d kg CO2e / MUSD", metrics)
    share = number(values["base", "scope3_upstream_share"], None)
    assert re.fullmatch(r"\d+\.\d %", share) and f"scope3_upstream_share {share}" in metrics
    assert not re.search(r"\d\.\d+[eE][+-]?\d", page_text(markup.split("<body>", 1)[1].split('id="data"', 1)[0]))


def test_every_amount_has_one_precision(comparison):
    markup = comparison[0].read_text(encoding="utf-8")
    cells = re.findall(r'<td class="num">([^<]*)</td>', markup)
    amounts = [c for c in cells if c and not c.endswith("%") and c not in ("—", "absent") and "CO2e" not in c]
    assert len(amounts) > 100 and [c for c in amounts if not AMOUNT.match(c)] == []
    for headline in re.findall(r"<dd>([^<]*) <span class=\"unit\">", markup):
        assert AMOUNT.match(headline.strip()), headline


# ------------------------------------------------------------------------------------------- evaluate


def test_the_evaluate_report_lays_out_the_inventory(run):
    markup = (run / "report.html").read_text(encoding="utf-8")
    text = page_text(markup)
    assert re.search(r"Scope 2 location [\d,]+\.\d t CO2e Scope 2 market [\d,]+\.\d t CO2e", text)
    assert re.search(r"biogenic CO2 \(mass\) [\d,]+\.\d t", text)
    for expected in ("Scope 3 · 15 Investments",
                     "By method (location-based inventory)", "By data type (location-based inventory)",
                     "The 15 largest sources", "Fuel burned on the engine test bench is reported under the lab's own permit",
                     "ACME-KR is not under operational control",
                     "fuel_combustion: quantity is negative",
                     "Share of Scope 3 in categories 1-8"):
        assert expected in text, expected
    assert markup.index('id="failing-checks"') < markup.index('id="scope-category"')
    # policy values as the ruleset language writes them, and no Python None left in a cell
    options = page_text(markup[markup.index('id="policies-table"'):])
    assert "ami.credit_netting false default" in options and "biogenic.report_separately true" in options
    assert not re.search(r"\b(True|False|None)\b", page_text(markup[markup.index('id="excluded-table"'):]))
    manifest = json.loads((run / "manifest.json").read_text())
    assert {"report.html", "report.xlsx"} <= set(manifest["outputs"])    # written before the manifest, hashed
    assert (run / "report.html").stat().st_mode & 0o044                  # readable like the other outputs


KANA = re.compile(r"[\u3040-\u30ff]")


def test_the_evaluate_report_in_japanese(run_ja, run):
    markup = (run_ja / "report.html").read_text(encoding="utf-8")
    text = page_text(markup)
    assert '<html lang="ja">' in markup and '<html lang="en">' in (run / "report.html").read_text(encoding="utf-8")
    for expected in ("温室効果ガス排出量インベントリ", "合計", "スコープ別", "スコープ2（ロケーション基準）",
                     "スコープ・カテゴリ別の排出量（t-CO2e）", "スコープ3 · 1 購入した製品・サービス",
                     "スコープ3 · 15 投資", "スコープ3 · 4 輸送、配送（上流）", "算定方法別（ロケーション基準）",
                     "不合格のチェック", "不採用の行（先頭 50 件。全件は rejects.csv）", "バイオマス由来CO2（質量）",
                     "許容範囲内で完全", "平均データ法", "支出ベース法", "二次データ", "サプライヤー固有（検証済み）"):
        assert expected in text, expected
    shown = page_text(re.sub(r"<style>.*?</style>", "", markup, flags=re.S))           # the words, not the CSS
    for english in ("Totals", "By scope and category", "15 Investments", "1 Purchased goods", "largest sources",
                    "Rejected rows", "Download:", "FAIL", "PASS"):
        assert english not in shown, english
    assert "スコープ2は両方の基準で表示。" in text and "基準で表示." not in text     # a Japanese full stop
    english_page = page_text((run / "report.html").read_text(encoding="utf-8"))
    assert "Scope 3 · 15 Investments" in english_page and not KANA.search(english_page)   # English by default


def test_the_workbook_in_japanese_keeps_its_formulas(run_ja):
    import openpyxl
    values = openpyxl.load_workbook(run_ja / "report.xlsx", read_only=True, data_only=True)
    formulas = openpyxl.load_workbook(run_ja / "report.xlsx", read_only=True)
    summary = {row[0].value: row[1].value for row in values["summary"].iter_rows(min_row=2)}
    assert {"ルールセット", "完全性", "スコープ1", "スコープ2（ロケーション基準）", "スコープ3"} <= set(summary)
    assert summary["完全性"] == "許容範囲内で完全"
    assert any(str(k).startswith("チェック ") and v in ("合格", "不合格", "該当なし") for k, v in summary.items())
    header = [c.value for c in values["by_category"][1]]
    assert header[:4] == ["scope", "category", "basis", "co2e_kg"] and header[-1] == "カテゴリ名"
    names = {row[-1].value for row in values["by_category"].iter_rows(min_row=2)}
    assert "スコープ3 · 15 投資" in names and "スコープ3 · 6 出張" in names
    assert formulas["by_category"]["D2"].value.startswith("=SUMIFS(ledger!$L:$L,")      # still traceable


def test_the_rows_left_out_are_said_in_japanese_on_the_page_and_in_the_workbook(run_ja):
    import openpyxl
    text = page_text((run_ja / "report.html").read_text(encoding="utf-8"))
    # ssbj-2025: financial control on the financial statements' basis
    assert ("ACME-KR（関連会社（重要な影響力あり、財務支配力なし）） は財務支配力の下にない（boundary.approach = "
            "financial_control；boundary.financial_control_basis = financial_statements; GHG Protocol") in text
    assert "この行を選ぶルールがない（investments を読むルール：" in text and "is not under" not in text
    sheet = openpyxl.load_workbook(run_ja / "report.xlsx", read_only=True)["excluded"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][-2:] == ["reason_code", "reason"]
    said = {row[-2]: row[-1] for row in rows[1:]}
    assert said["provider.superseded_for"].startswith("置き換え済み：aws の model_version 'v3.1.0' が 2025-03 を再計算")
    assert said[None] == "Fuel burned on the engine test bench is reported under the lab's own permit"   # as written


def test_the_comparison_page_in_japanese(comparison_ja, comparison):
    text = page_text(comparison_ja[0].read_text(encoding="utf-8"))
    for expected in ("ルールセットの比較", "合計（スコープ1〜3）", "現行", "改訂", "差", "合計を動かした変更",
                     "ロケーション基準の合計", "シャープレイ値", "相互作用", "スコープ・カテゴリ別",
                     "算定方法とデータの種類", "変更とオプション", "端数処理", "排出係数セット"):
        assert expected in text, expected
    takeaway = re.search(r'<p class="takeaway" id="takeaway">(.*?)</p>', comparison_ja[0].read_text(encoding="utf-8"))
    assert takeaway and re.search(r"ロケーション基準の合計は [\d,]+\.\d t-CO2e（\+[\d.]+ %）増加します。", takeaway.group(1))
    assert comparison_ja[1] == comparison[1]            # the figures do not depend on the language
    for english in ("Headline totals", "What moved", "Current total", "Shapley share", "Rounding"):
        assert english not in text, english


def test_report_needs_a_known_name_and_a_run_folder(tmp_path):
    base = ["evaluate", str(REPO / "rulesets" / "ghgp-current"), "--data", str(DATA)]
    unknown = CliRunner().invoke(main, [*base, "--out", str(tmp_path / "out"), "--report", "html,pdf"])
    assert unknown.exit_code == 64 and "unknown report 'pdf'; one of html, xlsx" in unknown.output
    folderless = CliRunner().invoke(main, [*base, "--report", "xlsx"])
    assert folderless.exit_code == 64 and "give --out DIR" in folderless.output
    assert not (tmp_path / "out").exists()


# ------------------------------------------------------------------------------------------- as seen


@pytest.mark.browser
@pytest.mark.parametrize("width", [1400, 800])
@pytest.mark.parametrize("which", ["comparison", "evaluate", "comparison_ja", "evaluate_ja"])
def test_as_a_person_sees_it_nothing_overlaps_is_cut_or_disagrees(request, which, width, tmp_path):
    """In both languages: Japanese text (Noto Sans CJK JP) overlaps, clips and cuts nothing either."""
    fixture = request.getfixturevalue("comparison" if which == "comparison" else "run" if which == "evaluate"
                                      else "comparison_ja" if which == "comparison_ja" else "run_ja")
    page = fixture[0] if which.startswith("comparison") else fixture / "report.html"
    found = measure(page, width, tmp_path)
    assert found["boxes"] > 500
    for problem in ("overlaps", "clipped", "broken", "truncated", "disagree", "console"):
        assert found[problem] == [], (problem, found[problem][:10])
    assert found["scroll_width"] <= width
    shot = screenshot(page, width, 3000, tmp_path / f"{which}-{width}.png")
    assert shot[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", shot[16:24]) == (width, 3000)
    assert len(shot) > 100_000                                           # a drawn page, not a blank one


# ------------------------------------------------------------------------------------------- workbook


def _sumifs(formula: str, ledger: list[dict], amount: str) -> float:
    """What a by_category / by_entity SUMIFS formula adds up, recomputed over the ledger sheet's rows."""
    header = LEDGER_HEADER
    pairs = re.findall(r'ledger!\$([A-Z]+):\$[A-Z]+,("[^"]*"|-?\d+)', formula)
    criteria = {header[_column_index(col)]: (None if value == '"="' else value.strip('"') if value.startswith('"')
                                            else int(value)) for col, value in pairs}
    return sum(row[amount] for row in ledger if all(row[k] == v for k, v in criteria.items()))


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


LEDGER_HEADER: list[str] = []


def test_the_workbook_has_its_sheets_and_every_figure_adds_up_from_the_ledger(run):
    import duckdb
    import openpyxl
    formulas = openpyxl.load_workbook(run / "report.xlsx", read_only=True)
    values = openpyxl.load_workbook(run / "report.xlsx", read_only=True, data_only=True)
    assert formulas.sheetnames == ["summary", "by_category", "by_entity", "factors", "policies", "rejects",
                                   "excluded", "ledger"]
    sheet = values["ledger"]
    LEDGER_HEADER[:] = [c.value for c in sheet[1]]
    ledger = [dict(zip(LEDGER_HEADER, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    assert len(ledger) == duckdb.sql(f"SELECT count(*) FROM '{run / 'ledger.parquet'}'").fetchall()[0][0]
    weighted = formulas["ledger"]["L2"].value
    assert weighted == "=J2*K2" and LEDGER_HEADER[9:12] == ["co2e_kg", "boundary_weight", "co2e_kg_weighted"]
    # Excel's numbers are floats; the exact decimal of every ledger amount is the text beside it
    exact = sorted(Decimal(row["co2e_kg_exact"]) for row in ledger)
    assert exact == sorted(Decimal(kg) for (kg,) in duckdb.sql(
        f"SELECT CAST(co2e_kg AS VARCHAR) FROM '{run / 'ledger.parquet'}'").fetchall())
    assert all(row["co2e_kg"] == pytest.approx(float(row["co2e_kg_exact"]), rel=1e-15) for row in ledger)

    expected = {(s, c, b): float(kg) for s, c, b, kg in duckdb.sql(
        f"SELECT scope, category, basis, sum(co2e_kg * boundary_weight) FROM '{run / 'ledger.parquet'}' "
        f"WHERE scope IS NOT NULL GROUP BY ALL").fetchall()}
    by_category = list(zip(formulas["by_category"].iter_rows(min_row=2), values["by_category"].iter_rows(min_row=2)))
    assert len(by_category) == len(expected)
    for formula_row, value_row in by_category:
        scope, category, basis = (c.value for c in value_row[:3])
        formula = formula_row[3].value
        assert formula.startswith("=SUMIFS(ledger!$L:$L,")                # traceable to its ledger rows
        assert value_row[3].value == pytest.approx(expected[scope, category, basis], rel=1e-12)
        assert _sumifs(formula, ledger, "co2e_kg_weighted") == pytest.approx(value_row[3].value, rel=1e-9)
        assert Decimal(value_row[7].value) == pytest.approx(Decimal(str(expected[scope, category, basis])), rel=Decimal("1e-12"))
    options = {row[0].value: row[1].value for row in values["policies"].iter_rows(min_row=2)}
    assert options["ami.credit_netting"] == "false" and options["scope3.coverage_threshold"] is None
    summary = {row[0].value: row[1].value for row in values["summary"].iter_rows(min_row=2)}
    assert summary["Scope 2, location-based"] == pytest.approx(
        sum(v for (s, _, b), v in expected.items() if s == 2 and b in (None, "location")), rel=1e-12)
    assert summary["Scope 1"] == pytest.approx(sum(v for (s, _, _), v in expected.items() if s == 1), rel=1e-12)
    assert formulas["summary"]["B7"].value.startswith("=SUMIFS(by_category!")
    for entity_row in formulas["by_entity"].iter_rows(min_row=2, max_row=4):
        assert entity_row[3].value.startswith("=SUMIFS(ledger!$L:$L,")

    def rows(name: str) -> int:
        return values[name].max_row - 1

    with (run / "factors.csv").open() as factors, (run / "rejects.csv").open() as rejects, \
            (run / "excluded.csv").open() as excluded:
        assert (rows("factors"), rows("rejects"), rows("excluded")) == (
            len(list(csv.DictReader(factors))), len(list(csv.DictReader(rejects))), len(list(csv.DictReader(excluded))))
    factor_header = [c.value for c in values["factors"][1]]
    assert {"factor_id", "publisher", "edition", "licence", "file", "file_row", "value_exact"} <= set(factor_header)
    with (run / "factors.csv").open() as factors:
        written = sorted(Decimal(r["value"]) for r in csv.DictReader(factors) if r["value"])
    sheet_factors = [dict(zip(factor_header, (c.value for c in row))) for row in values["factors"].iter_rows(min_row=2)]
    assert sorted(Decimal(r["value_exact"]) for r in sheet_factors if r["value_exact"]) == written
    assert "boundary.approach" in {row[0].value for row in values["policies"].iter_rows(min_row=2)}
