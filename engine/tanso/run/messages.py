"""Why a run cannot use an input's or a factor set's files, in English and Japanese (`--lang ja`): no file, a column
missing, sheets that match nothing, parts of one input that differ, a damaged .gz, a factor file's columns and values.
Data only: registered into the catalogue (`tanso.i18n`) when the loaders load.

Such a problem ends the run (exit 2) and is stored nowhere. Files, columns, sheets and the ruleset's clauses
(`header row N`, `allows removals`, `headers case-insensitive`) are shown as written.
"""

from __future__ import annotations

from tanso.i18n import register

RUN_FILE_MESSAGES: dict[str, dict[str, str]] = {
    # an input's files (tanso.run.input_files, tanso.run.inputs)
    "input.no_file": {"en": "no file {path}{{{suffixes}}}[.gz]", "ja": "ファイル {path}{{{suffixes}}}[.gz] がない"},
    "input.candidates": {"en": "input '{name}': {n} files of the data folder could hold it, {files}; keep one, or name "
                               "it on the input with `file \"{first}\"` (declared at {span})",
                         "ja": "入力 '{name}'：データフォルダの {n} 個のファイル（{files}）がこの入力に当たる。1 つだけ残すか、"
                               "入力に `file \"{first}\"` と書く（{span} で宣言）"},
    "input.unread_files": {"en": "; the data folder has {files}", "ja": "。データフォルダには {files} がある"},
    "input.unread_file": {"en": "{name} ({hint})", "ja": "{name}（{hint}）"},
    "input.unread_other": {"en": "no reader reads this kind of file", "ja": "この種類のファイルを読むリーダーはない"},
    "input.unread.xls": {"en": "an Excel 97–2003 workbook: save it as .xlsx",
                         "ja": "Excel 97–2003 のブック：.xlsx で保存し直す"},
    "input.unread.xlsb": {"en": "an Excel binary workbook: save it as .xlsx", "ja": "Excel バイナリブック：.xlsx で保存し直す"},
    "input.unread.ods": {"en": "save it as .xlsx", "ja": ".xlsx で保存し直す"},
    "input.unread.tsv": {"en": "a tab-separated file: save it as .csv", "ja": "タブ区切りのファイル：.csv で保存し直す"},
    "input.unread.txt": {"en": "if it holds comma-separated values, name it .csv",
                         "ja": "カンマ区切りの値なら、名前を .csv にする"},
    "input.no_match": {"en": "no file matches {path}", "ja": "{path} に合うファイルがない"},
    "input.missing": {"en": "input '{name}': {where} (declared at {span}{title}); its header row is {header} (a file of "
                            "just that row holds no rows)",
                      "ja": "入力 '{name}'：{where}（{span} で宣言{title}）。ヘッダー行は {header}（その行だけのファイルは行を持たない）"},
    "input.titled": {"en": ", \"{title}\"", "ja": "、「{title}」"},
    "input.unread_clause": {"en": "{span}: {problem} ({path}); expected {expected}", "ja": "{span}：{problem}（{path}）。想定：{expected}"},
    "input.no_sheet_matches": {"en": "{path}: no sheet matches `sheets \"{pattern}\"` of input '{name}'; its sheets are "
                                     "{sheets}",
                               "ja": "{path}：入力 '{name}' の `sheets \"{pattern}\"` に合うシートがない。シートは {sheets}"},
    "input.no_reader": {"en": "{path}: no reader for this kind of file (readers: {suffixes}, each also as .gz)",
                        "ja": "{path}：この種類のファイルを読むリーダーがない（リーダー：{suffixes}、それぞれ .gz も可）"},
    "input.mixed_parts": {"en": "{path}: a {format} file among {formats} parts ({first}); the parts of one input are "
                                "files of one format",
                          "ja": "{path}：{formats} の部分の中に {format} ファイルがある（{first}）。1 つの入力の部分はすべて同じ形式のファイル"},
    "input.parts_differ": {"en": "{label}: its columns differ from those of {first} (the parts of one input are pieces "
                                 "of one table): {differences}",
                           "ja": "{label}：列が {first} の列と異なる（1 つの入力の部分は 1 つの表の断片）：{differences}"},
    "input.part_lacks": {"en": "it lacks {columns}", "ja": "{columns} がない"},
    "input.part_adds": {"en": "it adds {columns}", "ja": "{columns} が余分"},
    "input.gzip_truncated": {"en": "{path}: the gzip data ends before its end marker (a truncated file or an "
                                   "interrupted download?); no row of it is read",
                             "ja": "{path}：gzip のデータが終端マーカーの前で終わっている（途中で切れたファイルか、中断したダウンロード？）。"
                                   "どの行も読まない"},
    "input.not_gzip": {"en": "{path}: not readable as gzip ({error}); no row of it is read",
                       "ja": "{path}：gzip として読めない（{error}）。どの行も読まない"},
    "input.missing_columns": {"en": "{path}: missing column{s} {columns} (declared for input '{name}' at {span}); the "
                                    "file has: {present}",
                              "ja": "{path}：列 {columns} がない（入力 '{name}' として {span} で宣言）。ファイルにある列：{present}"},
    "input.title_above": {"en": "; if that is a title above the header, declare `header row N` on the input (N the "
                                "header's line, or its sheet row; the rows above it are then not read)",
                          "ja": "。それがヘッダーの上の表題なら、入力に `header row N` を宣言する（N はヘッダーの行番号かシートの"
                                "行番号。その上の行は読まない）"},
    "input.from_header": {"en": "{column} (from \"{header}\")", "ja": "{column}（\"{header}\" から）"},
    "input.case_differs": {"en": "the file has {same}, which differs only in case: declare `headers case-insensitive` on "
                                 "the input",
                           "ja": "ファイルには大文字・小文字だけが違う {same} がある：入力に `headers case-insensitive` を宣言する"},
    "input.hint": {"en": " ({hint})", "ja": "（{hint}）"},
    # a factor set's file
    "factors.no_file": {"en": "factor set '{name}': no file {path}", "ja": "係数セット '{name}'：ファイル {path} がない"},
    "factors.gzip": {"en": "{path}: factor set '{name}' is read from an uncompressed file",
                     "ja": "{path}：係数セット '{name}' は圧縮していないファイルから読む"},
    "factors.no_sheets": {"en": "{path}: factor set '{name}' declares sheet \"{sheet}\", but a {format} file has no sheets",
                          "ja": "{path}：係数セット '{name}' は sheet \"{sheet}\" を宣言しているが、{format} ファイルにシートはない"},
    "factors.lacks": {"en": "{path}: factor set '{name}' lacks column{s} {columns}; a factor file has {required} plus "
                            "the columns to match on (and optionally version, source)",
                      "ja": "{path}：係数セット '{name}' に列 {columns} がない。係数ファイルには {required} と照合に使う列"
                            "（任意で version, source）がある"},
    "factors.value": {"en": "{path}: column value must be a number under 10^16 with at most 12 decimal places ({shown})",
                      "ja": "{path}：列 value は 10^16 未満で小数点以下 12 桁までの数値でなければならない（{shown}）"},
    "factors.row_value": {"en": "row {row}: {value}", "ja": "{row} 行目：{value}"},
    "factors.empty": {"en": "{path}: column {column} is empty in row {rows}; every factor row states its {column}",
                      "ja": "{path}：列 {column} が {rows} 行目で空。係数の各行は {column} を記す"},
    "factors.negative": {"en": "{path}: factor set '{name}' has negative values ({shown}); a negative factor is a "
                               "removal: declare the set with `allows removals` if it has them (factors {name} file "
                               "\"...\" allows removals)",
                         "ja": "{path}：係数セット '{name}' に負の値がある（{shown}）。負の係数は除去量：除去量を含むならセットを "
                               "`allows removals` 付きで宣言する（factors {name} file \"...\" allows removals）"},
}

register(RUN_FILE_MESSAGES)
