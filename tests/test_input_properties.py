"""Property: any text value either loads to exactly the value it writes, or its row is rejected with a
reason naming the column — never a different value (no rounding, no '2.5' → 3, no DuckDB leniency).

The oracle here is written independently of the engine's SQL: Python's `decimal` and `datetime` on the
grammar the README documents (digits, an optional sign, a decimal point, spaces around)."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, localcontext
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings, strategies as st

from conftest import examples
from tanso.dsl import ast
from tanso.run.inputs import load_input

SPAN = ast.Span("t.tanso", 1, 1, 1, 1)
PLAIN = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
TRUE, FALSE = {"true", "t", "yes", "y", "1"}, {"false", "f", "no", "n", "0"}
GROUPED = {"1,234.56": re.compile(r"[+-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?"),
           "1.234,56": re.compile(r"[+-]?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?")}


def column(name: str, type_name: str, *args: int) -> ast.Column:
    return ast.Column(name, type_name, args, SPAN)


def expected(value: str | None, type_name: str, args: tuple[int, ...] = (), numbers: str | None = None):
    """('ok', typed value) or ('reject', None) by the documented grammar."""
    if value is None or value.strip(" ") == "":
        return "ok", None
    text = value.strip(" ")
    if type_name in ("decimal", "integer"):
        if numbers:
            if not GROUPED[numbers].fullmatch(text):
                return "reject", None
            group, mark = (",", ".") if numbers == "1,234.56" else (".", ",")
            text = text.replace(group, "").replace(mark, ".")
        if not PLAIN.fullmatch(text):
            return "reject", None
        number = Decimal(text)
        if type_name == "integer":
            ok = number == number.to_integral_value() and -2**63 <= number <= 2**63 - 1
            return ("ok", int(number)) if ok else ("reject", None)
        precision, scale = args or (18, 6)
        with localcontext() as context:
            context.prec = 100
            fits = number == number.quantize(Decimal(1).scaleb(-scale)) and abs(number) < Decimal(10) ** (precision - scale)
        return ("ok", number) if fits else ("reject", None)
    if type_name == "boolean":
        lowered = text.lower()
        return ("ok", True) if lowered in TRUE else ("ok", False) if lowered in FALSE else ("reject", None)
    if type_name == "date":
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return "reject", None
        try:
            return "ok", dt.date.fromisoformat(text)
        except ValueError:
            return "reject", None
    raise AssertionError(type_name)


def load(tmp_path: Path, registry, values: list[str | None], decl: ast.Column, numbers: str | None = None):
    folder = tmp_path / f"d{abs(hash((tuple(values), decl.type_name, numbers))) % 10**12}"
    folder.mkdir(exist_ok=True)
    ids = [f"R{i}" for i in range(len(values))]
    pq.write_table(pa.table({"row_id": pa.array(ids, pa.string()), "v": pa.array(values, pa.string())}),
                   folder / "t.parquet")
    table = ast.InputTable("t", None, "row_id", (decl,), SPAN, numbers=numbers)
    con = duckdb.connect()
    loaded = load_input(con, registry, table, folder)
    typed = dict(con.execute(f"SELECT _row_id, v FROM {loaded.relation}").fetchall())
    refused = dict(con.execute(f"SELECT row_id, reason FROM {loaded.rejects}").fetchall())
    con.close()
    return ids, typed, refused


def check(ids, typed, refused, values, type_name, args=(), numbers=None):
    for row_id, value in zip(ids, values):
        outcome, want = expected(value, type_name, args, numbers)
        if outcome == "ok":
            assert row_id in typed and row_id not in refused, (value, refused.get(row_id))
            assert typed[row_id] == want and type(typed[row_id]) is type(want), (value, typed[row_id], want)
        else:
            assert row_id in refused and row_id not in typed, (value, typed.get(row_id))
            assert "column v: " in refused[row_id]


NOISE = st.text(alphabet="0123456789.,-+eE_x tTfFyYnN:/", max_size=14)
NUMERIC = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=6)
    .map(lambda d: format(d, "f")),
    st.from_regex(r"[+-]?0{0,2}[0-9]{1,22}(\.[0-9]{0,10})?", fullmatch=True),
    st.integers(min_value=-10**20, max_value=10**20).map(str),
    st.tuples(st.integers(-10**6, 10**6), st.integers(0, 10**9)).map(lambda p: f"{p[0]}.{p[1]}"),
    NOISE,
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6),
    st.sampled_from(["2.5", "3.0", "0x10", "1_000", "1e3", ".5", "5.", " 7 ", "-0", "+0.000000", "١٢", "NaN", "inf"]))
OTHER = st.one_of(
    NOISE, st.dates().map(str), st.sampled_from(["TRUE", "no", "maybe", "2025-02-30", "2025-01-05T10:00", "infinity",
                                                   "epoch", "2025-1-5", "0000-01-01", "+2025-01-05", " true "]),
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=6))
PROPERTY = settings(max_examples=examples(40))


@PROPERTY
@given(values=st.lists(st.one_of(NUMERIC, st.none()), min_size=1, max_size=25),
       args=st.sampled_from([(18, 6), (18, 2), (5, 4), (38, 0), (12, 12)]))
def test_decimal_text_loads_exactly_or_is_rejected(tmp_path, registry, values, args):
    ids, typed, refused = load(tmp_path, registry, values, column("v", "decimal", *args))
    check(ids, typed, refused, values, "decimal", args)


@PROPERTY
@given(values=st.lists(st.one_of(NUMERIC, st.none()), min_size=1, max_size=25))
def test_integer_text_loads_exactly_or_is_rejected(tmp_path, registry, values):
    ids, typed, refused = load(tmp_path, registry, values, column("v", "integer"))
    check(ids, typed, refused, values, "integer")


@PROPERTY
@given(values=st.lists(OTHER, min_size=1, max_size=25), type_name=st.sampled_from(["boolean", "date"]))
def test_boolean_and_date_text_loads_exactly_or_is_rejected(tmp_path, registry, values, type_name):
    ids, typed, refused = load(tmp_path, registry, values, column("v", type_name))
    check(ids, typed, refused, values, type_name)


def grouped(number: Decimal, numbers: str) -> str:
    text = f"{number:,f}"
    return text if numbers == "1,234.56" else text.replace(",", "_").replace(".", ",").replace("_", ".")


@PROPERTY
@given(numbers=st.sampled_from(sorted(GROUPED)),
       values=st.lists(st.one_of(
           st.decimals(min_value=-10**11, max_value=10**11, places=4, allow_nan=False).map(lambda d: ("number", d)),
           NUMERIC.map(lambda t: ("text", t))), min_size=1, max_size=20))
def test_a_declared_number_format_reads_its_numbers_exactly_or_rejects(tmp_path, registry, numbers, values):
    texts = [grouped(v, numbers) if kind == "number" else v for kind, v in values]
    ids, typed, refused = load(tmp_path, registry, texts, column("v", "decimal", 18, 6), numbers=numbers)
    check(ids, typed, refused, texts, "decimal", (18, 6), numbers)
    for row_id, (kind, value) in zip(ids, values):
        if kind == "number":
            assert typed[row_id] == value
