"""`tanso engage RUN --category 1`: Acme's suppliers ranked by spend until 80% of category 1's
spend, those selling a carbon-intensive commodity, with their methods, levels and emissions, as CSV and Excel."""

from __future__ import annotations

import csv
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from tanso.cli import main
from tanso_ghgp.engage_cli import engage

ROOT = Path(__file__).resolve().parents[1]


# One worker runs the whole module under pytest -n 2 (--dist loadgroup), so its module fixtures are
# computed once, not once on each worker (conftest.py hands the groups out first).
pytestmark = pytest.mark.xdist_group("engagement")


@pytest.fixture(scope="module")
def acme_run(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("acme")
    data = root / "data"
    shutil.copytree(ROOT / "examples" / "acme" / "data", data)
    result = CliRunner().invoke(main, ["evaluate", str(ROOT / "rulesets" / "ghgp-current"), "--data", str(data),
                                       "--out", str(root / "run")])
    assert result.exit_code == 0, result.output
    return root / "run", data


def test_acme_category_1_list_covers_80_percent_of_spend_in_carbon_intensive_sectors(acme_run, tmp_path):
    run, _ = acme_run
    result = CliRunner().invoke(engage, [str(run), "--category", "1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with (tmp_path / "engagement-cat1.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows and [int(r["rank"]) for r in rows] == sorted(int(r["rank"]) for r in rows)
    spends = [Decimal(r["spend"]) for r in rows]
    assert spends == sorted(spends, reverse=True)
    shares = [Decimal(r["cumulative_share"]) for r in rows]
    assert shares[-2] < Decimal("0.8") <= shares[-1]       # up to the supplier that crosses the threshold
    assert all(r["sectors"] and r["levels"] and r["methods"] for r in rows)
    sheet = load_workbook(tmp_path / "engagement-cat1.xlsx").active
    assert [c.value for c in sheet[2]][:3] == ["rank", "supplier", "spend"]
    assert [c.value for c in sheet[3]][1] == rows[0]["supplier"] and sheet.max_row == len(rows) + 2
    # the console list says what it is and names its columns before the first supplier
    title, header, first = result.output.splitlines()[:3]
    assert title.startswith("Scope 3 category 1: suppliers within 80% of spend in carbon-intensive sectors")
    assert header.split() == ["#", "supplier", "spend", "cum.", "%", "levels", "t", "CO2e", "sectors", "(methods)"]
    assert first.split()[:2] == ["1", rows[0]["supplier"]]


def test_a_sector_list_without_the_commodities_bought_leaves_no_supplier(acme_run, tmp_path):
    run, _ = acme_run
    sectors = tmp_path / "sectors.csv"
    sectors.write_text("commodity,sector,source\ncement,Cement,CBAM Annex I\n", encoding="utf-8")
    result = CliRunner().invoke(engage, [str(run), "--category", "1", "--sectors", str(sectors), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "engagement-cat1.csv").read_text(encoding="utf-8").count("\n") == 1   # the header alone


@pytest.mark.parametrize("arguments, message", [
    (["--threshold", "1.5"], "expected a share above 0 and at most 1"),
    (["--threshold", "nan"], "'nan' is not a number"),
    (["--threshold", "abc"], "'abc' is not a number"),
    (["--category", "14"], "the input franchises of category 14 has no column supplier, amount, currency"),
    (["--category", "16"], "no ledger row of Scope 3 category 16 comes from a CSV input table"),
])
def test_a_threshold_or_category_it_cannot_use_is_refused_without_a_traceback(acme_run, tmp_path, arguments, message):
    run, _ = acme_run
    args = [str(run), "--category", "1", "--out", str(tmp_path), *arguments]
    result = CliRunner().invoke(engage, args)
    assert result.exit_code != 0 and message in result.output and "Traceback" not in result.output


def test_spend_in_a_currency_without_a_rate_is_refused_naming_the_row(acme_run, tmp_path):
    run, data = acme_run
    moved = tmp_path / "data"
    shutil.copytree(data, moved)
    (moved / "exchange_rates.csv").write_text("row_id,currency,to_currency,year,rate\n", encoding="utf-8")
    result = CliRunner().invoke(engage, [str(run), "--category", "1", "--data", str(moved), "--out", str(tmp_path)])
    assert result.exit_code != 0
    assert "purchases.csv row" in result.output and "no rate from EUR to USD" in result.output


def test_spend_in_thousands_of_yen_ranks_as_that_many_yen(acme_run, tmp_path):
    """A Japanese ledger keeps amounts in 千円 (thousands of yen): P0002 written as 3,000 千円 ranks as
    3,000,000 JPY at 2025's 0.0065 USD, and P0003 as 2 百万円, exactly as the same spend written in JPY."""
    run, data = acme_run
    from tanso.audit.run_folder import RunFolder
    from tanso_ghgp.engagement import Spend, supplier_view
    spends = {}
    for written in (("3000.00,千円", "2.00,百万円"), ("3000000.00,JPY", "2000000.00,JPY")):
        moved = tmp_path / written[0].split(",")[1]
        shutil.copytree(data, moved)
        purchases = (moved / "purchases.csv").read_text(encoding="utf-8")
        purchases = purchases.replace("21879.00,USD", written[0]).replace("3488.35,USD", written[1])
        (moved / "purchases.csv").write_text(purchases, encoding="utf-8")
        con = RunFolder.open(run).connect()
        supplier_view(con, RunFolder.open(run), 1, moved, Spend(), "purchases")
        spends[written] = dict(con.execute("SELECT row_id, spend FROM purchases WHERE row_id IN ('P0002', 'P0003')")
                               .fetchall())
    yen, written_in_yen = spends.values()
    assert yen == written_in_yen == {"P0002": Decimal("19500"), "P0003": Decimal("13000")}


def test_a_list_from_an_incomplete_run_says_so_first_and_exits_5(acme_run, tmp_path):
    """A run that left rejected rows out of its totals beyond its tolerances gives a provisional list."""
    import json
    run, _ = acme_run
    incomplete = tmp_path / "incomplete"
    shutil.copytree(run, incomplete)
    manifest = json.loads((incomplete / "manifest.json").read_text(encoding="utf-8"))
    manifest["completeness"].update(status="incomplete", rows_not_accepted=3)
    (incomplete / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = CliRunner().invoke(engage, [str(incomplete), "--category", "1", "--out", str(tmp_path)])
    assert result.exit_code == 5, result.output
    assert result.output.startswith(f"INCOMPLETE: the engaged run {incomplete} left 3 rejected rows out of its totals")
    assert (tmp_path / "engagement-cat1.csv").is_file()
    from tanso_ghgp.decomposition import main as decompose
    result = CliRunner().invoke(decompose, [str(run), str(incomplete), "--category", "1"])
    assert result.exit_code == 5 and result.output.startswith(f"INCOMPLETE: the current run {incomplete}")


def test_the_plugin_commands_are_tanso_subcommands():
    """`tanso engage`, `tanso decompose` and `tanso base-year` come from the tanso_ghgp plugin's
    `tanso_commands` hook, listed beside the engine's own commands."""
    from tanso.cli import main
    listed = CliRunner().invoke(main, ["--help"]).output
    assert all(f"  {name} " in listed for name in ("engage", "decompose", "base-year", "evaluate"))
    result = CliRunner().invoke(main, ["engage", "--help"])
    assert result.exit_code == 0 and "carbon-intensive" in result.output
    assert main.get_command(None, "evaluate") is main.commands["evaluate"]


def test_spend_outside_the_organisational_boundary_is_not_ranked_and_the_output_says_so(tmp_path):
    """An associate the company neither controls financially nor operationally is outside the boundary under
    operational control (ghgp_current): its purchase, the largest of all, is in the run's `excluded` with the
    boundary's reason, and the list ranks only in-boundary spend, saying what it left out."""
    data = tmp_path / "data"
    shutil.copytree(ROOT / "examples" / "acme" / "data", data)
    with (data / "entities.csv").open("a", encoding="utf-8") as handle:
        handle.write("ACME-FR,ACME-JP,FR,0.3,false,false,false,associate\n")
    with (data / "purchases.csv").open("a", encoding="utf-8") as handle:
        handle.write("PX001,ACME-FR,2025-06,SUPOUT,steel,90000000.00,USD,2025,,,,\n")
    run = tmp_path / "run"
    evaluated = CliRunner().invoke(main, ["evaluate", str(ROOT / "rulesets" / "ghgp-current"), "--data", str(data),
                                          "--out", str(run)])
    assert evaluated.exit_code == 0, evaluated.output
    result = CliRunner().invoke(engage, [str(run), "--category", "1", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    with (tmp_path / "engagement-cat1.csv").open(encoding="utf-8") as handle:
        suppliers = [r["supplier"] for r in csv.DictReader(handle)]
    assert suppliers and "SUPOUT" not in suppliers
    assert ("spend inside the organisational boundary (boundary.approach = operational_control)" in result.output
            and "1 purchase outside it (90,000,000.00 USD) not ranked" in result.output)
    title = load_workbook(tmp_path / "engagement-cat1.xlsx").active["A1"].value
    assert "1 purchase outside it" in title


def test_spend_counts_at_the_entitys_boundary_weight_as_its_emissions_do(acme_run, tmp_path):
    """Under equity share ACME-DE (60 %) counts 60 % of its spend, as the ledger counts 60 % of its emissions."""
    _, data = acme_run
    run = tmp_path / "run"
    evaluated = CliRunner().invoke(main, ["evaluate", str(ROOT / "rulesets" / "ghgp-current"), "--data", str(data),
                                          "--out", str(run), "--set", "boundary.approach=equity_share"])
    assert evaluated.exit_code == 0, evaluated.output
    from tanso.audit.run_folder import RunFolder
    from tanso_ghgp.engagement import Spend, supplier_view
    folder = RunFolder.open(run)
    con = folder.connect()
    supplier_view(con, folder, 1, data, Spend(), "purchases")
    weighted = dict(con.execute("SELECT row_id, spend FROM purchases WHERE row_id IN ('P0002', 'P0003')").fetchall())
    assert weighted == {"P0002": Decimal("21879.00"), "P0003": Decimal("3488.35") * Decimal("0.6")}


def test_the_workbook_keeps_every_amount_exact_beside_the_number_excel_sums(tmp_path):
    """A spend of 16 digits and its cents is beyond a binary float: the number cell is Excel's nearest float,
    shown at two decimals; the text beside it is the exact decimal, as the CSV has it."""
    from tanso_ghgp.engagement import write_csv, write_xlsx
    rows = [{"rank": 1, "supplier": "SUPBIG", "spend": Decimal("1234567890123456.78"), "currency": "USD",
             "cumulative_share": Decimal("0.9999"), "sectors": "Iron and steel", "methods": "spend-based", "levels": "1",
             "co2e_t": Decimal("0.001"), "commodities": "steel"}]
    write_csv(rows, tmp_path / "list.csv")
    write_xlsx(rows, tmp_path / "list.xlsx", "title")
    sheet = load_workbook(tmp_path / "list.xlsx").active
    header = [c.value for c in sheet[2]]
    cells = dict(zip(header, sheet[3]))
    with (tmp_path / "list.csv").open(encoding="utf-8") as handle:
        written = next(csv.DictReader(handle))
    for name, number_format in (("spend", "#,##0.00"), ("cumulative_share", "0.00%"), ("co2e_t", "#,##0.000")):
        assert cells[f"{name}_exact"].value == written[name] == format(rows[0][name], "f")
        assert cells[name].number_format == number_format
        assert cells[name].value == pytest.approx(float(rows[0][name]), rel=1e-15)
    assert Decimal(cells["spend"].value) != rows[0]["spend"]     # the number alone has lost the cents
