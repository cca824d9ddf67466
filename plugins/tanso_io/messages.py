"""Why a file cannot be read at all, in English and Japanese (`--lang ja`): its header, its sheets, its encoding, its
format, and a PACT file's footprints. Data only: registered into the catalogue (`tanso.i18n`) when the readers load.

A file's problem ends the run (exit 2) and is stored nowhere: it is said once, in the run's language. The file, its
sheets, columns, fields and values are shown as they are; `header row 3`, `sheet "…"` and `encoding "cp932"` are
clauses of the ruleset and stay as written.
"""

from __future__ import annotations

from tanso.i18n import register

FILE_MESSAGES: dict[str, dict[str, str]] = {
    # where in a file
    "file.header_row": {"en": "{path}: header row", "ja": "{path}：ヘッダー行"},
    "file.sheet": {"en": "{path}: sheet '{sheet}'", "ja": "{path}：シート '{sheet}'"},
    "file.first_sheet": {"en": "{path}: sheet '{sheet}' (the first)", "ja": "{path}：シート '{sheet}'（先頭のシート）"},
    "file.sheet_row": {"en": "{path}: sheet '{sheet}' row {row}", "ja": "{path}：シート '{sheet}' {row} 行目"},
    # the header: CSV and Excel
    "file.too_few_lines": {"en": "{path}: the file has {lines} line{s}, so no line {row} (declared `header row {row}`) "
                                 "to hold the column names",
                           "ja": "{path}：ファイルは {lines} 行しかなく、列名を持つ {row} 行目（`header row {row}` と宣言）がない"},
    "file.header_line_empty": {"en": "{path}: line {row} (declared `header row {row}`) is empty; it needs the column names",
                               "ja": "{path}：{row} 行目（`header row {row}` と宣言）が空。列名が必要"},
    "file.header_sheet_row_empty": {"en": "{where} row {row} (declared `header row {row}`) is empty; it needs the column "
                                          "names",
                                    "ja": "{where} {row} 行目（`header row {row}` と宣言）が空。列名が必要"},
    "file.first_line_below": {"en": "; the first line with values below it is line {below}",
                              "ja": "。その下で最初に値のある行は {below} 行目"},
    "file.first_row_below": {"en": "; the first row with values below it is row {below}",
                             "ja": "。その下で最初に値のある行は {below} 行目"},
    "file.none_below": {"en": "; no line below it has values", "ja": "。その下に値のある行はない"},
    "file.no_row_below": {"en": "; no row below it has values", "ja": "。その下に値のある行はない"},
    "file.empty": {"en": "{path}: the file is empty; it needs a header row of column names",
                   "ja": "{path}：ファイルが空。列名のヘッダー行が必要"},
    "file.sheet_empty": {"en": "{where} is empty; it needs a header row of column names",
                         "ja": "{where} が空。列名のヘッダー行が必要"},
    "file.header_encoding": {"en": "{path}: the header row has bytes that are not valid {encoding} (declare the file's "
                                   "encoding on its input, e.g. encoding \"cp932\")",
                             "ja": "{path}：ヘッダー行に {encoding} として正しくないバイトがある（入力にファイルの文字コードを"
                                   "宣言する。例：encoding \"cp932\"）"},
    "file.header_unsplittable": {"en": "{path}: the header row cannot be split into column names (a line break inside "
                                       "it, a lone carriage return or a quote never closed?)",
                                 "ja": "{path}：ヘッダー行を列名に分けられない（行の途中の改行、単独の CR、閉じていない引用符？）"},
    "file.column_unnamed": {"en": "{where}: column {column} has no name", "ja": "{where}：{column} 列目に名前がない"},
    "file.column_repeated": {"en": "{where}: column name {names} appears more than once",
                             "ja": "{where}：列名 {names} が 2 回以上現れる"},
    "file.column_repeated_header": {"en": "{where}: column name {names} appears more than once in the header row",
                                    "ja": "{where}：ヘッダー行に列名 {names} が 2 回以上現れる"},
    "file.sheet_column_unnamed": {"en": "{where}: column {column} has values but no name in the header row",
                                  "ja": "{where}：列 {column} に値があるが、ヘッダー行に名前がない"},
    "file.title_above": {"en": "; row {title} holds one value ({value}), like a title, and row {row} looks like the "
                               "header: declare `header row {row}` on the input (the rows above it are then not read)",
                         "ja": "。{title} 行目は表題のように値が 1 つ（{value}）で、{row} 行目がヘッダーらしい：入力に "
                               "`header row {row}` を宣言する（その上の行は読まない）"},
    "file.case_twins": {"en": "{where}: column names {twin} and {name} differ only in case, which the backend cannot "
                              "tell apart; rename one",
                        "ja": "{where}：列名 {twin} と {name} は大文字・小文字だけが違い、バックエンドは区別できない。どちらかの名前を変える"},
    "file.reserved": {"en": "{where}: column name {name} is reserved (the reader numbers the rows in _row and says why a "
                            "row cannot be read in _problem); rename the column",
                      "ja": "{where}：列名 {name} は予約済み（リーダーは _row に行番号を、_problem に読めない理由を入れる）。"
                            "列の名前を変える"},
    # CSV
    "file.unknown_encoding": {"en": "unknown encoding {encoding}", "ja": "不明な文字コード {encoding}"},
    "file.not_csv": {"en": "{path}: cannot be read as CSV: {error}", "ja": "{path}：CSV として読めない：{error}"},
    "file.quote_unclosed": {"en": "{path}: row {row}: a quoted value is never closed (a \" without its closing \"), so "
                                  "the rows after it cannot be told apart; close or double the quote",
                            "ja": "{path}：{row} 行目：引用符で囲んだ値が閉じていない（\" に対応する \" がない）ため、以降の行を"
                                  "区別できない。引用符を閉じるか二重にする"},
    "file.rows_apart": {"en": "{path}: cannot be read as CSV: its rows cannot be told apart from row {row} on (a quote "
                              "inside a value that is not doubled?)",
                        "ja": "{path}：CSV として読めない：{row} 行目以降の行を区別できない（値の中の引用符が二重になっていない？）"},
    # Excel
    "file.sheets_unnamed": {"en": "{path}: the workbook has {n} sheets, {sheets}, and the declaration names none: say "
                                  "which holds the table with `sheet \"…\"` (e.g. sheet \"{first}\")",
                            "ja": "{path}：ブックに {n} 枚のシート（{sheets}）があるが、宣言はどれも指定していない：表のあるシートを "
                                  "`sheet \"…\"` で指定する（例：sheet \"{first}\"）"},
    "file.no_sheet": {"en": "{path}: the workbook has no sheet '{sheet}'; its sheets are {sheets}{hint}",
                      "ja": "{path}：ブックにシート '{sheet}' はない。シートは {sheets}{hint}"},
    "file.then": {"en": "; {text}", "ja": "。{text}"},
    "file.not_workbook": {"en": "{path}: cannot be read as an Excel workbook: {error}",
                          "ja": "{path}：Excel のブックとして読めない：{error}"},
    # JSON and Parquet
    "file.not_records": {"en": "{path}: the JSON is neither a list of records, an object whose \"value\" is one, nor "
                               "one record per line",
                         "ja": "{path}：JSON がレコードのリストでも、\"value\" にそれを持つオブジェクトでも、1 行 1 レコードでもない"},
    "file.not_utf8": {"en": "{path}: not UTF-8 text (byte {at}: 0x{byte}); a JSON file is UTF-8",
                      "ja": "{path}：UTF-8 のテキストではない（{at} バイト目：0x{byte}）。JSON ファイルは UTF-8"},
    "file.no_record": {"en": "{path}: the file is empty; it needs at least one record",
                       "ja": "{path}：ファイルが空。レコードが 1 つ以上必要"},
    "file.not_json": {"en": "{path}: not valid JSON: {error}", "ja": "{path}：正しい JSON ではない：{error}"},
    "file.field_twice": {"en": "{path}: field {names} appears more than once",
                         "ja": "{path}：フィールド {names} が 2 回以上現れる"},
    "file.field_and_path": {"en": "{path}: column {column} is named both as a field and by a nested field's path",
                            "ja": "{path}：列 {column} がフィールド名と入れ子のフィールドのパスの両方で指定されている"},
    "file.field_reserved": {"en": "{path}: a field is named {name}, which the reader uses for rows it cannot read",
                            "ja": "{path}：フィールド名 {name} は、リーダーが読めない行に使う名前"},
    "file.unreadable": {"en": "{path}: cannot be read: {error}", "ja": "{path}：読めない：{error}"},
    "file.not_parquet": {"en": "{path}: cannot be read as Parquet: {error}", "ja": "{path}：Parquet として読めない：{error}"},
    "file.dotted_twice": {"en": "{path}: column {names} appears more than once (a column and a struct field's dotted "
                                "path name the same column)",
                          "ja": "{path}：列 {names} が 2 回以上現れる（列と構造体フィールドのドット区切りのパスが同じ列を指す）"},
    # PACT footprints
    "pact.not_json": {"en": "{path}: not valid JSON: {error} at line {line} column {column}",
                      "ja": "{path}：正しい JSON ではない：{line} 行 {column} 列目で {error}"},
    "pact.not_footprints": {"en": "{path}: expected PACT ProductFootprint objects: a list, {{\"data\": [...]}} or one "
                                  "object; got {got}",
                            "ja": "{path}：PACT の ProductFootprint オブジェクト（リスト、{{\"data\": [...]}}、または 1 つの"
                                  "オブジェクト）を想定したが、{got}"},
    "pact.problem": {"en": "{path}: {where}: {problem}", "ja": "{path}：{where}：{problem}"},
    "pact.footprint": {"en": "footprint {n}", "ja": "フットプリント {n}"},
    "pact.footprint_id": {"en": "footprint {n} (id {id})", "ja": "フットプリント {n}（id {id}）"},
    "pact.expected": {"en": "{field}expected {expected}, {got}", "ja": "{field}{expected}を想定したが、{got}"},
    "pact.field": {"en": "{field}: ", "ja": "{field}："},
    "pact.missing": {"en": "it is missing", "ja": "値がない"},
    "pact.got": {"en": "got {value}", "ja": "値は {value}"},
    "pact.a_value": {"en": "a value", "ja": "値"},
    "pact.an_object": {"en": "an object", "ja": "オブジェクト"},
    "pact.a_string": {"en": "a non-empty string", "ja": "空でない文字列"},
    "pact.one_of": {"en": "{choices}", "ja": "{choices} のいずれか"},
    "pact.or": {"en": " or ", "ja": "、"},
    "pact.a_decimal": {"en": "a decimal number (e.g. \"1.25\")", "ja": "10 進数（例：\"1.25\"）"},
    "pact.positive": {"en": "a number greater than 0", "ja": "0 より大きい数"},
    "pact.at_least": {"en": "a number of at least {minimum}", "ja": "{minimum} 以上の数"},
    "pact.urns": {"en": "a non-empty list of URN strings", "ja": "URN 文字列の空でないリスト"},
    "pact.version": {"en": "a PACT 2.x or 3.x version", "ja": "PACT 2.x または 3.x のバージョン"},
    "pact.whole": {"en": "a whole number of at least 0", "ja": "0 以上の整数"},
    "pact.boolean": {"en": "true or false", "ja": "true または false の値"},
    "pact.unique_id": {"en": "an id no other footprint has (footprint {other} has it too; keep only the latest version)",
                       "ja": "ほかのフットプリントにない id（フットプリント {other} も同じ id を持つ。最新の版だけを残す）"},
    "pact.too_small": {"en": "{field}: {value} per {amount} {unit} is too small to keep 9 significant digits at 12 "
                             "decimal places per 1 {unit}",
                       "ja": "{field}：{amount} {unit} あたり {value} は小さすぎて、1 {unit} あたり小数点以下 12 桁で有効数字 9 桁を保てない"},
    "pact.not_cradle_to_gate": {"en": "pcf.partialFullPcf is {boundary}: a purchased product's footprint must be "
                                      "cradle-to-gate (it would add the product's use and end-of-life stages to the "
                                      "purchase); ask the supplier for the cradle-to-gate part",
                                "ja": "pcf.partialFullPcf が {boundary}：購入した製品のフットプリントは cradle-to-gate でなければならない"
                                      "（製品の使用・廃棄段階が購入に加わってしまう）。サプライヤーに cradle-to-gate 部分を求める"},
    "pact.withdrawn": {"en": "status is Deprecated (withdrawn by the supplier) and no Active footprint in the file "
                             "supersedes it (precedingPfIds): remove it, or add its successor",
                       "ja": "status が Deprecated（サプライヤーが撤回）で、ファイル内にそれを置き換える Active のフットプリント"
                             "（precedingPfIds）がない：削除するか、後継を加える"},
}

register(FILE_MESSAGES)
