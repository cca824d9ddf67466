"""How an input file writes text and numbers: its `encoding` and `numbers` clauses."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

# Offered in did-you-mean hints; any codec Python knows is accepted.
COMMON_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "cp932", "shift_jis", "euc_jp", "gb18030",
                    "gbk", "big5", "euc_kr", "cp949", "cp1250", "cp1251", "iso8859_2", "iso8859_15", "mac_roman")
_FORMAT = re.compile(r"1(?P<group>[,. '\u00a0\u202f]?)234(?P<decimal>[.,])56")
NUMBER_FORMATS = ('"1234.56"', '"1,234.56"', '"1234,56"', '"1.234,56"', '"1 234,56"', '"1\'234.56"')


@dataclass(frozen=True)
class NumberFormat:
    """The decimal mark and the thousands separator ('' for none) of a file's numbers."""

    decimal: str = "."
    group: str = ""

    @property
    def plain(self) -> bool:
        return self.decimal == "." and self.group == ""

    @property
    def example(self) -> str:
        return f"1{self.group}234{self.decimal}56"


def number_format(text: str | None) -> NumberFormat | None:
    """`numbers "1,234.56"` → NumberFormat(".", ","); None when `text` is not such an example."""
    if text is None:
        return NumberFormat()
    found = _FORMAT.fullmatch(text)
    if found is None or found["group"] == found["decimal"]:
        return None
    return NumberFormat(found["decimal"], found["group"])


def canonical_encoding(name: str | None) -> str | None:
    """Python's name for an encoding (`Shift-JIS` → `shift_jis`), or None when Python does not know it."""
    if name is None:
        return "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None
