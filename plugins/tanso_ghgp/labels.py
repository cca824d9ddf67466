"""The Japanese names of the methods and data types this plugin's calculators write into the ledger.

The ledger keeps them in English (they enter the digest and are what rulesets select by); reports say them in
the run's language through `tanso.i18n.label`. A method a ruleset names itself (`method: "PCAF listed equity
(EVIC)"`) is its author's text and is shown as written. Terms follow the Ministry of the Environment and METI's
supply-chain guidelines where they name the method (一次データ / 二次データ, 支出ベース); the others are
descriptive translations of the GHG Protocol's wording.
"""

from __future__ import annotations

from tanso.i18n import register

METHODS = {
    "average-data": "平均データ法",
    "average-data (T&D losses)": "平均データ法（送配電損失）",
    "fuel-based": "燃料法",
    "spend-based": "支出ベース法",
    "supplier-specific allocation": "サプライヤー固有データの配分",
    "supplier-specific product footprint": "サプライヤー固有の製品フットプリント",
    "supplier-specific (emissions calculated by the provider)": "サプライヤー固有（提供者が算定した排出量）",
    "hybrid: supplier-specific allocation + secondary upstream (upstream)":
        "ハイブリッド：サプライヤー固有データの配分＋上流の二次データ（上流）",
    "market-based: energy attribute certificates": "マーケット基準：エネルギー属性証書",
    "market-based: supplier-specific rate": "マーケット基準：小売電気事業者別の排出係数",
    "market-based: residual mix": "マーケット基準：残余ミックス",
    "market-based: location-based fallback (no residual mix)": "マーケット基準：ロケーション基準の係数で代替（残余ミックスなし）",
    "market-based: fossil fallback (no residual mix)": "マーケット基準：化石電源の係数で代替（残余ミックスなし）",
    "PCAF attribution": "PCAF の帰属",
    "equity share of the investee's emissions": "投資先の排出量の持分相当",
    "reported by the value-chain partner": "バリューチェーンの相手方が報告した値",
    "none: a category left out is excluded, with no ledger row": "なし：算定対象外のカテゴリ（台帳の行なし）",
}
DATA_TYPES = {
    "primary": "一次データ",
    "secondary": "二次データ",
    "spend-based": "支出ベース",
    "supplier-specific": "サプライヤー固有",
    "supplier-specific (verified)": "サプライヤー固有（検証済み）",
}



def register_labels() -> None:
    """Add the names to the message catalogue (the plugin does, once, when it is loaded)."""
    register({f"label.method.{text}": {"en": text, "ja": ja} for text, ja in METHODS.items()}
             | {f"label.data_type.{text}": {"en": text, "ja": ja} for text, ja in DATA_TYPES.items()})
