"""The words of `tanso explain` and `tanso verify` (their text and HTML; the JSON stays in English), in English
and Japanese (`--lang ja`). Data only: registered into the catalogue (`tanso.i18n`) when the audit commands load.

A count in English says "1 row" and "2 rows": a key `count.<noun>` holds the plural, `count.<noun>.one` the
singular; Japanese has one form. Identifiers (rule ids, selectors, file names) are shown as they are.
"""

from __future__ import annotations

from tanso.i18n import register


def _count(noun: str, plural: str, ja: str) -> dict[str, dict[str, str]]:
    """A count's two English forms and its Japanese one: `{n:,} <noun>`."""
    return {f"count.{noun}": {"en": "{n:,} " + plural, "ja": ja},
            f"count.{noun}.one": {"en": "1 " + noun, "ja": ja.replace("{n:,}", "1")}}


def _more(noun: str, plural: str, ja: str) -> dict[str, dict[str, str]]:
    """The "… and N more <noun>" row of a table."""
    return {f"count.more {noun}": {"en": "… and {n:,} more " + plural, "ja": "… ほか " + ja},
            f"count.more {noun}.one": {"en": "… and 1 more " + noun, "ja": "… ほか " + ja.replace("{n:,}", "1")}}


AUDIT_MESSAGES: dict[str, dict[str, str]] = {
    **_count("ledger row", "ledger rows", "台帳 {n:,} 行"),
    **_count("input row", "input rows", "入力 {n:,} 行"),
    **_count("rule", "rules", "ルール {n:,} 件"),
    **_count("row", "rows", "{n:,} 行"),
    **_count("rejected row", "rejected rows", "不採用 {n:,} 行"),
    **_count("excluded row", "excluded rows", "除外 {n:,} 行"),
    **_more("rule", "rules", "{n:,} ルール"),
    **_more("method", "methods", "{n:,} 算定方法"),
    **_more("factor", "factors", "{n:,} 係数"),
    **_more("entity", "entities", "{n:,} 事業体"),
    **_more("row", "rows", "{n:,} 行"),
    **_more("reason", "reasons", "{n:,} 件の理由"),
    **{f"count.{key}": texts for key, texts in {   # counts verify writes without thousands separators
        "entry": {"en": "{n} entries", "ja": "{n} 件"}, "entry.one": {"en": "1 entry", "ja": "1 件"},
        "problem": {"en": "{n} problems", "ja": "問題 {n} 件"}, "problem.one": {"en": "1 problem", "ja": "問題 1 件"},
        "signed approval": {"en": "{n} signed approvals", "ja": "署名付き承認 {n} 件"},
        "signed approval.one": {"en": "1 signed approval", "ja": "署名付き承認 1 件"}}.items()},
    # tanso explain: the figure
    "explain.headline": {"en": "{selection}{basis}: {tonnes} t CO2e", "ja": "{selection}{basis}：{tonnes} t-CO2e"},
    "explain.basis": {"en": " ({basis})", "ja": "（{basis}）"},
    "explain.exactly": {"en": "exactly {kg} kg CO2e · {ledger_rows} from {input_rows} · {rules}",
                        "ja": "正確には {kg} kg-CO2e · {input_rows}から{ledger_rows} · {rules}"},
    "explain.run": {"en": "run {ruleset} · {folder} · digest {digest}", "ja": "実行 {ruleset} · {folder} · ダイジェスト {digest}"},
    "explain.basis_chosen": {"en": "basis: {basis}, the first of the run's bases, as none was selected; rows of another "
                                   "basis are an alternative view of the same emissions, never added: {others}",
                             "ja": "基準：{basis}（選択がないため、実行の最初の基準）。他の基準の行は同じ排出の別の見方であり、"
                                   "加算しない：{others}"},
    "explain.other_basis": {"en": "{basis} rows {tonnes} t (select basis:{name})",
                            "ja": "{basis}の行 {tonnes} t（basis:{name} で選択）"},
    "explain.outside": {"en": "outside the scopes, not in this figure: {tonnes} t (select scope:none)",
                        "ja": "スコープ外（この数値に含まない）：{tonnes} t（scope:none で選択）"},
    "explain.completeness": {"en": "completeness: {status}", "ja": "完全性：{status}"},
    "explain.status.complete": {"en": "complete", "ja": "完全"},
    "explain.status.accepted": {"en": "accepted", "ja": "許容範囲内で完全"},
    "explain.status.incomplete": {"en": "incomplete", "ja": "不完全"},
    "explain.status.not recorded": {"en": "not recorded", "ja": "記録なし"},
    "explain.group": {"en": "{name}: {rejected} of {selected} rows rejected ({status}{within})",
                      "ja": "{name}：{selected} 行中 {rejected} 行が不採用（{status}{within}）"},
    "explain.group.accepted": {"en": "accepted", "ja": "許容"},
    "explain.group.over tolerance": {"en": "over tolerance", "ja": "許容範囲を超える"},
    "explain.group.not accepted": {"en": "not accepted", "ja": "許容されない"},
    "explain.within": {"en": ", tolerance \"{statement}\" at {source}", "ja": "、許容範囲「{statement}」（{source}）"},
    "explain.not_in_figure": {"en": "not in this figure: {left_out}", "ja": "この数値に含まないもの：{left_out}"},
    "explain.comma": {"en": ", ", "ja": "、"},
    "explain.not_recorded.rejected": {"en": "rejected rows not recorded in this run folder",
                                      "ja": "不採用の行はこの実行フォルダに記録されていない"},
    "explain.not_recorded.excluded": {"en": "excluded rows not recorded in this run folder",
                                      "ja": "除外の行はこの実行フォルダに記録されていない"},
    "explain.no_match": {"en": "no ledger row matches {selection}", "ja": "{selection} に一致する台帳の行はない"},
    "explain.unrecorded": {"en": "rejects and excluded rows record no {kinds}: those of the selected rules are counted "
                                 "whatever their {all_kinds}",
                           "ja": "不採用と除外の行は {kinds} を記録しないため、選択したルールの行は {all_kinds} によらず数える"},
    "explain.or": {"en": " or ", "ja": "・"},
    "explain.and": {"en": " and ", "ja": "・"},
    # tanso explain: the tables
    "explain.col.rules": {"en": "rules", "ja": "ルール"},
    "explain.col.tonnes": {"en": "t CO2e", "ja": "t-CO2e"},
    "explain.col.share": {"en": "share", "ja": "構成比"},
    "explain.col.where": {"en": "where", "ja": "位置"},
    "explain.col.methods": {"en": "methods and data types", "ja": "算定方法とデータの種類"},
    "explain.col.factors": {"en": "factors ({method})", "ja": "係数（{method}）"},
    "explain.col.gas": {"en": "gas", "ja": "ガス"},
    "explain.col.value": {"en": "value", "ja": "値"},
    "explain.col.activity": {"en": "activity", "ja": "活動量"},
    "explain.col.entities": {"en": "entities", "ja": "事業体"},
    "explain.col.at_full": {"en": "at 100%", "ja": "100% の場合"},
    "explain.col.weight": {"en": "weight", "ja": "重み"},
    "explain.col.rows": {"en": "input rows, largest first", "ja": "入力行（大きい順）"},
    "explain.col.key": {"en": "key", "ja": "キー"},
    "explain.col.entity": {"en": "entity", "ja": "事業体"},
    "explain.col.quantity": {"en": "quantity", "ja": "数量"},
    "explain.rule_facts": {"en": "{tonnes} t CO2e · {share} of {selection} · {ledger_rows} · {source}",
                           "ja": "{tonnes} t-CO2e · {selection} の {share} · {ledger_rows} · {source}"},
    "explain.source_not_recorded": {"en": "source not recorded", "ja": "位置の記録なし"},
    "explain.none": {"en": "(none)", "ja": "（なし）"},
    "explain.no_rule": {"en": "(no rule)", "ja": "（ルールなし）"},
    "explain.several": {"en": "(several)", "ja": "（複数）"},
    "explain.not_set": {"en": "(not set)", "ja": "（未設定）"},
    "explain.default": {"en": "default", "ja": "既定値"},
    "explain.derived": {"en": "derived by {calculator} (in no factor file)", "ja": "{calculator} が導出（係数ファイルにない）"},
    "explain.no_file_row": {"en": "its file row is not in this run folder", "ja": "ファイルの行はこの実行フォルダにない"},
    "explain.version": {"en": "version {version}", "ja": "バージョン {version}"},
    "explain.boundary_note": {"en": "left out by the boundary (weight 0): {rows}", "ja": "バウンダリで除外（重み 0）：{rows}"},
    "explain.boundary": {"en": "boundary: {method} at {source}", "ja": "バウンダリ：{method}（{source}）"},
    "explain.weighted": {"en": "{entity}: weight {weight}", "ja": "{entity}：重み {weight}"},
    "explain.left_out": {"en": "not in this figure, {label}: {rows} (listed in {file})",
                         "ja": "この数値に含まないもの（{label}）：{rows}（{file} に記載）"},
    "explain.label.rejected": {"en": "rejected", "ja": "不採用"},
    "explain.label.excluded": {"en": "excluded", "ja": "除外"},
    "explain.no_text": {"en": "(the rule's text is not in this run folder)", "ja": "（ルールの本文はこの実行フォルダにない）"},
    "explain.policies": {"en": "policies read", "ja": "読んだポリシー"},
    "explain.policies_none": {"en": "policies read: none", "ja": "読んだポリシー：なし"},
    "explain.none_read": {"en": "none", "ja": "なし"},
    "explain.note": {"en": "note: {note}", "ja": "注記：{note}"},
    "explain.factors_of": {"en": "factors: {method}", "ja": "係数：{method}"},
    "explain.entities": {"en": "entities and boundary weights", "ja": "事業体とバウンダリの重み"},
    "explain.footer": {"en": "{format} · depth {depth} · top {top} · shares and t CO2e are rounded for display; the JSON "
                             "format (--format json) carries the exact kilograms",
                       "ja": "{format} · 深さ {depth} · 上位 {top} · 構成比と t-CO2e は表示のため丸めている。"
                             "JSON 形式（--format json）は正確な kg を持つ"},
    # tanso verify: the verdict
    "verify.verified": {"en": "verified: {target}", "ja": "検証済み：{target}"},
    "verify.verdict": {"en": "{status}: {target} — {problems}", "ja": "{status}：{target} — {problems}"},
    "verify.status.altered": {"en": "ALTERED", "ja": "改ざんあり"},
    "verify.status.untrusted": {"en": "UNTRUSTED", "ja": "信頼されない署名"},
    "verify.status.cannot verify": {"en": "CANNOT VERIFY", "ja": "検証不能"},
    "verify.problem": {"en": "{subject}: {message}", "ja": "{subject}：{message}"},
    "verify.listed": {"en": "{sha256} ({size} bytes)", "ja": "{sha256}（{size} バイト）"},
    "verify.expected": {"en": "expected {value}", "ja": "想定 {value}"},
    "verify.found": {"en": "found    {value}", "ja": "実際 {value}"},
    "verify.no_file": {"en": "no file", "ja": "ファイルなし"},
    "verify.none": {"en": "none", "ja": "なし"},
    "verify.end_of_file": {"en": "end of file", "ja": "ファイルの終わり"},
    "verify.line": {"en": "{file} line {line}", "ja": "{file} {line} 行目"},
    # tanso verify: a run folder
    "verify.missing": {"en": "missing", "ja": "ない"},
    "verify.added": {"en": "not in the manifest: added after the run", "ja": "マニフェストにない：実行後に追加された"},
    "verify.sha_differs": {"en": "sha256 differs from the manifest", "ja": "sha256 がマニフェストと異なる"},
    "verify.hashed": {"en": "{prefix}{manifest}: {n} output files hashed", "ja": "{prefix}{manifest}：出力ファイル {n} 件をハッシュで照合"},
    "verify.not_summed": {"en": "{prefix}ledger not summed: {files} altered", "ja": "{prefix}台帳は合計していない：{files} が改ざんされている"},
    "verify.edited": {"en": "not as tanso writes it (edited?)", "ja": "tanso が書く形ではない（編集された？）"},
    "verify.no_canonical": {"en": "carries no {field}: written by an earlier tanso, or the field was edited away",
                            "ja": "{field} がない：以前の tanso が書いたか、その項目が編集で消された"},
    "verify.canonical_differs": {"en": "its content does not match its {field}: edited",
                                 "ja": "内容が {field} と一致しない：編集された"},
    "verify.not_ledger": {"en": "cannot be read as a ledger: {error}", "ja": "台帳として読めない：{error}"},
    "verify.not_summary": {"en": "cannot be read as a summary: {error}", "ja": "サマリーとして読めない：{error}"},
    "verify.sums_differ": {"en": "differs from the ledger's sums", "ja": "台帳の合計と異なる"},
    "verify.sums_equal": {"en": "{prefix}{file}: {n} lines equal the sums of {ledger}",
                          "ja": "{prefix}{file}：{n} 行が {ledger} の合計と一致"},
    # tanso verify: the log and approvals
    "verify.log_head": {"en": "log head", "ja": "ログの先頭"},
    "verify.pinned": {"en": "the pinned head is not in the log: entries were removed or the log rewritten",
                      "ja": "指定した先頭がログにない：エントリが削除されたか、ログが書き換えられた"},
    "verify.log": {"en": "log: {entries}; head #{seq} {hash}", "ja": "ログ：{entries}、先頭 #{seq} {hash}"},
    "verify.log_count": {"en": "log: {entries}", "ja": "ログ：{entries}"},
    "verify.signed": {"en": "log: {approvals}; signers {how}", "ja": "ログ：{approvals}、署名者は{how}"},
    "verify.trusted": {"en": "checked against --trust", "ja": "--trust と照合済み"},
    "verify.not_trusted": {"en": "not checked against trusted keys (pass --trust)",
                           "ja": "信頼する鍵と照合していない（--trust を指定する）"},
    "verify.no_log": {"en": "no log at {path}: the manifest's sha256 is not confirmed by a log entry",
                      "ja": "{path} にログがない：マニフェストの sha256 はログのエントリで確認されていない"},
    "verify.logged": {"en": "{manifest}: logged as entry #{seq} ({command} by {user}, {time})",
                      "ja": "{manifest}：エントリ #{seq} として記録済み（{user} による {command}、{time}）"},
    "verify.not_logged_here": {"en": "not the manifest the log recorded for this folder (entry #{seq}): edited, or "
                                     "written without logging",
                               "ja": "ログがこのフォルダについて記録したマニフェストではない（エントリ #{seq}）：編集されたか、"
                                     "記録せずに書かれた"},
    "verify.not_in_log": {"en": "{manifest}: not in the log {path} (run elsewhere, or without --out?)",
                          "ja": "{manifest}：ログ {path} にない（別の場所で実行したか、--out なしで実行した？）"},
    "verify.draft": {"en": "draft — not approved (missing: {missing})", "ja": "草案 — 未承認（不足：{missing}）"},
    "verify.approved": {"en": "approved: {approvals}", "ja": "承認済み：{approvals}"},
    # tanso log: an entry a line, and the runs still drafts
    "log.start": {"en": "#{seq}  {time}  {type:<8}", "ja": "#{seq}  {time}  {type}"},
    "log.type.run": {"en": "run", "ja": "実行"},
    "log.type.approval": {"en": "approval", "ja": "承認"},
    "log.run": {"en": "{start}  {user}  {command} {out}  {versions}  manifest {manifest}",
                "ja": "{start}  {user}  {command} {out}  {versions}  マニフェスト {manifest}"},
    "log.approval": {"en": "{start}  {by} as {role}  {out}  manifest {manifest}  key {key_id}  \"{note}\"",
                     "ja": "{start}  {by}（{role}）  {out}  マニフェスト {manifest}  鍵 {key_id}  「{note}」"},
    "log.draft": {"en": "{status}: {out} (entry #{seq})", "ja": "{status}：{out}（エントリ #{seq}）"},
    # tanso approve, keygen and export: what they did
    "approve.done": {"en": "approved {out} as {role} by {by}: log entry #{seq}, key {key_id}",
                     "ja": "{out} を {by} が {role} として承認：ログのエントリ #{seq}、鍵 {key_id}"},
    "keygen.wrote": {"en": "wrote {private} (private: keep it to yourself) and {public} (public: give it to whoever "
                           "verifies)",
                     "ja": "{private}（秘密鍵：自分だけで保管する）と {public}（公開鍵：検証する人に渡す）を出力しました"},
    "export.wrote": {"en": "wrote {pack}: {members} files", "ja": "{pack} を出力しました：ファイル {members} 件"},
    # a log or a run folder that cannot be verified (exit 9)
    "log.none": {"en": "no log at {path} (runs log beside their --out folder; pass --log FILE or set TANSO_LOG)",
                 "ja": "{path} にログがない（実行は --out のフォルダの隣に記録する。--log FILE を指定するか TANSO_LOG を設定する）"},
    "log.unreadable": {"en": "cannot read the log {path}: {error}", "ja": "ログ {path} を読めない：{error}"},
    "log.empty": {"en": "the log {path} is empty: nothing to verify", "ja": "ログ {path} が空：検証するものがない"},
    "log.not_a_log": {"en": "{path} is not a tanso log: no line is a {format} entry",
                      "ja": "{path} は tanso のログではない：{format} のエントリである行がない"},
    "run.not_a_folder": {"en": "{folder} is not a folder", "ja": "{folder} はフォルダではない"},
    "run.no_manifest": {"en": "{folder} is not a tanso run: it has no {manifest}",
                        "ja": "{folder} は tanso の実行ではない：{manifest} がない"},
    "run.unreadable": {"en": "cannot read {path}: {error}", "ja": "{path} を読めない：{error}"},
    "run.not_json": {"en": "{path} is not JSON ({error}): the manifest is damaged",
                     "ja": "{path} は JSON ではない（{error}）：マニフェストが壊れている"},
    "run.unknown_format": {"en": "{path}: unknown manifest format {found} (this tanso reads {formats})",
                           "ja": "{path}：不明なマニフェストの形式 {found}（この tanso が読むのは {formats}）"},
    "run.no_outputs": {"en": "{path} lists no outputs: not written by a tanso that hashes its outputs",
                       "ja": "{path} に出力の一覧がない：出力をハッシュする tanso が書いたものではない"},
    # tanso explain: a selector it cannot use (exit 64)
    "sel.not_a_term": {"en": "'{term}' is not a selector: write KIND:VALUE with KIND one of {kinds}{hint}",
                       "ja": "'{term}' はセレクターではない：KIND:VALUE の形で書く（KIND は {kinds} のいずれか）{hint}"},
    "sel.unknown_kind": {"en": "{term}: unknown selector kind '{kind}'{hint} (kinds: {kinds})",
                         "ja": "{term}：不明なセレクターの種類 '{kind}'{hint}（種類：{kinds}）"},
    "sel.a_number": {"en": "{kind}:{value}: {kind} is a number (e.g. {kind}:1{outside})",
                     "ja": "{kind}:{value}：{kind} は数値（例：{kind}:1{outside}）"},
    "sel.or_outside": {"en": ", or {kind}:{none} for the rows outside the scopes",
                       "ja": "。スコープ外の行は {kind}:{none}"},
    "sel.no_such": {"en": "{kind}:{value}: this run has no {what} {value}{hint} (it has {listing})",
                    "ja": "{kind}:{value}：この実行に{what} {value} はない{hint}（あるのは {listing}）"},
    "sel.what.scope": {"en": "scope", "ja": "スコープ"},
    "sel.what.category": {"en": "category", "ja": "カテゴリ"},
    "sel.what.basis": {"en": "basis", "ja": "基準"},
    "sel.what.entity": {"en": "entity", "ja": "事業体"},
    "sel.what.gas": {"en": "gas", "ja": "ガス"},
    "sel.what.input table": {"en": "input table", "ja": "入力テーブル"},
    "sel.row_form": {"en": "row:{value}: name a row as row:TABLE:KEY (its key column) or row:TABLE#N (its row number in "
                           "the file), e.g. row:fuel_use:F0002 or row:fuel_use#17",
                     "ja": "row:{value}：行は row:TABLE:KEY（キー列の値）か row:TABLE#N（ファイルでの行番号）で指定する"
                           "（例：row:fuel_use:F0002、row:fuel_use#17）"},
    "sel.no_rule_matches": {"en": "rule:{pattern}: no rule of this run matches{hint} (a pattern may use * and ?, e.g. "
                                  "rule:s3.*)",
                            "ja": "rule:{pattern}：この実行のどのルールにも合わない{hint}（パターンには * と ? を使える。例：rule:s3.*）"},
    "sel.no_row_number": {"en": "row:{row}: {table} has no row {number} in this run (its rows are numbered 1 to {last})",
                          "ja": "row:{row}：この実行の {table} に {number} 行目はない（行番号は 1〜{last}）"},
    "sel.no_row_key": {"en": "row:{row}: {table} has no row with key {on} in this run (every row it read is in the "
                             "ledger, rejects or excluded){hint}",
                       "ja": "row:{row}：この実行の {table} にキー {on} の行はない（読んだ行はすべて台帳・不採用・除外のいずれかにある）"
                             "{hint}"},
    "sel.did_you_mean": {"en": "; did you mean {names}?", "ja": "。{names} のことですか？"},
    "sel.or": {"en": " or ", "ja": " または "},
    "sel.none": {"en": "none", "ja": "なし"},
    "sel.and_more": {"en": "{listed} and {n} more", "ja": "{listed} ほか {n} 件"},
    "sel.total": {"en": "the total", "ja": "合計"},
    # a run folder that cannot be read (explain, engage, decompose, base-year: exit 66)
    "folder.missing": {"en": "{path}: no such folder", "ja": "{path}：そのフォルダはない"},
    "folder.a_file": {"en": "{path} is a file; give the folder `tanso evaluate --out` wrote",
                      "ja": "{path} はファイル。`tanso evaluate --out` が書いたフォルダを指定する"},
    "folder.no_manifest": {"en": "{path} has no {manifest}: not a folder `tanso evaluate --out` wrote",
                           "ja": "{path} に {manifest} がない：`tanso evaluate --out` が書いたフォルダではない"},
    "folder.unreadable": {"en": "{path} cannot be read: {error}", "ja": "{path} を読めない：{error}"},
    "folder.not_a_run": {"en": "{path} is not the manifest of a run (format {found}, expected {expected}){hint}",
                         "ja": "{path} は実行のマニフェストではない（形式 {found}、想定 {expected}）{hint}"},
    "folder.a_comparison": {"en": " (a comparison: explain its base/ or revised/ run)",
                            "ja": "（比較の結果：その base/ か revised/ の実行を指定する）"},
    # verify --reperform and export given a comparison folder (exit 9): neither it nor its runs record an invocation
    "folder.comparison_not_a_run": {
        "en": "{path} is a comparison (written by `tanso compare --out`), not a run: {command} takes a folder "
              "`tanso evaluate --out` wrote (the comparison's base/ and revised/ runs record no invocation); "
              "`tanso verify {path}` checks the comparison with both its runs",
        "ja": "{path} は比較の結果（`tanso compare --out` が書いたもの）で、実行ではない：{command} には "
              "`tanso evaluate --out` が書いたフォルダを指定する（比較の base/ と revised/ の実行は呼び出しを記録しない）。"
              "`tanso verify {path}` で比較とその両方の実行を検証できる"},
    "folder.no_ledger": {"en": "{path} has no {ledger}", "ja": "{path} に {ledger} がない"},
    # tanso explain: OUT it cannot read (exit 66)
    "explain.unreadable_table": {"en": "{out}: a table cannot be read: {error}", "ja": "{out}：表を読めない：{error}"},
}

register(AUDIT_MESSAGES)
