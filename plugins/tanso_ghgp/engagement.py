"""The Pareto engagement list: which suppliers to move from averages to their own data first.

From a finished run folder (its ledger, and the input table the category's rules read): suppliers
ranked by spend, converted to one currency, until `threshold` of the category's spend, kept where
they sell a commodity of a carbon-intensive sector (data/carbon_intensive_sectors.csv, each sector
cited: CBAM Annex I and EU ETS Annex I), each with its current methods, data-quality levels and
emissions. One SQL query over the files; the list is written as CSV and as Excel for procurement.

Spend is the organisational boundary's, as the run's ledger has it: a purchase of an entity the
boundary leaves out (weight 0, in the run's `excluded` with the boundary's reason) is not ranked, and
the others count at their entity's boundary weight, as their emissions do (a 60 % equity share counts
60 % of the spend). The rows left out are counted, never dropped silently.
"""

from __future__ import annotations

import csv
import os
import tempfile
from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path

from tanso.audit.run_folder import RunFolder
from tanso.diagnostics import InputError
from tanso.i18n import t
from tanso.plan.sql import ident, literal
from tanso.plan.units import currency
from tanso_ghgp import messages  # noqa: F401  (registers the words of the refusals below)

SECTORS = Path(str(resources.files("tanso_ghgp") / "data" / "carbon_intensive_sectors.csv"))
COLUMNS = ("rank", "supplier", "spend", "currency", "cumulative_share", "sectors", "methods", "levels",
           "co2e_t", "commodities")


@dataclass(frozen=True)
class Spend:
    """Where spend is in the category's input table, and the currency it is ranked in."""

    supplier: str = "supplier"
    amount: str = "amount"
    currency: str = "currency"
    year: str = "year"
    commodity: str = "commodity"
    entity: str = "entity"
    to_currency: str = "USD"


@dataclass(frozen=True)
class Outside:
    """Purchases of the category's table that the ranking leaves out: outside the boundary, or of an entity
    the run never weighted (its rows all rejected), with their spend (unweighted, in the ranking currency)."""

    rows: int
    spend: Decimal
    approach: str


def _csv(path: Path) -> str:
    return f"read_csv({literal(str(path))}, header = true, all_varchar = true)"


def _input_file(run: RunFolder, category: int, con, data: Path | None) -> tuple[str, Path]:
    """The input table the category's ledger rows come from, and its file (in `data`, else as the run read it)."""
    tables = [name for (name,) in con.execute(f"SELECT DISTINCT input_table FROM {run.ledger} WHERE scope = 3 AND "
                                        f"category = {int(category)} ORDER BY 1").fetchall()]
    spend_tables = [name for name in tables if name in run.manifest.get("inputs", {})
                    and str(run.manifest["inputs"][name].get("file", "")).endswith(".csv")]
    if not spend_tables:
        raise InputError(t("engage.no_csv", path=run.path, category=category, tables=", ".join(tables) or t("engage.none")))
    table = "purchases" if "purchases" in spend_tables else spend_tables[0]
    recorded = run.manifest["inputs"][table]["file"]   # under the data folder
    path = data / recorded if data is not None else run.data_file(recorded)
    if not path.is_file():
        raise InputError(t("engage.input_gone", path=path, table=table))
    return table, path


def _weights(run: RunFolder, table: str) -> str:
    """Each purchase's boundary weight as the run applied it: its ledger row's, else its entity's (the weight
    is the entity's), 0 where the boundary excluded it; NULL where the run never weighted its entity."""
    excluded = run.table("excluded")
    outside = (f"SELECT DISTINCT CAST(row_id AS VARCHAR) AS row_id FROM {excluded} WHERE input_table = {literal(table)} "
               f"AND exclusion_id = 'boundary'" if excluded else "SELECT NULL::VARCHAR AS row_id WHERE false")
    return f"""
rows_weighted AS (SELECT row_id, max(boundary_weight) AS weight FROM {run.ledger}
                  WHERE input_table = {literal(table)} GROUP BY row_id),
entities_weighted AS (SELECT entity, max(boundary_weight) AS weight FROM {run.ledger} GROUP BY entity),
outside AS ({outside})"""


def _currencies_sql(con, path: Path, column: str) -> str:
    """Each currency as the file writes it → (ISO code, multiplier), so that `千円` ranks as 1,000 JPY
    (tanso.plan.units.currency); one row per distinct spelling, not per purchase."""
    written = [value for (value,) in con.execute(
        f"SELECT DISTINCT CAST({column} AS VARCHAR) FROM {_csv(path)} WHERE {column} IS NOT NULL ORDER BY 1").fetchall()]
    rows = [(value, *(currency(value) or (value, Decimal(1)))) for value in written]
    values = ", ".join(f"({literal(value)}, {literal(code)}, CAST({literal(str(scale))} AS DECIMAL(18,0)))"
                       for value, code, scale in rows) or "(NULL, NULL, NULL)"
    return f"(SELECT * FROM (VALUES {values}) AS money(written, code, scale))"


def supplier_view(con, run: RunFolder, category: int, data: Path | None, spend: Spend, name: str) -> Outside:
    """Create the view `name`: the category's purchases inside the run's boundary (row_id, supplier, commodity,
    spend in `spend.to_currency` × the boundary weight, kg CO2e, methods, levels), one row per purchase; spend
    that cannot be converted is refused naming its row. Returns what it left out."""
    table, path = _input_file(run, category, con, data)
    rates = path.parent / "exchange_rates.csv"
    rate_sql = (f"(SELECT currency, year, CAST(rate AS DECIMAL(18,8)) AS rate FROM {_csv(rates)} "
                f"WHERE to_currency = {literal(spend.to_currency)})" if rates.is_file()
                else "(SELECT NULL AS currency, NULL AS year, NULL::DECIMAL(18,8) AS rate WHERE false)")
    wanted = ("supplier", "amount", "currency", "year", "commodity", "entity")
    present = {column for (column, *_) in con.execute(f"DESCRIBE SELECT * FROM {_csv(path)}").fetchall()}
    missing = [getattr(spend, n) for n in wanted if getattr(spend, n) not in present]
    if missing:
        raise InputError(t("engage.no_column", path=path, table=table, category=category, missing=", ".join(missing),
                           columns=", ".join(getattr(spend, n) for n in wanted)))
    s = {n: ident(getattr(spend, n)) for n in wanted}
    try:
        money = _currencies_sql(con, path, s["currency"])
        unconverted = con.execute(f"""
SELECT p._row, p.{s['currency']}, p.{s['year']} FROM (SELECT *, row_number() OVER () AS _row FROM {_csv(path)}) p
LEFT JOIN {money} c ON c.written = p.{s['currency']}
LEFT JOIN {rate_sql} r ON r.currency = c.code AND r.year = p.{s['year']}
WHERE c.code <> {literal(spend.to_currency)} AND r.rate IS NULL ORDER BY 1 LIMIT 1""").fetchone()
    except Exception as error:   # an unreadable file: named, not a traceback
        raise InputError(f"{path}: {str(error).splitlines()[0]}") from None
    if unconverted:
        raise InputError(t("engage.no_rate", path=path, row=unconverted[0], currency=unconverted[1],
                           to=spend.to_currency, year=unconverted[2], rates=rates.name))
    con.execute(f"""CREATE OR REPLACE VIEW {name}_all AS
WITH {_weights(run, table).strip()},
purchases AS (
  SELECT p.row_id, p.{s['supplier']} AS supplier, p.{s['commodity']} AS commodity,
         CAST(CAST(p.{s['amount']} AS DECIMAL(18,2)) * c.scale * CASE WHEN c.code = {literal(spend.to_currency)}
              THEN 1 ELSE r.rate END AS DECIMAL(28,10)) AS unweighted,
         CASE WHEN o.row_id IS NOT NULL THEN 0 ELSE coalesce(w.weight, e.weight) END AS weight
  FROM {_csv(path)} p LEFT JOIN {money} c ON c.written = p.{s['currency']}
  LEFT JOIN {rate_sql} r ON r.currency = c.code AND r.year = p.{s['year']}
  LEFT JOIN outside o ON o.row_id = p.row_id LEFT JOIN rows_weighted w ON w.row_id = p.row_id
  LEFT JOIN entities_weighted e ON e.entity = p.{s['entity']}),
emissions AS (
  SELECT row_id, sum(co2e_kg * boundary_weight) AS kg, string_agg(DISTINCT method, '; ' ORDER BY method) AS methods,
         string_agg(DISTINCT data_quality, ', ' ORDER BY data_quality) AS levels
  FROM {run.ledger} WHERE scope = 3 AND category = {int(category)} AND input_table = {literal(table)}
    AND coalesce(basis, 'location') = 'location' GROUP BY row_id)
SELECT p.row_id, p.supplier, p.commodity, p.unweighted, p.weight, CAST(p.unweighted * p.weight AS DECIMAL(32,14)) AS spend, e.kg, e.methods,
       e.levels
FROM purchases p LEFT JOIN emissions e USING (row_id)""")
    con.execute(f"CREATE OR REPLACE VIEW {name} AS SELECT * EXCLUDE (unweighted, weight) FROM {name}_all WHERE weight > 0")
    rows, left_out = con.execute(f"SELECT count(*), coalesce(sum(unweighted), 0) FROM {name}_all "
                                 f"WHERE coalesce(weight, 0) = 0").fetchone()
    approach = (run.manifest.get("policies", {}).get("boundary.approach") or {}).get("value", "none")
    return Outside(rows, left_out, str(approach))


@dataclass(frozen=True)
class Engagement:
    """The list, and the purchases its ranking left out as outside the boundary."""

    rows: list[dict]
    outside: Outside


def engagement_list(run_path: Path, category: int, threshold: Decimal, sectors: Path | None = None,
                    data: Path | None = None, spend: Spend = Spend()) -> Engagement:
    """Suppliers within `threshold` of the category's in-boundary spend that sell a carbon-intensive commodity."""
    if not Decimal(0) < threshold <= Decimal(1):
        raise InputError(t("engage.threshold", threshold=threshold))
    run = RunFolder.open(run_path)
    con = run.connect()
    outside = supplier_view(con, run, category, data, spend, "purchases")
    cursor = con.execute(f"""
WITH sectors AS (SELECT lower(commodity) AS commodity, sector FROM {_csv(sectors or SECTORS)}),
suppliers AS (
  SELECT p.supplier, sum(p.spend) AS spend, sum(p.kg) AS kg,
         string_agg(DISTINCT p.methods, '; ' ORDER BY p.methods) AS methods,
         string_agg(DISTINCT p.levels, ', ' ORDER BY p.levels) AS levels,
         string_agg(DISTINCT s.sector, ', ' ORDER BY s.sector) AS sectors,
         string_agg(DISTINCT p.commodity, ', ' ORDER BY p.commodity) AS commodities
  FROM purchases p LEFT JOIN sectors s ON s.commodity = lower(p.commodity)
  GROUP BY p.supplier),
ranked AS (
  SELECT *, row_number() OVER (ORDER BY spend DESC, supplier) AS rank,
         sum(spend) OVER (ORDER BY spend DESC, supplier ROWS UNBOUNDED PRECEDING) / sum(spend) OVER () AS cumulative,
         (sum(spend) OVER (ORDER BY spend DESC, supplier ROWS UNBOUNDED PRECEDING) - spend) / sum(spend) OVER () AS before
  FROM suppliers)
SELECT rank, supplier, CAST(round(spend, 2) AS DECIMAL(18,2)) AS spend, {literal(spend.to_currency)} AS currency,
       CAST(round(cumulative, 4) AS DECIMAL(5,4)) AS cumulative_share, sectors, methods, levels,
       CAST(round(kg / 1000, 3) AS DECIMAL(18,3)) AS co2e_t, commodities
FROM ranked WHERE before < {threshold} AND sectors IS NOT NULL ORDER BY rank""")
    return Engagement([dict(zip(COLUMNS, row)) for row in cursor.fetchall()], outside)


def _atomic(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename: never a half-written list."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=path.suffix)
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def write_csv(rows: list[dict], path: Path) -> None:
    def write(target: Path) -> None:
        with target.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)
    _atomic(path, write)


# Excel's numbers are binary floats (15 significant digits): each amount is a number, so that procurement
# teams can sort, filter and sum it, shown at its decimal's scale; its exact decimal is beside it as text.
FORMATS = {"spend": "#,##0.00", "cumulative_share": "0.00%", "co2e_t": "#,##0.000"}
EXACT = tuple(f"{name}_exact" for name in FORMATS)


def write_xlsx(rows: list[dict], path: Path, title: str) -> None:
    from openpyxl import Workbook

    def write(target: Path) -> None:
        book = Workbook()
        sheet = book.active
        sheet.title = "engagement"
        sheet.append([title])
        sheet.append([*COLUMNS, *EXACT])
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row.values()]
                         + [None if row[name] is None else format(row[name], "f") for name in FORMATS])
        for name, number_format in FORMATS.items():
            for (cell,) in sheet.iter_rows(min_row=3, min_col=COLUMNS.index(name) + 1, max_col=COLUMNS.index(name) + 1):
                cell.number_format = number_format
        sheet.freeze_panes = "A3"
        book.save(target)
    _atomic(path, write)
