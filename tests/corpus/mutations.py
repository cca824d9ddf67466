"""The bad-input corpus (issue #10, item 9): declarative mutations of the example data.

Each `Mutation` is a small record: a name, a kind, the base it mutates (`mini`: a slice of the Acme
data under a small ruleset written like ghgp-current; `demo`: examples/acme/data under
rulesets/ghgp-current, whole), how to mutate it (a function over a temporary copy), the command
(default `tanso evaluate RULESET --data DATA --out OUT`), the documented exit code and the expected
cause — a regex that the output (stdout, stderr, rejects.csv, excluded.csv) must contain. Optional:
`rejects`, the (table, row) pairs that must be in rejects.csv; `rows`, a source table's row count
where the mutation changes it; `same_total`, the mutation loses nothing (the total must not move);
`xfail`, a bug the mutation found that is not fixed yet, and why.

`test_corpus.py` runs every mutation and asserts what tests/corpus/README.md lists.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import pyarrow as pa
import pyarrow.parquet as pq

OK = 0            # a run that finished complete (every reject within the ruleset's tolerances)
INCOMPLETE = 5    # a run that finished, rows rejected beyond the tolerances (`accept rejects`): outputs written
RULESET_ERROR = 1
UNUSABLE_INPUT = 2
USAGE = 64
CANNOT_WRITE = 73
BUSY = 75
EVALUATE = ("evaluate", "{ruleset}", "--data", "{data}", "--out", "{out}", "--threads", "{threads}")


@dataclass
class Case:
    """The temporary copy a mutation works on."""

    root: Path
    ruleset: Path       # the ruleset folder
    data: Path          # the data folder
    out: Path           # --out (absent at first)
    command: list[str] = field(default_factory=list)   # the tanso arguments, placeholders filled in

    def file(self, name: str) -> Path:
        return self.data / name


@dataclass(frozen=True)
class Mutation:
    name: str
    kind: str
    mutate: Callable[[Case], None] | None
    exit: int
    cause: str
    base: str = "mini"
    args: tuple[str, ...] = EVALUATE
    rejects: tuple[tuple[str, int], ...] = ()
    rows: dict[str, int] = field(default_factory=dict)
    first_row: dict[str, int] = field(default_factory=dict)   # where a table's rows are numbered from, if not 1
    same_total: bool = False
    xfail: str | None = None          # "<who fixes it>: what is wrong"
    run: Callable | None = None       # a mutation that runs itself (signals, concurrency)


# ----------------------------------------------------------------------------- CSV helpers

def read_rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]], terminator: str = "\n") -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator=terminator).writerows(rows)


def cell(table: str, row: int, column: str, value: str):
    """Set one cell: row is the 1-based data row, as messages count it."""
    def mutate(case: Case) -> None:
        path = case.file(f"{table}.csv")
        rows = read_rows(path)
        rows[row][rows[0].index(column)] = value
        write_rows(path, rows)
    return mutate


def lines(table: str, edit: Callable[[list[bytes]], list[bytes]]):
    """Edit the file's lines as bytes (header first, each with its newline)."""
    def mutate(case: Case) -> None:
        path = case.file(table if "." in table else f"{table}.csv")
        path.write_bytes(b"".join(edit(path.read_bytes().splitlines(keepends=True))))
    return mutate


def raw(table: str, edit: Callable[[bytes], bytes]):
    def mutate(case: Case) -> None:
        path = case.file(table if "." in table else f"{table}.csv")
        path.write_bytes(edit(path.read_bytes()))
    return mutate


def append(table: str, make: Callable[[list[str], list[list[str]]], list[str]]):
    """Append a row made from (header, rows)."""
    def mutate(case: Case) -> None:
        path = case.file(f"{table}.csv")
        rows = read_rows(path)
        write_rows(path, [*rows, make(rows[0], rows)])
    return mutate


def both(*mutations):
    def mutate(case: Case) -> None:
        for m in mutations:
            m(case)
    return mutate


def remove(name: str):
    return lambda case: case.file(name).unlink()


def insert_line(index: int, content: bytes):
    return lambda ls: [*ls[:index], content, *ls[index:]]


# ----------------------------------------------------------------------------- Parquet and Excel

def to_parquet(table: str, types: dict[str, pa.DataType], convert: dict[str, Callable] | None = None,
               edit: Callable[[list[dict]], None] | None = None, drop: str | None = None):
    """Rewrite TABLE.csv as TABLE.parquet, columns of `types` converted (others stay text)."""
    def mutate(case: Case) -> None:
        source = case.file(f"{table}.csv")
        rows = read_rows(source)
        records = [{k: (v if v != "" else None) for k, v in zip(rows[0], r)} for r in rows[1:]]
        for column, fn in (convert or {}).items():
            for record in records:
                record[column] = None if record[column] is None else fn(record[column])
        if edit:
            edit(records)
        schema = pa.schema([(c, types.get(c, pa.string())) for c in rows[0] if c != drop])
        pq.write_table(pa.Table.from_pylist(records, schema=schema), case.file(f"{table}.parquet"))
        source.unlink()
    return mutate


UNDER_HEADER = {"hotel_nights": 2}   # the sheet row of a workbook's first data row under a header on row 1


def to_xlsx(table: str, convert: dict[str, Callable] | None = None, top: list[list] = (),
            header_edit: Callable[[list], list] | None = None, rows_edit: Callable[[list[list]], None] | None = None,
            empty: bool = False):
    """Rewrite TABLE.csv as TABLE.xlsx (first sheet), cells converted by `convert`."""
    def mutate(case: Case) -> None:
        from openpyxl import Workbook
        source = case.file(f"{table}.csv")
        rows = read_rows(source)
        book = Workbook()
        sheet = book.active
        if not empty:
            for extra in top:
                sheet.append(extra)
            header = header_edit(list(rows[0])) if header_edit else rows[0]
            body = [[(convert or {}).get(name, lambda v: v)(v) if v != "" else None for name, v in zip(rows[0], r)]
                    for r in rows[1:]]
            if rows_edit:
                rows_edit(body)
            sheet.append(header)
            for r in body:
                sheet.append(r)
        book.save(case.file(f"{table}.xlsx"))
        source.unlink()
    return mutate


# ----------------------------------------------------------------------------- PACT

PACT = "factors/supplier_footprints.pact.json"


def pact(edit: Callable[[dict], object], replace: bool = False):
    """Edit the footprint document in place (or, with replace, write what `edit` returns instead)."""
    def mutate(case: Case) -> None:
        path = case.file(PACT)
        document = json.loads(path.read_text())
        result = edit(document)
        path.write_text(json.dumps(result if replace else document))
    return mutate


def first_footprint(edit: Callable[[dict], object]):
    return pact(lambda d: edit(d["data"][0]))


def drop_pcf_field(name: str):
    return first_footprint(lambda f: f["pcf"].pop(name))


# ----------------------------------------------------------------------------- the ruleset

def ruleset_text(edit: Callable[[str], str], file: str = "mini.tanso"):
    def mutate(case: Case) -> None:
        path = case.ruleset / file
        path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    return mutate


def ruleset_bytes(edit: Callable[[bytes], bytes], file: str = "mini.tanso"):
    def mutate(case: Case) -> None:
        path = case.ruleset / file
        path.write_bytes(edit(path.read_bytes()))
    return mutate


def add_to_ruleset(text: str, file: str = "mini.tanso"):
    return ruleset_text(lambda t: t + "\n" + text + "\n", file)


# ----------------------------------------------------------------------------- the file system

def regular_file(name: str):
    def mutate(case: Case) -> None:
        (case.root / name).write_text("not a folder\n")
    return mutate


def foreign_folder(case: Case) -> None:
    case.out.mkdir()
    (case.out / "thesis.docx").write_text("years of work")


def read_only_parent(case: Case) -> None:
    parent = case.root / "ro"
    parent.mkdir()
    parent.chmod(0o555)


# The mini base's tables (data rows): fuel_use 18 (row 17 F9001 is negative, 18 F9004 the test bench),
# electricity 16 (15-16 ACME-KR, outside the boundary), certificates 4, hotel_nights 4, purchases 4,
# entities 5 (ACME-JP, -US, -DE, -JV, -KR).
F = "fuel_use"

MUTATIONS: list[Mutation] = [
    # ------------------------------------------------------------------------- CSV: structure
    Mutation("csv.duplicate_column_name", "csv", lines(F, lambda ls: [ls[0].replace(b",unit", b",quantity"), *ls[1:]]),
             UNUSABLE_INPUT, r"fuel_use\.csv.*quantity.*(twice|more than once|duplicate|distinct)"),
    Mutation("csv.ragged_row_too_few_fields", "csv", lines(F, lambda ls: [*ls[:3], b"F0003,ACME-JP,2025-01\n", *ls[4:]]),
             OK, r"fuel_use\.csv row 3", rejects=((F, 3),)),
    Mutation("csv.ragged_row_too_many_fields", "csv", lines(F, lambda ls: [*ls[:3], ls[3].rstrip(b"\n") + b",extra,more\n", *ls[4:]]),
             OK, r"fuel_use\.csv row 3", rejects=((F, 3),)),
    Mutation("csv.blank_line_in_the_middle", "csv", lines(F, insert_line(3, b"\n")),
             OK, r"fuel_use\.csv row 3", rejects=((F, 3),), rows={F: 19}),
    Mutation("csv.line_of_spaces", "csv", lines(F, insert_line(3, b"      \n")),
             OK, r"fuel_use\.csv row 3", rejects=((F, 3),), rows={F: 19}),
    Mutation("csv.blank_lines_at_the_end", "csv", raw(F, lambda b: b + b"\n\n\n"), OK, r"ledger rows", same_total=True),
    Mutation("csv.cp932_byte", "csv", lines(F, lambda ls: [*ls[:4], ls[4].replace(b"ACME-JP", "東京".encode("cp932")), *ls[5:]]),
             OK, r"fuel_use\.csv row 4", rejects=((F, 4),)),
    Mutation("csv.utf8_bom", "csv", raw(F, lambda b: b"\xef\xbb\xbf" + b), OK, r"ledger rows", same_total=True),
    Mutation("csv.crlf_line_endings", "csv", raw(F, lambda b: b.replace(b"\n", b"\r\n")), OK, r"ledger rows",
             same_total=True),
    Mutation("csv.cr_only_line_endings", "csv", raw(F, lambda b: b.replace(b"\n", b"\r")), OK, r"ledger rows",
             same_total=True),
    Mutation("csv.quoted_newline_in_unused_text", "csv",
             lines("electricity", lambda ls: [*ls[:2], ls[2].replace(b",plant,", b',"plant\nnorth wing",'), *ls[3:]]),
             OK, r"ledger rows", same_total=True),
    Mutation("csv.quoted_newline_in_matched_text", "csv",
             lines(F, lambda ls: [*ls[:2], ls[2].replace(b",diesel,", b',"die\nsel",', 1), *ls[3:]]),
             OK, r"no factor in fuels", rejects=((F, 2),)),
    Mutation("csv.unclosed_quote", "csv", lines(F, lambda ls: [*ls[:6], ls[6].replace(b",ACME", b',"ACME', 1), *ls[7:]]),
             UNUSABLE_INPUT, r"fuel_use\.csv.*(row|line) 6.*quot"),
    Mutation("csv.semicolon_delimiter", "csv", raw(F, lambda b: b.replace(b",", b";")), OK, r"ledger rows",
             same_total=True),
    Mutation("csv.empty_file", "csv", raw(F, lambda b: b""), UNUSABLE_INPUT, r"fuel_use\.csv"),
    Mutation("csv.missing_file", "csv", remove("fuel_use.csv"), UNUSABLE_INPUT, r"input 'fuel_use': no file"),
    Mutation("csv.missing_column", "csv", lines(F, lambda ls: [ls[0].replace(b",unit", b",units"), *ls[1:]]),
             UNUSABLE_INPUT, r"fuel_use\.csv: missing column unit"),
    Mutation("csv.nul_byte", "csv", lines(F, lambda ls: [*ls[:2], ls[2].replace(b"ACME", b"AC\x00ME", 1), *ls[3:]]),
             OK, r"fuel_use\.csv row 2", rejects=((F, 2),)),
    Mutation("csv.header_only", "csv", lines("hotel_nights", lambda ls: ls[:1]), OK, r"ledger rows",
             rows={"hotel_nights": 0}),
    # ------------------------------------------------------------------------- CSV: values
    Mutation("csv.thousands_separator", "csv", cell(F, 2, "quantity", "3,400.00"),
             OK, r"fuel_use\.csv row 2: column quantity: '3,400\.00' is not a number", rejects=((F, 2),)),
    Mutation("csv.decimal_comma", "csv", cell(F, 2, "quantity", "616,676"),
             OK, r"fuel_use\.csv row 2: column quantity", rejects=((F, 2),)),
    Mutation("csv.fraction_in_an_integer_column", "csv", cell("hotel_nights", 1, "nights", "2.5"),
             OK, r"hotel_nights\.csv row 1: column nights: '2\.5' is not a whole number", rejects=(("hotel_nights", 1),)),
    Mutation("csv.whole_number_written_with_point_zero", "csv", cell("hotel_nights", 1, "nights", "40.0"),
             OK, r"ledger rows", same_total=True),
    Mutation("csv.more_scale_than_declared", "csv", cell(F, 2, "quantity", "616.6760001"),
             OK, r"fuel_use\.csv row 2: column quantity: '616\.6760001' has more than 6 decimal places",
             rejects=((F, 2),)),
    Mutation("csv.trailing_zeros_beyond_scale", "csv", cell(F, 2, "quantity", "616.676000000"), OK, r"ledger rows",
             same_total=True),
    Mutation("csv.too_many_integer_digits", "csv", cell(F, 2, "quantity", "1234567890123.5"),
             OK, r"fuel_use\.csv row 2: column quantity", rejects=((F, 2),)),
    Mutation("csv.exponent", "csv", cell(F, 2, "quantity", "6.16676e2"),
             OK, r"fuel_use\.csv row 2: column quantity", rejects=((F, 2),)),
    Mutation("csv.nan", "csv", cell(F, 2, "quantity", "NaN"), OK, r"fuel_use\.csv row 2: column quantity",
             rejects=((F, 2),)),
    Mutation("csv.infinity", "csv", cell(F, 2, "quantity", "inf"), OK, r"fuel_use\.csv row 2: column quantity",
             rejects=((F, 2),)),
    Mutation("csv.fullwidth_digits", "csv", cell(F, 2, "quantity", "６１６.６７６"), OK,
             r"fuel_use\.csv row 2: column quantity", rejects=((F, 2),)),
    Mutation("csv.spaces_around_a_number", "csv", cell(F, 2, "quantity", "  616.676  "), OK, r"ledger rows",
             same_total=True),
    Mutation("csv.empty_quantity", "csv", cell(F, 2, "quantity", ""), OK, r"quantity", rejects=((F, 2),)),
    Mutation("csv.empty_key", "csv", cell(F, 2, "row_id", ""), OK,
             r"fuel_use\.csv row 2: column row_id: missing value \(the row id\)", rejects=((F, 2),)),
    Mutation("csv.key_of_spaces", "csv", cell(F, 2, "row_id", "   "), OK, r"fuel_use\.csv row 2: column row_id",
             rejects=((F, 2),)),
    Mutation("csv.duplicate_key", "csv", cell(F, 2, "row_id", "F0001"), OK,
             r"duplicate row id 'F0001' \(rows 1, 2\)", rejects=((F, 1), (F, 2))),
    Mutation("csv.negative_quantity", "csv", cell(F, 1, "quantity", "-3142.559"), OK,
             r"quantity is negative", rejects=((F, 1),)),
    Mutation("csv.huge_quantity_overflows_conversion", "csv",
             both(cell("electricity", 1, "quantity", "999999999999.999999"), cell("electricity", 1, "unit", "TWh")),
             OK, r"electricity", rejects=(("electricity", 1),)),
    Mutation("csv.unknown_unit_kWhr", "csv", cell("electricity", 1, "unit", "kWhr"), OK, r"kWhr",
             rejects=(("electricity", 1),)),
    Mutation("csv.ambiguous_unit_ton", "csv", cell(F, 1, "unit", "ton"), OK, r"ton", rejects=((F, 1),)),
    Mutation("csv.unknown_entity", "csv", cell(F, 1, "entity", "ACME-XX"), OK,
             r"entity 'ACME-XX' is not in the boundary's entities table", rejects=((F, 1),)),
    Mutation("csv.empty_selecting_column", "csv", cell(F, 1, "use", ""), OK, r"fuel_use\.csv row 1.*missing value",
             rejects=((F, 1),)),
    Mutation("csv.hour_out_of_range_in_integer", "csv", cell("electricity", 1, "hour", "99999999999999999999"), OK,
             r"electricity\.csv row 1: column hour", rejects=(("electricity", 1),)),
    # ------------------------------------------------------------------------- Parquet
    Mutation("parquet.declared_types", "parquet",
             to_parquet(F, {"quantity": pa.decimal128(18, 6)}, {"quantity": __import__("decimal").Decimal}),
             OK, r"ledger rows", same_total=True),
    Mutation("parquet.boolean_where_text_declared", "parquet",
             to_parquet("entities", {"country": pa.bool_(), "financial_control": pa.bool_(),
                                     "operational_control": pa.bool_(), "joint_financial_control": pa.bool_()},
                        {"country": lambda v: True, "financial_control": lambda v: v == "true",
                         "operational_control": lambda v: v == "true", "joint_financial_control": lambda v: v == "true"}),
             OK, r"ledger rows", same_total=True),
    Mutation("parquet.decimal_with_more_scale", "parquet",
             to_parquet(F, {"quantity": pa.decimal128(20, 8)}, {"quantity": __import__("decimal").Decimal},
                        edit=lambda rs: rs[1].update(quantity=__import__("decimal").Decimal("616.67600001"))),
             OK, r"fuel_use\.parquet row 2: column quantity.*more than 6 decimal places", rejects=((F, 2),)),
    Mutation("parquet.decimal_with_more_scale_all_exact", "parquet",
             to_parquet(F, {"quantity": pa.decimal128(20, 8)}, {"quantity": __import__("decimal").Decimal}),
             OK, r"ledger rows", same_total=True),
    Mutation("parquet.float_for_decimal", "parquet", to_parquet(F, {"quantity": pa.float64()}, {"quantity": float}),
             OK, r"ledger rows", same_total=True),
    Mutation("parquet.float_needing_more_places", "parquet",
             to_parquet(F, {"quantity": pa.float64()}, {"quantity": float}, edit=lambda rs: rs[1].update(quantity=1e-9)),
             OK, r"fuel_use\.parquet row 2: column quantity", rejects=((F, 2),)),
    Mutation("parquet.text_fraction_in_integer", "parquet",
             to_parquet("hotel_nights", {}, edit=lambda rs: rs[0].update(nights="2.5")),
             OK, r"hotel_nights\.parquet row 1: column nights", rejects=(("hotel_nights", 1),)),
    Mutation("parquet.int64_for_integer", "parquet", to_parquet("hotel_nights", {"nights": pa.int64()}, {"nights": int}),
             OK, r"ledger rows", same_total=True),
    Mutation("parquet.truncated_file", "parquet",
             both(to_parquet(F, {}), raw("fuel_use.parquet", lambda b: b[: len(b) // 2])),
             UNUSABLE_INPUT, r"fuel_use\.parquet: cannot be read"),
    Mutation("parquet.missing_column", "parquet",
             to_parquet(F, {}, drop="unit"), UNUSABLE_INPUT,
             r"fuel_use\.parquet: missing column unit"),
    # ------------------------------------------------------------------------- Excel
    # A workbook's rows are numbered as Excel shows them: the first under a header on sheet row 1 is row 2.
    Mutation("xlsx.as_csv", "xlsx", to_xlsx("hotel_nights", {"nights": int}), OK, r"ledger rows", same_total=True,
             first_row=UNDER_HEADER),
    Mutation("xlsx.empty_sheet", "xlsx", to_xlsx("hotel_nights", empty=True), UNUSABLE_INPUT,
             r"hotel_nights\.xlsx: sheet '.*' \(the first\) is empty"),
    Mutation("xlsx.header_gap", "xlsx",
             to_xlsx("hotel_nights", header_edit=lambda h: [*h, None], rows_edit=lambda b: b[0].append("stray")),
             UNUSABLE_INPUT, r"hotel_nights\.xlsx: sheet .* column F has values but no name"),
    Mutation("xlsx.header_below_blank_rows", "xlsx", to_xlsx("hotel_nights", {"nights": int}, top=[[None], [None]]),
             OK, r"ledger rows", same_total=True, first_row={"hotel_nights": 4}),
    Mutation("xlsx.title_above_the_header", "xlsx", to_xlsx("hotel_nights", {"nights": int}, top=[["宿泊 2025"], []]),
             UNUSABLE_INPUT, r"row 1 holds one value \('宿泊 2025'\), like a title, and row 3 looks like the header: "
                             r"declare `header row 3`"),
    Mutation("xlsx.totals_row_at_the_bottom", "xlsx",
             to_xlsx("hotel_nights", {"nights": int}, rows_edit=lambda b: b.append([None, "合計", None, None, 99])),
             OK, r"hotel_nights\.xlsx row 6: a totals row \('合計' in column", rejects=(("hotel_nights", 6),),
             rows={"hotel_nights": 5}, first_row=UNDER_HEADER),
    Mutation("xlsx.date_in_a_text_column", "xlsx",
             to_xlsx("hotel_nights", {"nights": int, "period": lambda v: __import__("datetime").datetime(2025, 1, 1)}),
             OK, r"ledger rows", same_total=True, first_row=UNDER_HEADER),
    Mutation("xlsx.date_in_an_integer_column", "xlsx",
             to_xlsx("hotel_nights", {"nights": int}, rows_edit=lambda b: b[0].__setitem__(4, __import__("datetime").date(2025, 3, 1))),
             OK, r"hotel_nights\.xlsx row 2: column nights", rejects=(("hotel_nights", 2),), first_row=UNDER_HEADER),
    Mutation("xlsx.float_for_integer", "xlsx", to_xlsx("hotel_nights", {"nights": float}), OK, r"ledger rows",
             same_total=True, first_row=UNDER_HEADER),
    Mutation("xlsx.duplicate_header", "xlsx", to_xlsx("hotel_nights", header_edit=lambda h: [*h[:-1], "country"]),
             UNUSABLE_INPUT, r"hotel_nights\.xlsx: .*'country' appears more than once"),
    Mutation("xlsx.not_a_workbook", "xlsx", both(remove("hotel_nights.csv"),
                                                 lambda c: c.file("hotel_nights.xlsx").write_text("row_id,nights\n")),
             UNUSABLE_INPUT, r"hotel_nights\.xlsx: cannot be read as an Excel workbook"),
    # ------------------------------------------------------------------------- PACT footprints
    Mutation("pact.malformed_json", "pact", raw(PACT, lambda b: b[: len(b) // 2]), UNUSABLE_INPUT,
             r"supplier_footprints\.pact\.json: not valid JSON"),
    Mutation("pact.not_footprints", "pact", pact(lambda d: {"footprints": 3}, replace=True), UNUSABLE_INPUT,
             r"supplier_footprints\.pact\.json: footprint 1: id"),
    Mutation("pact.a_number", "pact", pact(lambda d: 42, replace=True), UNUSABLE_INPUT,
             r"supplier_footprints\.pact\.json: expected PACT ProductFootprint"),
    Mutation("pact.missing_declared_unit", "pact", drop_pcf_field("declaredUnitOfMeasurement"), UNUSABLE_INPUT,
             r"supplier_footprints\.pact\.json: footprint 1.*declaredUnit"),
    Mutation("pact.missing_pcf_value", "pact", drop_pcf_field("pcfExcludingBiogenicUptake"), UNUSABLE_INPUT,
             r"supplier_footprints\.pact\.json: footprint 1.*pcfExcludingBiogenicUptake"),
    Mutation("pact.missing_product_ids", "pact", first_footprint(lambda f: f.pop("productIds")), UNUSABLE_INPUT,
             r"supplier_footprints\.pact\.json: footprint 1.*productIds"),
    Mutation("pact.deprecated_without_successor", "pact", first_footprint(lambda f: f.update(status="Deprecated")),
             UNUSABLE_INPUT, r"supplier_footprints\.pact\.json: footprint 1.*Deprecated"),
    Mutation("pact.unknown_status", "pact", first_footprint(lambda f: f.update(status="Maybe")), UNUSABLE_INPUT,
             r"supplier_footprints\.pact\.json: footprint 1.*status"),
    Mutation("pact.pcf_value_not_a_number", "pact", first_footprint(lambda f: f["pcf"].update(pcfExcludingBiogenicUptake="lots")),
             UNUSABLE_INPUT, r"supplier_footprints\.pact\.json: footprint 1.*pcfExcludingBiogenicUptake"),
    Mutation("pact.unknown_declared_unit", "pact", first_footprint(lambda f: f["pcf"].update(declaredUnitOfMeasurement="crate")),
             UNUSABLE_INPUT, r"supplier_footprints\.pact\.json: footprint 1.*crate"),
    # ------------------------------------------------------------------------- factor files
    Mutation("factors.unit_kgCO2e", "factors", cell("factors/grid", 1, "unit", "kgCO2e"), OK,
             r"factor unit: unit 'kgCO2e' cannot be converted to 'kg'", rejects=(("electricity", 1),)),
    Mutation("factors.per_kWhr", "factors", cell("factors/grid", 1, "per", "kWhr"), OK, r"kWhr",
             rejects=(("electricity", 1),)),
    Mutation("factors.per_Nm3", "factors", cell("factors/fuels", 4, "per", "Nm3"), OK, r"Nm3", rejects=((F, 1),)),
    Mutation("factors.negative_value", "factors", cell("factors/grid", 1, "value", "-0.441"), UNUSABLE_INPUT,
             r"grid\.csv.*(negative|removals)"),
    Mutation("factors.duplicate_key", "factors", append("factors/grid", lambda h, rs: [*rs[1][:3], "0.5", *rs[1][4:]]),
             UNUSABLE_INPUT, r"grid\.csv.*more than one factor for the same match.*rows 1, 7"),
    Mutation("factors.value_not_a_number", "factors", cell("factors/grid", 1, "value", "n/a"), UNUSABLE_INPUT,
             r"grid\.csv: column value must be a number.*row 1: 'n/a'"),
    Mutation("factors.value_with_13_places", "factors", cell("factors/grid", 1, "value", "0.4410000000001"),
             UNUSABLE_INPUT, r"grid\.csv: column value must be a number under 10\^16 with at most 12 decimal places"),
    Mutation("factors.value_of_17_digits", "factors", cell("factors/grid", 1, "value", "10000000000000000"),
             UNUSABLE_INPUT, r"grid\.csv: column value must be a number under 10\^16 .*row 1: '10000000000000000'"),
    Mutation("factors.missing_column", "factors",
             lines("factors/grid.csv", lambda ls: [ls[0].replace(b",per,", b",per_unit,"), *ls[1:]]), UNUSABLE_INPUT,
             r"grid\.csv: factor set 'grid' lacks column per"),
    Mutation("factors.missing_file", "factors", remove("factors/grid.csv"), UNUSABLE_INPUT,
             r"factor set 'grid': no file"),
    Mutation("factors.unknown_gas", "factors", cell("factors/grid", 1, "gas", "CO3"), OK, r"CO3",
             rejects=(("electricity", 1),)),
    # ------------------------------------------------------------------------- certificates
    Mutation("certificates.listed_twice", "certificates",
             append("certificates", lambda h, rs: ["C99", *rs[1][1:]]), OK,
             r"REC-RFCE-2025-01.*listed on rows 1 and 5", rejects=(("certificates", 1), ("certificates", 5))),
    Mutation("certificates.negative_quantity", "certificates", cell("certificates", 1, "quantity", "-300"), OK,
             r"REC-RFCE-2025-01.*quantity is negative", rejects=(("certificates", 1),)),
    Mutation("certificates.bad_quantity", "certificates", cell("certificates", 1, "quantity", "three hundred"), OK,
             r"certificates\.csv row 1: column quantity", rejects=(("certificates", 1),)),
    Mutation("certificates.unknown_unit", "certificates", cell("certificates", 1, "unit", "MWhr"), OK,
             r"MWhr", rejects=(("certificates", 1),)),
    # ------------------------------------------------------------------------- entities
    Mutation("entities.operational_control_maybe", "entities", cell("entities", 3, "operational_control", "maybe"), OK,
             r"entities\.csv.*row 3.*operational_control: 'maybe'", rejects=(("entities", 3),)),
    Mutation("entities.listed_twice", "entities", append("entities", lambda h, rs: rs[3]), OK,
             r"duplicate row id 'ACME-DE'", rejects=(("entities", 3), ("entities", 9))),   # 8 entities, the copy appended as row 9
    Mutation("entities.share_above_one", "entities", cell("entities", 3, "equity_share", "1.5"), OK,
             r"entities\.csv.*row 3.*equity_share", rejects=(("entities", 3),)),
    Mutation("entities.negative_share", "entities", cell("entities", 3, "equity_share", "-0.6"), OK,
             r"entities\.csv.*row 3.*equity_share", rejects=(("entities", 3),)),
    # ------------------------------------------------------------------------- rulesets
    Mutation("ruleset.non_utf8_byte", "ruleset", ruleset_bytes(lambda b: b + b"\n# caf\xe9\n"), RULESET_ERROR,
             r"mini\.tanso.*not UTF-8 text: byte 0xe9"),
    Mutation("ruleset.400_nested_parentheses", "ruleset",
             add_to_ruleset('metric m "m" = ' + "(" * 400 + "total(scope: [1])" + ")" * 400), RULESET_ERROR, r"nested"),
    Mutation("ruleset.20000_operator_chain", "ruleset", add_to_ruleset('metric m "m" = ' + " + ".join(["1"] * 20000)),
             RULESET_ERROR, r"nested|too long"),
    Mutation("ruleset.unknown_input", "ruleset", ruleset_text(lambda t: t.replace("from hotel_nights", "from hotel_night")),
             RULESET_ERROR, r"mini\.tanso:\d+:\d+.*hotel_night.*hotel_nights"),
    Mutation("ruleset.unknown_calculator", "ruleset", ruleset_text(lambda t: t.replace("calc activity(factors: hotels", "calc activty(factors: hotels")),
             RULESET_ERROR, r"mini\.tanso:\d+:\d+.*activty"),
    Mutation("ruleset.category_outside_the_standard", "ruleset",
             ruleset_text(lambda t: t.replace("scope 3 category 6", "scope 3 category 17")),
             RULESET_ERROR, r"scope 3 has no category 17.*mini\.tanso:\d+:\d+.*expected: category 1 to 16"),
    Mutation("ruleset.unknown_factor_set", "ruleset", ruleset_text(lambda t: t.replace("factors: hotels,", "factors: hotel,")),
             RULESET_ERROR, r"mini\.tanso:\d+:\d+.*hotel"),
    Mutation("ruleset.unknown_policy", "ruleset", add_to_ruleset("set scope9.magic = true"), RULESET_ERROR,
             r"mini\.tanso:\d+:\d+.*scope9\.magic"),
    Mutation("ruleset.unknown_column_in_where", "ruleset", ruleset_text(lambda t: t.replace('where use = "mobile"', 'where usage = "mobile"')),
             RULESET_ERROR, r"mini\.tanso:\d+:\d+.*usage"),
    Mutation("ruleset.syntax_error", "ruleset", ruleset_text(lambda t: t.replace("rule s1.mobile", "rule s1.mobile (", 1)),
             RULESET_ERROR, r"mini\.tanso:\d+:\d+"),
    Mutation("ruleset.empty_file", "ruleset", ruleset_text(lambda t: ""), RULESET_ERROR, r"mini\.tanso|ruleset"),
    Mutation("ruleset.bad_decimal_type", "ruleset", ruleset_text(lambda t: t.replace("nights: integer", "nights: decimal(2,6)")),
             RULESET_ERROR, r"mini\.tanso:\d+:\d+.*decimal"),
    Mutation("ruleset.duplicate_rule_id", "ruleset",
             add_to_ruleset('rule s1.mobile "again"\n  scope 1\n  from fuel_use\n  calc fuel_combustion(factors: fuels)'),
             RULESET_ERROR, r"mini\.tanso:\d+:\d+.*s1\.mobile"),
    # ------------------------------------------------------------------------- the command line
    Mutation("cli.threads_negative", "cli", None, USAGE, r"number of threads", args=(*EVALUATE, "--threads", "-1")),
    Mutation("cli.threads_zero", "cli", None, USAGE, r"number of threads", args=(*EVALUATE, "--threads", "0")),
    Mutation("cli.threads_not_a_number", "cli", None, USAGE, r"threads", args=(*EVALUATE, "--threads", "two")),
    Mutation("cli.memory_limit_lots", "cli", None, USAGE, r"not a memory size", args=(*EVALUATE, "--memory-limit", "lots")),
    Mutation("cli.set_without_name", "cli", None, USAGE, r"not name=value", args=(*EVALUATE, "--set", "=AR6")),
    Mutation("cli.set_without_equals", "cli", None, USAGE, r"not name=value", args=(*EVALUATE, "--set", "gwp.set")),
    Mutation("cli.set_unknown_policy", "cli", None, RULESET_ERROR, r"no\.such\.policy", args=(*EVALUATE, "--set", "no.such.policy=1")),
    Mutation("cli.set_bad_value", "cli", None, RULESET_ERROR, r"gwp\.set.*AR99|AR99", args=(*EVALUATE, "--set", "gwp.set=AR99")),
    Mutation("cli.format_compare_html", "cli", None, USAGE, r"one of table, json, inventory",
             args=(*EVALUATE, "--format", "compare-html")),
    Mutation("cli.out_format_xml", "cli", None, USAGE, r"xml", args=(*EVALUATE, "--out-format", "xml")),
    Mutation("cli.unknown_option", "cli", None, USAGE, r"--frobnicate", args=(*EVALUATE, "--frobnicate")),
    Mutation("cli.select_unknown_rule", "cli", None, USAGE, r"s9\.nothing", args=(*EVALUATE, "--select", "s9.nothing")),
    Mutation("cli.missing_data_option", "cli", None, USAGE, r"--data", args=("evaluate", "{ruleset}", "--out", "{out}")),
    Mutation("cli.data_does_not_exist", "cli", None, USAGE, r"does not exist",
             args=("evaluate", "{ruleset}", "--data", "{root}/nowhere", "--out", "{out}")),
    Mutation("cli.data_is_a_file", "cli", regular_file("afile"), USAGE, r"afile",
             args=("evaluate", "{ruleset}", "--data", "{root}/afile", "--out", "{out}")),
    Mutation("cli.ruleset_does_not_exist", "cli", None, USAGE, r"does not exist",
             args=("evaluate", "{root}/no.tanso", "--data", "{data}")),
    Mutation("cli.compare_format_inventory", "cli", None, USAGE, r"one of table, json, html",
             args=("compare", "{ruleset}", "--data", "{data}", "--format", "inventory")),
    # ------------------------------------------------------------------------- the file system
    Mutation("fs.out_under_a_regular_file", "fs", regular_file("afile"), CANNOT_WRITE, r"is a file, not a folder",
             args=("evaluate", "{ruleset}", "--data", "{data}", "--out", "{root}/afile/out")),
    Mutation("fs.out_is_a_regular_file", "fs", regular_file("afile"), CANNOT_WRITE, r"afile",
             args=("evaluate", "{ruleset}", "--data", "{data}", "--out", "{root}/afile")),
    Mutation("fs.out_holds_foreign_files", "fs", foreign_folder, CANNOT_WRITE, r"thesis\.docx"),
    Mutation("fs.read_only_parent", "fs", read_only_parent, CANNOT_WRITE, r"not writable|Permission denied|cannot",
             args=("evaluate", "{ruleset}", "--data", "{data}", "--out", "{readonly}/out")),
]


# ----------------------------------------------------------------------------- the demo (rulesets/ghgp-current)

def _wait_for(predicate, timeout: float) -> bool:
    import time
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _started(case: Case) -> bool:
    """The run is past its start: it holds OUT.lock and writes into its temporary folder."""
    return any(p.name.startswith(f".{case.out.name}.tmp-") for p in case.out.parent.iterdir())


def signal_run(signum: int):
    """Start the real `tanso` executable on the demo, signal it once it is evaluating, wait for it.
    On a starved machine the signal can arrive after the run finished (exit 0, a complete OUT, the
    signal ignored by design): that run was not interrupted, so it is tried again (at most 3 times)."""
    def run(case: Case, tanso: list[str], zygote) -> tuple[int, str, str]:
        import shutil
        import subprocess
        for attempt in range(3):
            process = subprocess.Popen([*tanso, *case.command], cwd=case.root, stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True)
            assert _wait_for(lambda: _started(case), 60), "the run never started writing"
            process.send_signal(signum)
            stdout, stderr = process.communicate(timeout=60)
            if process.returncode == 0 and signum != 9 and attempt < 2:
                shutil.rmtree(case.out)
                continue
            break
        assert not case.out.exists(), (f"an interrupted first run left an --out (exit {process.returncode}):\n"
                                       f"{stderr[-2000:]}")
        if signum != 9:
            assert not any(p.name.startswith(f".{case.out.name}.tmp-") for p in case.root.iterdir()), \
                "the temporary folder was not removed"
        return process.returncode, stdout, stderr
    return run


def two_runs_one_out(case: Case, tanso: list[str], zygote) -> tuple[int, str, str]:
    """Start a demo run, start a second on the same --out while the first writes; the second is refused
    (75, naming the first's pid) and the first finishes as if alone."""
    import subprocess
    first = subprocess.Popen([*tanso, *case.command], cwd=case.root, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert _wait_for(lambda: _started(case), 60), "the first run never started writing"
    second = zygote(case.command, case.root)
    stdout, stderr = first.communicate(timeout=180)
    assert first.returncode == 0 and "Traceback" not in stderr, stderr
    assert f"pid {first.pid}" in second[2], second[2]
    assert (case.out / "manifest.json").exists()
    return second


D = "demo"
MUTATIONS += [
    Mutation("demo.negative_fuel_quantity", "csv", cell(F, 1, "quantity", "-3142.559"), OK,
             r"quantity is negative \(-3142\.559000\)", base=D, rejects=((F, 1),)),
    Mutation("demo.thousands_separator_in_purchases", "csv", cell("purchases", 5, "amount", "3,400.00"), OK,
             r"purchases\.csv row 5: column amount: '3,400\.00' is not a number", base=D, rejects=(("purchases", 5),)),
    Mutation("demo.bom_and_crlf_in_electricity", "csv",
             raw("electricity", lambda b: b"\xef\xbb\xbf" + b.replace(b"\n", b"\r\n")), OK, r"ledger rows", base=D,
             same_total=True),
    Mutation("demo.cp932_byte_in_fuel_use", "csv",
             lines(F, lambda ls: [*ls[:4], ls[4].replace(b"ACME-JP", "東京".encode("cp932")), *ls[5:]]), OK,
             r"fuel_use\.csv row 4", base=D, rejects=((F, 4),)),
    Mutation("demo.certificate_listed_twice", "certificates",
             append("certificates", lambda h, rs: ["C9999", *rs[1][1:]]), OK,
             r"REC-RFCE-2025-01.*listed on rows 1 and 10970", base=D,
             rejects=(("certificates", 1), ("certificates", 10970))),
    # ACME-DE holds ACME-DE-SVC and ACME-CZ: with its row rejected their share of the group cannot be computed,
    # so their rows are rejects naming it too, and the run finishes incomplete.
    Mutation("demo.entity_operational_control_maybe", "entities", cell("entities", 3, "operational_control", "maybe"),
             INCOMPLETE, r"entity 'ACME-DE-SVC' is refused by the boundary.*its parent 'ACME-DE' is not a valid row",
             base=D, rejects=(("entities", 3), ("entities", 6), ("entities", 7))),
    Mutation("demo.negative_grid_factor", "factors", cell("factors/grid", 1, "value", "-0.441"), UNUSABLE_INPUT,
             r"grid\.csv.*(negative|removals)", base=D),
    Mutation("demo.pact_malformed", "pact", raw(PACT, lambda b: b[: len(b) // 2]), UNUSABLE_INPUT,
             r"supplier_footprints\.pact\.json: not valid JSON", base=D),
    Mutation("demo.ruleset_non_utf8_byte", "ruleset", ruleset_bytes(lambda b: b + b"\n# caf\xe9\n", "scope1.tanso"),
             RULESET_ERROR, r"scope1\.tanso.*not UTF-8 text: byte 0xe9", base=D),
    Mutation("demo.ruleset_unknown_name", "ruleset",
             ruleset_text(lambda t: t.replace("from fuel_use where use = \"mobile\"", "from fuel_usage where use = \"mobile\""),
                          "scope1.tanso"), RULESET_ERROR, r"scope1\.tanso:\d+:\d+.*fuel_usage", base=D),
    Mutation("demo.threads_negative", "cli", None, USAGE, r"number of threads", base=D,
             args=(*EVALUATE, "--threads", "-1")),
    Mutation("demo.out_under_a_regular_file", "fs", regular_file("afile"), CANNOT_WRITE, r"is a file, not a folder",
             base=D, args=("evaluate", "{ruleset}", "--data", "{data}", "--out", "{root}/afile/out")),
    Mutation("demo.sigint", "signal", None, 130, r"interrupted: .*out left as it was", base=D, run=signal_run(2)),
    Mutation("demo.sigterm", "signal", None, 143, r"interrupted: .*out left as it was", base=D, run=signal_run(15)),
    Mutation("demo.sigkill", "signal", None, -9, r"", base=D, run=signal_run(9)),
    Mutation("demo.two_runs_on_one_out", "concurrency", None, BUSY, r"is being written by another tanso run", base=D,
             run=two_runs_one_out),
]


# A finished run whose mutated rows are rejects is incomplete beyond the ruleset's tolerances (the mini
# base tolerates only its own F9001; the demo, its four stated tolerances): README, exit code 5.
MUTATIONS = [replace(m, exit=INCOMPLETE) if m.exit == OK and m.rejects else m for m in MUTATIONS]
