"""Input declarations meet real files: columns read from differently named headers, headers matched
ignoring case, number and date formats declared by example. Every value that does not fit its declared
format is a reject naming file, row, column, value and the format expected; nothing is guessed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from conftest import make_case, rejects
from tanso.diagnostics import InputError, RulesetError

GL_RULESET = """\
ruleset case
set gwp.set = AR5
input gl "General ledger export"
  key entry from "Document No"
  columns account: text from "G/L Account", amount: decimal(18,2) from "G/L Amount", posted: date from "Posting Date"
  {clauses}
factors fuels "fuel factors" file "factors/fuels.csv"
rule s3.gl "reads the ledger"
  scope 3 category 1
  from gl
  calc activity(factors: fuels, match: [account], quantity: amount, quantity_unit: "l")
"""


FACTORS = [{"factor_id": "A5110", "account": "5110", "gas": "CO2e", "value": "1", "unit": "kg", "per": "l"}]


def gl_case(tmp_path, header: str, lines: list[str], clauses: str = ""):
    case = make_case(tmp_path, GL_RULESET.format(clauses=clauses), {}, {"fuels": FACTORS})
    (case.data / "gl.csv").write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return case


def typed(result, column: str) -> dict[str, object]:
    return dict(result.connection.execute(f"SELECT entry, {column} FROM {result.inputs['gl']}").fetchall())


def read_rejects(result) -> dict[str, str]:
    return {r["row_id"]: r["reason"] for r in rejects(result) if r["rule_id"] is None}


def read_values(tmp_path, column: str, values: list[str], clauses: str) -> tuple[dict[str, object], dict[str, str]]:
    """Each value written in `column` of its own row (D0, D1 …): its typed value, or the reason for its
    reject (which names the file and the row), both by the value as written."""
    defaults = {"amount": "1", "posted": "2025-03-31"}
    lines = [f'D{i},5110,"{v if column == "amount" else defaults["amount"]}",'
             f'"{v if column == "posted" else defaults["posted"]}"' for i, v in enumerate(values)]
    result = gl_case(tmp_path, "Document No,G/L Account,G/L Amount,Posting Date", lines, clauses=clauses).run()
    reasons = read_rejects(result)
    for index, value in enumerate(values):
        assert f"D{index}" not in reasons or f"gl.csv row {index + 1}: column {column}: '{value}'" in reasons[f"D{index}"]
    return ({values[int(k[1:])]: v for k, v in typed(result, column).items() if v is not None},
            {values[int(k[1:])]: reason for k, reason in reasons.items()})


def test_declared_columns_are_read_from_the_files_own_header_names(tmp_path):
    case = gl_case(tmp_path, "Document No,G/L Account,G/L Amount,Posting Date,Text",
                   ["D1,5110,3400.00,2025-03-31,steel", "D2,6110,12.5,2025-01-05,salaries"])
    result = case.run()
    assert typed(result, "amount") == {"D1": Decimal("3400.00"), "D2": Decimal("12.50")}
    assert typed(result, "account") == {"D1": "5110", "D2": "6110"}
    assert typed(result, "posted")["D1"] == dt.date(2025, 3, 31)


def test_a_header_that_differs_only_in_case_is_refused_with_the_clause_that_reads_it(tmp_path):
    case = gl_case(tmp_path, "DOCUMENT NO,g/l account,G/L AMOUNT,Posting Date", ["D1,5110,1,2025-03-31"])
    with pytest.raises(InputError) as error:
        case.run()
    message = str(error.value)
    assert "gl.csv: missing columns" in message
    assert "amount (from \"G/L Amount\") (the file has 'G/L AMOUNT', which differs only in case: declare " \
           "`headers case-insensitive` on the input)" in message
    assert "case.tanso:3:1" in message   # the input's declaration, file:line:col


def test_headers_case_insensitive_matches_them_and_a_file_with_two_that_fold_to_one_is_refused(tmp_path):
    case = gl_case(tmp_path, "DOCUMENT NO,g/l account,G/L AMOUNT,posting date", ["D1,5110,7,2025-03-31"],
                   clauses="headers case-insensitive")
    assert typed(case.run(), "amount") == {"D1": Decimal("7.00")}
    twins = gl_case(tmp_path / "twins", "Document No,G/L Account,G/L Amount,G/L AMOUNT,Posting Date",
                    ["D1,5110,7,8,2025-03-31"])
    with pytest.raises(InputError, match="column names 'G/L Amount' and 'G/L AMOUNT' differ only in case"):
        twins.run()


def test_a_misspelt_source_column_is_named_with_a_did_you_mean(tmp_path):
    case = gl_case(tmp_path, "Document No,G/L Account,G/L Amnt,Posting Date", ["D1,5110,1,2025-03-31"])
    with pytest.raises(InputError, match=r"amount \(from \"G/L Amount\"\) \(did you mean 'G/L Amnt'\?\)"):
        case.run()


@pytest.mark.parametrize("numbers, good, refused", [
    ("1,234.56", {"3,400.00": "3400", "3,400": "3400", "-1,200": "-1200", "12.5": "12.5"},
     {"(1,200)": "1,234.56", "3.400,00": "1,234.56", "34,00": "1,234.56"}),
    ("1.234,56", {"3.400,00": "3400", "-1.200": "-1200", "0,5": "0.5"},
     {"3,400.00": "1.234,56", "(1.200)": "1.234,56"}),
    ("(1,234.56)", {"(1,200)": "-1200", "3,400.00": "3400", "(0.25)": "-0.25"},
     {"-1,200": "1,234.56 or, negative, (1,234.56)", "(1,200": "1,234.56 or, negative, (1,234.56)",
      "1,200)": "1,234.56 or, negative, (1,234.56)"}),
    ("1,234.56-", {"1,200-": "-1200", "3,400.00": "3400"},
     {"(1,200)": "1,234.56 or, negative, 1,234.56-", "-1,200": "1,234.56 or, negative, 1,234.56-"}),
])
def test_each_number_format_reads_its_numbers_and_rejects_every_other_writing(tmp_path, numbers, good, refused):
    read, reasons = read_values(tmp_path, "amount", [*good, *refused], f'numbers "{numbers}"')
    assert read == {k: Decimal(v) for k, v in good.items()}
    for value, expected in refused.items():
        assert f"column amount: '{value}' is not a number written as {expected}" in reasons[value]


@pytest.mark.parametrize("dates, good, refused", [
    ("2025/03/31", {"2025/01/05": "2025-01-05", "2024/02/29": "2024-02-29"},
     ["2025-01-05", "2025/1/5", "2025/02/30", "05/01/2025"]),
    ("31.03.2025", {"05.01.2025": "2025-01-05"}, ["5.1.2025", "2025-01-05", "31.02.2025"]),
    ("03/31/2025", {"01/05/2025": "2025-01-05"}, ["2025/01/05", "13/01/2025"]),
    ("20250331", {"20250105": "2025-01-05"}, ["2025-01-05", "2025015"]),
    ("2025年3月31日", {"2025年1月5日": "2025-01-05", "2025年01月05日": "2025-01-05"}, ["2025/01/05"]),
    ("令和7年3月31日", {"令和7年1月5日": "2025-01-05", "令和元年5月1日": "2019-05-01", "平成31年4月30日": "2019-04-30",
                     "平成元年1月8日": "1989-01-08"},
     ["令和元年4月30日", "平成32年1月1日", "平成元年1月7日", "昭和64年1月7日", "2025年1月5日"]),
])
def test_each_date_format_reads_its_dates_and_rejects_every_other_writing(tmp_path, dates, good, refused):
    read, reasons = read_values(tmp_path, "posted", [*good, *refused], f'dates "{dates}"')
    assert {value: day.isoformat() for value, day in read.items()} == good
    for value in refused:
        assert f"column posted: '{value}' is not a date written as {dates}" in reasons[value]


def test_an_unknown_date_format_or_an_empty_source_column_is_a_ruleset_error_with_its_place(tmp_path):
    text = GL_RULESET.format(clauses='dates "2025/04/01"').replace('from "G/L Account"', 'from ""')
    case = make_case(tmp_path, text, {}, {"fuels": FACTORS})
    with pytest.raises(RulesetError) as error:
        case.prepare()
    rendered = error.value.diagnostics.render()
    assert 'dates "2025/04/01" is not an example of a date format' in rendered and "case.tanso:6:3" in rendered
    assert "the date 31 March 2025 as the file writes it" in rendered and '"令和7年3月31日"' in rendered
    assert "column 'account' of input 'gl' is read from a column with no name" in rendered


def test_a_misspelt_headers_clause_says_what_it_takes(tmp_path):
    case = make_case(tmp_path, GL_RULESET.format(clauses="headers case_insensitive"), {}, {"fuels": FACTORS})
    with pytest.raises(RulesetError) as error:
        case.prepare()
    rendered = error.value.diagnostics.render()
    assert "unexpected 'case_insensitive'" in rendered and "case-insensitive or case-sensitive" in rendered


def test_a_cp932_export_with_japanese_headers_is_read_through_its_declaration(tmp_path):
    text = GL_RULESET.format(clauses='encoding "cp932"  numbers "(1,234.56)"  dates "2025/03/31"').replace(
        '"Document No"', '"伝票番号"').replace('"G/L Account"', '"勘定科目コード"').replace(
        '"G/L Amount"', '"金額"').replace('"Posting Date"', '"計上日"')
    case = make_case(tmp_path, text, {}, {"fuels": FACTORS})
    content = ('"伝票番号","計上日","勘定科目コード","勘定科目名","金額"\r\n'
               '"JV-1","2025/03/31","5110","原材料費","3,400"\r\n'
               '"JV-2","2025/03/31","1910","仮払消費税","(1,200)"\r\n')
    (case.data / "gl.csv").write_bytes(content.encode("cp932"))
    result = case.run()
    assert typed(result, "amount") == {"JV-1": Decimal("3400"), "JV-2": Decimal("-1200")}
    assert typed(result, "posted") == {"JV-1": dt.date(2025, 3, 31), "JV-2": dt.date(2025, 3, 31)}
