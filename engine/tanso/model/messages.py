"""The words of `tanso check`'s rarer problems, in English and Japanese (`--lang ja`): input declarations (types,
constraints, formats, files, sheets), lookups, tables two rules consume, the boundary's table, and the expectations
of clauses that are missing or wrong. Data only: registered into the catalogue (`tanso.i18n`) when the checks load.

Keywords of the language (`from`, `where`, `sheet`, `header row`), ids, file names and values stay as written.
"""

from __future__ import annotations

from tanso.i18n import register

CHECK_MESSAGES: dict[str, dict[str, str]] = {
    # a ruleset that cannot be read at all
    "chk.no_rule": {"en": "{path}: the ruleset has no rule (an empty file, or only comments?); a ruleset needs at least "
                          "one `rule`",
                    "ja": "{path}：ルールセットにルールがない（空のファイルか、コメントだけ？）。ルールセットには `rule` が 1 つ以上必要"},
    "chk.no_ruleset": {"en": "no ruleset at {path}", "ja": "{path} にルールセットがない"},
    "chk.no_files_in": {"en": "no .tanso files in {path}", "ja": "{path} に .tanso ファイルがない"},
    "chk.extends_itself": {"en": "ruleset '{name}' extends itself: {path}", "ja": "ルールセット '{name}' が自身を拡張している：{path}"},
    # rules and tolerances: what a clause expects
    "chk.from_expected": {"en": "from TABLE [where CONDITION] or from results of RULE",
                          "ja": "from TABLE [where CONDITION] または from results of RULE"},
    "chk.calc_expected": {"en": "calc CALCULATOR(parameters) or calc first_of(CALCULATOR(...), ...)",
                          "ja": "calc CALCULATOR(parameters) または calc first_of(CALCULATOR(...), ...)"},
    "chk.rows_example": {"en": "e.g. up to 2 rows", "ja": "例：up to 2 rows"},
    "chk.accept_unit": {"en": "accept rejects {target}: {problem}", "ja": "accept rejects {target}：{problem}"},
    "chk.accept_limit": {"en": "a number of rows (2 rows), a share (0.5 %) or an activity (1200 \"kg\")",
                         "ja": "行数（2 rows）、割合（0.5 %）、または活動量（1200 \"kg\"）"},
    "chk.accept_justified": {"en": "accept rejects RULE up to N rows \"why these rows may be left out\"",
                             "ja": "accept rejects RULE up to N rows \"これらの行を除いてよい理由\""},
    "chk.policy_value_constant": {"en": "a policy value must be a constant", "ja": "ポリシーの値は定数でなければならない"},
    "chk.policy_value_expected": {"en": "a name, a string, a number, true/false or a list of these",
                                  "ja": "名前、文字列、数値、true/false、またはそれらのリスト"},
    "chk.boundary_entity": {"en": "the boundary table '{table}' needs a column 'entity'",
                            "ja": "バウンダリの表 '{table}' には列 'entity' が必要"},
    "chk.consumed_twice": {"en": "'{table}' is already consumed by rule {rule}; its rows would be counted twice",
                           "ja": "'{table}' はすでにルール {rule} が消費している：その行が二重に数えられる"},
    "chk.consumed_twice_help": {"en": "the first use is at {span}; give each rule its own table, or one rule all the "
                                      "consumption",
                                "ja": "最初の使用は {span}。ルールごとに別の表を与えるか、1 つのルールにすべての消費を任せる"},
    "chk.category_list": {"en": "category {numbers}", "ja": "category {numbers}"},
    # input declarations
    "chk.level_column": {"en": "column '{column}' of input '{table}' overrides each row's data-quality level, so it "
                               "must list the levels it may hold",
                         "ja": "入力 '{table}' の列 '{column}' は各行のデータ品質レベルを上書きするため、取りうるレベルを列挙しなければならない"},
    "chk.level_unknown": {"en": "; {values} is no calculator's level", "ja": "。{values} はどの計算方法のレベルでもない"},
    "chk.column_twice": {"en": "column '{column}' is declared twice in input '{table}'",
                         "ja": "入力 '{table}' で列 '{column}' が 2 回宣言されている"},
    "chk.unknown_encoding": {"en": "unknown encoding '{encoding}' for input '{table}'",
                             "ja": "入力 '{table}' の文字コード '{encoding}' は不明"},
    "chk.encoding_expected": {"en": "an encoding Python knows, e.g. {examples}", "ja": "Python が知っている文字コード（例：{examples}）"},
    "chk.numbers_format": {"en": "numbers \"{numbers}\" is not an example of a number format for input '{table}'",
                           "ja": "入力 '{table}' の numbers \"{numbers}\" は数値の書式の例になっていない"},
    "chk.numbers_expected": {"en": "the number 1234.56 as the file writes it: {formats}, {parentheses} (negatives in "
                                   "parentheses), {trailing} (a trailing minus), {black_triangle}, {white_triangle} "
                                   "(negatives after a triangle, as Japanese accounts write them)",
                             "ja": "ファイルでの数値 1234.56 の書き方：{formats}、{parentheses}（負の数を括弧で囲む）、"
                                   "{trailing}（末尾にマイナス）、{black_triangle}、{white_triangle}（日本の帳簿のように三角の後に負の数）"},
    "chk.header_row": {"en": "header row {row} of input '{table}': rows are numbered from 1",
                       "ja": "入力 '{table}' の header row {row}：行番号は 1 から数える"},
    "chk.header_row_expected": {"en": "the header's line in a CSV file, or the row number Excel shows, e.g. header row 3",
                                "ja": "CSV ファイルでは見出しの行、Excel では表示される行番号（例：header row 3）"},
    "chk.sheet_unnamed": {"en": "input '{table}' is read from a sheet with no name", "ja": "入力 '{table}' が名前のないシートから読まれる"},
    "chk.factor_sheet_unnamed": {"en": "factor set '{name}' is read from a sheet with no name",
                                 "ja": "係数セット '{name}' が名前のないシートから読まれる"},
    "chk.sheet_expected": {"en": "sheet \"the name on the sheet's tab\"", "ja": "sheet \"シートの見出しに表示される名前\""},
    "chk.sheet_and_sheets": {"en": "input '{table}' declares both `sheet` (one sheet) and `sheets` (several as one table)",
                             "ja": "入力 '{table}' が `sheet`（1 枚のシート）と `sheets`（複数のシートを 1 つの表に）の両方を宣言している"},
    "chk.sheet_or_sheets": {"en": "one of them: sheet \"電力\" or sheets \"2025-*\"",
                            "ja": "どちらか一方：sheet \"電力\" または sheets \"2025-*\""},
    "chk.sheets_empty": {"en": "input '{table}' is read from sheets matching an empty pattern",
                         "ja": "入力 '{table}' が空のパターンに合うシートから読まれる"},
    "chk.sheets_expected": {"en": "sheets all, or a pattern of the sheets' names, e.g. sheets \"2025-*\"",
                            "ja": "sheets all、またはシート名のパターン（例：sheets \"2025-*\"）"},
    "chk.dates_format": {"en": "dates \"{dates}\" is not an example of a date format for input '{table}'",
                         "ja": "入力 '{table}' の dates \"{dates}\" は日付の書式の例になっていない"},
    "chk.dates_expected": {"en": "the date 31 March 2025 as the file writes it: {formats}",
                           "ja": "ファイルでの日付 2025年3月31日 の書き方：{formats}"},
    "chk.column_unnamed": {"en": "column '{column}' of input '{table}' is read from a column with no name",
                           "ja": "入力 '{table}' の列 '{column}' が名前のない列から読まれる"},
    "chk.column_from_expected": {"en": "from \"the name of the column in the file\"", "ja": "from \"ファイルでの列の名前\""},
    "chk.key_is_column": {"en": "the key '{on}' of input '{table}' is also a declared column: say which column of the "
                                "file it is read from on the column, not on the key",
                          "ja": "入力 '{table}' のキー '{on}' は宣言された列でもある：ファイルのどの列から読むかは、キーではなく列に書く"},
    "chk.unread_clause": {"en": "`{clause}` of {kind} '{name}' does not apply to a {format} file",
                          "ja": "{kind} '{name}' の `{clause}` は {format} ファイルには当てはまらない"},
    "chk.unread_clause_expected": {"en": "`{clause}` on {kind} read from {suffixes} files",
                                   "ja": "`{clause}` は {suffixes} ファイルから読む{kind}に書く"},
    "kind.input": {"en": "input", "ja": "入力"},
    "chk.on_input": {"en": "an input", "ja": "入力"},
    "chk.on_factor_set": {"en": "a factor set", "ja": "係数セット"},
    "chk.no_files": {"en": "no", "ja": "（なし）"},
    "chk.in_file": {"en": "{problem} (file \"{file}\")", "ja": "{problem}（ファイル \"{file}\"）"},
    "chk.file_not_under": {"en": "file \"{file}\" of input '{table}' is not a path under the data folder",
                           "ja": "入力 '{table}' の file \"{file}\" はデータフォルダの下のパスではない"},
    "chk.file_expected": {"en": "a relative path with / between folders, e.g. \"aws/carbon/**/*.csv.gz\" or a folder "
                                "\"azure/carbon/\"",
                          "ja": "フォルダを / で区切った相対パス（例：\"aws/carbon/**/*.csv.gz\"、フォルダなら \"azure/carbon/\"）"},
    "chk.no_reader": {"en": "file \"{file}\" of input '{table}': no reader reads {suffix} files",
                      "ja": "入力 '{table}' の file \"{file}\"：{suffix} ファイルを読むリーダーがない"},
    "chk.reader_expected": {"en": "a file one of the readers reads: {suffixes} (each also .gz)",
                            "ja": "いずれかのリーダーが読むファイル：{suffixes}（それぞれ .gz も可）"},
    "chk.type_no_arguments": {"en": "column '{column}' of input '{table}': type {type} takes no (…) arguments",
                              "ja": "入力 '{table}' の列 '{column}'：型 {type} は (…) の引数を取らない"},
    "chk.type_expected": {"en": "{type}, or decimal(precision, scale)", "ja": "{type}、または decimal(precision, scale)"},
    "chk.not_decimal": {"en": "column '{column}' of input '{table}': decimal({arguments}) is not a decimal type",
                        "ja": "入力 '{table}' の列 '{column}'：decimal({arguments}) は decimal 型にならない"},
    "chk.decimal_expected": {"en": "decimal(precision, scale) with precision 1 to 38 digits and scale (the digits after "
                                   "the point) at most the precision, e.g. decimal(18, 6)",
                             "ja": "decimal(precision, scale)：precision は 1〜38 桁、scale（小数点以下の桁数）は precision 以下"
                                   "（例：decimal(18, 6)）"},
    "chk.two_constraints": {"en": "column '{column}' of input '{table}' has two '{kind}' constraints; give one",
                            "ja": "入力 '{table}' の列 '{column}' に '{kind}' 制約が 2 つある。1 つにする"},
    "chk.range_needs_number": {"en": "column '{column}' is {type}: a range or comparison needs an integer or decimal "
                                     "column, or a float one",
                               "ja": "列 '{column}' は {type} 型：範囲や比較には integer・decimal・float の列が必要"},
    "chk.range_empty": {"en": "range {range} of column '{column}' is empty: the first bound must be at most the second",
                        "ja": "列 '{column}' の範囲 {range} は空：最初の境界は 2 つ目以下でなければならない"},
    "chk.in_values.text": {"en": "column '{column}' is text: the values after `in` must be quoted strings",
                           "ja": "列 '{column}' は text 型：`in` の後の値は引用符で囲んだ文字列でなければならない"},
    "chk.in_values.boolean": {"en": "column '{column}' is boolean: the values after `in` must be true or false",
                              "ja": "列 '{column}' は boolean 型：`in` の後の値は true か false でなければならない"},
    "chk.in_values.date": {"en": "column '{column}' is date: the values after `in` must be (dates are not supported "
                                 "in `in`; use a range on a text column)",
                           "ja": "列 '{column}' は date 型：`in` に日付は書けない（text の列に範囲を使う）"},
    "chk.in_values.number": {"en": "column '{column}' is {type}: the values after `in` must be numbers",
                             "ja": "列 '{column}' は {type} 型：`in` の後の値は数値でなければならない"},
    # lookups
    "chk.lookup_of_results": {"en": "a lookup enriches the rows of an input table; rows read from `results of` a rule "
                                    "already carry the columns that rule's lookups added",
                              "ja": "lookup は入力テーブルの行に列を加える。`results of` でルールから読む行には、そのルールの lookup "
                                    "が加えた列がすでにある"},
    "chk.lookup_of_results_help": {"en": "write the lookup on the rule that reads the input table",
                                   "ja": "lookup は入力テーブルを読むルールに書く"},
    "chk.lookup_twice": {"en": "'{table}' is looked up twice here", "ja": "ここで '{table}' を 2 回 lookup している"},
    "chk.lookup_itself": {"en": "input '{table}' cannot look itself up", "ja": "入力 '{table}' は自分自身を lookup できない"},
    "chk.lookup_key": {"en": "lookup {table} on {on}: a lookup joins on the mapping table's key, and the key of "
                             "'{table}' is {declared}",
                       "ja": "lookup {table} on {on}：lookup は対応表のキーで結合するが、'{table}' のキーは{declared}"},
    "chk.lookup_key_named": {"en": "'{on}'", "ja": " '{on}'"},
    "chk.lookup_key_undeclared": {"en": "not declared", "ja": "宣言されていない"},
    "chk.lookup_key_help": {"en": "declare `key {on}` on input {table} (at {span}): a key listed twice is then "
                                  "refused naming both rows",
                            "ja": "入力 {table}（{span}）に `key {on}` を宣言する：同じキーが 2 回あれば両方の行を示して拒否される"},
    "chk.lookup_no_column": {"en": "input '{table}' has no column '{on}' to look up in '{mapping}'",
                             "ja": "入力 '{table}' に '{mapping}' で lookup する列 '{on}' がない"},
    "chk.lookup_key_text": {"en": "the lookup key '{on}' is {type} in '{table}'; a key is compared as text",
                            "ja": "lookup のキー '{on}' は '{table}' で {type} 型。キーはテキストとして比べる"},
    "chk.lookup_key_text_help": {"en": "declare {on}: text", "ja": "{on}: text と宣言する"},
    "chk.lookup_shadows": {"en": "column '{column}' is in both '{table}' and '{mapping}': the rows would carry it twice",
                           "ja": "列 '{column}' が '{table}' と '{mapping}' の両方にある：行に 2 回含まれてしまう"},
    "chk.lookup_shadows_help": {"en": "rename one, e.g. `{renamed}` on input {mapping}",
                                "ja": "どちらかの名前を変える（例：入力 {mapping} に `{renamed}`）"},
    "chk.lookup_added_twice": {"en": "column '{column}' is added to '{table}' by both '{other}' and '{mapping}'",
                               "ja": "列 '{column}' が '{other}' と '{mapping}' の両方から '{table}' に加えられる"},
    "chk.lookup_added_twice_help": {"en": "rename it in one of them with `from \"{header}\"`",
                                    "ja": "どちらかで `from \"{header}\"` を使って名前を変える"},
}

register(CHECK_MESSAGES)
