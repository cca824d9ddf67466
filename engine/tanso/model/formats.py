"""How an input file writes text, numbers and dates: its `encoding`, `numbers` and `dates` clauses.

Each format is declared by example, read aloud: `numbers "(1,234.56)"` is the number −1234.56 as the
file writes it (thousands separator `,`, decimal point `.`, negatives in parentheses); `dates
"31.03.2025"` is 31 March 2025 as the file writes it. An example is unambiguous because the value it
shows is fixed.
"""

from __future__ import annotations

import codecs
import re

from tanso.frozen import frozen

# Offered in did-you-mean hints; any codec Python knows is accepted.
COMMON_ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "latin-1", "cp1252", "cp932", "shift_jis", "euc_jp", "gb18030",
                    "gbk", "big5", "euc_kr", "cp949", "cp1250", "cp1251", "iso8859_2", "iso8859_15", "mac_roman")
_FORMAT = re.compile(r"(?P<open>\()?(?P<lead>-)?(?P<triangle>[▲△])?1(?P<group>[,. '\u00a0\u202f]?)234(?P<decimal>[.,])56(?P<trail>-)?"
                     r"(?P<close>\))?")
NUMBER_FORMATS = ('"1234.56"', '"1,234.56"', '"1234,56"', '"1.234,56"', '"1 234,56"', '"1\'234.56"')
NEGATIVE_FORMATS = {"parentheses": '"(1,234.56)"', "trailing": '"1,234.56-"',   # how a negative number is written
                    "black_triangle": '"▲1,234.56"', "white_triangle": '"△1,234.56"'}
LEADING, PARENTHESES, TRAILING = "leading", "parentheses", "trailing"
TRIANGLES = ("▲", "△")   # a style of their own each: the file's negatives start with the one its example shows


@frozen
class NumberFormat:
    """The decimal mark, the thousands separator ('' for none) and how negatives are written."""

    decimal: str = "."
    group: str = ""
    negative: str = LEADING        # -1234.56, (1234.56), 1234.56-, ▲1234.56 or △1234.56

    @property
    def plain(self) -> bool:
        return self.decimal == "." and self.group == "" and self.negative == LEADING

    @property
    def example(self) -> str:
        """As the file writes 1234.56 and, where it is not a leading minus, −1234.56."""
        number = f"1{self.group}234{self.decimal}56"
        negative = {PARENTHESES: f"({number})", TRAILING: f"{number}-",
                    **{mark: f"{mark}{number}" for mark in TRIANGLES}}.get(self.negative)
        return number if negative is None else f"{number} or, negative, {negative}"


def number_format(text: str | None) -> NumberFormat | None:
    """`numbers "(1,234.56)"` → NumberFormat(".", ",", parentheses); None when `text` is not such an example."""
    if text is None:
        return NumberFormat()
    found = _FORMAT.fullmatch(text)
    if found is None or found["group"] == found["decimal"] or bool(found["open"]) != bool(found["close"]):
        return None
    styles = [style for style, mark in ((PARENTHESES, found["open"]), (LEADING, found["lead"]), (TRAILING, found["trail"]),
                                        (found["triangle"], found["triangle"])) if mark]
    if len(styles) > 1:
        return None
    return NumberFormat(found["decimal"], found["group"], styles[0] if styles else LEADING)


DATE_FORMATS = ('"2025-03-31"', '"2025/03/31"', '"31.03.2025"', '"03/31/2025"', '"20250331"', '"2025年3月31日"',
                '"令和7年3月31日"')
# Japanese eras a date may be written in: the era's name, its first day, its last day.
ERAS = {"令和": ("2019-05-01", None), "平成": ("1989-01-08", "2019-04-30")}
ERA_OFFSET = {"令和": 2018, "平成": 1988}   # era year n is Gregorian year offset + n (元年 = 1)
_ERA_EXAMPLE = re.compile(r"(?P<era>令和)(?P<y>0?7)年(?P<m>0?3)月(?P<d>31)日")


@frozen
class DateFormat:
    """A date's text as a regular expression with groups y, m, d (and era for a Japanese era year)."""

    pattern: str
    example: str

    @property
    def era(self) -> bool:
        return "(?P<era>" in self.pattern

    @property
    def groups(self) -> tuple[str, ...]:
        return ("era", "y", "m", "d") if self.era else ("y", "m", "d")


ISO_DATES = DateFormat(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})", "2025-03-31")


def date_format(text: str | None) -> DateFormat | None:
    """`dates "31.03.2025"` → its DateFormat; None when `text` is not 31 March 2025 written some way."""
    if text is None:
        return ISO_DATES
    if _ERA_EXAMPLE.fullmatch(text):
        eras = "|".join(ERAS)
        return DateFormat(rf"(?P<era>{eras})(?P<y>元|[0-9]{{1,2}})年(?P<m>[0-9]{{1,2}})月(?P<d>[0-9]{{1,2}})日", text)
    if text == "20250331":
        return DateFormat(r"(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})", text)
    parts = re.findall(r"[0-9]+|[^0-9]+", text)
    numbers = [p for p in parts if p.isdigit()]
    if sorted(numbers) not in (["03", "2025", "31"], ["2025", "3", "31"]) or not parts[0].isdigit():
        return None
    if any(p.strip(" ./-年月日") for p in parts if not p.isdigit()):   # only separators between the numbers
        return None
    padded = "03" in numbers
    width = {"2025": "[0-9]{4}", "31": "[0-9]{2}" if padded else "[0-9]{1,2}",
             "03": "[0-9]{2}", "3": "[0-9]{1,2}"}
    name = {"2025": "y", "31": "d", "03": "m", "3": "m"}
    pattern = "".join(f"(?P<{name[p]}>{width[p]})" if p.isdigit() else re.escape(p) for p in parts)
    return DateFormat(pattern, text)


def canonical_encoding(name: str | None) -> str | None:
    """Python's name for an encoding (`Shift-JIS` → `shift_jis`), or None when Python does not know it."""
    if name is None:
        return "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None
