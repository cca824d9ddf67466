"""Effective factors: each factor value times its unit, mass and GWP multiplier, stored exactly at one scale.

This is the one step of a plan that does arithmetic per factor row (a large factor set meets ~100k of them),
so it runs column by column in Arrow: decimal256 holds a factor value (at most 38 digits) times a multiplier
of at most 37 digits exactly, so the products, their half-even rounding and the quantity bounds are the
exact Decimal results without a Python loop. A multiplier that is not a terminating decimal (kWh → mmBtu)
or is wider than that, and a set of fewer than ARROW_FROM_ROWS rows, take the Python Decimal path,
`_python_effective_factors`, which is the definition the Arrow path is tested against
(tests/test_effective_factors.py). Only the rows whose rounding must be explained (the listed `rounded`
entries, the factors refused for too few significant digits) are formatted in Python, by the function
the definition uses.
"""

from __future__ import annotations

from decimal import ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, Decimal, localcontext
from typing import TYPE_CHECKING

from tanso.frozen import frozen

if TYPE_CHECKING:   # pyarrow is imported when a plan builds a table, not by `tanso check`
    import pyarrow as pa

# Effective factors are stored at the smallest scale from FACTOR_SCALE to MAX_FACTOR_SCALE that holds
# them exactly; the ledger keeps LEDGER_SCALE decimals of a kg (contracts.CALC_LEDGER_COLUMNS).
FACTOR_SCALE = 12
MAX_FACTOR_SCALE = 18
MIN_SIGNIFICANT = 12          # a rounded effective factor keeps at least this many significant digits
MAX_LISTED_ROUNDED = 50       # rounded factors listed per factor set in the manifest (all are counted)
WORKING_PRECISION = 80
# A ledger row is under 10^16 kg: the ledger's DECIMAL(38,18) holds 10^20, but the inventory weighs every row by
# its entity's boundary weight (4 places), and DECIMAL(38,22) holds under 10^16. A row that large (a fifth of
# the world's yearly emissions) is a data error, rejected naming the row rather than failing the run.
LEDGER_LIMIT_DIGITS = 16
# An effective factor is under 10^26 kg per unit (DECIMAL(38,12)); one that is not refuses its keys and unit:
# even the smallest quantity (10^-6) would make a ledger row past LEDGER_LIMIT_DIGITS.
MAX_FACTOR_DIGITS = 38 - FACTOR_SCALE
FACTOR_LIMIT = Decimal(10) ** MAX_FACTOR_DIGITS
MAX_QUANTITY = Decimal(10) ** 32  # a bound this large is none (the operands, DECIMAL(38,6), are smaller)
ARROW_DIGITS = 76             # decimal256's precision: a value × multiplier product must fit it exactly
ARROW_FROM_ROWS = 200         # factor rows from which the Arrow path is the faster


@frozen
class Multiplier:
    """From a row unit to kg of a gas per factor unit (`gas`), and on to kg CO2e (`co2e`); `exact`
    when the unit conversion is a terminating decimal."""

    gas: Decimal
    co2e: Decimal
    exact: bool
    gwp: str | None


@frozen
class EffectiveFactors:
    table: pa.Table        # k0.., from_unit, gas, factor_id, gas_factor, co2e_factor, gwp
    problems: pa.Table     # k0.., from_unit, problem: keys a unit cannot use
    scale: int
    precision: dict        # for the manifest: the scale and every factor that had to be rounded


def effective_factors(factor_rows: pa.Table, n_keys: int,
                      multipliers: dict[tuple[str, str, str, str], "Multiplier | str"]) -> EffectiveFactors:
    """value × multiplier for every factor row (columns by position: k0.., from_unit, per, mass_unit, gas,
    factor_id — all text, as `load_factor_set` stores them — and value), exact, then stored at the smallest
    scale between FACTOR_SCALE and MAX_FACTOR_SCALE that holds every one exactly. A product that no scale up
    to MAX_FACTOR_SCALE holds (a non-terminating conversion such as kWh → mmBtu, or a tiny factor) is rounded
    half-even there, and refused if that keeps fewer than MIN_SIGNIFICANT digits. In Arrow from ARROW_FROM_ROWS
    rows (below, its fixed cost of ~5 ms is more than the Python loop's). The rows come as an Arrow table, not
    Python tuples: 150k factor rows cost ~1-2 s CPU as tuples."""
    large = factor_rows.num_rows >= ARROW_FROM_ROWS
    fast = _arrow_effective_factors(factor_rows, n_keys, multipliers) if large else None
    return fast or _python_effective_factors(rows_of(factor_rows), n_keys, multipliers)


def rows_of(table: pa.Table) -> list[tuple]:
    """The rows of an Arrow table as tuples, for the code that works row by row."""
    return list(zip(*(column.to_pylist() for column in table.columns)))


def _python_effective_factors(factor_rows: list[tuple], n_keys: int,
                              multipliers: dict[tuple[str, str, str, str], "Multiplier | str"]) -> EffectiveFactors:
    """The definition, in Python decimals, row by row."""
    products, problems, rounded = [], {}, []
    with localcontext() as decimal_context:
        decimal_context.prec = WORKING_PRECISION
        for row in factor_rows:
            multiplier = multipliers[row[n_keys:n_keys + 4]]
            if isinstance(multiplier, str):
                _note(problems, row[:n_keys + 1], multiplier)
            else:
                products.append((row, multiplier))
        needed = [_decimals(row[-1] * part) if m.exact else MAX_FACTOR_SCALE
                  for row, m in products for part in (m.gas, m.co2e)]
        scale = min(MAX_FACTOR_SCALE, max([FACTOR_SCALE, *needed]))
        quantum = Decimal(1).scaleb(-scale)
        rows = []
        for row, m in products:
            stored = _round_one(row, m, quantum, problems, rounded)
            high = [v.quantize(Decimal(1).scaleb(-FACTOR_SCALE), ROUND_DOWN) for v in stored]
            rows.append({**{f"k{i}": k for i, k in enumerate(row[:n_keys])}, "from_unit": row[n_keys], "gas": row[-3],
                         "factor_id": row[-2], "gas_factor": high[0], "co2e_factor": high[1],
                         "gas_factor_rest": stored[0] - high[0], "co2e_factor_rest": stored[1] - high[1], "gwp": m.gwp})
    rows = [row for row in rows if (*(row[f"k{i}"] for i in range(n_keys)), row["from_unit"]) not in problems]
    # One bound for all the gases of a key and unit, so a row is in the ledger with all its gases or rejected.
    largest: dict[tuple, Decimal] = {}
    for row in rows:
        place = (*(row[f"k{i}"] for i in range(n_keys)), row["from_unit"])
        largest[place] = max(largest.get(place, Decimal(0)), abs(row["gas_factor"]), abs(row["co2e_factor"]))
    for row in rows:
        row["max_quantity"] = quantity_bound(largest[(*(row[f"k{i}"] for i in range(n_keys)), row["from_unit"])])
    import pyarrow as pa
    table = pa.Table.from_pylist(rows, schema=_table_schema(n_keys))
    return _result(table, problems, scale, rounded, len(rounded), n_keys)


def _arrow_effective_factors(factor_rows: pa.Table, n_keys: int,
                             multipliers: dict[tuple[str, str, str, str], "Multiplier | str"]) -> EffectiveFactors | None:
    """The same, column by column in Arrow; None where a multiplier does not terminate or is too wide."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if not factor_rows.num_rows:
        return None
    names = [*(f"k{i}" for i in range(n_keys)), "from_unit", "per", "mass_unit", "gas", "factor_id"]
    factor_rows = factor_rows.combine_chunks()
    rows = pa.table({**{name: factor_rows.column(i).cast(pa.string()) for i, name in enumerate(names)},
                     "_i": pa.array(range(factor_rows.num_rows), pa.int64())})
    where = names[:n_keys + 1]
    kind_names = ["from_unit", "per", "mass_unit", "gas"]
    kinds = [tuple(kind[n] for n in kind_names)
             for kind in rows.group_by(kind_names, use_threads=False).aggregate([]).to_pylist()]
    used = [multipliers[kind] if isinstance(multipliers[kind], Multiplier) else None for kind in kinds]
    if not all(m.exact for m in used if m is not None):
        return None
    kind_index = pa.array([0] * len(factor_rows), pa.int64())
    problems: dict[tuple, str] = {}
    for index, kind in enumerate(kinds):
        mask = _equal_all(rows, kind_names, kind)
        kind_index = pc.if_else(mask, index, kind_index)
        if used[index] is None:
            for found in rows.filter(mask).group_by(where, use_threads=False).aggregate([]).to_pylist():
                _note(problems, tuple(found[n] for n in where), multipliers[kind])
    priced = pc.invert(pc.is_in(kind_index, pa.array([i for i, m in enumerate(used) if m is None], pa.int64())))
    rows = rows.append_column("_kind", kind_index).filter(priced)
    values = _decimal_column(factor_rows.column(len(names))).filter(priced)
    products = _arrow_products(values, rows.column("_kind"), used)
    if products is None:
        return None
    rounded: list[dict] = []
    scale, stored, rounded_count = _arrow_stored(products, rows, factor_rows, used, problems, rounded)
    table = _table(rows.select([*where, "gas", "factor_id", "_i", "_kind"]), stored, used, where, problems)
    return _result(table, problems, scale, rounded, rounded_count, n_keys)


def _table_schema(n_keys: int) -> pa.Schema:
    import pyarrow as pa
    rest = pa.decimal128(MAX_FACTOR_SCALE, MAX_FACTOR_SCALE)   # what an effective factor has past 12 decimals
    return pa.schema([*((f"k{i}", pa.string()) for i in range(n_keys)), ("from_unit", pa.string()), ("gas", pa.string()),
                      ("factor_id", pa.string()), ("gas_factor", factor_type()), ("co2e_factor", factor_type()),
                      ("gas_factor_rest", rest), ("co2e_factor_rest", rest), ("gwp", pa.string()),
                      ("max_quantity", pa.decimal128(38, 6))])


def _result(table: pa.Table, problems: dict, scale: int, rounded: list[dict], rounded_count: int,
            n_keys: int) -> EffectiveFactors:
    """The effective factors, their problems as a table (in key order), and the manifest's precision entry."""
    import pyarrow as pa
    problem_rows = [{**{f"k{i}": k for i, k in enumerate(place[:-1])}, "from_unit": place[-1], "problem": problem}
                    for place, problem in sorted(problems.items(), key=lambda item: tuple(map(str, item[0])))]
    problem_table = pa.Table.from_pylist(problem_rows, schema=pa.schema(
        [*((f"k{i}", pa.string()) for i in range(n_keys)), ("from_unit", pa.string()), ("problem", pa.string())]))
    precision = {"scale": scale, "effective_factors": table.num_rows, "rounded": rounded[:MAX_LISTED_ROUNDED],
                 "rounded_count": rounded_count}
    return EffectiveFactors(table, problem_table, scale, precision)


def _decimal_column(values: pa.ChunkedArray) -> pa.Array:
    """The factor values as DECIMAL(38, their scale), the widest operand `_arrow_products` plans for."""
    import pyarrow as pa
    values = values.combine_chunks()
    return values.cast(pa.decimal128(38, values.type.scale)) if pa.types.is_decimal128(values.type) else values


def _equal_all(table: pa.Table, names: list[str], values: tuple) -> pa.Array:
    import pyarrow.compute as pc
    mask = pc.equal(table.column(names[0]), values[0])
    for name, value in zip(names[1:], values[1:]):
        mask = pc.and_(mask, pc.equal(table.column(name), value))
    return mask


def _arrow_products(values: pa.Array, kind: pa.Array, used: list[Multiplier | None]) -> tuple | None:
    """(value × gas multiplier, value × CO2e multiplier) as exact decimal256 columns, or None when a row's
    multiplier is not a terminating decimal or the product could need more than ARROW_DIGITS digits."""
    import pyarrow as pa
    import pyarrow.compute as pc
    present = [m for m in used if m is not None]   # the kinds the rows have (None: no multiplier)
    if not pa.types.is_decimal(values.type) or values.null_count or not all(m.exact for m in present):
        return None
    scale = max([0, *(-m.as_tuple().exponent for p in present for m in (p.gas, p.co2e))])
    width = max([1, scale, *(m.adjusted() + 1 + scale for p in present for m in (p.gas, p.co2e))])
    if values.type.precision + width + 1 > ARROW_DIGITS:
        return None
    value = values.cast(pa.decimal256(values.type.precision, values.type.scale))
    product_type = pa.decimal256(width, scale)
    return tuple(pc.multiply(value, pc.take(pa.array([getattr(m, part) if m else Decimal(0) for m in used],
                                                       product_type), kind))
                 for part in ("gas", "co2e"))


def _arrow_stored(products: tuple, rows: pa.Table, factor_rows: pa.Table, used: list[Multiplier | None],
                  problems: dict, rounded: list[dict]) -> tuple[int, tuple, int]:
    """The scale, the products rounded half-even to it (decimal256), and how many entries were rounded;
    the entries to explain (refused ones, the first MAX_LISTED_ROUNDED rounded) go through `_round_one`."""
    import pyarrow as pa
    import pyarrow.compute as pc
    gas_product, co2e_product = products
    scale = next((s for s in range(FACTOR_SCALE, MAX_FACTOR_SCALE) if all(
        pc.all(pc.equal(pc.round(p, s, round_mode="towards_zero"), p), min_count=0).as_py() for p in products)),
        MAX_FACTOR_SCALE)
    rounded_products = [pc.round(p, scale, round_mode="half_to_even") for p in products]
    # Beyond the stored type: refused by `_round_one` (explained below), zero here so the cast cannot fail.
    limit = pa.scalar(FACTOR_LIMIT, pa.decimal256(MAX_FACTOR_DIGITS + 1, 0))
    too_large = pc.or_(*(pc.greater_equal(pc.abs(p), limit) for p in rounded_products))
    zero = pa.scalar(Decimal(0), pa.decimal256(1, 0))
    products = [pc.if_else(too_large, zero, p).cast(p.type) for p in products]
    rounded_products = [pc.if_else(too_large, zero, p).cast(p.type) for p in rounded_products]
    changed = [pc.not_equal(s, p) for s, p in zip(rounded_products, products)]
    stored = tuple(s.cast(stored_type(scale)) for s in rounded_products)
    # Fewer than MIN_SIGNIFICANT digits at `scale` decimals: under 10^(MIN_SIGNIFICANT - 1 - scale).
    few = pa.scalar(Decimal(10) ** (MIN_SIGNIFICANT - 1 - scale), pa.decimal256(MAX_FACTOR_SCALE - 11, MAX_FACTOR_SCALE - 11))
    changed[1] = pc.and_(changed[1], pc.not_equal(gas_product, co2e_product))  # a CO2e factor's one value once
    refused = [pc.and_(c, pc.less(pc.abs(s), few)) for c, s in zip(changed, stored)]
    kept = [pc.and_not(c, r) for c, r in zip(changed, refused)]
    explain = pc.indices_nonzero(pc.or_(too_large, pc.or_(*refused))).to_pylist()
    explain += pc.indices_nonzero(pc.or_(*kept)).to_pylist()[:MAX_LISTED_ROUNDED]
    if explain:
        explain = sorted(set(explain))
        positions, kinds = rows.column("_i").take(explain), rows.column("_kind").take(explain).to_pylist()
        quantum = Decimal(1).scaleb(-scale)
        with localcontext() as decimal_context:
            decimal_context.prec = WORKING_PRECISION
            for row, kind in zip(rows_of(factor_rows.take(positions)), kinds):
                _round_one(row, used[kind], quantum, problems, rounded)
    count = sum(pc.sum(k, min_count=0).as_py() for k in kept)
    return scale, stored, count


def _round_one(row: tuple, multiplier: Multiplier, quantum: Decimal, problems: dict, rounded: list[dict]) -> list:
    """One factor row's two products rounded half-even to `quantum`; a rounding that keeps fewer than
    MIN_SIGNIFICANT digits refuses its keys and unit (a problem), any other is listed in `rounded`."""
    *keys, from_unit, per, mass_unit, gas, factor_id, value = row
    products = (value * multiplier.gas, value * multiplier.co2e)
    stored = [p.quantize(quantum, ROUND_HALF_EVEN) for p in products]
    if max(abs(p) for p in stored) >= FACTOR_LIMIT:
        _note(problems, (*keys, from_unit), (
            f"factor {factor_id} ({value.normalize()} {mass_unit}/{per}) is {max(products, key=abs):.6e} kg per "
            f"{from_unit}: not under 10^{MAX_FACTOR_DIGITS}, so no quantity of {from_unit} keeps a ledger row under "
            f"10^{LEDGER_LIMIT_DIGITS} kg; check the factor's value and units"))
        return [Decimal(0), Decimal(0)]
    # A factor already in CO2e has one value, not two, to report.
    for exact_value, kept in dict.fromkeys(zip(products, stored)):
        if kept == exact_value:
            continue
        digits = _significant_digits(kept)
        if digits < MIN_SIGNIFICANT:
            _note(problems, (*keys, from_unit), (
                f"factor {factor_id} ({value.normalize()} {mass_unit}/{per}) is {exact_value:.6e} kg per "
                f"{from_unit}: {MAX_FACTOR_SCALE} decimal places keep {digits} of its significant digits, "
                f"fewer than {MIN_SIGNIFICANT}; state the activity in a unit closer to {per}"))
        else:
            rounded.append({"factor_id": factor_id, "from_unit": from_unit, "gas": gas, "significant_digits": digits,
                            "relative_error": f"{abs(kept - exact_value) / abs(exact_value):.1e}"})
    return stored


def _table(rows: pa.Table, stored: tuple, used: list[Multiplier | None], where: list[str],
           problems: dict) -> pa.Table:
    """The effective factors of the keys and units without a problem, in the factor rows' order: each
    stored as a 12-decimal part and the rest (|rest| < 1e-12): the product of the first keeps the ledger's
    range (20 integer digits), the second is tiny, rounded half-even to 18 decimals. Each carries the
    largest quantity its keys and unit can multiply (`quantity_bound`, one bound for all their gases)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    high = [pc.round(s, FACTOR_SCALE, round_mode="towards_zero") for s in stored]
    schema = _table_schema(len(where) - 1)
    rest = schema.field("gas_factor_rest").type
    gwp = pc.take(pa.array([m.gwp if m else None for m in used], pa.string()), rows.column("_kind"))
    table = rows.drop_columns(["_kind"]).append_column("gas_factor", high[0].cast(factor_type())) \
        .append_column("co2e_factor", high[1].cast(factor_type())) \
        .append_column("gas_factor_rest", pc.subtract(stored[0], high[0]).cast(rest)) \
        .append_column("co2e_factor_rest", pc.subtract(stored[1], high[1]).cast(rest)) \
        .append_column("gwp", gwp)
    if problems:
        refused = pa.Table.from_pylist([dict(zip(where, place)) for place in problems],
                                       schema=pa.schema([(name, pa.string()) for name in where]))
        table = table.join(refused, keys=where, join_type="left anti", use_threads=False)
    largest = table.append_column("_largest", pc.max_element_wise(pc.abs(table.column("gas_factor")),
                                                                   pc.abs(table.column("co2e_factor"))))
    bounds = largest.group_by(where, use_threads=False).aggregate([("_largest", "max")])
    bounds = bounds.append_column("max_quantity", quantity_bounds(bounds.column("_largest_max"))) \
        .drop_columns(["_largest_max"])
    table = table.join(bounds, keys=where, use_threads=False).sort_by("_i")
    return table.select(schema.names).combine_chunks()


def quantity_bounds(biggest: pa.ChunkedArray) -> pa.Array:
    """`quantity_bound` of every value of a DECIMAL(38,12) column, in Arrow: the quotient of two exact
    decimals truncated (floor: both are positive) to 6 places, as DECIMAL(38,6); null for no bound."""
    import pyarrow as pa
    import pyarrow.compute as pc
    biggest = biggest.cast(pa.decimal256(38, FACTOR_SCALE))
    none = pc.equal(biggest, pa.scalar(Decimal(0), pa.decimal256(1, 0)))
    divisor = pc.if_else(none, pa.scalar(Decimal(1), biggest.type), biggest)
    limit = pa.scalar(Decimal(10) ** LEDGER_LIMIT_DIGITS - 1, pa.decimal256(LEDGER_LIMIT_DIGITS, 0))
    bound = pc.round(pc.divide(limit, divisor), 6, round_mode="towards_zero")
    none = pc.or_(none, pc.greater_equal(bound, pa.scalar(MAX_QUANTITY, pa.decimal256(33, 0))))
    return pc.if_else(none, pa.scalar(None, bound.type), bound).cast(pa.decimal128(38, 6))


def quantity_bound(biggest: Decimal) -> Decimal | None:
    """The largest quantity (exclusive) a key and unit whose largest stored factor is `biggest` can
    multiply within the ledger's range; None for no bound."""
    if not biggest:
        return None
    with localcontext() as decimal_context:
        decimal_context.prec = WORKING_PRECISION
        bound = ((Decimal(10) ** LEDGER_LIMIT_DIGITS - 1) / biggest).quantize(Decimal("0.000001"), rounding=ROUND_FLOOR)
    return bound if bound < MAX_QUANTITY else None


def _note(problems: dict, where: tuple, problem: str) -> None:
    """Keep one problem per key and unit, the same one whatever the order factors came in."""
    problems[where] = min(problems.get(where, problem), problem)


def _decimals(value: Decimal) -> int:
    """Decimal places an exact value needs."""
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else MAX_FACTOR_SCALE


def _significant_digits(value: Decimal) -> int:
    return len("".join(map(str, value.as_tuple().digits)).lstrip("0"))


def stored_type(scale: int) -> pa.DataType:
    """A stored effective factor before it is split: its 12-decimal part must fit factor_type()."""
    import pyarrow as pa
    return pa.decimal256(38 - FACTOR_SCALE + scale, scale)


def factor_type() -> pa.DataType:
    """An effective factor in Arrow: DECIMAL(38, FACTOR_SCALE)."""
    import pyarrow as pa
    return pa.decimal128(38, FACTOR_SCALE)
