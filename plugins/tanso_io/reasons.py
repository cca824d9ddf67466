"""Why a row of a file is not read as data, by code (`tanso.reasons`): said in the run's language.

Registered when the readers' plugin loads, so a report of a stored run reads these codes back too."""

from __future__ import annotations

from tanso.i18n import register

ENCODING_HINT = ' (declare the file\'s encoding on its input, e.g. encoding "cp932")'

register({
    "reason.row.fewer_fields": {"en": "the row has fewer fields than the header",
                                "ja": "行の項目数がヘッダーより少ない"},
    "reason.row.more_fields": {"en": "the row has more fields than the header",
                               "ja": "行の項目数がヘッダーより多い"},
    "reason.row.invalid_encoding": {"en": "the row has bytes that are not valid {encoding}" + ENCODING_HINT,
                                    "ja": "行に {encoding} として正しくないバイトがある（入力にファイルの文字コードを"
                                          "宣言する。例：encoding \"cp932\"）"},
    "reason.row.line_too_long": {"en": "the row has a line longer than the reader's maximum (2 MB)",
                                 "ja": "行が読み取りの上限（2 MB）より長い"},
    "reason.row.undoubled_quote": {"en": "the row has a quote inside a value that is not doubled",
                                   "ja": "値の中の引用符が二重になっていない"},
    "reason.row.blank": {"en": "the row is blank", "ja": "空行"},
    "reason.row.unsplittable": {"en": "the row cannot be split into fields", "ja": "行を項目に分けられない"},
    "reason.row.nul_byte": {"en": "the row has a NUL byte (0x00), which no value may hold",
                            "ja": "行に NUL バイト（0x00）があり、どの値にも含められない"},
    "reason.cell.excel_error": {"en": "column {column}: cell {cell} holds Excel's error {error}; correct it in the "
                                      "workbook (or clear the cell, or delete the column if no rule reads it)",
                                "ja": "列 {column}：セル {cell} は Excel のエラー {error}。ブックで直す（ルールが読まない列なら"
                                      "セルを空けるか列を削除する）"},
    "reason.cell.formula_unsaved": {
        "en": "column {column}: cell {cell} holds a formula ({formula}) whose value the workbook does not have (it "
              "was written by a program that does not calculate); open the workbook in Excel and save it",
        "ja": "列 {column}：セル {cell} の数式（{formula}）の値がブックに保存されていない（計算しないプログラムで書かれた）。"
              "Excel で開いて保存する"},
    # a JSON record or line (tanso_io.json_reader)
    "reason.row.json_blank": {"en": "the line is blank", "ja": "空行"},
    "reason.row.not_json": {"en": "the line is not JSON ({error})", "ja": "行が JSON ではない（{error}）"},
    "reason.row.not_object": {"en": "the record is not a JSON object", "ja": "レコードが JSON オブジェクトではない"},
    "reason.row.field_twice": {"en": "the record's field {names} appears more than once",
                               "ja": "レコードのフィールド {names} が 2 回以上現れる"},
    "reason.row.field_and_path": {"en": "the record's column {column} is named both as a field and by a nested field's "
                                        "path",
                                  "ja": "レコードの列 {column} がフィールド名と入れ子のフィールドのパスの両方で指定されている"},
    # what `tanso validate` says was expected instead (tanso.run.validate)
    "validate.expected.row.not_json": {"en": "a line of JSON", "ja": "JSON の行"},
    "validate.expected.row.not_object": {"en": "a JSON object", "ja": "JSON オブジェクト"},
    "reason.row.totals": {"en": "a totals row ('{label}' in column {column}): it sums rows that are read themselves, "
                                "so it is not read as data",
                          "ja": "合計行（列 {column} に「{label}」）：読み込む行を合計した行なので、データとして読まない"},
})
