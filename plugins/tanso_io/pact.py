"""Suppliers' product carbon footprints in the PACT format, read as a factor set.

A `.pact.json` file holds ProductFootprint objects of the WBCSD PACT Technical Specifications
(v2.x, or v3 with its renamed fields): a list of them, a PACT API response `{"data": [...]}`, or
one footprint (`{"data": {...}}` or the object itself). Each footprint becomes one factor row per
product id:

- `item`: a product id the buyer assigned (`urn:pathfinder:product:customcode:buyer-assigned:CODE`,
  v2.0-2.2, or `urn:pact:BUYER-DOMAIN:buyer-id:CODE`, v2.3 and v3) is the buyer's own item code, so
  it becomes `CODE`, the value purchase records carry; every other id (`urn:gtin:…`, supplier codes)
  stays the whole URN, since its bare code could collide with the buyer's own codes.
  `product_id` keeps the URN.
- `value`: the footprint excluding biogenic CO2 (uptake), kg CO2e per one `per`. v2 values are per
  one declared unit already (unitaryProductAmount only says how many units the product holds); v3
  values are per `declaredUnitAmount` units, so they are divided by it: exactly when the quotient
  has at most 12 decimal places, else rounded half-even to 12 (as the engine rounds derived factors).
- `factor_id`: the footprint id (with `/` and the product id when it lists several products);
  `publisher` is the supplier (companyName); `edition` the spec version, footprint version and
  reference period; `licence` says the data is the supplier's, under no open licence.

A footprint whose `partialFullPcf` is not "Cradle-to-gate" (one that includes use or end of life) makes the
file unusable, with the reason: purchased goods count cradle-to-gate. Assured footprints (`assured`)
are recorded as verified supplier-specific data (data-quality level "3+"); a footprint's
`validityPeriodEnd` (PACT v2.1+) is kept, and supplier_product rejects a row of a later period.

Only Active footprints become factors. A Deprecated one is left out when an Active footprint in the
file names it in precedingPfIds (its successor); any other makes the file unusable, because using
it would be wrong and dropping it would leave its products without a factor for no visible reason.
Values stay exact: JSON numbers are read as decimals, never floats.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation, localcontext
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa

from tanso.diagnostics import InputError
from tanso.i18n import t
from tanso.plan.factor_product import exact
from tanso_io import messages  # noqa: F401  (registers the words of the file problems below)
from tanso_io.tables import register_table

# PACT declared units → the unit names Tanso's unit conversion (pint) reads.
DECLARED_UNITS = {"liter": "L", "kilogram": "kg", "cubic meter": "m**3", "kilowatt hour": "kWh",
                  "megajoule": "MJ", "ton kilometer": "tonne*km", "square meter": "m**2", "piece": "piece",
                  "hour": "h", "megabit second": "Mbit*s"}
LICENCE = ("supplier-provided product footprint, no open licence: use as agreed with the supplier "
           "(PACT data exchange)")
COLUMNS = ("factor_id", "item", "gas", "value", "unit", "per", "publisher", "edition", "licence", "source",
           "product_id", "product_name", "pcf_including_biogenic", "biogenic_carbon_content", "primary_data_share",
           "assured", "assurance_level", "assurance_provider", "reference_period_start", "reference_period_end",
           "status", "boundary", "validity_end")
_BUYER_CODE = re.compile(r"urn:pathfinder:product:customcode:buyer-assigned:(.+)|urn:pact:[^:]+:buyer-id:(.+)",
                         re.IGNORECASE)
_MISSING = object()


class _Names(NamedTuple):
    """Where a spec version keeps what a factor needs."""

    unit: str
    amount: str | None  # None: values are per one declared unit
    excluding: str
    including: str


_V2 = _Names("declaredUnit", None, "pCfExcludingBiogenic", "pCfIncludingBiogenic")
_V3 = _Names("declaredUnitOfMeasurement", "declaredUnitAmount", "pcfExcludingBiogenicUptake",
             "pcfIncludingBiogenicUptake")


def item_for(product_id: str) -> str:
    """The value a purchase record matches on: the buyer's code, else the whole URN."""
    found = _BUYER_CODE.fullmatch(product_id)
    return next(g for g in found.groups() if g is not None) if found else product_id


class _Footprint:
    """One ProductFootprint; every accessor fails naming the file, the footprint and the field."""

    def __init__(self, path: Path, number: int, data: Any):
        self.path, self.number, self.data = path, number, data
        self.id = data.get("id") if isinstance(data, dict) else None
        if not isinstance(data, dict):
            raise self.fail("", t("pact.an_object"), data)

    def problem(self, message: str) -> InputError:
        where = (t("pact.footprint_id", n=self.number, id=self.id) if isinstance(self.id, str)
                 else t("pact.footprint", n=self.number))
        return InputError(t("pact.problem", path=self.path, where=where, problem=message))

    def fail(self, field: str, expected: str, value: Any = _MISSING) -> InputError:
        got = t("pact.missing") if value is _MISSING else t("pact.got", value=json.dumps(value, default=str)[:80])
        return self.problem(t("pact.expected", field=t("pact.field", field=field) if field else "", expected=expected, got=got))

    def get(self, field: str, required: bool = True) -> Any:
        value: Any = self.data
        for key in field.split("."):
            value = value.get(key, _MISSING) if isinstance(value, dict) else _MISSING
        if value is _MISSING or value is None:
            if required:
                raise self.fail(field, t("pact.a_value"))
            return None
        return value

    def text(self, field: str, required: bool = True, choices: tuple[str, ...] = ()) -> str | None:
        value = self.get(field, required)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, t("pact.a_string"), value)
        if choices and value not in choices:
            raise self.fail(field, t("pact.one_of", choices=t("pact.or").join(repr(c) for c in choices)), value)
        return value

    def decimal(self, field: str, required: bool = True, minimum: Decimal | None = None,
                positive: bool = False) -> Decimal | None:
        """PACT writes decimals as strings; a JSON number is accepted too (it was read exactly)."""
        value = self.get(field, required)
        if value is None:
            return None
        try:
            if isinstance(value, bool) or not isinstance(value, (str, int, Decimal)):
                raise InvalidOperation
            number = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise self.fail(field, t("pact.a_decimal"), value)
        if positive and number <= 0 or minimum is not None and number < minimum:
            raise self.fail(field, t("pact.positive") if positive else t("pact.at_least", minimum=minimum), value)
        return number

    def ids(self, field: str, required: bool = True) -> list[str]:
        value = self.get(field, required)
        if value is None:
            return []
        if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(field, t("pact.urns"), value)
        return value


def _footprints(path: Path) -> list[Any]:
    try:
        with path.open(encoding="utf-8") as handle:
            document = json.load(handle, parse_float=Decimal)
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(t("file.unreadable", path=path, error=error)) from None
    except json.JSONDecodeError as error:
        raise InputError(t("pact.not_json", path=path, error=error.msg, line=error.lineno, column=error.colno)) from None
    if isinstance(document, dict) and "data" in document:
        document = document["data"]
    if isinstance(document, dict):
        return [document]
    if not isinstance(document, list):
        raise InputError(t("pact.not_footprints", path=path, got=json.dumps(document, default=str)[:80]))
    return document


def _text(value: Decimal | None) -> str | None:
    if value is None:
        return None
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def _rows(footprint: _Footprint) -> list[dict[str, Any]]:
    spec = footprint.text("specVersion")
    major = spec.split(".")[0]
    if major not in ("2", "3"):
        raise footprint.fail("specVersion", t("pact.version"), spec)
    names = _V2 if major == "2" else _V3
    status = footprint.text("status", choices=("Active", "Deprecated"))
    company = footprint.text("companyName")
    product_ids = footprint.ids("productIds")
    unit = footprint.text(f"pcf.{names.unit}", choices=tuple(DECLARED_UNITS))
    amount = footprint.decimal(f"pcf.{names.amount}", positive=True) if names.amount else Decimal(1)

    def per_declared_unit(field: str, required: bool = False, minimum: Decimal | None = None) -> str | None:
        """The value per one declared unit. v3 states it per `amount` units: the quotient is exact when
        it has at most 12 decimal places, else rounded half-even to 12 as the engine rounds any derived
        factor, and refused if that would keep fewer than 9 significant digits."""
        value = footprint.decimal(field, required, minimum)
        if value is None or amount == 1:
            return _text(value)
        with localcontext() as context:
            context.prec = 60
            quotient = value / amount
            rounded = exact(quotient)
            if quotient and (not rounded or abs(rounded - quotient) / abs(quotient) > Decimal("1e-9")):
                raise footprint.problem(t("pact.too_small", field=field, value=_text(value), amount=_text(amount),
                                          unit=unit))
        return _text(rounded)

    # Category 1 counts a purchase cradle-to-gate (Scope 3 Standard 2011, ch. 5, table 5.4; the Pathfinder
    # Framework v2 asks PACT footprints to be cradle-to-gate). A footprint that says it includes use or end
    # of life (Catena-X PCF data model v7, `partialFullPcf`) would add downstream stages to the purchase.
    boundary = footprint.text("pcf.partialFullPcf", required=False) or "Cradle-to-gate"
    if boundary != "Cradle-to-gate":
        raise footprint.problem(t("pact.not_cradle_to_gate", boundary=repr(boundary)))
    start, end = footprint.text("pcf.referencePeriodStart"), footprint.text("pcf.referencePeriodEnd")
    version = footprint.get("version", required=False)
    if version is not None and (not isinstance(version, int) or isinstance(version, bool) or version < 0):
        raise footprint.fail("version", t("pact.whole"), version)
    assurance = footprint.get("pcf.assurance", required=False)
    if assurance is not None and not isinstance(assurance, dict):
        raise footprint.fail("pcf.assurance", t("pact.an_object"), assurance)
    # v2 states assurance with a boolean; v3 dropped it: an Assurance object means assured.
    assured = assurance is not None and assurance.get("assurance", major == "3")
    if not isinstance(assured, bool):
        raise footprint.fail("pcf.assurance.assurance", t("pact.boolean"), assured)
    shared = {
        "gas": "CO2e", "value": per_declared_unit(f"pcf.{names.excluding}", required=True, minimum=Decimal(0)),
        "unit": "kg", "per": DECLARED_UNITS[unit], "publisher": company,
        "edition": " ".join(p for p in (f"PACT {spec}", f"v{version}" if version is not None else "",
                                        f"{start[:10]}..{end[:10]}") if p),
        "licence": LICENCE, "source": footprint.id,
        "product_name": footprint.text("productNameCompany", required=False),
        "pcf_including_biogenic": per_declared_unit(f"pcf.{names.including}"),
        "biogenic_carbon_content": per_declared_unit("pcf.biogenicCarbonContent"),
        "primary_data_share": _text(footprint.decimal("pcf.primaryDataShare", required=False)),
        "assured": "true" if assured else "false",
        "assurance_level": (footprint.text("pcf.assurance.level", required=False, choices=("limited", "reasonable"))
                            or "") if assured else "",
        "assurance_provider": (footprint.text("pcf.assurance.providerName", required=False) or "") if assured else "",
        "reference_period_start": start, "reference_period_end": end, "status": status,
        "boundary": boundary, "validity_end": footprint.text("validityPeriodEnd", required=False) or "",
    }
    several = len(product_ids) > 1
    return [{**shared, "factor_id": f"{footprint.id}/{p}" if several else footprint.id, "item": item_for(p),
             "product_id": p} for p in product_ids]


def read_pact(path: Path) -> pa.Table:
    """The factor rows of a PACT file, `_row` being the footprint's position (1-based) in the file."""
    footprints = [_Footprint(path, n, data) for n, data in enumerate(_footprints(path), start=1)]
    seen: dict[str, int] = {}
    for footprint in footprints:
        footprint.text("id")
        if footprint.id in seen:
            raise footprint.fail("id", t("pact.unique_id", other=seen[footprint.id]), footprint.id)
        seen[footprint.id] = footprint.number
    superseded = {p for f in footprints if f.get("status", required=False) == "Active"
                  for p in f.ids("precedingPfIds", required=False)}
    rows = []
    for footprint in footprints:
        footprint_rows = _rows(footprint)
        if footprint_rows[0]["status"] == "Active":
            rows += [{"_row": footprint.number, **row} for row in footprint_rows]
        elif footprint.id not in superseded:
            raise footprint.problem(t("pact.withdrawn"))
    schema = pa.schema([("_row", pa.int64()), *((c, pa.string()) for c in COLUMNS)])
    return pa.Table.from_pylist(rows, schema=schema)


def register_pact(con, path: Path, relation: str) -> None:
    register_table(con, relation, read_pact(path))
