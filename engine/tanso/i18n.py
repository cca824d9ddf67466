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
    "complete.more_reasons": {"en": "; and {n} more reasons", "ja": "；ほか {n} 件の理由"},
    "complete.rules_reading": {"en": "    rules reading {input}: {rules}", "ja": "    {input} を読むルール：{rules}"},
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
    return t(f"kind.{name}") if f"kind.{name}" in MESSAGES else name


def t(key: str, lang: str | None = None, **values) -> str:
    """The message `key` in `lang` (default: the current language), formatted with `values`."""
    texts = MESSAGES[key]
    return texts.get(lang or _language.get(), texts["en"]).format(**values)
