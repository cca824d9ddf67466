"""The Excel (.xlsx) and PACT (.pact.json) readers, on real files written here, evaluated for real.

A workbook is read like a CSV file (every cell as text, typed by the engine); a PACT file of
suppliers' product footprints is a factor set for `supplier_product`. Malformed files are an
InputError naming the file, the footprint and the field.
"""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import openpyxl
import pytest
from click.testing import CliRunner

from conftest import FUEL_FACTORS, FUEL_INPUT, fuel_row, fuel_ruleset, ledger, make_case, rejects
from tanso.cli import main
from tanso.diagnostics import InputError
from tanso.reasons import parse, render
from tanso.run.inputs import load_factor_set
from tanso_io.pact import item_for, read_pact
from tanso_io.xlsx import cell_text

D = Decimal
ETHANOL_ID = "91715e5e-fd0b-4d1c-8fab-76290c46e6ed"
STEEL_ID = "0f7e9a51-3c42-4d8b-a0c6-5b2e8d9f1a34"
STEEL_OLD_ID = "c2d4e6f8-1a3b-4c5d-8e7f-9a0b1c2d3e4f"
DOOR_ID = "7b8c9d0e-1f2a-4b3c-9d4e-5f6a7b8c9d0e"


def ethanol() -> dict[str, Any]:
    """A PACT v2.0 footprint as the Technical Specifications' example has it: values as strings,
    per declared unit (liter); two product ids; reasonable assurance."""
    return {
        "id": ETHANOL_ID, "specVersion": "2.0.0", "version": 1, "created": "2022-03-01T09:32:20Z",
        "status": "Active", "companyName": "My Corp", "companyIds": ["urn:epc:id:sgln:562958.00000.4"],
        "productDescription": "Bio-Ethanol 98%, corn feedstock (bulk - no packaging)",
        "productIds": ["urn:gtin:5695872369587", "urn:pathfinder:product:customcode:buyer-assigned:ETH-98"],
        "productCategoryCpc": "6398", "productNameCompany": "Green Ethanol", "comment": "",
        "pcf": {
            "declaredUnit": "liter", "unitaryProductAmount": "1000", "pCfExcludingBiogenic": "1.63",
            "pCfIncludingBiogenic": "1.85", "fossilGhgEmissions": "1.5", "fossilCarbonContent": "0",
            "biogenicCarbonContent": "0.41", "characterizationFactors": "AR6",
            "crossSectoralStandardsUsed": ["GHG Protocol Product standard"],
            "referencePeriodStart": "2021-01-01T00:00:00Z", "referencePeriodEnd": "2022-01-01T00:00:00Z",
            "geographyRegionOrSubregion": "Western Europe", "primaryDataShare": 12.9,
            "exemptedEmissionsPercent": 0, "packagingEmissionsIncluded": False,
            "assurance": {"assurance": True, "coverage": "product level", "level": "reasonable",
                          "boundary": "Cradle-to-Gate", "providerName": "Assurance Co",
                          "completedAt": "2022-02-01T00:00:00Z"},
        },
    }


def steel(status: str = "Active", footprint_id: str = STEEL_ID, value: str = "2.31") -> dict[str, Any]:
    """A PACT v2.3 footprint per kilogram, not assured, with a v2.3 buyer-assigned product id."""
    footprint = ethanol()
    footprint.update(id=footprint_id, specVersion="2.3.0", status=status, companyName="Steelworks AG",
                     productIds=["urn:pact:buyer.example:buyer-id:STEEL-COIL-7"], productNameCompany="Coil 7")
    footprint["pcf"].update(declaredUnit="kilogram", unitaryProductAmount="1", pCfExcludingBiogenic=value,
                            assurance={"assurance": False, "providerName": ""})
    return footprint


def door() -> dict[str, Any]:
    """A PACT v3 footprint: values per declared unit = declaredUnitAmount (80) kilograms."""
    return {
        "id": DOOR_ID, "specVersion": "3.0.0", "created": "2025-04-30T00:00:00Z", "status": "Active",
        "companyName": "Door Systems GmbH", "companyIds": ["urn:pact:company:customcode:buyer-id:SUP7"],
        "productDescription": "Car door, 80 kg", "productIds": ["urn:pact:buyer.example:buyer-id:DOOR-80"],
        "productNameCompany": "Door 80",
        "pcf": {"declaredUnitOfMeasurement": "kilogram", "declaredUnitAmount": "80",
                "productMassPerDeclaredUnit": "80", "referencePeriodStart": "2024-01-01T00:00:00Z",
                "referencePeriodEnd": "2024-12-31T00:00:00Z", "pcfExcludingBiogenicUptake": "250",
                "pcfIncludingBiogenicUptake": "248", "fossilGhgEmissions": "250", "fossilCarbonContent": "0",
                "ipccCharacterizationFactors": ["AR6"], "crossSectoralStandards": ["PACT-3.0"],
                "exemptedEmissionsPercent": "0", "primaryDataShare": "55",
                "assurance": {"coverage": "product level", "level": "limited", "providerName": "Audit KK"}},
    }


def supplier_file() -> list[dict[str, Any]]:
    """Four footprints: the old steel footprint is Deprecated and superseded by the new one."""
    new_steel = steel()
    new_steel["precedingPfIds"] = [STEEL_OLD_ID]
    return [ethanol(), steel("Deprecated", STEEL_OLD_ID, "2.9"), new_steel, door()]


def write_json(path: Path, document: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2))
    return path


def write_xlsx(path: Path, rows: list[list[Any]], sheets: dict[str, list[list[Any]]] | None = None) -> Path:
    """A workbook whose first sheet holds `rows` (the header first), plus further named sheets."""
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    for name, sheet_rows in (sheets or {}).items():
        sheet = workbook.create_sheet(name)
        for row in sheet_rows:
            sheet.append(row)
    workbook.save(path)
    return path


PURCHASES_RULESET = """\
ruleset readers_case
set gwp.set = AR5
input purchases
  key row_id
  columns entity: text, period: text, item: text, quantity: decimal(18,6), unit: text
factors footprints "Suppliers' product footprints (PACT)" file "factors/footprints.pact.json"
rule s3.cat1 "Purchased goods, supplier-specific"
  scope 3 category 1
  from purchases
  calc supplier_product(factors: footprints, match: [item])
"""
PURCHASES_HEADER = ["row_id", "entity", "period", "item", "quantity", "unit"]


def purchases_case(tmp_path: Path, rows: list[list[Any]], footprints: Any = None, ruleset: str = PURCHASES_RULESET):
    case = make_case(tmp_path, ruleset, {})
    write_xlsx(case.data / "purchases.xlsx", [PURCHASES_HEADER, *rows])
    write_json(case.data / "factors" / "footprints.pact.json",
               {"data": supplier_file()} if footprints is None else footprints)
    return case


# ----------------------------------------------------------------------------- end to end

def test_supplier_product_reads_a_pact_factor_file_and_an_xlsx_input_exactly(tmp_path):
    march = dt.date(2025, 3, 31)
    case = purchases_case(tmp_path, [
        ["P1", "E1", march, "ETH-98", 1200.5, "L"],                  # buyer-assigned code (v2.0 URN)
        ["P2", "E1", march, "ETH-98", 1.2, "m3"],                    # 1,200 L, converted
        ["P3", "E1", march, "STEEL-COIL-7", 0.1, "t"],               # the superseding footprint: 2.31 per kg
        ["P4", "E1", march, "urn:gtin:5695872369587", 10, "liter"],  # a GTIN matches as the whole URN
        ["P5", "E1", march, "DOOR-80", 160, "kg"],                   # v3: 250 per 80 kg = 3.125 per kg
        ["P6", "E1", march, "UNKNOWN-1", 5, "kg"],
        [None] * 6,                                                   # a blank row keeps the numbering
        ["P8", "E1", march, "ETH-98", "lots", "L"],
    ])
    result = case.run()
    by_row = {row["row_id"]: row for row in ledger(result)}
    assert {r: by_row[r]["co2e_kg"] for r in by_row} == {
        "P1": D("1956.815"), "P2": D("1956"), "P3": D("231"), "P4": D("16.3"), "P5": D("500")}
    assert sum(by_row[r]["co2e_kg"] for r in by_row) == D("4660.115")
    assert by_row["P1"]["factor_id"] == f"{ETHANOL_ID}/urn:pathfinder:product:customcode:buyer-assigned:ETH-98"
    assert by_row["P3"]["factor_id"] == STEEL_ID and by_row["P5"]["factor_id"] == DOOR_ID
    assert by_row["P1"]["period"] == "2025-03-31"  # a date cell is ISO text
    assert (by_row["P1"]["method"], by_row["P1"]["data_type"]) == ("supplier-specific product footprint",
                                                                   "supplier-specific (verified)")
    # An assured footprint (ethanol, the door) carries "+" into the ledger; the steel one is not assured.
    assert {r: by_row[r]["data_quality"] for r in by_row} == {"P1": "3+", "P2": "3+", "P3": "3", "P4": "3+",
                                                             "P5": "3+"}
    by_reject = {r["row_id"]: r for r in rejects(result)}
    assert set(by_reject) == {"P6", "P8"}
    assert "no factor in footprints for item='UNKNOWN-1'" in by_reject["P6"]["reason"]
    # the file under the data folder, and the row Excel shows (the header is sheet row 1)
    assert by_reject["P8"]["reason"].startswith("purchases.xlsx row 9: ")
    assert "row 9" in by_reject["P8"]["reason"] and "'lots' is not a number" in by_reject["P8"]["reason"]
    assert by_reject["P8"]["input_row"] == 9
    provenance = result.manifest["factor_sets"]["footprints"]
    assert provenance["publisher"] == "Door Systems GmbH; My Corp; Steelworks AG"
    assert provenance["file"].endswith("footprints.pact.json")
    assert "no open licence" in provenance["licence"]


@pytest.mark.parametrize("boundary", ["Cradle-to-grave", "Gate-to-gate"])
def test_a_footprint_that_is_not_cradle_to_gate_is_refused_with_the_reason(tmp_path, registry, boundary):
    footprint = steel()
    footprint["pcf"]["partialFullPcf"] = boundary
    path = write_json(tmp_path / "f.pact.json", [footprint])
    with pytest.raises(InputError, match=f"partialFullPcf is '{boundary}': a purchased product's footprint must "
                                         f"be cradle-to-gate"):
        read_pact(path)


def test_a_row_after_its_footprints_validity_end_is_rejected_with_the_reason(tmp_path):
    expired = door()
    expired["validityPeriodEnd"] = "2025-02-28T23:59:59Z"
    case = purchases_case(tmp_path, [["P1", "E1", "2025-03", "DOOR-80", 8, "kg"],
                                     ["P2", "E1", "2025-02", "DOOR-80", 8, "kg"]], [expired])
    result = case.run()
    assert [r["row_id"] for r in ledger(result)] == ["P2"]
    [late] = rejects(result)
    assert late["row_id"] == "P1" and f"footprint {DOOR_ID} is valid until 2025-02-28, before the row's period " \
        "2025-03" in late["reason"]


def test_in_a_first_of_chain_a_row_after_its_footprints_validity_end_falls_to_the_next_method(tmp_path):
    expired = door()
    expired["validityPeriodEnd"] = "2025-02-28T23:59:59Z"
    current = door()
    current["id"] = DOOR_ID.replace("7b8c", "0000")
    chain = PURCHASES_RULESET.replace(
        "calc supplier_product(factors: footprints, match: [item])",
        "calc first_of(supplier_product(factors: footprints, match: [item]),\n"
        "                supplier_product(factors: current, match: [item]))") + \
        'factors current "Current footprints" file "factors/current.pact.json"\n'
    case = purchases_case(tmp_path, [["P1", "E1", "2025-03", "DOOR-80", 8, "kg"],
                                     ["P2", "E1", "2025-02", "DOOR-80", 8, "kg"],
                                     ["P3", "E1", "2025-03", "DOOR-81", 8, "kg"]], [expired], chain)
    write_json(case.data / "factors" / "current.pact.json", [current])
    result = case.run()
    assert {r["row_id"]: r["factor_id"].split("/")[0] for r in ledger(result)} == {"P1": current["id"], "P2": DOOR_ID}
    [unknown] = rejects(result)
    assert unknown["row_id"] == "P3" and unknown["reason"] == (
        "supplier_product: no factor in footprints for item='DOOR-81'; "
        "supplier_product: no factor in current for item='DOOR-81'")


def test_a_footprint_declared_cradle_to_gate_is_a_factor(tmp_path):
    footprint = steel()
    footprint["pcf"]["partialFullPcf"] = "Cradle-to-gate"
    assert read_pact(write_json(tmp_path / "f.pact.json", [footprint])).column("boundary").to_pylist() == \
        ["Cradle-to-gate"]


def test_the_cli_evaluates_xlsx_and_pact_files(tmp_path):
    case = purchases_case(tmp_path, [["P1", "E1", "2025-01", "DOOR-80", 8, "kg"]])
    outcome = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data),
                                        "--out", str(tmp_path / "out")])
    assert outcome.exit_code == 0, outcome.output
    assert "0.025" in outcome.output  # 8 kg × 3.125 = 25 kg = 0.025 t


# ----------------------------------------------------------------------------- PACT as a factor set

def load_pact(tmp_path: Path, registry, document: Any):
    path = write_json(tmp_path / "factors" / "suppliers.pact.json", document)
    con = duckdb.connect()
    table = load_factor_set(con, registry, "suppliers", path, {})
    cursor = con.execute(f"SELECT * FROM {table.relation} ORDER BY _row, factor_id")
    names = [d[0] for d in cursor.description]
    return table, [dict(zip(names, row)) for row in cursor.fetchall()]


def test_each_product_id_of_a_footprint_is_a_factor_row_with_the_footprints_details(tmp_path, registry):
    table, rows = load_pact(tmp_path, registry, [ethanol()])
    assert [r["item"] for r in rows] == ["urn:gtin:5695872369587", "ETH-98"]  # by factor_id
    first = rows[1]
    assert first["factor_id"] == f"{ETHANOL_ID}/urn:pathfinder:product:customcode:buyer-assigned:ETH-98"
    assert first["product_id"] == "urn:pathfinder:product:customcode:buyer-assigned:ETH-98"
    assert (first["gas"], first["value"], first["unit"], first["per"]) == ("CO2e", D("1.63"), "kg", "L")
    assert (first["publisher"], first["edition"]) == ("My Corp", "PACT 2.0.0 v1 2021-01-01..2022-01-01")
    assert "supplier-provided" in first["licence"] and "no open licence" in first["licence"]
    assert (first["source"], first["product_name"], first["status"]) == (ETHANOL_ID, "Green Ethanol", "Active")
    assert (first["pcf_including_biogenic"], first["biogenic_carbon_content"], first["primary_data_share"]) == \
           ("1.85", "0.41", "12.9")
    assert (first["assured"], first["assurance_level"], first["assurance_provider"]) == \
           ("true", "reasonable", "Assurance Co")
    assert (first["reference_period_start"], first["reference_period_end"]) == \
           ("2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z")
    assert first["_row"] == 1
    assert (table.publisher, table.edition) == ("My Corp", "PACT 2.0.0 v1 2021-01-01..2022-01-01")


def test_v2_values_are_per_declared_unit_and_v3_values_are_divided_by_the_declared_unit_amount(tmp_path, registry):
    v3 = door()
    v3["pcf"].update(declaredUnitAmount="12", pcfExcludingBiogenicUptake="5.14")  # the spec's 12 liters example
    _, rows = load_pact(tmp_path, registry, [ethanol(), door(), v3 | {"id": "other"}])
    values = {r["factor_id"].split("/")[0]: (r["value"], r["per"]) for r in rows}
    assert values[ETHANOL_ID] == (D("1.63"), "L")          # unitaryProductAmount 1000 does not divide
    assert values[DOOR_ID] == (D("3.125"), "kg")           # 250 / 80, exact
    assert values["other"] == (D("0.428333333333"), "kg")  # 5.14 / 12, half-even at 12 places
    door_row = next(r for r in rows if r["factor_id"] == DOOR_ID)
    assert door_row["pcf_including_biogenic"] == "3.1"      # 248 / 80
    assert (door_row["assured"], door_row["assurance_level"]) == ("true", "limited")  # v3: the object says so
    assert door_row["edition"] == "PACT 3.0.0 2024-01-01..2024-12-31"


def test_a_file_of_several_suppliers_names_them_all_as_the_sets_publisher(tmp_path, registry):
    table, rows = load_pact(tmp_path, registry, supplier_file())
    assert {r["publisher"] for r in rows} == {"My Corp", "Steelworks AG", "Door Systems GmbH"}
    assert table.publisher == "Door Systems GmbH; My Corp; Steelworks AG"
    assert table.edition == ("PACT 2.0.0 v1 2021-01-01..2022-01-01; PACT 2.3.0 v1 2021-01-01..2022-01-01; "
                             "PACT 3.0.0 2024-01-01..2024-12-31")
    assert "no open licence" in table.licence and ";" not in table.licence


def test_a_response_body_a_list_and_a_single_footprint_are_read_alike(tmp_path, registry):
    shapes = [{"data": [ethanol()]}, [ethanol()], {"data": ethanol()}, ethanol()]
    loaded = [load_pact(tmp_path / str(i), registry, shape)[1] for i, shape in enumerate(shapes)]
    assert all(rows == loaded[0] for rows in loaded)


def test_json_numbers_are_read_exactly_never_as_floats(tmp_path, registry):
    footprint = ethanol()
    path = tmp_path / "factors" / "suppliers.pact.json"
    path.parent.mkdir(parents=True)
    text = json.dumps([footprint]).replace('"pCfExcludingBiogenic": "1.63"', '"pCfExcludingBiogenic": 0.1')
    path.write_text(text)
    con = duckdb.connect()
    table = load_factor_set(con, registry, "suppliers", path, {})
    assert con.execute(f"SELECT DISTINCT CAST(value AS VARCHAR) FROM {table.relation}").fetchall() == \
           [("0.100000000000",)]


def test_a_superseded_deprecated_footprint_is_left_out(tmp_path, registry):
    _, rows = load_pact(tmp_path, registry, supplier_file())
    steel_rows = [r for r in rows if r["item"] == "STEEL-COIL-7"]
    assert [(r["factor_id"], r["value"], r["_row"]) for r in steel_rows] == [(STEEL_ID, D("2.31"), 3)]
    assert {r["status"] for r in rows} == {"Active"}


def test_the_buyers_own_codes_are_items_and_other_urns_stay_whole():
    assert item_for("urn:pathfinder:product:customcode:buyer-assigned:1234") == "1234"
    assert item_for("urn:pact:sample-buyer.com:buyer-id:103403453") == "103403453"
    assert item_for("urn:pathfinder:product:customcode:vendor-assigned:8765") == \
           "urn:pathfinder:product:customcode:vendor-assigned:8765"
    assert item_for("urn:pact:sample-supplier.com:supplier-id:1234") == "urn:pact:sample-supplier.com:supplier-id:1234"
    assert item_for("urn:gtin:4712345060507") == "urn:gtin:4712345060507"


def broken(change) -> list[dict[str, Any]]:
    """A valid file whose second footprint (the ethanol one) `change` breaks."""
    footprints = [door(), ethanol()]
    change(footprints[1])
    return footprints


def _set(field: str, value: Any):
    def change(footprint: dict[str, Any]) -> None:
        *parents, last = field.split(".")
        target = footprint
        for key in parents:
            target = target[key]
        if value is _DELETE:
            del target[last]
        else:
            target[last] = value
    return change


_DELETE = object()
WHERE = f"footprint 2 (id {ETHANOL_ID})"


@pytest.mark.parametrize("change, expected", [
    (_set("pcf.pCfExcludingBiogenic", "1,63"), "pcf.pCfExcludingBiogenic: expected a decimal number"),
    (_set("pcf.pCfExcludingBiogenic", "-0.5"), "pcf.pCfExcludingBiogenic: expected a number of at least 0"),
    (_set("pcf.pCfExcludingBiogenic", _DELETE), "pcf.pCfExcludingBiogenic: expected a value, it is missing"),
    (_set("pcf.pCfExcludingBiogenic", True), "pcf.pCfExcludingBiogenic: expected a decimal number"),
    (_set("pcf.declaredUnit", "gallon"), "pcf.declaredUnit: expected 'liter' or 'kilogram'"),
    (_set("pcf", _DELETE), "pcf.declaredUnit: expected a value, it is missing"),
    (_set("productIds", []), "productIds: expected a non-empty list of URN strings, got []"),
    (_set("status", "Draft"), "status: expected 'Active' or 'Deprecated', got \"Draft\""),
    (_set("specVersion", "1.0.0"), "specVersion: expected a PACT 2.x or 3.x version"),
    (_set("companyName", ""), "companyName: expected a non-empty string"),
    (_set("pcf.referencePeriodEnd", _DELETE), "pcf.referencePeriodEnd: expected a value, it is missing"),
    (_set("pcf.assurance.assurance", "yes"), "pcf.assurance.assurance: expected true or false"),
    (_set("pcf.assurance.level", "high"), "pcf.assurance.level: expected 'limited' or 'reasonable'"),
    (_set("version", -1), "version: expected a whole number of at least 0"),
    (_set("id", DOOR_ID), f"footprint 2 (id {DOOR_ID}): id: expected an id no other footprint has (footprint 1"),
    (_set("status", "Deprecated"), "status is Deprecated (withdrawn by the supplier) and no Active footprint"),
])
def test_a_malformed_footprint_names_file_footprint_field_and_expectation(tmp_path, registry, change, expected):
    with pytest.raises(InputError) as error:
        load_pact(tmp_path, registry, broken(change))
    message = str(error.value)
    assert message.startswith(str(tmp_path / "factors" / "suppliers.pact.json") + ": ")
    assert expected in message
    assert WHERE in message or DOOR_ID in message


def test_a_v3_amount_of_zero_and_a_footprint_that_is_not_an_object_are_named(tmp_path, registry):
    zero = door()
    zero["pcf"]["declaredUnitAmount"] = "0"
    with pytest.raises(InputError, match=r"footprint 1 \(id .*\): pcf.declaredUnitAmount: expected a number "
                                         r"greater than 0, got \"0\""):
        load_pact(tmp_path / "a", registry, [zero])
    with pytest.raises(InputError, match=r"footprint 2: expected an object, got \"oops\""):
        load_pact(tmp_path / "b", registry, [door(), "oops"])


@pytest.mark.parametrize("text, expected", [
    ('{"data": [', "not valid JSON: Expecting value at line 1 column 11"),
    ("42", "expected PACT ProductFootprint objects: a list, {\"data\": [...]} or one object; got 42"),
])
def test_a_file_that_is_not_pact_json_is_an_input_error(tmp_path, registry, text, expected):
    path = tmp_path / "suppliers.pact.json"
    path.write_text(text)
    with pytest.raises(InputError) as error:
        load_factor_set(duckdb.connect(), registry, "suppliers", path, {})
    assert str(error.value) == f"{path}: {expected}"


def test_the_cli_exits_2_without_a_traceback_for_a_malformed_pact_file(tmp_path):
    case = purchases_case(tmp_path, [["P1", "E1", "2025-01", "DOOR-80", 8, "kg"]],
                          broken(_set("pcf.pCfExcludingBiogenic", "n/a")))
    outcome = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data)])
    assert outcome.exit_code == 2
    assert f"footprints.pact.json: {WHERE}: pcf.pCfExcludingBiogenic: expected a decimal number" in outcome.output
    assert "Traceback" not in outcome.output


# ----------------------------------------------------------------------------- XLSX

@pytest.mark.parametrize("cell, text", [
    (0.1, "0.1"), (12.0, "12"), (12, "12"), (1.2000000000000002, "1.2"), (-0.0, "0"), (1e20, "100000000000000000000"),
    (1.5e-7, "0.00000015"), (123456.789012345, "123456.789012345"), (True, "true"), (False, "false"),
    ("", None), (None, None), (" text ", " text "), (dt.date(2025, 1, 31), "2025-01-31"),
    (dt.datetime(2025, 1, 31), "2025-01-31"), (dt.datetime(2025, 1, 31, 13, 5), "2025-01-31T13:05:00"),
    (dt.time(7, 30), "07:30:00"),
])
def test_cells_become_the_text_excel_shows(cell, text):
    assert cell_text(cell) == text


def test_an_xlsx_input_gives_the_same_totals_as_the_same_data_in_csv_its_rows_numbered_as_excel_shows(tmp_path):
    rows = [fuel_row("F1", "100.5"), fuel_row("F2", "0.000001", unit="gal"), fuel_row("F3", "-1"),
            fuel_row("F4", "3", fuel="coal"), fuel_row("F5", None), fuel_row("F6", "12.345678", unit="m3")]
    csv_case = make_case(tmp_path / "csv", fuel_ruleset(), {"fuel_use": rows}, {"fuels": FUEL_FACTORS})
    xlsx_case = make_case(tmp_path / "xlsx", fuel_ruleset(), {}, {"fuels": FUEL_FACTORS})
    header = list(rows[0])
    cells = [[float(r[k]) if k == "quantity" and r[k] is not None else r[k] for k in header] for r in rows]
    write_xlsx(xlsx_case.data / "fuel_use.xlsx", [header, *cells])

    from_csv, from_xlsx = csv_case.run(), xlsx_case.run()
    assert from_xlsx.summary == from_csv.summary
    # CSV row n is the n-th row under the header; a sheet's row is the one Excel shows, the header being row 1
    assert [(r["row_id"], r["input_row"]) for r in rejects(from_xlsx)] == \
           [(r["row_id"], r["input_row"] + 1) for r in rejects(from_csv)]
    assert [(r["row_id"], r["input_row"]) for r in ledger(from_xlsx)] == \
           [(r["row_id"], r["input_row"] + 1) for r in ledger(from_csv)]
    assert from_xlsx.manifest["inputs"]["fuel_use"]["file"].endswith("fuel_use.xlsx")


def test_only_the_first_sheet_is_read(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(), {}, {"fuels": FUEL_FACTORS})
    header = list(fuel_row("F1", "1"))
    write_xlsx(case.data / "fuel_use.xlsx", [header, list(fuel_row("F1", "100").values())],
               sheets={"Notes": [header, list(fuel_row("F2", "999").values())]})
    assert [r["row_id"] for r in ledger(case.run())] == ["F1"] * 3


@pytest.mark.parametrize("rows, expected", [
    ([], "sheet 'Sheet' (the first) is empty; it needs a header row of column names"),
    ([["row_id", None, "quantity"], ["F1", "x", 1]],
     "sheet 'Sheet' row 1: column B has values but no name in the header row"),
    ([["row_id", "quantity", "quantity"], ["F1", 1, 2]],
     "sheet 'Sheet' row 1: column name 'quantity' appears more than once in the header row"),
])
def test_an_unusable_workbook_is_an_input_error_naming_file_sheet_and_column(tmp_path, rows, expected):
    case = make_case(tmp_path, fuel_ruleset(), {}, {"fuels": FUEL_FACTORS})
    path = write_xlsx(case.data / "fuel_use.xlsx", rows)
    with pytest.raises(InputError) as error:
        case.run()
    assert str(error.value) == f"{path}: {expected}"


def test_a_file_that_is_not_a_workbook_is_an_input_error(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(), {}, {"fuels": FUEL_FACTORS})
    (case.data / "fuel_use.xlsx").write_text("row_id,quantity\n")
    with pytest.raises(InputError, match="fuel_use.xlsx: cannot be read as an Excel workbook"):
        case.run()


def test_a_header_only_workbook_is_an_empty_table(tmp_path):
    case = make_case(tmp_path, fuel_ruleset(), {}, {"fuels": FUEL_FACTORS})
    write_xlsx(case.data / "fuel_use.xlsx", [list(fuel_row("F1", "1"))])
    result = case.run()
    assert ledger(result) == [] and rejects(result) == []


# ----------------------------------------------------------------------------- reader choice and ruleset tests

def test_the_longest_suffix_chooses_the_reader(registry):
    readers = {name: registry.reader_for(Path(name)) for name in
               ("a.pact.json", "A.PACT.JSON", "a.xlsx", "a.csv", "a.json", "a.xls")}
    assert {name: reader and reader.format for name, reader in readers.items()} == {
        "a.pact.json": "pact", "A.PACT.JSON": "pact", "a.xlsx": "xlsx", "a.csv": "csv", "a.json": "json", "a.xls": None}


def test_given_factor_rows_in_a_ruleset_test_replace_a_pact_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    case = purchases_case(tmp_path, [["P1", "E1", "2025-01", "DOOR-80", 8, "kg"]])
    (case.ruleset / "tests").mkdir()
    (case.ruleset / "tests" / "pact.yaml").write_text(textwrap.dedent("""\
        - name: the PACT file
          data: ../../data
          expect: {rules: {s3.cat1: 25}}
        - name: given rows instead of the PACT file
          data: ../../data
          given:
            footprints:
              - {factor_id: F1, item: DOOR-80, gas: CO2e, value: 2, unit: kg, per: kg}
          expect: {rules: {s3.cat1: 16}}
        """))
    outcome = CliRunner().invoke(main, ["test", str(case.ruleset)])
    assert outcome.exit_code == 0, outcome.output
    assert "2 passed, 0 failed" in outcome.output


def test_the_acme_supplier_footprints_are_a_pact_file(registry):
    path = Path(__file__).resolve().parents[1] / "examples" / "acme" / "data" / "factors" / "supplier_footprints.pact.json"
    con = duckdb.connect()
    table = load_factor_set(con, registry, "supplier_footprints", path, {})
    rows = con.execute(f"SELECT item, value, per, assured FROM {table.relation} ORDER BY item").fetchall()
    assert rows[0] == ("controller_board_cb7", D("14.2"), "piece", "true")
    assert table.publisher == "Hokuto Circuit Works (fictional)"
    assert json.loads(path.read_text())["data"][0]["specVersion"] == "3.0.0"


# ------------------------------------------------------------------ CSV files: every row kept or rejected

def csv_case(tmp_path, content: bytes | str):
    case = make_case(tmp_path, fuel_ruleset(), {}, {"fuels": FUEL_FACTORS})
    path = case.data / "fuel_use.csv"
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return case, path


HEADER = "row_id,entity,period,fuel,use,quantity,unit\n"


def good(row_id: str, quantity: str = "1") -> str:
    return f"{row_id},E1,2025-01,diesel,stationary,{quantity},l\n"


def test_ragged_blank_and_undecodable_rows_are_rejects_naming_the_row_and_the_rest_is_used(tmp_path):
    content = (HEADER + good("F1") + "\n" + "F3,E1,2025-01,diesel\n" + "   \n" + good("F5").rstrip("\n") + ",extra\n"
               + '"F6",E1,2025-01,diesel,"stationary\nand more",1,l\n' + "F7,E1,2025-01,die\xadsel,stationary,1,l\n"
               + good("F8")).encode()
    content = content.replace("die\xadsel".encode(), b"die\xffsel")
    case, _ = csv_case(tmp_path, content)
    result = case.run()
    reasons = {r["input_row"]: r["reason"] for r in rejects(result) if r["rule_id"] is None}
    assert reasons == {   # the file as named under the data folder
        2: "fuel_use.csv row 2: the row is blank",
        3: "fuel_use.csv row 3: the row has fewer fields than the header",
        4: "fuel_use.csv row 4: the row is blank",
        5: "fuel_use.csv row 5: the row has more fields than the header",
        7: "fuel_use.csv row 7: the row has bytes that are not valid utf-8 (declare the file's encoding on its "
           "input, e.g. encoding \"cp932\")",
    }
    # Each reason has its code, said in the run's language
    assert [part.code for row in (2, 3, 5, 7) for part in parse(reasons[row])] == [
        "row.blank", "row.fewer_fields", "row.more_fields", "row.invalid_encoding"]
    assert render(reasons[7], lang="ja") == (
        'fuel_use.csv 7 行目：行に utf-8 として正しくないバイトがある（入力にファイルの文字コードを宣言する。例：encoding "cp932"）')
    # A quoted value spanning two lines is one row (row 6), and the rows after it keep their numbers.
    assert {r["row_id"]: r["input_row"] for r in ledger(result)} == {"F1": 1, "F6": 6, "F8": 8}
    uses = dict(result.connection.execute(f"SELECT row_id, use FROM {result.inputs['fuel_use']}").fetchall())
    assert uses["F6"] == "stationary\nand more"


def test_a_file_without_problems_numbers_rows_from_1_under_the_header(tmp_path):
    case, _ = csv_case(tmp_path, HEADER + good("F1") + good("F2") + good("F3") + "\n\n")
    result = case.run()
    assert [(r["row_id"], r["input_row"]) for r in ledger(result) if r["gas"] == "CO2"] == [("F1", 1), ("F2", 2), ("F3", 3)]
    assert rejects(result) == []


# An ERP export as saved: the company name, the period and a blank line above the header (CP932).
TITLED = "株式会社アクメ 燃料使用明細\n期間：2025年1月～3月\n\n" + HEADER


def titled_case(tmp_path, content: bytes | str, clauses: str = "header row 4"):
    case, path = csv_case(tmp_path, content)
    (case.ruleset / "case.tanso").write_text(fuel_ruleset().replace(FUEL_INPUT, FUEL_INPUT + f"  {clauses}\n"),
                                             encoding="utf-8")
    return case, path


def test_a_csv_with_title_lines_is_read_from_its_declared_header_row_its_rows_numbered_as_the_files_lines(tmp_path):
    content = TITLED + good("F1") + "F2,E1,2025-01,diesel\n" + good("F3", "2")
    case, _ = titled_case(tmp_path, content.encode("cp932"), 'header row 4  encoding "cp932"')
    result = case.run()
    assert [(r["row_id"], r["input_row"]) for r in ledger(result) if r["gas"] == "CO2"] == [("F1", 5), ("F3", 7)]
    assert [r["reason"] for r in rejects(result)] == ["fuel_use.csv row 6: the row has fewer fields than the header"]


def test_a_declared_header_row_under_title_lines_without_blanks_numbers_rows_as_lines(tmp_path):
    case, _ = titled_case(tmp_path, "株式会社アクメ\n期間：2025年1月～3月\n" + HEADER + good("F1") + good("F2"), "header row 3")
    result = case.run()
    assert [(r["row_id"], r["input_row"]) for r in ledger(result) if r["gas"] == "CO2"] == [("F1", 4), ("F2", 5)]
    assert rejects(result) == []


def test_with_a_declared_header_row_a_blank_line_under_it_is_a_reject_at_its_line(tmp_path):
    case, _ = titled_case(tmp_path, TITLED + good("F1") + "\n" + good("F3"))
    result = case.run()
    assert [(r["row_id"], r["input_row"]) for r in ledger(result) if r["gas"] == "CO2"] == [("F1", 5), ("F3", 7)]
    assert [r["reason"] for r in rejects(result)] == ["fuel_use.csv row 6: the row is blank"]


@pytest.mark.parametrize("clauses, expected", [
    ("header row 3", "line 3 (declared `header row 3`) is empty; it needs the column names; the first line with "
                     "values below it is line 4"),
    ("header row 9", "the file has 5 lines, so no line 9 (declared `header row 9`) to hold the column names"),
])
def test_a_declared_header_row_that_is_empty_or_past_the_end_is_refused_naming_the_line(tmp_path, clauses, expected):
    case, path = titled_case(tmp_path, TITLED + good("F1"), clauses)
    with pytest.raises(InputError) as error:
        case.run()
    assert str(error.value) == f"{path}: {expected}"


def test_without_a_header_row_the_title_is_the_header_and_the_run_says_which_columns_are_missing(tmp_path):
    case, _ = csv_case(tmp_path, TITLED + good("F1"))
    with pytest.raises(InputError) as error:
        case.run()
    assert str(error.value).endswith("the file has: 株式会社アクメ 燃料使用明細; if that is a title above the header, "
                                     "declare `header row N` on the input (N the header's line, or its sheet row; the "
                                     "rows above it are then not read)")


def test_duplicate_header_names_are_refused_naming_the_column(tmp_path):
    case, path = csv_case(tmp_path, "row_id,entity,period,fuel,use,quantity,unit,fuel\n" + good("F1").rstrip() + ",x\n")
    with pytest.raises(InputError) as error:
        case.run()
    assert str(error.value) == f"{path}: header row: column name 'fuel' appears more than once"


def test_a_header_naming_a_column_the_reader_adds_is_refused(tmp_path):
    # The reader numbers the rows in _row: a file's own _row would be renamed silently (or, before, fail in DuckDB).
    case, path = csv_case(tmp_path, "_row,row_id,entity,period,fuel,use,quantity,unit\n7," + good("F1"))
    with pytest.raises(InputError) as error:
        case.run()
    assert str(error.value).startswith(f"{path}: header row: column name '_row' is reserved")


@pytest.mark.parametrize("content, expected", [
    (HEADER + good("F1") + 'F2,E1,2025-01,"diesel,stationary,1,l\n' + good("F3"),
     "row 2: a quoted value is never closed"),
    ("", "the file is empty; it needs a header row"),
])
def test_a_csv_file_that_cannot_be_split_names_the_first_bad_row_and_never_shows_duckdb(tmp_path, content, expected):
    case, path = csv_case(tmp_path, content)
    outcome = CliRunner().invoke(main, ["evaluate", str(case.ruleset), "--data", str(case.data)])
    assert outcome.exit_code == 2
    assert expected in outcome.output and str(path) in outcome.output
    for internal in ("Possible", "sniff", "Original Line", "ignore_errors", "strict_mode", "Traceback"):
        assert internal not in outcome.output


def test_a_semicolon_file_is_read_with_its_delimiter_and_a_quoted_value_may_hold_one(tmp_path):
    content = HEADER.replace(",", ";") + 'F1;"E1;north";2025-01;diesel;stationary;2;l\n'
    case, _ = csv_case(tmp_path, content)
    result = case.run()
    assert {(r["row_id"], r["entity"]) for r in ledger(result)} == {("F1", "E1;north")}


def test_an_xlsx_number_cell_is_read_as_a_number_whatever_the_declared_number_format(tmp_path):
    ruleset = fuel_ruleset().replace("quantity: decimal(18,6), unit: text\n",
                                      'quantity: decimal(18,6), unit: text\n  numbers "1.234,56"\n')
    case = make_case(tmp_path, ruleset, {}, {"fuels": FUEL_FACTORS})
    header = list(fuel_row("F1", "1"))
    cells = [[3400.5 if k == "quantity" else v for k, v in fuel_row("F1", "1").items()],
             [("3.400,5" if k == "quantity" else v) for k, v in fuel_row("F2", "1").items()]]
    write_xlsx(case.data / "fuel_use.xlsx", [header, *cells])
    result = case.run()
    quantities = dict(result.connection.execute(f"SELECT row_id, quantity FROM {result.inputs['fuel_use']}").fetchall())
    assert quantities == {"F1": D("3400.5")}
    (reason,) = [r["reason"] for r in rejects(result)]
    assert "column quantity: '3.400,5' is not a number" in reason
