"""Text as a matcher compares it: one spelling per word, whatever the keyboard or the clerk wrote.

Ledgers and invoices write the same word many ways: full-width ＡＷＳ and half-width ｶﾞｿﾘﾝ (NFKC
folds both), hiragana and katakana (がそりん / ガソリン), the katakana variants Japanese orthography
allows (ヴァ / バ, with or without the long vowel mark ー), and units as words or signs (リットル, ℓ,
㎥, キロワット時). The variants and the unit words are data with their sources
(`data/kana_variants.csv`, `data/unit_words.csv`; docs/suggest.md).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
_HIRAGANA = re.compile("[\u3041-\u3096]")
_PUNCTUATION = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACES = re.compile(r"\s+")
_CODE = re.compile(r"(?<![a-z0-9])([a-z]) (\d+[a-z]?)(?![a-z0-9])")   # "r 410a" → "r410a", "e 85" → "e85"
_NUMBER = r"(?<![a-z])\d[\d,]*(?:\.\d+)?\s*"


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@lru_cache(maxsize=1)
def _kana() -> tuple[re.Pattern, dict[str, str]]:
    table = {row["written"]: row["normalised"] for row in _rows("kana_variants.csv")}
    return re.compile("|".join(sorted(map(re.escape, table), key=len, reverse=True))), table


@lru_cache(maxsize=1)
def unit_words() -> dict[str, str]:
    """Unit word or sign as written (normalised) → the unit's spelling in tanso.plan.units."""
    return {fold(row["written"]): row["unit"] for row in _rows("unit_words.csv")}


@lru_cache(maxsize=1)
def _quantity_pattern() -> re.Pattern:
    words = sorted(unit_words(), key=len, reverse=True)
    return re.compile(_NUMBER + "(" + "|".join(map(re.escape, words)) + r")(?![a-z])")


def fold(text: str) -> str:
    """NFKC, lower case, hiragana as katakana, katakana variants as one spelling; punctuation kept."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _HIRAGANA.sub(lambda m: chr(ord(m.group()) + 0x60), text)
    pattern, table = _kana()
    return pattern.sub(lambda m: table[m.group()], text)


def normalise(text: str | None) -> str:
    """`fold`, then punctuation as spaces, runs of spaces as one, and a letter with the number after it
    as one code (R-410A, E-85, B 20): the text the matcher reads."""
    if not text:
        return ""
    return _CODE.sub(r"\1\2", _SPACES.sub(" ", _PUNCTUATION.sub(" ", fold(text))).strip())


_COUNTERS = "枚|個|本|箱|台|件|式|回|月分|月|日|年度|年|泊|名|人|時間|kg|g|t|pcs|pc|ea|x"


@lru_cache(maxsize=1)
def _quantities() -> re.Pattern:
    words = "|".join(map(re.escape, sorted(unit_words(), key=len, reverse=True)))
    return re.compile(rf"(?<![a-z0-9])\d+(?:[ .,/]\d+)*\s*(?:{words}|{_COUNTERS})?(?![a-z])")


def without_quantities(text: str) -> str:
    """A normalised text without its numbers, dates and quantities ("40l", "500枚", "1月分"): what an
    item is, not how much of it (an "a4" or "r 410a" keeps its digits)."""
    return _SPACES.sub(" ", _quantities().sub(" ", text)).strip()


def unit_of(written: str | None) -> str | None:
    """A row's unit as tanso.plan.units spells it: a Japanese unit word or sign mapped, else as written."""
    if written is None or not str(written).strip():
        return None
    folded = fold(str(written)).strip()
    return unit_words().get(folded, str(written).strip())


def unit_in_text(text: str | None) -> str | None:
    """The unit of a quantity written in the text ("軽油 200リットル", "電力 1,200kWh"), if one is."""
    if not text:
        return None
    found = _quantity_pattern().search(fold(text))
    return unit_words()[found.group(1)] if found else None
