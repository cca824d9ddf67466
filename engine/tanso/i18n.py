"""The message catalogue: every user-facing word that has a Japanese form, by key, in English and Japanese.

English is the default. `tanso evaluate|check|compare --lang ja` sets the run's language once
(`set_language`); reporters and diagnostics then call `t(key, **values)`, which formats the current
language's text (`str.format`). Templates (the HTML reports, Jinja2) can take `t` as a global and
pass `lang=` explicitly. Plugins add their own keys with `register` (the reports' words live in
`tanso_report.messages`). A key missing from a language falls back to English; a key missing from the
catalogue is an error (a typo must fail in tests, not print a key).

Scope 3 category names in Japanese are those of the Ministry of the Environment and METI's Basic
Guidelines on Accounting for Greenhouse Gas Emissions Throughout the Supply Chain
(サプライチェーンを通じた温室効果ガス排出量算定に関する基本ガイドライン), category table.
"""

from __future__ import annotations

from contextvars import ContextVar

LANGUAGES = ("en", "ja")
_language: ContextVar[str] = ContextVar("tanso_language", default="en")

MESSAGES: dict[str, dict[str, str]] = {
    # scopes and categories
    "scope": {"en": "Scope {scope}", "ja": "スコープ{scope}"},
    "scope_category": {"en": "Scope {scope} · category {category}", "ja": "スコープ{scope} カテゴリ{category}"},
    "basis.location": {"en": "location-based", "ja": "ロケーション基準"},
    "basis.market": {"en": "market-based", "ja": "マーケット基準"},
    "with_basis": {"en": "{label} ({basis})", "ja": "{label}（{basis}）"},
    "outside_scopes": {"en": "outside the scopes", "ja": "スコープ外"},
    "cat.1": {"en": "Purchased goods and services", "ja": "購入した製品・サービス"},
    "cat.2": {"en": "Capital goods", "ja": "資本財"},
    "cat.3": {"en": "Fuel- and energy-related activities", "ja": "Scope1,2に含まれない燃料及びエネルギー関連活動"},
    "cat.4": {"en": "Upstream transportation and distribution", "ja": "輸送、配送（上流）"},
    "cat.5": {"en": "Waste generated in operations", "ja": "事業から出る廃棄物"},
    "cat.6": {"en": "Business travel", "ja": "出張"},
    "cat.7": {"en": "Employee commuting", "ja": "雇用者の通勤"},
    "cat.8": {"en": "Upstream leased assets", "ja": "リース資産（上流）"},
    "cat.9": {"en": "Downstream transportation and distribution", "ja": "輸送、配送（下流）"},
    "cat.10": {"en": "Processing of sold products", "ja": "販売した製品の加工"},
    "cat.11": {"en": "Use of sold products", "ja": "販売した製品の使用"},
    "cat.12": {"en": "End-of-life treatment of sold products", "ja": "販売した製品の廃棄"},
    "cat.13": {"en": "Downstream leased assets", "ja": "リース資産（下流）"},
    "cat.14": {"en": "Franchises", "ja": "フランチャイズ"},
    "cat.15": {"en": "Investments", "ja": "投資"},
    "cat.16": {"en": "Other value-chain activities (revision drafts)", "ja": "その他のバリューチェーン活動（改訂案）"},
    # the table report
    # the ruleset's `period … to …`: above the terminal's table, and in the inventory page's lede
    "reporting_period": {"en": "reporting period {period}", "ja": "報告期間 {period}"},
    # a unit its conversions read by convention (tanso.plan.units): first at the terminal, and in manifest.json
    "unit.convention.gal": {"en": "{unit} read as US gallon (3.785411784 L)",
                            "ja": "{unit} は米ガロン（3.785411784 L）として換算"},
    # a text report's heading line (--format inventory, yuho): the days its figures cover
    "report.period": {"en": "Reporting period: {period}", "ja": "報告期間：{period}"},
    "table.title": {"en": "{title} — t CO2e", "ja": "{title} — t-CO2e"},
    "table.line": {"en": "scope / category", "ja": "スコープ／カテゴリ"},
    "table.tonnes": {"en": "t CO2e", "ja": "t-CO2e"},
    "table.rules": {"en": "rules", "ja": "ルール数"},
    "excluded_line": {"en": "excluded {label}: {why} [{source}]", "ja": "除外 {label}：{why}［{source}］"},
    "metric_line": {"en": "metric {id}: {value}", "ja": "指標 {id}：{value}"},
    "check_line": {"en": "check {id}: {status} — {title}", "ja": "チェック {id}：{status} — {title}"},
    "check.PASS": {"en": "PASS", "ja": "合格"},
    "check.FAIL": {"en": "FAIL", "ja": "不合格"},
    "check.N/A": {"en": "N/A", "ja": "該当なし"},
    "flagged": {"en": "flagged: {finding}", "ja": "検出：{finding}"},
    "noted": {"en": "information: {note}", "ja": "情報：{note}"},
    "counts": {"en": "ledger rows {ledger:,} · rejects {rejects:,} · excluded {excluded:,} · digest {digest}",
               "ja": "台帳 {ledger:,} 行 · 不採用 {rejects:,} 行 · 除外 {excluded:,} 行 · ダイジェスト {digest}"},
    "wrote": {"en": "wrote {files}", "ja": "出力しました：{files}"},
    "biogenic": {"en": "biogenic CO2, reported outside the scopes: {t} t", "ja": "バイオマス由来CO2（スコープ外で報告）：{t} t"},
    # the securities report (yuho) layout
    "yuho.title": {"en": "Greenhouse gas emissions (securities report, SSBJ climate standard)",
                   "ja": "温室効果ガス排出（有価証券報告書・SSBJ気候関連開示基準）"},
    "yuho.entity": {"en": "Reporting entity: the consolidated group of the financial statements "
                          "(boundary.approach = {approach}, {basis})",
                    "ja": "報告企業：財務諸表の連結会計グループ（boundary.approach = {approach}、{basis}）"},
    "yuho.unit": {"en": "t CO2e (rounded for display)", "ja": "単位：t-CO2e（表示のため四捨五入）"},
    "yuho.consolidated": {"en": "Consolidated group", "ja": "連結会計グループ"},
    "yuho.investees": {"en": "Other investees (equity share of Scope 1+2, in category 15)",
                       "ja": "その他の投資先（スコープ1・2の持分相当、カテゴリ15に含む）"},
    "yuho.scope3_total": {"en": "Scope 3 total", "ja": "スコープ3 合計"},
    "yuho.relief": {"en": "Scope 3 not disclosed: first-year relief ({source})",
                    "ja": "スコープ3は開示しない：適用初年度の経過措置（{source}）"},
    "yuho.measurement": {"en": "Measurement: {method} ({source})", "ja": "測定方法：{method}（{source}）"},
    "yuho.method.ghgp_2004": {"en": "GHG Protocol Corporate Standard (2004)", "ja": "GHGプロトコル企業基準（2004年）"},
    "yuho.method.shk": {"en": "the SHK system (Act on Promotion of Global Warming Countermeasures), basic emissions",
                        "ja": "温対法の算定・報告・公表制度（基礎排出量）"},
    "yuho.gwp": {"en": "GWP: {gwp}", "ja": "地球温暖化係数：{gwp}"},
    # the first lines of a run: completeness
    "side.base": {"en": "base", "ja": "現行"},
    "side.revised": {"en": "revised", "ja": "改訂"},
    "complete.where": {"en": "{label}: ", "ja": "{label}："},
    "exit.rows": {"en": "{where}{rows:,} row{s}", "ja": "{where}{rows:,} 行"},
    # compare: a rule whose totals in some combinations of changes pass the range of exact totals
    "compare.beyond_range": {"en": "rule {rule}: totals beyond the range of exact totals (under 10^16 kg) in {count} "
                                   "scenario{s} ({scenarios}); left out there, as evaluate rejects its rows (beyond_totals)",
                             "ja": "ルール {rule}：{count} 個のシナリオ（{scenarios}）で合計が正確な合計の範囲（10^16 kg 未満）を超える。"
                                   "evaluate がその行を不採用にするのと同じく、そこでは除外（beyond_totals）"},
    "compare.base_scenario": {"en": "base", "ja": "現行"},
    "exit.scenarios": {"en": "{count} rule{s} beyond range in some scenarios", "ja": "一部のシナリオで範囲を超えるルール {count} 件"},
    "exit.incomplete_allowed": {"en": "warning: totals incomplete ({rows} rejected beyond any stated tolerance); accepted by "
                                      "--allow-rejects",
                                "ja": "警告：合計は不完全（{rows}が許容範囲を超えて不採用）。--allow-rejects により受け入れ"},
    "exit.incomplete": {"en": "error: totals incomplete: {rows} rejected beyond any stated tolerance (see the first lines, and "
                              "rejects.csv under --out); state one with 'accept rejects RULE up to N rows \"why\"' in the "
                              "ruleset, or pass --allow-rejects (exit {code})",
                        "ja": "エラー：合計は不完全：{rows}が許容範囲を超えて不採用（冒頭の行と --out の rejects.csv を参照）。"
                              "ルールセットに 'accept rejects RULE up to N rows \"理由\"' で許容範囲を記すか、"
                              "--allow-rejects を指定する（終了コード {code}）"},
    "complete.none": {"en": "{where}complete: no row rejected", "ja": "{where}完全：不採用の行なし"},
    "complete.counted": {"en": "{rows:,} input row{s} rejected", "ja": "入力 {rows:,} 行が不採用"},
    "complete.per_rule": {"en": " ({total:,} rejections: a row counts once per rule)",
                          "ja": "（延べ {total:,} 件：複数のルールが不採用にした行はルールごとに数える）"},
    "complete.incomplete": {"en": "{where}INCOMPLETE: {counted}, left out of the totals below",
                            "ja": "{where}不完全：{counted}、以下の合計に含まれない"},
    "complete.beyond": {"en": "; {n:,} rejection{s} beyond the stated tolerances", "ja": "；許容範囲を超える不採用 {n:,} 件"},
    "complete.tolerated": {"en": "{where}complete within stated tolerances: {counted}, every one accepted",
                           "ja": "{where}許容範囲内で完全：{counted}、すべて許容済み"},
    "complete.reasons": {"en": "    reasons: {reasons}{more}", "ja": "    理由：{reasons}{more}"},
    "complete.rule": {"en": "rule {rule}", "ja": "ルール {rule}"},
    "complete.input_refused_by": {"en": "input {input} (refused by rule {rule})", "ja": "入力 {input}（ルール {rule} が不採用）"},
    "complete.input_lookup": {"en": "input {input} (key not in a mapping table)", "ja": "入力 {input}（キーが対応表にない）"},
    "complete.input_read": {"en": "input {input} (refused while reading)", "ja": "入力 {input}（読み込み時に不採用）"},
    "complete.input_period": {"en": "input {input} (not dated within the reporting period)",
                              "ja": "入力 {input}（報告期間内の日付と読めない）"},
    "complete.group": {"en": "  {name} [{source}]: {rejected:,} of {selected:,} rows rejected",
                       "ja": "  {name} [{source}]：{selected:,} 行中 {rejected:,} 行が不採用"},
    "complete.no_unit": {"en": "(no unit)", "ja": "（単位なし）"},
    "complete.activity": {"en": ", activity {activity}", "ja": "、活動量 {activity}"},
    "complete.accepted_by": {"en": " — accepted by {source} ({statement}): \"{why}\"",
                             "ja": " — {source} で許容（{statement}）：「{why}」"},
    "complete.not_accepted": {"en": " — NOT accepted: {problem} ({source})", "ja": " — 許容されない：{problem}（{source}）"},
    "complete.more_reasons": {"en": "; and {n} more reason{s}", "ja": "；ほか {n} 件の理由"},
    "complete.rules_reading": {"en": "    rules reading {input}: {rules}", "ja": "    {input} を読むルール：{rules}"},
    # what `tanso check` says of a ruleset without problems
    "check.ok": {"en": "ok: {name} ({layers}): {rules} rules, {exclusions} exclusions, {metrics} metrics, {checks} checks, "
                       "{inputs} inputs",
                 "ja": "問題なし：{name}（{layers}）：ルール {rules} 件、除外 {exclusions} 件、指標 {metrics} 件、チェック {checks} 件、"
                       "入力 {inputs} 件"},
    # --select and --exclude (tanso.graph.selectors): a selector that chooses no rule (exit 64)
    "select.nothing_left": {"en": "{chose}--exclude '{exclude}' leaves no rule to run",
                            "ja": "{chose}--exclude '{exclude}' では実行するルールが残らない"},
    "select.upstream_left_out": {
        "en": "the selection runs rule {rule} but not rule {upstream}, whose results it reads ({span}); select "
              "+{rule} (it and the rules it reads), or add {upstream}",
        "ja": "選択はルール {rule} を実行するが、その読む結果のルール {upstream} を含まない（{span}）。+{rule}（それと読む"
              "ルール）を選ぶか、{upstream} を加える"},
    "select.empty": {"en": "{option} names no rule (it is empty), so there is nothing to run",
                     "ja": "{option} がルールを指定していない（空）ため、実行するものがない"},
    "select.term_names_none": {"en": "{option} '{term}' names no rule", "ja": "{option} '{term}' はルールを指定していない"},
    "select.no_rule_in_all": {"en": "{option} '{term}' matches no rule: no rule is in all of {atoms}",
                              "ja": "{option} '{term}' に合うルールがない：{atoms} のすべてに含まれるルールはない"},
    "select.names_nothing": {"en": "{option} '{atom}' names nothing", "ja": "{option} '{atom}' は何も指定していない"},
    "select.names_nothing_after": {"en": "{option} '{atom}' names nothing after '{method}:'",
                                   "ja": "{option} '{atom}' は '{method}:' の後に何も指定していない"},
    "select.unknown_method": {"en": "{option} '{atom}': unknown selector method '{method}:'; one of {methods}",
                              "ja": "{option} '{atom}'：不明なセレクターの方法 '{method}:'。次のいずれか：{methods}"},
    "select.hint": {"en": " ({hint})", "ja": "（{hint}）"},
    "select.then": {"en": "; {text}", "ja": "。{text}"},
    "select.matches_none": {"en": "{option} '{atom}' matches no rule (no {what} '{value}')",
                            "ja": "{option} '{atom}' に合うルールがない（{what} '{value}' はない）"},
    "select.what.tag": {"en": "tag", "ja": "タグ"},
    "select.what.file": {"en": "ruleset file", "ja": "ルールセットのファイル"},
    "select.what.rule": {"en": "rule", "ja": "ルール"},
    "select.tags": {"en": "; the tags are: {tags}", "ja": "。タグは：{tags}"},
    "select.no_tags": {"en": "none (no rule has tags)", "ja": "なし（タグのあるルールがない）"},
    "select.rules_in": {"en": "the rules are in {files}", "ja": "ルールは {files} にある"},
    # a policy option's status (the document it comes from) and where a value was set, wherever a report shows them
    "label.status.published": {"en": "published", "ja": "公表済み"},
    "label.status.consulted": {"en": "consulted", "ja": "意見募集済み"},
    "label.status.progress_update": {"en": "progress_update", "ja": "進捗報告"},
    "label.status.white_paper": {"en": "white_paper", "ja": "ホワイトペーパー"},
    "label.status.draft": {"en": "draft", "ja": "草案"},
    "label.layer.default": {"en": "default", "ja": "既定値"},
    "label.layer.command line": {"en": "command line", "ja": "コマンドライン"},
    # diagnostics
    "diag.error": {"en": "error", "ja": "エラー"},
    "diag.warning": {"en": "warning", "ja": "警告"},
    "diag.note": {"en": "note", "ja": "注記"},
    "diag.expected": {"en": "expected", "ja": "想定"},
    "diag.help": {"en": "help", "ja": "ヒント"},
    "diag.more": {"en": "… and {n} more", "ja": "… ほか {n} 件"},
    "diag.errors": {"en": "{n} error{s}", "ja": "エラー {n} 件"},
    "diag.warnings": {"en": "{n} warning{s}", "ja": "警告 {n} 件"},
    "diag.unknown": {"en": "unknown {kind} '{name}'", "ja": "不明な{kind} '{name}'"},
    "kind.input table": {"en": "input table", "ja": "入力テーブル"},
    "kind.rule": {"en": "rule", "ja": "ルール"},
    "kind.policy option": {"en": "policy option", "ja": "ポリシーオプション"},
    "kind.column": {"en": "column", "ja": "列"},
    "kind.rule or input table": {"en": "rule or input table", "ja": "ルールまたは入力テーブル"},
    "kind.function": {"en": "function", "ja": "関数"},
    "kind.factor set": {"en": "factor set", "ja": "係数セット"},
    "kind.column type": {"en": "column type", "ja": "列の型"},
    "kind.calculator": {"en": "calculator", "ja": "計算方法"},
    "kind.boundary method": {"en": "boundary method", "ja": "バウンダリ方法"},
    "diag.did_you_mean": {"en": "did you mean '{name}'?", "ja": "'{name}' のことですか？"},
    "diag.one_of": {"en": "one of {names}", "ja": "次のいずれか：{names}"},
    "diag.no_scope": {"en": "there is no scope {scope}", "ja": "スコープ {scope} はない"},
    "diag.no_category": {"en": "scope {scope} has no category {category}", "ja": "スコープ {scope} にカテゴリ {category} はない"},
    "diag.no_categories": {"en": "no category: write `scope {scope}` alone", "ja": "カテゴリなし：`scope {scope}` とだけ書く"},
    "diag.category_range": {"en": "category {first} to {last}", "ja": "category {first}〜{last}"},
    "diag.defined_in": {"en": "as defined in {source}", "ja": "定義：{source}"},
    "diag.list_more": {"en": ", … ({n} more)", "ja": ", … ほか {n} 件"},
    "diag.none_declared": {"en": "a declared {kind} (none is declared)", "ja": "宣言された{kind}（宣言がありません）"},
    # what `tanso check` says of a ruleset: syntax
    "diag.unexpected": {"en": "unexpected {found}", "ja": "予期しない {found}"},
    "diag.end_of_statement": {"en": "end of statement", "ja": "文の終わり"},
    "diag.or": {"en": " or ", "ja": " または "},
    "diag.given_twice": {"en": "'{clause}' is given twice in this {where}", "ja": "この{where}に '{clause}' が 2 回書かれている"},
    "term.NAME": {"en": "a name", "ja": "名前"},
    "term.STRING": {"en": 'a "quoted string"', "ja": '"引用符で囲んだ文字列"'},
    "term.INT": {"en": "a whole number", "ja": "整数"},
    "term.NUMBER": {"en": "a number", "ja": "数値"},
    "term.DATE": {"en": "a date (YYYY-MM-DD)", "ja": "日付（YYYY-MM-DD）"},
    "term.COMPARATOR": {"en": "a comparison (=, !=, <, <=, >, >=)", "ja": "比較（=, !=, <, <=, >, >=）"},
    "term.ADD_OP": {"en": "+ or -", "ja": "+ または -"},
    "term.MUL_OP": {"en": "* or /", "ja": "* または /"},
    "term.$END": {"en": "end of file", "ja": "ファイルの終わり"},
    "term.HEADER_CASE": {"en": "case-insensitive or case-sensitive", "ja": "case-insensitive または case-sensitive"},
    "kind.ruleset header": {"en": "ruleset header", "ja": "ルールセットの見出し"},
    "kind.set statement": {"en": "set statement", "ja": "set 文"},
    "kind.input statement": {"en": "input statement", "ja": "input 文"},
    "kind.amend statement": {"en": "amend statement", "ja": "amend 文"},
    "kind.exclusion": {"en": "exclusion", "ja": "除外"},
    # reading a .tanso file (tanso.dsl.parser)
    "diag.nested_brackets": {"en": "brackets nested more than {depth} deep", "ja": "括弧の入れ子が {depth} 段を超える"},
    "diag.split_expression": {"en": "split the expression (e.g. into a metric or a derived rule)",
                              "ja": "式を分ける（例：指標や派生ルールに）"},
    "diag.too_deep": {"en": "{file} is too deeply nested to parse (a very long chain of operators?)",
                      "ja": "{file} は入れ子が深すぎて構文解析できない（演算子の非常に長い連鎖？）"},
    "diag.cannot_read": {"en": "cannot read {file}: {why}", "ja": "{file} を読めない：{why}"},
    "diag.not_utf8": {"en": "{file} is not UTF-8 text: byte 0x{byte} cannot be read",
                      "ja": "{file} は UTF-8 のテキストではない：バイト 0x{byte} を読めない"},
    "diag.save_utf8": {"en": "save the file as UTF-8 (a .tanso file is always read as UTF-8)",
                       "ja": "ファイルを UTF-8 で保存する（.tanso ファイルは常に UTF-8 として読む）"},
    "diag.from_twice": {"en": "column '{column}' names its source column twice ('from' is given twice)",
                        "ja": "列 '{column}' が元の列を 2 回指定している（'from' が 2 回書かれている）"},
    "diag.constraint_operator": {"en": "a column constraint compares with >=, >, <= or <, not {operator} (for one "
                                       "allowed value write in (...))",
                                 "ja": "列の制約の比較は >=, >, <= または <（{operator} ではない。許す値が 1 つなら in (...) と書く）"},
    "diag.in_values": {"en": "the values after `in` are quoted strings, numbers, true or false",
                       "ja": "`in` の後の値は引用符で囲んだ文字列、数値、true または false"},
    # what `tanso check` says of a ruleset: layers, approvals, dependencies
    "diag.replace_missing": {"en": "'replace rule {id}' but no earlier layer defines that rule",
                             "ja": "'replace rule {id}' とあるが、そのルールを定義する前のレイヤーがない"},
    "diag.base_rule_id": {"en": "the id of a rule of the base ruleset", "ja": "ベースのルールセットのルールID"},
    "diag.remove_missing": {"en": "cannot remove '{id}': no earlier layer defines it",
                            "ja": "'{id}' を削除できない：前のレイヤーに定義がない"},
    "diag.amend_missing": {"en": "cannot amend input {table}: no earlier layer declares it",
                           "ja": "入力 {table} を変更できない：前のレイヤーに宣言がない"},
    "diag.amend_expected": {"en": "the name of an input of the base ruleset", "ja": "ベースのルールセットの入力名"},
    "diag.amend_own": {"en": "input {table} is declared in this ruleset: amend changes an earlier layer's input",
                       "ja": "入力 {table} はこのルールセットで宣言されている：amend は前のレイヤーの入力を変える"},
    "diag.amend_own_help": {"en": "write `period {column}` in its declaration ({at})",
                            "ja": "その宣言（{at}）に `period {column}` と書く"},
    "diag.item_id": {"en": "the id of a rule, exclusion, metric or check", "ja": "ルール・除外・指標・チェックのID"},
    "diag.role_twice": {"en": "role '{role}' is listed twice", "ja": "ロール '{role}' が 2 回書かれている"},
    "diag.role_twice_help": {"en": "write '{count} {role}' for that many approvals of the role (each by a different person)",
                             "ja": "そのロールに {count} 件の承認（それぞれ別の人）を求めるなら '{count} {role}' と書く"},
    "diag.role_count": {"en": "role '{role}' requires {count} approvals", "ja": "ロール '{role}' の承認数が {count}"},
    "diag.role_count_expected": {"en": "at least 1 (or leave '{role}' out)", "ja": "1 以上（または '{role}' を書かない）"},
    "diag.cycle": {"en": "dependency cycle: {path}", "ja": "依存関係の循環：{path}"},
    "diag.cycle_edge": {"en": "{reader} reads {read} here", "ja": "{reader} はここで {read} を読む"},
    "diag.cycle_help": {"en": "a rule cannot depend on its own results; break one of these edges",
                        "ja": "ルールは自身の結果に依存できない。これらの依存のどれかを断つ"},
    "diag.two_headers": {"en": "a ruleset has one header; this folder has two", "ja": "ルールセットの見出しは 1 つだが、このフォルダに 2 つある"},
    "diag.first_at": {"en": "the first is at {span}", "ja": "1 つ目は {span}"},
    "diag.extends_missing": {"en": "cannot find the ruleset '{base}' that '{name}' extends",
                             "ja": "'{name}' が拡張するルールセット '{base}' が見つからない"},
    "diag.extends_expected": {"en": "a folder or .tanso file named {base} beside {path}",
                              "ja": "{path} と同じ場所にある {base} という名前のフォルダか .tanso ファイル"},
    "diag.extends_declared_in": {"en": "'{path}' beside it declares `ruleset {base}`, but a base is found by its folder's "
                                       "or file's name: rename '{path}' to '{renamed}'",
                                 "ja": "同じ場所の '{path}' が `ruleset {base}` を宣言しているが、基底はフォルダ名かファイル名で"
                                       "探す：'{path}' を '{renamed}' に改名する"},
    "diag.defined_twice": {"en": "'{id}' is defined twice in this ruleset", "ja": "このルールセットで '{id}' が 2 回定義されている"},
    "diag.first_definition": {"en": "the first definition is at {span}", "ja": "最初の定義は {span}"},
    "diag.defined_earlier": {"en": "'{id}' is already defined by an earlier layer", "ja": "'{id}' は前のレイヤーで定義済み"},
    "diag.replace_instead": {"en": "write 'replace rule {id}' to replace it", "ja": "置き換えるには 'replace rule {id}' と書く"},
    "diag.defined_at": {"en": " (defined at {span})", "ja": "（定義：{span}）"},
    "diag.other_kind": {"en": "'{id}' is already used by another kind of item", "ja": "'{id}' は別の種類の項目が使っている"},
    "diag.other_kind_help": {"en": "remove '{id}' first, or choose another id", "ja": "先に '{id}' を削除するか、別の ID を選ぶ"},
    "diag.no_from": {"en": "rule '{id}' has no 'from' clause", "ja": "ルール '{id}' に 'from' 句がない"},
    "diag.no_calc": {"en": "rule '{id}' has no 'calc' clause", "ja": "ルール '{id}' に 'calc' 句がない"},
    "diag.first_of_calls": {"en": "first_of takes calculator calls, tried in order", "ja": "first_of には計算方法の呼び出しを書く（順に試す）"},
    "diag.first_of_empty": {"en": "first_of needs at least one calculator", "ja": "first_of には計算方法が 1 つ以上必要"},
    "diag.whole_rows": {"en": "a number of rows is whole, not {limit}", "ja": "行数は整数（{limit} ではない）"},
    "diag.share_at_most": {"en": "a share of rows is at most 100 %, not {limit} %", "ja": "行の割合は 100 % まで（{limit} % ではない）"},
    "diag.no_justification": {"en": "a tolerance for rejected rows needs its justification",
                              "ja": "不採用の行の許容範囲には根拠が必要"},
    "diag.not_in_where": {"en": "'{function}' cannot be used in a where clause", "ja": "'{function}' は where 句で使えない"},
    "diag.where_operands": {"en": "columns, constants and policy(\"option.name\")", "ja": "列、定数、policy(\"option.name\")"},
    "diag.policy_name": {"en": "policy() takes the option's name as a string", "ja": "policy() にはオプション名を文字列で渡す"},
    "diag.unread_policy": {"en": "policy '{name}' is set to {value} {where}, but no rule, calculator, boundary, metric, "
                                 "check or reporter of this ruleset reads it: it changes nothing",
                           "ja": "ポリシー '{name}' は{where}で {value} に設定されているが、このルールセットのルール・計算方法・"
                                 "バウンダリ・指標・チェック・レポーターのどれも読まない：何も変えない"},
    "diag.on_command_line": {"en": "on the command line", "ja": "コマンドライン"},
    "diag.in_layer": {"en": "in {layer}", "ja": "{layer}"},
    "diag.unread_policy_help": {"en": "add a rule that reads it (where policy(\"…\") = …), or remove the set",
                                "ja": "それを読むルールを追加する（where policy(\"…\") = …）か、set を削除する"},
    # the reporting period (tanso.model.period_checks)
    "diag.period_undated.one": {"en": "the ruleset has a reporting period, but input {names} does not say which column "
                                      "dates each row",
                                "ja": "ルールセットに報告期間があるが、入力 {names} はどの列が各行の日付かを示していない"},
    "diag.period_undated.many": {"en": "the ruleset has a reporting period, but inputs {names} do not say which column "
                                       "dates each row",
                                 "ja": "ルールセットに報告期間があるが、入力 {names} はどの列が各行の日付かを示していない"},
    "diag.period_names": {"en": "{first} and {last}", "ja": "{first}、{last}"},
    "diag.period_values": {"en": "a date, an integer (a year) or text holding YYYY, YYYY-MM or YYYY-MM-DD",
                           "ja": "日付、整数（年）、または YYYY・YYYY-MM・YYYY-MM-DD を持つテキスト"},
    "diag.period_on_every_input": {"en": "a `period COLUMN` clause on every input a rule reads, naming {values}",
                                   "ja": "ルールが読むすべての入力に `period 列` 句（{values} の列を指定）"},
    "diag.period_add_clause": {"en": "add `period {column}` to input {table} ({at})",
                               "ja": "入力 {table}（{at}）に `period {column}` を追加する"},
    "diag.period_amend_clause": {"en": "add `amend input {table} period {column}` to {layer} (declared by {base} at {at})",
                                 "ja": "{layer} に `amend input {table} period {column}` を追加する（{base} の {at} で宣言）"},
    "diag.period_column_type": {"en": "the period column '{column}' of input {table} is {type}",
                                "ja": "入力 {table} の期間列 '{column}' は {type} 型"},
    "diag.period_column_expected": {"en": "a column that dates each row: {values}",
                                    "ja": "各行の日付を示す列：{values}"},
    "diag.declared_at": {"en": "declared at {at}", "ja": "{at} で宣言"},
    "diag.period_not_a_day": {"en": "{text} is not a day of the calendar", "ja": "{text} は暦にない日付"},
    "diag.period_day_expected": {"en": "a date YYYY-MM-DD", "ja": "日付 YYYY-MM-DD"},
    "diag.period_reversed": {"en": "the reporting period starts on {start}, after it ends ({end})",
                             "ja": "報告期間の開始日 {start} が終了日（{end}）より後"},
    "diag.period_reversed_expected": {"en": "period FIRST_DAY to LAST_DAY, both included (e.g. period 2025-04-01 to "
                                            "2026-03-31)",
                                      "ja": "period 初日 to 最終日（両日を含む。例：period 2025-04-01 to 2026-03-31）"},
    # what `tanso check` says of a ruleset: calculators' and boundary methods' parameters, policy values
    "diag.no_parameter": {"en": "{function} has no parameter '{name}'", "ja": "{function} にパラメータ '{name}' はない"},
    "diag.needs_parameter": {"en": "{function} needs parameter '{name}'", "ja": "{function} にはパラメータ '{name}' が必要"},
    "diag.parameter_problem": {"en": "{function}: parameter '{name}': {problem}",
                               "ja": "{function}：パラメータ '{name}'：{problem}"},
    "diag.cannot_be": {"en": "{function}: parameter '{name}' cannot be {given}",
                       "ja": "{function}：パラメータ '{name}' に {given} は書けない"},
    "diag.parameters": {"en": "parameters {names}", "ja": "パラメータ {names}"},
    "diag.arguments_named": {"en": "arguments of '{function}' are named", "ja": "'{function}' の引数には名前を付ける"},
    "diag.name_value": {"en": "name: value", "ja": "名前: 値"},
    "diag.parameters_help": {"en": "parameters: {names}", "ja": "パラメータ：{names}"},
    "diag.argument_value": {"en": "a name, a text, a number, true/false, a list of these, or arithmetic of columns and "
                                  "numbers",
                            "ja": "名前、テキスト、数値、true/false、それらのリスト、または列と数値の算術"},
    "diag.needs_column": {"en": "{function} needs column '{column}', which the rule's input does not have",
                          "ja": "{function} には列 '{column}' が必要だが、ルールの入力にない"},
    "diag.defaulted_column": {"en": "parameter '{parameter}' defaults to column '{column}'; write '{parameter}: COLUMN' "
                                    "to name another",
                              "ja": "パラメータ '{parameter}' の既定は列 '{column}'。別の列を使うには '{parameter}: COLUMN' と書く"},
    "diag.invalid_policy_value": {"en": "invalid value {value} for policy '{name}'",
                                  "ja": "ポリシー '{name}' に値 {value} は使えない"},
    "expects.name_or_text": {"en": "a name or a text", "ja": "名前またはテキスト"},
    "expects.list": {"en": "a list, e.g. [fuel, region]", "ja": "リスト（例：[fuel, region]）"},
    "expects.boolean": {"en": "true or false", "ja": "true または false"},
    "expects.number": {"en": "a number", "ja": "数値"},
    "expects.whole_number": {"en": "a whole number", "ja": "整数"},
    "expects.column_expression": {"en": "a column name or arithmetic of columns and numbers",
                                  "ja": "列名、または列と数値の算術"},
    "expects.text": {"en": "text", "ja": "テキスト"},
    "expects.text_one_of": {"en": "text, one of {values}", "ja": "テキスト（次のいずれか：{values}）"},
    "given.number": {"en": "the number {value}", "ja": "数値 {value}"},
    "given.text": {"en": 'the text "{value}"', "ja": 'テキスト "{value}"'},
    "given.list": {"en": "a list", "ja": "リスト"},
    "given.call": {"en": "a call of {function}()", "ja": "{function}() の呼び出し"},
    "given.condition": {"en": "a condition", "ja": "条件"},
    "given.comparison": {"en": "a comparison", "ja": "比較"},
    "given.value": {"en": "this value", "ja": "この値"},
    # what `tanso check` says of a ruleset: arithmetic and policy() in expressions
    "diag.not_a_number": {"en": "arithmetic cannot use {given}", "ja": "算術に {given} は使えない"},
    "diag.arithmetic_operand": {"en": "a number or a column in arithmetic", "ja": "算術には数値か列"},
    "diag.unquote": {"en": "write the number without quotes: {value}", "ja": "数値は引用符なしで書く：{value}"},
    "diag.policy_not_number": {"en": "'{operator}' needs a number, but policy(\"{name}\") holds {kind}",
                               "ja": "'{operator}' には数値が必要だが、policy(\"{name}\") が持つのは {kind}"},
    "diag.number_operand": {"en": "a number: a column, a constant or a policy option that holds a number",
                            "ja": "数値：列、定数、または数値を持つポリシーオプション"},
    "diag.compare_instead": {"en": "compare it with = or != instead, e.g. policy(\"{name}\") = \"{value}\"",
                             "ja": "代わりに = か != で比べる。例：policy(\"{name}\") = \"{value}\""},
    "diag.policy_compared": {"en": "policy(\"{name}\") holds {kind}; it is compared with {given}",
                             "ja": "policy(\"{name}\") が持つのは {kind} だが、{given} と比べている"},
    "diag.policy_cannot_hold": {"en": "\"{value}\" is not a value policy(\"{name}\") can hold, so this comparison is "
                                      "always {outcome}",
                                "ja": "\"{value}\" は policy(\"{name}\") が持ちうる値ではないため、この比較は常に{outcome}"},
    "diag.true": {"en": "true", "ja": "真"},
    "diag.false": {"en": "false", "ja": "偽"},
}


def register(messages: dict[str, dict[str, str]]) -> None:
    """Add a plugin's messages (its reports' words) to the catalogue. A key already there with other
    texts is an error: two plugins must not give one key two meanings."""
    for key, texts in messages.items():
        if MESSAGES.setdefault(key, texts) != texts:
            raise ValueError(f"message '{key}' is registered twice with different texts")


def set_language(lang: str) -> None:
    """Choose the language of what follows (the CLI's --lang)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language '{lang}': one of {', '.join(LANGUAGES)}")
    _language.set(lang)


def language() -> str:
    return _language.get()


def kind(name: str) -> str:
    """A kind of name (rule, column, …) in the current language; an unlisted kind as it is."""
    return _said_or_as_is(f"kind.{name}", name)


def label(column: str, value: str) -> str:
    """A ledger column's value (`method`, `data_type`) in the current language, where a plugin registered it
    (`label.method.average-data`); as written otherwise (a ruleset author's own words)."""
    return _said_or_as_is(f"label.{column}.{value}", value)


def _said_or_as_is(key: str, text: str) -> str:
    """The message `key` in the current language where the catalogue has it, else `text` unchanged."""
    return t(key) if key in MESSAGES else text


def columns(text: str) -> int:
    """Columns `text` takes at a terminal: a wide character (漢字, full-width punctuation) takes two."""
    from unicodedata import east_asian_width
    return sum(2 if east_asian_width(ch) in "WF" else 1 for ch in text)


def padded(text: str, width: int, right: bool = False) -> str:
    """`text` padded with spaces to `width` terminal columns (on the left with `right`), for a column of a table
    that holds Japanese words."""
    pad = " " * max(0, width - columns(text))
    return pad + text if right else text + pad


def t(key: str, lang: str | None = None, **values) -> str:
    """The message `key` in `lang` (default: the current language), formatted with `values`."""
    texts = MESSAGES[key]
    return texts.get(lang or _language.get(), texts["en"]).format(**values)
