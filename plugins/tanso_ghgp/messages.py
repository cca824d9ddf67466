"""The words of `tanso base-year`, `tanso engage` and `tanso decompose`, in English and Japanese (`--lang ja`). Data
only: registered into the catalogue (`tanso.i18n`) when the commands load. Run folders, suppliers, sectors and
policy names are shown as they are; an engagement list's CSV and workbook keep their English columns (the
workbook's title is in the run's language).
"""

from __future__ import annotations

from tanso.i18n import register

COMMAND_MESSAGES: dict[str, dict[str, str]] = {
    # a run folder whose totals are incomplete (all three commands)
    "provisional.run": {"en": "INCOMPLETE: the {name} run {path} left {rows:,} rejected row{s} out of its totals beyond "
                              "its tolerances: what follows is provisional",
                        "ja": "不完全：{name}の実行 {path} は許容範囲を超えて不採用の {rows:,} 行を合計から除いている："
                              "以下は暫定"},
    "provisional.reported": {"en": "reported", "ja": "報告済み"},
    "provisional.recalculated": {"en": "recalculated", "ja": "再計算"},
    "provisional.engaged": {"en": "engaged", "ja": "対象"},
    "provisional.base": {"en": "base", "ja": "基準"},
    "provisional.current": {"en": "current", "ja": "比較"},
    # tanso base-year
    "base_year.line.Scope 1": {"en": "Scope 1", "ja": "スコープ1"},
    "base_year.line.Scope 2 (location-based)": {"en": "Scope 2 (location-based)", "ja": "スコープ2（ロケーション基準）"},
    "base_year.line.Scope 2 (market-based)": {"en": "Scope 2 (market-based)", "ja": "スコープ2（マーケット基準）"},
    "base_year.line.Scope 3": {"en": "Scope 3", "ja": "スコープ3"},
    "base_year.line.Total": {"en": "Total", "ja": "合計"},
    "base_year.not_applicable": {"en": "n/a", "ja": "該当なし"},
    "base_year.significant": {"en": "  significant", "ja": "  有意"},
    "base_year.changed_policies": {"en": "changed policies: {names}", "ja": "変更されたポリシー：{names}"},
    "base_year.required": {"en": "verdict: base-year recalculation REQUIRED (threshold {threshold}){provisional}",
                           "ja": "判定：基準年の再計算が必要（閾値 {threshold}）{provisional}"},
    "base_year.not_required": {"en": "verdict: base-year recalculation not required (threshold {threshold}){provisional}",
                               "ja": "判定：基準年の再計算は不要（閾値 {threshold}）{provisional}"},
    "base_year.provisional": {"en": ", provisional: a run is incomplete", "ja": "、暫定：不完全な実行がある"},
    "base_year.threshold": {"en": "--threshold {threshold}: expected a share between 0 and 1 (e.g. 0.05)",
                            "ja": "--threshold {threshold}：0 と 1 の間の割合を想定（例：0.05）"},
    # tanso engage
    "engage.title": {"en": "Scope 3 category {category}: suppliers within {threshold} of spend in carbon-intensive "
                           "sectors ({run})",
                     "ja": "スコープ3 カテゴリ{category}：炭素集約的なセクターで支出の {threshold} までのサプライヤー（{run}）"},
    "engage.scope": {"en": "spend inside the organisational boundary (boundary.approach = {approach}), at each entity's "
                           "boundary weight as the ledger weights its emissions; {rows} purchase{s} outside it "
                           "({spend} {currency}) not ranked",
                     "ja": "組織バウンダリ内の支出（boundary.approach = {approach}）。台帳が排出量に掛けるのと同じ各事業体の"
                           "バウンダリの重みで集計。バウンダリ外の購入 {rows} 件（{spend} {currency}）は順位に含めない"},
    "engage.supplier": {"en": "supplier", "ja": "サプライヤー"},
    "engage.spend": {"en": "spend", "ja": "支出"},
    "engage.cumulative": {"en": "cum. %", "ja": "累積 %"},
    "engage.levels": {"en": "levels", "ja": "レベル"},
    "engage.sectors": {"en": "sectors  (methods)", "ja": "セクター（算定方法）"},
    "engage.count": {"en": "{n} supplier{s}; wrote {files}", "ja": "サプライヤー {n} 社。出力しました：{files}"},
    "engage.threshold": {"en": "--threshold {threshold}: expected a share above 0 and at most 1 (e.g. 0.8)",
                         "ja": "--threshold {threshold}：0 より大きく 1 以下の割合を想定（例：0.8）"},
    "engage.none": {"en": "none", "ja": "なし"},
    "engage.no_csv": {"en": "{path}: no ledger row of Scope 3 category {category} comes from a CSV input table (found: "
                            "{tables})",
                      "ja": "{path}：スコープ3 カテゴリ{category} の台帳の行はどれも CSV の入力テーブルから来ていない（あるのは {tables}）"},
    "engage.input_gone": {"en": "{path}: the input {table} of the run is not there; give its data folder with --data",
                          "ja": "{path}：実行の入力 {table} がそこにない。--data でデータフォルダを指定する"},
    "engage.no_column": {"en": "{path}: the input {table} of category {category} has no column {missing}; spend is read "
                               "from the columns {columns}",
                         "ja": "{path}：カテゴリ{category} の入力 {table} に列 {missing} がない。支出は列 {columns} から読む"},
    "engage.no_rate": {"en": "{path} row {row}: no rate from {currency} to {to} for {year} in {rates}; spend cannot be "
                             "ranked in one currency",
                       "ja": "{path} {row} 行目：{rates} に {year} 年の {currency} から {to} へのレートがない。支出を 1 つの通貨で順位付けできない"},
    # tanso decompose
    "decompose.base_kg": {"en": "base kg", "ja": "基準 kg"},
    "decompose.activity": {"en": "activity", "ja": "活動量効果"},
    "decompose.intensity": {"en": "intensity", "ja": "原単位効果"},
}

register(COMMAND_MESSAGES)
