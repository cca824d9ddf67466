"""`tanso check --lang ja` says the rarer problems in Japanese too: input declarations (types, constraints, formats,
files, sheets), lookups, a tolerance's unit, a file that cannot be parsed, a ruleset with no rule; English stays the
default, word for word (tests/diagnostics holds its snapshots)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

# Input declarations and lookups a reader or a join would refuse: every problem of `tanso.model.checks` and
# `tanso.model.lookups` that a declaration can have, in one ruleset.
DECLARATIONS = '''ruleset many

set gwp.set = AR5

input fuel_use
  key row_id
  columns entity: text, period: text, fuel: text, use: text, quantity: decimal(18,6), unit: text
  file "../outside.csv"

input odd "declarations a reader refuses"
  key code from "コード"
  columns code: text, year: text(3), share: decimal(50, 2), note: text in (1, 2), flag: boolean in ("x"),
          day: date in (1), kind: text 1 .. 2, size: integer 5 .. 1, size: integer, n: integer 1 .. 2 3 .. 4,
          name: text from "", amount: decimal in (1) in (2)
  encoding "latin-9x"
  numbers "12x34"
  dates "tomorrow"
  header row 0
  sheet ""
  sheets "x"
  file "odd.docx"

input blanks
  key id
  columns id: text, amount: decimal
  sheets " "
  file "b.csv"

input map
  key acct
  columns acct: text, fuel: text

input map2
  columns acct: text, fuel: text

factors fuels "fuel factors" file "factors/fuels.csv" sheet ""

rule s1.fuel "Fuel combustion"
  scope 1
  from fuel_use lookup map on fuel lookup map on fuel lookup fuel_use on fuel lookup map2 on fuel lookup map on quantity
  calc fuel_combustion(factors: fuels)

rule s1.again "Fuel again"
  scope 1
  from results of s1.fuel lookup map on fuel
  calc fuel_combustion(factors: fuels)

accept rejects s1.fuel up to 3 "kgx" "why"
'''
# Problems found while a file is parsed (each statement stops at its first)
SYNTAX = '''ruleset syntax

input a
  key id
  columns id: text, other: text from "a" from "b"

input b
  key id
  columns id: text, x: text in (y)

input c
  key id
  columns id: text, big: integer = 3
'''

# English words of these problems: none may be left in a Japanese line once quoted names, `code`, "files" and
# paths are taken out (the language's keywords and types — file, lookup, text, true, 2 rows — stay as written)
ENGLISH = {"is", "are", "not", "no", "of", "the", "a", "an", "input", "column", "declared", "twice", "type", "takes",
           "arguments", "empty", "must", "be", "values", "after", "needs", "encoding", "unknown", "example", "number",
           "format", "numbered", "name", "both", "one", "pattern", "reader", "reads", "path", "under", "data", "folder",
           "does", "apply", "joins", "mapping", "table", "compared", "rename", "write", "rule", "already", "carry",
           "unit", "share", "activity", "quoted", "strings", "or", "save", "cannot", "read", "constraint", "compares",
           "for", "allowed", "value", "names", "source", "given", "nested", "deep", "brackets", "split", "expression",
           "ruleset", "has", "least"}


def tanso(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tanso.cli", *map(str, args)], capture_output=True, text=True)


def said(stderr: str) -> list[str]:
    """What each problem says: its line, its expectation and its hint, without the excerpts of the ruleset."""
    return [line.split(": ", 1)[1] for line in stderr.splitlines()
            if line.startswith(("エラー: ", "警告: ", "  = 想定: ", "  = ヒント: ", "error: ", "  = expected: ", "  = help: "))]


def english_in(lines: list[str]) -> list[str]:
    unquoted = [re.sub(r"'[^']*'|\"[^\"]*\"|`[^`]*`|\S*/\S*|\S+\.tanso\S*", "", line) for line in lines]
    return [line for line in unquoted if set(re.findall(r"(?<![\w.])[a-z]+(?![\w.(])", line)) & ENGLISH]


@pytest.fixture(scope="module")
def rulesets(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("rulesets")
    nested = "ruleset deep\n\nmetric m \"M\" = " + "(" * 101 + "1" + ")" * 101 + "\n"
    files = {"declarations": DECLARATIONS, "syntax": SYNTAX, "nested": nested, "empty": "ruleset empty\n"}
    for name, text in files.items():
        (folder / f"{name}.tanso").write_text(text, encoding="utf-8")
    (folder / "latin1.tanso").write_bytes("ruleset latin1\n# caf\xe9\n".encode("latin-1"))
    return {name: folder / f"{name}.tanso" for name in [*files, "latin1"]}


@pytest.mark.parametrize("case", ["declarations", "syntax", "nested", "latin1", "empty"])
def test_every_problem_of_a_declaration_or_a_file_is_said_in_japanese(rulesets, case):
    english = tanso("check", rulesets[case])
    japanese = tanso("check", rulesets[case], "--lang", "ja")
    assert english.returncode == japanese.returncode == 1 and "Traceback" not in japanese.stderr
    assert len(said(japanese.stderr)) == len(said(english.stderr)) > 0
    assert english_in(said(japanese.stderr)) == []


def test_the_english_words_are_found_where_they_are_left(rulesets):
    """The check above can fail: the English problems are found by it."""
    english = said(tanso("check", rulesets["declarations"]).stderr)
    assert len(english_in(english)) >= 0.9 * len(english)   # all but a few expectations that are syntax alone


@pytest.mark.parametrize("case, lines", [
    ("declarations", ["エラー: 入力 'odd' の文字コード 'latin-9x' は不明",
                      "= ヒント: 'latin-1' のことですか？",
                      "エラー: 入力 'odd' の header row 0：行番号は 1 から数える",
                      "エラー: 入力 'blanks' の `sheets` は csv ファイルには当てはまらない（ファイル \"b.csv\"）",
                      "= 想定: `sheets` は .xlsm, .xlsx ファイルから読む入力に書く",
                      "'(1,234.56)\"（負の数を括弧で囲む）".replace("'", '"'),
                      "エラー: lookup map2 on fuel：lookup は対応表のキーで結合するが、'map2' のキーは宣言されていない",
                      "エラー: lookup のキー 'quantity' は 'fuel_use' で decimal 型。キーはテキストとして比べる",
                      "エラー: accept rejects s1.fuel：不明な単位 'kgx'"]),
    ("syntax", ["エラー: 列 'other' が元の列を 2 回指定している（'from' が 2 回書かれている）",
                "エラー: `in` の後の値は引用符で囲んだ文字列、数値、true または false",
                "エラー: 列の制約の比較は >=, >, <= または <（= ではない。許す値が 1 つなら in (...) と書く）"]),
    ("nested", ["エラー: 括弧の入れ子が 100 段を超える", "= ヒント: 式を分ける（例：指標や派生ルールに）"]),
    ("latin1", ["は UTF-8 のテキストではない：バイト 0xe9 を読めない"]),
    ("empty", ["エラー: ", "：ルールセットにルールがない（空のファイルか、コメントだけ？）"]),
])
def test_the_rarer_problems_in_japanese(rulesets, case, lines):
    stderr = tanso("check", rulesets[case], "--lang", "ja").stderr
    assert all(line in stderr for line in lines), stderr


def test_a_ruleset_without_problems_is_said_ok_in_japanese():
    done = tanso("check", REPO / "rulesets" / "ghgp-current", "--lang", "ja")
    assert done.returncode == 0 and done.stdout.startswith("問題なし：ghgp_current（ghgp_current）：ルール ")
    assert tanso("check", REPO / "rulesets" / "ghgp-current").stdout.startswith("ok: ghgp_current (ghgp_current): ")


def test_no_message_has_a_placeholder_named_as_an_argument_of_t():
    """`t(key, lang=None, **values)`: a message whose text holds {key} or {lang} could never be said (TypeError)."""
    from tanso.audit import messages  # noqa: F401  (each module registers its words on import)
    from tanso.i18n import MESSAGES
    from tanso.model import messages as check_messages  # noqa: F401
    from tanso.run import messages as file_messages  # noqa: F401
    from tanso_ghgp import messages as command_messages  # noqa: F401
    from tanso_io import messages as reader_messages  # noqa: F401
    from tanso_report import messages as report_messages  # noqa: F401
    named = {key for key, texts in MESSAGES.items() for text in texts.values()
             if re.search(r"\{(key|lang)[:}!]", text)}
    assert named == set()
