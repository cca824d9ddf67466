"""`tanso suggest`: factors are proposed for an input column's free text with a score and a reason;
only what a person confirms reaches the lookup table the rules read, and who confirmed is logged;
re-running keeps every decision and proposes only for new items; spellings are normalised."""

from __future__ import annotations

import csv
import functools
import json
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ledger, make_case, rejects, write_csv
from tanso.cli import main
from tanso.suggest import mapping as maps
from tanso.suggest.normalise import normalise, unit_in_text, unit_of, without_quantities

RULESET = """\
ruleset case
set gwp.set = AR5
input gl "general ledger"
  key entry
  columns description: text, amount: decimal(18,0)
input item_map "confirmed item mappings (tanso suggest)"
  key description
  columns sector: text
factors spend "spend factors" file "factors/spend.csv"
rule s3.cat1 "purchases"
  scope 3 category 1
  from gl lookup item_map on description
  calc spend_based(factors: spend, match: [sector], quantity: amount, quantity_unit: "JPY")
"""
FACTORS = [{"factor_id": f"F-{s}", "sector": s, "sector_name": name, "gas": "CO2e", "value": v, "unit": "kg", "per": "JPY"}
           for s, name, v in (("JP-STEEL", "鉄鋼 (steel)", "0.0035"), ("JP-PAPER", "紙・板紙 (paper)", "0.0021"),
                              ("JP-FREIGHT", "道路貨物輸送 (road freight)", "0.0047"),
                              ("JP-PETROLEUM", "石油製品 (petroleum products)", "0.0052"))]
GL = [{"entry": "1", "description": "鋼材 1月分", "amount": "1000"},
      {"entry": "2", "description": "コピー用紙 A4", "amount": "200"},
      {"entry": "3", "description": "荷造運賃 出荷", "amount": "300"},
      {"entry": "4", "description": "鋼材 1月分", "amount": "500"}]


def suggest(case, *args):
    result = CliRunner().invoke(main, [*args], catch_exceptions=False, env={"TANSO_LOG": str(case.root / "log.jsonl")})
    return result


def review(case) -> list[dict[str, str]]:
    with (case.data / "item_map.review.csv").open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def write_review(case, rows: list[dict[str, str]]) -> None:
    """The review table as a person saves it after editing it in a spreadsheet."""
    with (case.data / "item_map.review.csv").open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def case(tmp_path):
    return make_case(tmp_path, RULESET, {"gl": GL}, {"spend": FACTORS})


def propose(case):
    return suggest(case, "suggest", str(case.ruleset), "--data", str(case.data), "--input", "gl", "--column",
                   "description", "--unit", "JPY", "--mapping", str(case.data / "item_map.csv"))


def test_each_distinct_item_gets_a_proposal_with_score_and_reason(case):
    result = propose(case)
    assert result.exit_code == 0, result.output
    rows = {r["description"]: r for r in review(case)}
    assert set(rows) == {"鋼材 1月分", "コピー用紙 A4", "荷造運賃 出荷"}
    assert rows["鋼材 1月分"]["factor"] == "sector=JP-STEEL" and rows["鋼材 1月分"]["rows"] == "2"
    assert "鋼材=steel" in rows["鋼材 1月分"]["reason"] and "unit JPY" in rows["鋼材 1月分"]["reason"]
    assert rows["荷造運賃 出荷"]["factor"] == "sector=JP-FREIGHT"
    assert {r["status"] for r in rows.values()} == {"suggested"}
    assert (case.data / "item_map.csv").read_text().splitlines() == ["description,factor_set,confirmed_by,confirmed_at"]


def test_only_confirmed_mappings_are_used_by_the_rules_and_the_decision_is_logged(case):
    propose(case)
    result = suggest(case, "suggest", "confirm", str(case.data / "item_map.csv"), "鋼材 1月分", "--by", "aiko")
    assert result.exit_code == 0, result.output
    suggest(case, "suggest", "reject", str(case.data / "item_map.csv"), "荷造運賃 出荷", "--by", "aiko")
    run = case.run()
    computed = {(r["row_id"], r["factor_id"]) for r in ledger(run)}
    assert computed == {("1", "F-JP-STEEL"), ("4", "F-JP-STEEL")}
    assert sum(r["co2e_kg"] for r in ledger(run)) == Decimal("5.25")
    assert {r["row_id"] for r in rejects(run)} == {"2", "3"}   # suggested and rejected: rejected by the lookup
    entries = [json.loads(line) for line in (case.root / "log.jsonl").read_text().splitlines()]
    assert [(e["type"], e["user"], [d["status"] for d in e["decisions"]]) for e in entries] == [
        ("mapping", "aiko", ["confirmed"]), ("mapping", "aiko", ["rejected"])]


def test_editing_the_review_table_then_accept_records_who_and_when(case):
    propose(case)
    rows = review(case)
    for row in rows:
        if row["description"] == "コピー用紙 A4":
            row["status"] = "confirmed"
    write_review(case, rows)
    result = suggest(case, "suggest", "accept", str(case.data / "item_map.csv"), "--by", "ken")
    assert result.exit_code == 0, result.output
    confirmed = [r for r in review(case) if r["status"] == "confirmed"]
    assert [(r["description"], r["by"]) for r in confirmed] == [("コピー用紙 A4", "ken")] and confirmed[0]["at"]
    assert "コピー用紙 A4,spend,JP-PAPER,ken," in (case.data / "item_map.csv").read_text()
    assert "1 decision recorded by ken" in result.output
    assert "0 decisions recorded" in suggest(case, "suggest", "accept", str(case.data / "item_map.csv")).output
    rows = review(case)   # the factor of a confirmed row edited in the file: a decision too
    for row in rows:
        if row["description"] == "コピー用紙 A4":
            row["factor"] = "sector=JP-FREIGHT"
    write_review(case, rows)
    result = suggest(case, "suggest", "accept", str(case.data / "item_map.csv"), "--by", "mei")
    assert "confirmed: コピー用紙 A4 [JPY] → spend: sector=JP-FREIGHT" in result.output
    assert "コピー用紙 A4,spend,JP-FREIGHT,mei," in (case.data / "item_map.csv").read_text()


def test_rerunning_keeps_decisions_and_proposes_only_new_items(case):
    propose(case)
    suggest(case, "suggest", "confirm", str(case.data / "item_map.csv"), "鋼材 1月分", "--factor", "spend: sector=JP-PAPER")
    write_csv(case.data / "gl.csv", [*GL, {"entry": "5", "description": "鋼材 2月分", "amount": "700"}])
    result = propose(case)
    assert "1 proposed, 3 already in" in result.output
    rows = {r["description"]: r for r in review(case)}
    assert rows["鋼材 1月分"]["status"] == "confirmed" and rows["鋼材 1月分"]["factor"] == "sector=JP-PAPER"
    assert rows["鋼材 2月分"]["status"] == "suggested" and rows["鋼材 2月分"]["factor"] == "sector=JP-STEEL"
    result = suggest(case, *["suggest", str(case.ruleset), "--data", str(case.data), "--input", "gl", "--column",
                             "description", "--unit", "JPY", "--mapping", str(case.data / "item_map.csv"), "--refresh"])
    assert "3 proposed, 1 already in" in result.output
    assert {r["description"]: r["status"] for r in review(case)}["鋼材 1月分"] == "confirmed"


def waits_for_a_lock(process: subprocess.Popen, seconds: float = 120) -> bool:
    """True once the kernel lists `process` as blocked on a lock (/proc/locks marks waiters with ->);
    False if it finishes first."""
    deadline = time.monotonic() + seconds
    while process.poll() is None and time.monotonic() < deadline:
        if any("->" in line and f" {process.pid} " in line for line in Path("/proc/locks").read_text().splitlines()):
            return True
        time.sleep(0.05)
    return False


def test_a_decision_waits_for_another_in_progress_and_neither_is_lost(case):
    propose(case)
    table = case.data / "item_map.review.csv"
    with maps.locked(table):   # another person's decision, between its read and its write
        confirm = subprocess.Popen([sys.executable, "-m", "tanso.cli", "suggest", "confirm", str(case.data / "item_map.csv"),
                                    "鋼材 1月分", "--by", "aiko"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   text=True, env={**os.environ, "TANSO_LOG": str(case.root / "log.jsonl")})
        assert waits_for_a_lock(confirm), "the confirm did not wait for the decision in progress"
        key, rows = maps.read(table)
        maps.decide(table, key, rows, ("荷造運賃 出荷",), "rejected", "ken", "2026-11-30T07:00:00+00:00")
        maps.write(table, key, rows)
    output, _ = confirm.communicate(timeout=120)
    assert confirm.returncode == 0, output
    decided = {r["description"]: (r["status"], r["by"]) for r in review(case)}
    assert decided["鋼材 1月分"] == ("confirmed", "aiko") and decided["荷造運賃 出荷"] == ("rejected", "ken")


def test_a_bad_status_in_the_review_table_names_file_row_and_column(case):
    propose(case)
    path = case.data / "item_map.review.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace("suggested", "ok", 1), encoding="utf-8")
    result = suggest(case, "suggest", "accept", str(case.data / "item_map.csv"))
    assert result.exit_code == 2
    assert "item_map.review.csv:2: column status: 'ok' is not one of suggested, confirmed, rejected" in result.output


def test_an_unknown_item_or_column_is_an_error_not_a_traceback(case):
    propose(case)
    result = suggest(case, "suggest", "confirm", str(case.data / "item_map.csv"), "no such item")
    assert result.exit_code == 2 and "no item 'no such item' in column description" in result.output
    result = suggest(case, "suggest", str(case.ruleset), "--data", str(case.data), "--input", "gl", "--column", "memo",
                     "--mapping", str(case.data / "item_map.csv"))
    assert result.exit_code == 2 and "input 'gl' has no column 'memo'" in result.output


def test_the_review_table_can_be_excel(case):
    result = suggest(case, "suggest", str(case.ruleset), "--data", str(case.data), "--input", "gl", "--column",
                     "description", "--unit", "JPY", "--mapping", str(case.data / "item_map.csv"), "--review",
                     str(case.root / "review.xlsx"))
    assert result.exit_code == 0, result.output
    result = suggest(case, "suggest", "confirm", str(case.data / "item_map.csv"), "コピー用紙 A4", "--review",
                     str(case.root / "review.xlsx"), "--by", "aiko")
    assert result.exit_code == 0, result.output
    assert "コピー用紙 A4,spend,JP-PAPER,aiko," in (case.data / "item_map.csv").read_text()


@pytest.mark.parametrize("written, read", [
    ("ｶﾞｿﾘﾝ", "ガソリン"), ("がそりん", "ガソリン"), ("ＡＷＳ　クラウド", "aws クラウド"), ("ヴァルブ", "バルブ"),
    ("コンピューター", "コンピュタ"), ("コンピュータ", "コンピュタ"), ("R-410A", "r410a"), ("ディーゼル", "ディゼル")])
def test_spellings_are_normalised(written, read):
    assert normalise(written) == read


@pytest.mark.parametrize("written, unit", [("リットル", "l"), ("ℓ", "l"), ("㎥", "m**3"), ("立米", "m**3"), ("kWh", "kWh"),
                                           ("キロワット時", "kWh"), ("円", "JPY"), ("kg", "kg"), ("gallon", "gallon")])
def test_units_written_in_japanese_are_read(written, unit):
    assert unit_of(written) == unit


def test_a_quantity_in_the_text_gives_the_unit_and_is_not_matched_on():
    assert unit_in_text("軽油 200リットル") == "l" and unit_in_text("電力 1,200kWh") == "kWh"
    assert unit_in_text("都市ガス 35㎥") == "m**3" and unit_in_text("コピー用紙 A4") is None
    assert without_quantities(normalise("鋼材 1月分 500枚")) == "鋼材"


FUEL_RULESET = """\
ruleset fuels
input purchases "purchases"
  key row_id
  columns item: text, sector: text, amount: decimal(18,3), currency: text
factors spend "spend factors" file "factors/spend.csv"
factors desnz "DESNZ flat file, imported" file "factors/desnz.csv"
rule s3.cat1 "purchases"
  scope 3 category 1
  from purchases
  calc spend_based(factors: spend, match: [sector], quantity: amount, unit: currency)
"""


def ranked(case, items: list[tuple[str, str]], sets: tuple[str, ...] = ()) -> list[list[str]]:
    from tanso.suggest import load_matcher
    prepared = case.prepare()
    matcher, skipped = load_matcher(prepared.ruleset, prepared.registry, case.data, sets=sets)
    assert skipped == []
    return [[f"{s.candidate.label} per {s.candidate.per}" for s in found]
            for found in matcher.suggest([t for t, _ in items], [u for _, u in items], top=5)]


def test_a_factor_the_rows_unit_cannot_convert_to_is_not_suggested(tmp_path):
    """Diesel bought by the litre meets volume factors only, never the spend factor nor DESNZ's per-tonne
    one; from the ruleset's own sets (DESNZ imported with --layout desnz-flat), DESNZ's litre factor
    first; bought in yen, spend only."""
    case = make_case(tmp_path, FUEL_RULESET, {"purchases": []}, {"spend": FACTORS})
    result = CliRunner().invoke(main, ["factors", "import", str(Path(__file__).parent / "data" / "loaders" /
                                                                "desnz_flat_2024_handmade.csv"),
                                       "--layout", "desnz-flat", "--out", str(case.data / "factors" / "desnz.csv")])
    assert result.exit_code == 0, result.output
    by_litre, by_yen = ranked(case, [("軽油 200リットル", "l"), ("Diesel fuel", "JPY")])
    assert by_litre and all(s.endswith((" per l", " per gallon", " per kl")) for s in by_litre)
    own = ranked(case, [("軽油 200リットル", "l")], sets=("spend", "desnz"))[0]
    assert own == ["desnz: desnz_key=Fuels > Liquid fuels > Diesel (average biofuel blend), uom=litres per l",
                   "desnz: desnz_key=Bioenergy > Biofuel > Biodiesel ME, uom=litres per l",
                   "desnz: desnz_key=Outside of Scopes > Biofuel > Biodiesel ME, uom=litres per l"][:len(own)]
    assert by_yen[0] == "spend: sector=JP-PETROLEUM per JPY" and all(s.startswith("spend: ") for s in by_yen)
    assert ranked(case, [("電力 1,200kWh", "kWh")], sets=("spend", "desnz"))[0][0] == \
        "desnz: desnz_key=UK electricity > Electricity generated > Electricity: UK, uom=kWh per kWh"


@pytest.mark.parametrize("example, table, column, unit, expected", [
    ("acme-gl", "general_ledger", "description", ["--unit", "JPY"],
     {"鋼材 1月分": "sector=JP-STEEL", "電子部品": "sector=JP-ELEC", "事務用品": "sector=JP-OFFICE",
      "トナー": "sector=JP-OFFICE", "大阪出張 新幹線": "sector=JP-TRAVEL", "1月給与": ""}),
    ("acme", "purchases", "commodity", ["--unit-column", "currency"],
     {"steel": "commodity=steel", "electronics": "commodity=electronics", "services": "commodity=services"}),
])
def test_the_examples_ledger_and_purchases_get_proposals_with_reasons(tmp_path, example, table, column, unit, expected):
    """The example's general ledger (Shift-JIS, Japanese headers) and purchases, read through their input
    declarations; a salary line resembles no factor and is left without one, saying so."""
    from conftest import REPO
    mapping = tmp_path / "map.csv"
    result = CliRunner().invoke(main, ["suggest", str(REPO / "examples" / example / "ruleset"), "--data",
                                       str(REPO / "examples" / example / "data"), "--input", table, "--column", column,
                                       *unit, "--mapping", str(mapping)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with (tmp_path / "map.review.csv").open(encoding="utf-8-sig") as handle:
        rows = {r[column]: r for r in csv.DictReader(handle)}
    assert {item: rows[item]["factor"] for item in expected} == expected
    assert all(r["reason"].startswith("no confident suggestion") == (r["factor"] == "") for r in rows.values())
    assert all("unit" in r["reason"] for r in rows.values() if r["factor"])


def test_without_a_unit_the_ledgers_salary_tax_and_depreciation_get_no_suggestion(tmp_path):
    """Without --unit every factor fits every row, and 1月給与 (salary) once got diesel at 0.097 for sharing
    only the characters every word has. A factor that shares no word with an item is proposed only if the
    item reads as a misspelling of its name; otherwise the review table says there is no confident one."""
    from conftest import REPO
    acme_gl = REPO / "examples" / "acme-gl"
    result = CliRunner().invoke(main, ["suggest", str(acme_gl / "ruleset"), "--data", str(acme_gl / "data"), "--input",
                                       "general_ledger", "--column", "description", "--mapping",
                                       str(tmp_path / "map.csv")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with (tmp_path / "map.review.csv").open(encoding="utf-8-sig") as handle:
        rows = {r["description"]: r for r in csv.DictReader(handle)}
    for item in ("1月給与", "1月償却", "固定資産税", "仕入税額 戻し", "展示会 出展料"):
        assert (rows[item]["factor"], rows[item]["reason"][:23]) == ("", "no confident suggestion")
    assert rows["事務用品"]["factor"] == "sector=JP-OFFICE"
    assert "similar spelling only" not in result.output


@pytest.mark.parametrize("text, unit", [("給与", None), ("給与", "JPY"), ("交際費", None), ("交際費", "JPY"), ("雑費", None),
                                        ("雑費", "JPY"), ("misc", None), ("misc", "USD"), ("", None)])
def test_names_that_resemble_no_factor_get_no_suggestion(text, unit):
    """Salary, entertainment, sundry expenses, 'misc' and an empty description, against every shipped pack."""
    assert shipped_matcher().suggest([text], [unit])[0] == []


@pytest.mark.parametrize("text, unit, label", [("gasolne", "l", "epa_hub_mobile_co2: fuel=gasoline"),
                                               ("disel", "gallon", "epa_hub_mobile_co2: fuel=diesel")])
def test_a_misspelled_name_is_still_suggested_on_its_spelling(text, unit, label):
    best = shipped_matcher().suggest([text], [unit])[0][0]
    assert (best.candidate.label, best.shared, best.reason.split(";")[0]) == (label, set(), "similar spelling only")


@functools.lru_cache(maxsize=1)
def shipped_matcher():
    from conftest import REPO
    from tanso.run import prepare
    from tanso.suggest import load_matcher
    prepared = prepare(REPO / "examples" / "acme-gl" / "ruleset")
    return load_matcher(prepared.ruleset, prepared.registry, REPO / "examples" / "acme-gl" / "data")[0]


def test_no_confident_suggestion_is_said_in_japanese(tmp_path):
    from conftest import REPO
    acme_gl = REPO / "examples" / "acme-gl"
    result = CliRunner().invoke(main, ["suggest", str(acme_gl / "ruleset"), "--data", str(acme_gl / "data"), "--input",
                                       "general_ledger", "--column", "description", "--mapping",
                                       str(tmp_path / "map.csv"), "--lang", "ja"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "確かな候補なし：" in result.output and "no confident" not in result.output


def test_an_item_confirmed_in_two_units_must_map_to_one_factor(tmp_path):
    """The lookup table is keyed by the text alone: "steel" bought in USD and in EUR is one key."""
    case = make_case(tmp_path, RULESET, {"gl": GL}, {"spend": FACTORS})
    propose(case)
    mapping = str(case.data / "item_map.csv")
    path = case.data / "item_map.review.csv"
    path.write_text(path.read_text(encoding="utf-8-sig").replace(",JPY,", ",USD,", 1) +
                    path.read_text(encoding="utf-8-sig").splitlines()[1] + "\n", encoding="utf-8")
    assert suggest(case, "suggest", "confirm", mapping, "コピー用紙 A4").exit_code == 0
    result = suggest(case, "suggest", "confirm", mapping, "コピー用紙 A4", "--factor", "spend: sector=JP-STEEL")
    assert result.exit_code == 0 and (case.data / "item_map.csv").read_text().count("コピー用紙 A4") == 1
    rows = review(case)
    rows[0]["factor"] = "sector=JP-FREIGHT"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = suggest(case, "suggest", "accept", mapping)
    assert result.exit_code == 2 and "item 'コピー用紙 A4' is confirmed as spend: " in result.output
    assert "JP-FREIGHT" in result.output and "JP-STEEL" in result.output


def test_a_factor_matched_on_the_key_column_with_another_value_is_refused_and_nothing_written(tmp_path):
    """Acme's purchases are keyed by `commodity` and eeio matches on `commodity`: the lookup table cannot map
    'services' to commodity=transport_services (the key would be overwritten), so that confirmation is
    refused, the review table left as it was; the factor with the item's own value is confirmed."""
    from conftest import REPO
    mapping, review_table = tmp_path / "map.csv", tmp_path / "map.review.csv"
    env = {"TANSO_LOG": str(tmp_path / "log.jsonl")}
    acme = REPO / "examples" / "acme"
    proposed = CliRunner().invoke(main, ["suggest", str(acme / "ruleset"), "--data", str(acme / "data"), "--input",
                                         "purchases", "--column", "commodity", "--unit-column", "currency",
                                         "--mapping", str(mapping)], env=env)
    assert proposed.exit_code == 0 and "  services [EUR, 1 row]" in proposed.output
    before = review_table.read_bytes()
    refused = CliRunner().invoke(main, ["suggest", "confirm", str(mapping), "services", "--factor",
                                        "eeio: commodity=transport_services"], env=env)
    assert refused.exit_code == 2 and "cannot map 'services' to commodity=transport_services" in refused.output
    assert review_table.read_bytes() == before and "transport_services" not in mapping.read_text(encoding="utf-8")
    confirmed = CliRunner().invoke(main, ["suggest", "confirm", str(mapping), "services"], env=env)
    assert confirmed.exit_code == 0 and "; 1 confirmed mapping in " in confirmed.output, confirmed.output
    with mapping.open(encoding="utf-8") as handle:
        assert [(r["commodity"], r["factor_set"]) for r in csv.DictReader(handle)] == [("services", "eeio")]
