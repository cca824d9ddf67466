"""A file a run cannot use is refused in the run's language (`--lang ja`): a PACT file's footprints, a CSV or Excel
header, a workbook's sheets, a JSON document, a Parquet file, an input's missing file or columns, a factor file's
columns and values. The English messages stay as they were (tests/test_readers.py holds them); a JSON record's own
problem is a row's reject, stored in English and said by code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from conftest import FUEL_FACTORS, fuel_row, fuel_ruleset, make_case, write_csv
from tanso.diagnostics import InputError
from tanso.i18n import set_language
from tanso.reasons import parse, render
from tanso_io.pact import read_pact
from test_readers import _DELETE, DOOR_ID, _set, broken, load_pact, write_xlsx

REPO = Path(__file__).resolve().parents[1]
# English words of these refusals (value, version, status, file, sheet are also fields, columns and clauses: not here)
ENGLISH = {"expected", "got", "it", "is", "missing", "a", "an", "the", "of", "or", "footprint", "number", "at", "least",
           "list", "whole", "no", "has", "row", "line", "column", "name", "names", "empty", "needs", "header",
           "workbook", "cannot", "be", "read", "as", "not", "valid", "appears", "more", "than", "once", "declare",
           "declared", "lacks", "every", "field", "reader", "for", "rows", "with", "values", "below", "differ", "only",
           "in", "case", "rename", "one", "by", "supplier", "remove", "its", "which", "holds", "title", "above",
           "matches", "record", "and"}


def english_in(message: str) -> set[str]:
    """English words left in a message once paths, quoted values, JSON and the ruleset's clauses are taken out."""
    bare = re.sub(r"\S*/\S*|'[^']*'|\"[^\"]*\"|`[^`]*`|\[[^\]]*\]|\{[^}]*\}|\b(?:pcf|urn)\.?[\w.:]*", " ", message)
    return {word for word in re.findall(r"(?<![\w.-])[A-Za-z]+(?![\w.-])", bare) if word in ENGLISH}


@pytest.fixture
def japanese():
    set_language("ja")
    yield
    set_language("en")


def refusal(read) -> str:
    with pytest.raises(InputError) as error:
        read()
    return str(error.value)


@pytest.mark.parametrize("change, said", [
    (_set("pcf.pCfExcludingBiogenic", "1,63"), "pcf.pCfExcludingBiogenic：10 進数（例：\"1.25\"）を想定したが、値は \"1,63\""),
    (_set("pcf.pCfExcludingBiogenic", "-0.5"), "0 以上の数を想定したが"),
    (_set("pcf.pCfExcludingBiogenic", _DELETE), "pcf.pCfExcludingBiogenic：値を想定したが、値がない"),
    (_set("pcf.declaredUnit", "gallon"), "pcf.declaredUnit：'liter'、'kilogram'"),
    (_set("productIds", []), "productIds：URN 文字列の空でないリストを想定したが、値は []"),
    (_set("status", "Draft"), "status：'Active'、'Deprecated' のいずれかを想定したが、値は \"Draft\""),
    (_set("specVersion", "1.0.0"), "specVersion：PACT 2.x または 3.x のバージョンを想定したが"),
    (_set("companyName", ""), "companyName：空でない文字列を想定したが"),
    (_set("pcf.assurance.assurance", "yes"), "pcf.assurance.assurance：true または false の値を想定したが"),
    (_set("version", -1), "version：0 以上の整数を想定したが"),
    (_set("pcf.partialFullPcf", "Cradle-to-grave"), "pcf.partialFullPcf が 'Cradle-to-grave'：購入した製品のフットプリントは"),
    (_set("id", DOOR_ID), "id：ほかのフットプリントにない id（フットプリント 1 も同じ id を持つ。"),
    (_set("status", "Deprecated"), "status が Deprecated（サプライヤーが撤回）で、ファイル内にそれを置き換える Active"),
])
def test_a_malformed_pact_footprint_is_refused_in_japanese(tmp_path, registry, japanese, change, said):
    message = refusal(lambda: load_pact(tmp_path, registry, broken(change)))
    assert message.startswith(str(tmp_path / "factors" / "suppliers.pact.json") + "：フットプリント ")
    assert said in message and english_in(message) == set(), message


@pytest.mark.parametrize("text, said", [
    ('{"data": [', "：正しい JSON ではない：1 行 11 列目で Expecting value"),
    ("42", "：PACT の ProductFootprint オブジェクト（リスト、{\"data\": [...]}、または 1 つのオブジェクト）を想定したが、42"),
])
def test_a_file_that_is_no_pact_document_is_refused_in_japanese(tmp_path, japanese, text, said):
    path = tmp_path / "factors" / "suppliers.pact.json"
    path.parent.mkdir()
    path.write_text(text)
    assert refusal(lambda: read_pact(path)) == f"{path}{said}"


def read_csv(path: Path, **options) -> None:
    from tanso_io.csv_reader import register_csv
    register_csv(duckdb.connect(), path, "t", **options)


@pytest.mark.parametrize("text, options, said", [
    ("a,b\n1,2\n", {"header_row": 5}, "ファイルは 2 行しかなく、列名を持つ 5 行目（`header row 5` と宣言）がない"),
    ("title\n\na,b\n", {"header_row": 2}, "2 行目（`header row 2` と宣言）が空。列名が必要。その下で最初に値のある行は 3 行目"),
    ("\n\n", {}, "ファイルが空。列名のヘッダー行が必要"),
    ("a,,c\n1,2,3\n", {}, "ヘッダー行：2 列目に名前がない"),
    ("a,b,a\n1,2,3\n", {}, "ヘッダー行：列名 'a' が 2 回以上現れる"),
    ("a,A\n1,2\n", {}, "ヘッダー行：列名 'a' と 'A' は大文字・小文字だけが違い"),
    ("a,_row\n1,2\n", {}, "ヘッダー行：列名 '_row' は予約済み"),
    ("a,b\n\"1,2\n3,4\n", {}, "1 行目：引用符で囲んだ値が閉じていない"),
    ("名前,b\n1,2\n".encode("cp932"), {}, "ヘッダー行に utf-8 として正しくないバイトがある（入力にファイルの文字コードを宣言する"),
])
def test_a_csv_file_whose_header_cannot_be_read_is_refused_in_japanese(tmp_path, japanese, text, options, said):
    path = tmp_path / "data.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    message = refusal(lambda: read_csv(path, **options))
    assert message.startswith(f"{path}：") and said in message and english_in(message) == set(), message


def test_an_unknown_encoding_is_refused_in_japanese(tmp_path, japanese):
    path = tmp_path / "data.csv"
    path.write_text("a\n1\n")
    assert refusal(lambda: read_csv(path, encoding="klingon")) == "不明な文字コード 'klingon'"


def read_xlsx(path: Path, **options) -> None:
    from tanso_io.xlsx import register_xlsx
    register_xlsx(duckdb.connect(), path, "t", **options)


@pytest.mark.parametrize("rows, sheets, options, said", [
    ([["a"], [1]], {"電力": [["a"], [1]]}, {"sheet": "電力量"},
     "ブックにシート '電力量' はない。シートは 'Sheet', '電力'。'電力' のことですか？"),
    ([["a"], [1]], {"電力": [["a"], [1]]}, {"first_sheet": False},
     "ブックに 2 枚のシート（'Sheet', '電力'）があるが、宣言はどれも指定していない：表のあるシートを `sheet \"…\"` で指定する"),
    ([], {}, {}, "シート 'Sheet'（先頭のシート） が空。列名のヘッダー行が必要"),
    ([["a"], [1]], {}, {"header_row": 4}, "シート 'Sheet'（先頭のシート） 4 行目（`header row 4` と宣言）が空。列名が必要。その下に値のある行はない"),
    ([["Acme 2025"], ["a", "b"], [1, 2]], {}, {},
     "シート 'Sheet' 1 行目：列 B に値があるが、ヘッダー行に名前がない。1 行目は表題のように値が 1 つ（'Acme 2025'）で、2 行目がヘッダーらしい"),
    ([["a", "a"], [1, 2]], {}, {}, "シート 'Sheet' 1 行目：ヘッダー行に列名 'a' が 2 回以上現れる"),
])
def test_a_workbook_whose_sheet_or_header_cannot_be_read_is_refused_in_japanese(tmp_path, japanese, rows, sheets,
                                                                               options, said):
    path = write_xlsx(tmp_path / "data.xlsx", rows, sheets)
    message = refusal(lambda: read_xlsx(path, **options))
    assert message.startswith(f"{path}：") and said in message and english_in(message) == set(), message


@pytest.mark.parametrize("name, text, said", [
    ("data.json", b'"a"', "JSON がレコードのリストでも、\"value\" にそれを持つオブジェクトでも、1 行 1 レコードでもない"),
    ("data.json", b'[{"a": "\xff"}]', "UTF-8 のテキストではない（8 バイト目：0xff）。JSON ファイルは UTF-8"),
    ("data.json", b"  ", "ファイルが空。レコードが 1 つ以上必要"),
    ("data.json", b'[{"a": 1, "a": 2}]', "フィールド 'a' が 2 回以上現れる"),
    ("data.json", b'[{"_problem": 1}]', "フィールド名 _problem は、リーダーが読めない行に使う名前"),
    ("data.json", b'[{"a": 1', "正しい JSON ではない："),
    ("data.parquet", b"PAR1", "Parquet として読めない："),
])
def test_a_json_or_parquet_file_that_cannot_be_read_is_refused_in_japanese(tmp_path, japanese, name, text, said):
    from tanso_io.json_reader import register_json
    from tanso_io.parquet import register_parquet
    path = tmp_path / name
    path.write_bytes(text)
    register = register_json if name.endswith(".json") else register_parquet
    message = refusal(lambda: register(duckdb.connect(), path, "t"))
    assert message.startswith(f"{path}：") and said in message, message


@pytest.mark.parametrize("line, code, said", [
    ("   ", "row.json_blank", "空行"),
    ("[1]", "row.not_object", "レコードが JSON オブジェクトではない"),
    ('{"a": 1, "a": 2}', "row.field_twice", "レコードのフィールド 'a' が 2 回以上現れる"),
    ('{"a": 1, "b": {"c": 1}, "b.c": 2}', "row.field_and_path",
     "レコードの列 'b.c' がフィールド名と入れ子のフィールドのパスの両方で指定されている"),
    ('{"a": ', "row.not_json", "行が JSON ではない（Expecting value）"),
])
def test_a_json_line_that_cannot_be_read_is_a_reject_stored_in_english_and_said_by_code(tmp_path, line, code, said):
    from tanso_io.json_reader import register_json
    path = tmp_path / "data.jsonl"
    path.write_text('{"a": 1}\n' + line + '\n{"a": 3}\n')
    con = duckdb.connect()
    register_json(con, path, "t")
    stored = con.execute("SELECT _problem FROM t WHERE _problem IS NOT NULL").fetchone()[0]
    assert [part.code for part in parse(stored)] == [code]
    assert render(stored, lang="ja") == said


def tanso(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tanso.cli", *map(str, args)], capture_output=True, text=True)


def test_an_inputs_missing_file_and_columns_are_refused_in_japanese(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(), {}, {"fuels": FUEL_FACTORS})
    done = tanso("evaluate", case.ruleset, "--data", case.data, "--lang", "ja")
    assert done.returncode == 2 and done.stderr.startswith("エラー: 入力 'fuel_use'：ファイル ")
    assert "がない（" in done.stderr and "で宣言）。ヘッダー行は row_id,entity," in done.stderr
    write_csv(case.data / "fuel_use.csv", [{"Acme": "fuel"}])
    done = tanso("evaluate", case.ruleset, "--data", case.data, "--lang", "ja")
    assert done.returncode == 2 and "がない（入力 'fuel_use' として " in done.stderr
    assert "。それがヘッダーの上の表題なら、入力に `header row N` を宣言する" in done.stderr
    assert english_in(done.stderr.split(": ", 1)[1]) == set(), done.stderr


@pytest.mark.parametrize("factors, said", [
    ([{"factor_id": "f", "fuel": "diesel"}], "：係数セット 'fuels' に列 "),
    ([{**FUEL_FACTORS[0], "value": "abc"}], "：列 value は 10^16 未満で小数点以下 12 桁までの数値でなければならない（1 行目：'abc'）"),
    ([{**FUEL_FACTORS[0], "value": "-1"}], "：係数セット 'fuels' に負の値がある（1 行目：-1）。負の係数は除去量"),
])
def test_a_factor_file_that_cannot_be_used_is_refused_in_japanese(tmp_path, factors, said):
    case = make_case(tmp_path, fuel_ruleset(), {"fuel_use": [fuel_row("F1", "100")]}, {"fuels": factors})
    done = tanso("evaluate", case.ruleset, "--data", case.data, "--lang", "ja")
    assert done.returncode == 2 and said in done.stderr, done.stderr
    assert english_in(done.stderr.split(": ", 1)[1].replace("10^16", "")) == set(), done.stderr
