"""Every known way atomic6ghg (the peer) and Tanso disagree, as named predicates.

A predicate receives the record, Tanso's result (exact decimals) and the peer's (its floats as
decimals) and returns True when the row's *whole* disagreement is explained: it recomputes every
number the peer reports from Tanso's exact one (or, where Tanso refuses the row, from the record
and Tanso's own factor table) by the arithmetic in its docstring, and that must equal the peer's
number within TOLERANCE. The docstring says which side is right and why.

A row that agrees must agree within TOLERANCE; a row that disagrees must satisfy exactly one
predicate of its family. Anything else fails the suite.
"""

from __future__ import annotations

import csv
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from functools import lru_cache
from typing import Callable

from tanso.plugins import load_registry
from tanso_ghgp.gwp import GWP_SETS, gwp_table, is_biogenic, normalise_gas

from .peer import PeerResult
from .records import GWP, HEAT, STATIONARY, UNIT_CONV, Record, blend_name, peer_float, peer_json, snake
from .tanso_run import TansoResult

# The peer computes in binary floating point: a handful of multiplications, each within half an
# ulp (1.1e-16 relative), on inputs that are themselves floats of short decimals. Its error is
# below 1e-15 relative; 1e-12 leaves three orders of margin and still separates the smallest
# documented difference (the 12-place factor rounding, ~5e-7 relative for 9.07e-7 kg N2O/kWh).
TOLERANCE = Decimal("1e-12")
ZERO = Decimal("1e-15")  # kg: both sides below this are zero
GWP_AR4 = {"CO2": Decimal(1), "CH4": Decimal(25), "N2O": Decimal(298)}   # what the peer uses (and AR4)

LB_KG = Decimal("0.45359237")                       # international pound (exact, 1959)
GALLON_L = Decimal("3.785411784")                   # US gallon (exact, 231 in³)
SHORT_TON_KG = 2000 * LB_KG                         # 907.18474 kg
with localcontext() as _c:
    _c.prec = 50
    SCF_PER_M3 = 1 / Decimal("0.3048") ** 3         # 35.314666721488590250…
    BTU_IT_J = Decimal("1055.05585262")            # International Table Btu, the Btu of US energy statistics
    MMBTU_PER = {"mmbtu": Decimal(1), "decatherm": Decimal(1), "therm": Decimal("0.1"),
                 "kWh": Decimal(3600000) / (BTU_IT_J * 10 ** 6)}
PEER_LB_KG = peer_float(UNIT_CONV["pounds"]["kilogram"])        # 0.4536
PEER_KG_LB = peer_float(UNIT_CONV["kilogram"]["pounds"])        # 2.205
PEER_L_GAL = peer_float(UNIT_CONV["liters"]["gallons"])         # 0.2642

# Biomass CO2 per mmBtu. atomic6ghg's JSON has 0.0 for wood and landfill gas; Tanso's
# epa_hub_stationary_energy derives CO2_biogenic = per-unit factor ÷ the Hub heat content atomic6ghg ships
# (docs/factor-sets.md): 1640 ÷ 17.48 = 93.8215…, 0.025254 ÷ 0.000485 = 52.0701…. The Hub's Table 1 prints
# 93.80 and 52.07 (its per-unit factors are those × the heat content, rounded). The peer's own arithmetic
# (per-unit factor × heat content) is the same derivation, so biomass CO2 in mmBtu agrees.
HUB_BIOMASS_CO2_PER_MMBTU = {"woodAndWoodResiduals": Decimal("93.80"), "landfillGas": Decimal("52.07")}
BIOMASS_FUELS = set(HUB_BIOMASS_CO2_PER_MMBTU)


def close(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if abs(a) <= ZERO and abs(b) <= ZERO:
        return True
    return abs(a - b) <= TOLERANCE * max(abs(a), abs(b))


def agrees(t: TansoResult, p: PeerResult) -> bool:
    """Tanso computed the whole row, the peer did too, and every number the peer reports is Tanso's."""
    return (not t.rejects and p.error is None
            and all(close(t.values[k], v) for k, v in p.values.items() if v is not None))


def matches(p: PeerResult, predicted: dict[str, Decimal]) -> bool:
    """The peer's every reported number equals the predicted one."""
    if p.error is not None:
        return False
    return all(k in predicted and close(predicted[k], v) for k, v in p.values.items() if v is not None)


def co2e(values: dict[str, Decimal]) -> Decimal:
    return sum(values[g] * GWP_AR4[g] for g in ("CO2", "CH4", "N2O"))


def predicted(co2: Decimal, ch4: Decimal, n2o: Decimal, bio: Decimal = Decimal(0)) -> dict[str, Decimal]:
    """A full vector, CO2e (fossil CO2 + 25 CH4 + 298 N2O; biomass CO2 outside) recomputed from the gases."""
    values = {"CO2": co2, "CH4": ch4, "N2O": n2o, "bio": bio}
    return {**values, "CO2e": co2e(values)}


@lru_cache(maxsize=None)
def pack(name: str) -> list[dict]:
    """A shipped Tanso factor pack, as its rows."""
    with load_registry().factor_sets[name].path.open() as handle:
        return list(csv.DictReader(handle))


def _context():
    return localcontext(prec=50)


# =========================================================================== stationary

def _stationary_factor(fuel: str, gas: str, basis: str) -> Decimal:
    """The peer's per-unit or per-mmBtu factor in kg (Hub values for biomass CO2 per mmBtu)."""
    if basis == "mmBtu" and gas == "CO2" and fuel in BIOMASS_FUELS:  # per-unit ÷ heat content (see above)
        return peer_float(STATIONARY[fuel]["CO2 Factor (kg / Unit)"]) * peer_float(HEAT[fuel]["mmbtu"])
    key = {"CO2": "CO2 Factor (kg / {})", "CH4": "CH4 Factor (g / {})", "N2O": "N2O Factor (g / {})"}[gas]
    value = peer_float(STATIONARY[fuel][key.format(basis if basis == "mmBtu" else ("Unit" if gas == "CO2" else "unit"))])
    return value if gas == "CO2" else value / 1000


def _scaled_stationary(rec: Record, t: TansoResult, ratio: Callable[[str], Decimal]) -> dict[str, Decimal]:
    with _context():
        bio = rec.meta["fuel"] in BIOMASS_FUELS
        return predicted(t.values["CO2"] * ratio("CO2"), t.values["CH4"] * ratio("CH4"), t.values["N2O"] * ratio("N2O"),
                         t.values["bio"] * ratio("CO2") if bio else Decimal(0))


def peer_m3_as_35_31_scf(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """Natural gas in m³. The peer's heat_content_factors.json converts 1 m³ = 35.31073446327684 scf
    (= 1 / 0.02832, a rounded 0.028317 m³ per ft³). Exactly, 1 m³ = 1 / 0.3048³ ft³ = 35.31466672148859 ft³.
    Tanso is right; the peer is 0.011 % low:
        peer = tanso × 35.31073446327684 / 35.31466672148859   (every gas and CO2e)."""
    if rec.meta["unit"] != "cubicMeter" or t.rejects:
        return False
    ratio = peer_float(HEAT[rec.meta["fuel"]]["cubicMeter"]) / SCF_PER_M3
    return matches(p, _scaled_stationary(rec, t, lambda gas: ratio))


def peer_energy_via_heat_content(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """Fuel given as energy (mmBtu, therm, decatherm, kWh). The peer has only per-physical-unit
    factors in its stationary formula: it converts energy to short tons / gallons / scf with its
    heat content (e.g. 1 mmBtu = 0.03985651654045436 short ton of anthracite = 1/25.09; kWh through
    3412 Btu) and multiplies by the per-unit factor, itself the Hub's per-mmBtu factor × a rounded
    heat content (anthracite 2602 kg/short ton vs 103.69 × 25.09 = 2601.58). Tanso applies the Hub's
    per-mmBtu factor directly (epa_hub_stationary_energy), with the exact energy conversion
    (therm = 0.1 mmBtu; kWh = 3.6 MJ / 1055.05585262 J per Btu_IT). Tanso is right (one published
    factor, no round trip); for each gas
        peer = tanso × heat_content[fuel][unit] × F_unit[gas] / (mmBtu per unit × F_mmBtu[gas]).
    Biomass CO2 per mmBtu is itself per-unit ÷ heat content in Tanso's pack (the JSON has 0.0), so its
    ratio is 1 but for the unit (therm: exactly 0.1 mmBtu vs the peer's 206.18556701030926 scf)."""
    unit, fuel = rec.meta["unit"], rec.meta["fuel"]
    if unit not in MMBTU_PER or t.rejects:
        return False
    with _context():
        def ratio(gas: str) -> Decimal:
            return (peer_float(HEAT[fuel][unit]) * _stationary_factor(fuel, gas, "unit")
                    / (MMBTU_PER[unit] * _stationary_factor(fuel, gas, "mmBtu")))
        return matches(p, _scaled_stationary(rec, t, ratio))


def peer_litres_as_0_2642_gallon(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """Fuel in litres. The peer's unit_conversions.json has 1 L = 0.2642 gallon; exactly,
    1 L = 1 / 3.785411784 gallon = 0.26417205… gallon. Tanso is right; the peer is 0.011 % high:
        peer = tanso × 0.2642 × 3.785411784   (every per-gallon quantity: stationary gases,
    mobile CO2 and non-road CH4/N2O; on-road CH4/N2O are per mile and unchanged)."""
    if rec.meta["unit"] not in ("liters", "l") or t.rejects:
        return False
    with _context():
        ratio = PEER_L_GAL * GALLON_L
        if rec.family == "stationary":
            return matches(p, _scaled_stationary(rec, t, lambda gas: ratio))
        per_gallon = not rec.meta["road"]
        return matches(p, predicted(t.values["CO2"] * ratio, t.values["CH4"] * (ratio if per_gallon else 1),
                                    t.values["N2O"] * (ratio if per_gallon else 1)))


# =========================================================================== mobile

MOBILE_CO2 = {k: peer_float(v) for k, v in peer_json("mobile_combustion_co2_emission_factors").items()}


def _blend(rec, t, p, fuel: str, fossil: str, bio_percent: int) -> bool:
    if rec.meta["fuel"] != fuel or t.rejects or t.values["CO2"] > ZERO or t.values["bio"] <= ZERO:
        return False
    with _context():
        gallons = t.values["bio"] / MOBILE_CO2[fuel]
        share = Decimal(bio_percent) / 100
        return matches(p, predicted(gallons * (1 - share) * MOBILE_CO2[fossil], t.values["CH4"], t.values["N2O"],
                                    t.values["bio"] * share))


def peer_ethanol_is_e80(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """Fuel "ethanol". The peer silently treats it as E80 (ethanolPercent defaults to 80): 20 % of
    the gallons get gasoline's fossil CO2 (8.78 kg/gal), 80 % ethanol's biomass CO2 (5.75 kg/gal).
    Tanso reads "ethanol" as ethanol (E100): biomass CO2 (CO2_biogenic, outside the scopes) of
    5.75 kg/gal and no fossil CO2. Neither is wrong about E80, but a fuel named ethanol is ethanol;
    a blend must be said (a fuel "E85" or a share column). From Tanso's exact number:
        gallons = tanso_biogenic / 5.75;  peer CO2 = gallons × 0.2 × 8.78;  peer biomass = 0.8 × tanso_biogenic."""
    return _blend(rec, t, p, "ethanol", "gasoline", 80)


def peer_biodiesel_is_b20(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """Fuel "biodiesel". The peer silently treats it as B20 (biodieselPercent defaults to 20): 80 %
    diesel (10.21 kg fossil CO2/gal), 20 % biodiesel (9.45 kg biomass CO2/gal). Tanso reads B100:
        gallons = tanso_biogenic / 9.45;  peer CO2 = gallons × 0.8 × 10.21;  peer biomass = 0.2 × tanso_biogenic."""
    return _blend(rec, t, p, "biodiesel", "diesel", 20)


def _rejected_for(t: TansoResult, rule: str, text: str) -> bool:
    return text in t.reason(rule) and set(t.rejects) == {rule}


def peer_methanol_as_e80(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """Fuel "methanol" (Tanso stricter). epa_hub_mobile_co2 has no methanol factor, so Tanso refuses
    the CO2 (reason "no factor in epa_hub_mobile_co2 for fuel='methanol'") and computes CH4/N2O.
    The peer maps methanol to ethanol (co2_fuel_map) and then to E80, inventing a fuel:
        peer CO2 = gallons × 0.2 × 8.78, peer biomass = gallons × 0.8 × 5.75, CH4/N2O = Tanso's.
    Tanso is right to refuse: methanol is mostly fossil (natural-gas based) and has its own factor."""
    if rec.meta["fuel"] != "methanol" or not _rejected_for(t, "mobile.co2", "no factor in epa_hub_mobile_co2 for fuel='methanol'"):
        return False
    gallons = rec.meta["quantity"]
    return matches(p, predicted(gallons * Decimal("0.2") * MOBILE_CO2["gasoline"], t.values["CH4"], t.values["N2O"],
                                gallons * Decimal("0.8") * MOBILE_CO2["ethanol"]))


def peer_two_and_four_stroke_as_gasoline(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """Non-road fuel "gasoline2Stroke"/"gasoline4Stroke" (Tanso stricter). The CO2 pack has no such
    fuel, so Tanso refuses the CO2 ("no factor in epa_hub_mobile_co2 for fuel='gasoline2_stroke'");
    the peer maps it to gasoline: peer CO2 = gallons × 8.78, CH4/N2O = Tanso's. The peer's mapping is
    physically right (the engine type does not change the fuel's carbon); Tanso needs the ruleset to
    say so (a fuel column of "gasoline" for CO2)."""
    fuel = rec.meta["fuel"]
    if fuel not in ("gasoline2Stroke", "gasoline4Stroke") or not _rejected_for(
            t, "mobile.co2", f"no factor in epa_hub_mobile_co2 for fuel='{snake(fuel)}'"):
        return False
    return matches(p, predicted(rec.meta["quantity"] * MOBILE_CO2["gasoline"], t.values["CH4"], t.values["N2O"]))


def _by_year(vehicle: str, fuel: str) -> dict[int, dict[str, Decimal]]:
    table: dict[int, dict[str, Decimal]] = {}
    for row in pack("epa_hub_mobile_ch4_n2o_by_model_year"):
        if row["vehicle_type"] == snake(vehicle) and row["fuel"] == snake(fuel):
            table.setdefault(int(row["model_year"]), {})[row["gas"]] = Decimal(row["value"]) / 1000  # g → kg
    return table


def peer_clamps_model_year(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """On-road model year outside the table (Tanso stricter). Tanso refuses CH4/N2O ("no factor in
    epa_hub_mobile_ch4_n2o_by_model_year for … model_year='2031'"); the peer silently uses the first
    or last year's factors (YearHandler clamps). Recomputed from Tanso's own table:
        peer CH4 = miles × factor(boundary year), same for N2O; CO2 = Tanso's.
    Tanso is right to refuse: a 1950 car is not a 1960 car, a future year is a data error."""
    year = rec.meta["year"]
    if not year.isdigit() or not _rejected_for(t, "mobile.road_by_year", f"model_year='{year}'"):
        return False
    table = _by_year(rec.meta["vehicle"], rec.meta["fuel"])
    if min(table) <= int(year) <= max(table):
        return False
    factors = table[min(table)] if int(year) < min(table) else table[max(table)]
    miles = rec.meta["miles"]
    return matches(p, predicted(t.values["CO2"], miles * factors["CH4"], miles * factors["N2O"]))


def both_refuse_non_numeric_model_year(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """On-road model year not a number ("unknown", blank). Both refuse: the peer raises
    YearValueException (its own logging-and-zero fallback is bypassed: the year_display lookup
    after the try re-raises), Tanso rejects CH4/N2O with "no factor … model_year=…" and still
    computes the CO2 from the fuel. Nothing to compare; the row is listed so it stays visible."""
    return (not rec.meta["year"].isdigit() and (p.error or "").startswith("YearValueException")
            and _rejected_for(t, "mobile.road_by_year", "no factor in epa_hub_mobile_ch4_n2o_by_model_year"))


# =========================================================================== lb-based peers

def peer_lb_as_0_4536_kg(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """The peer turns pounds into kilograms with 0.4536 (unit_conversions.json) instead of the exact
    0.45359237 (international pound): eGRID lb/MWh for electricity, refrigerant pounds for the
    material balance. The masses per gas (electricity, reported in lb) agree; the CO2e is 0.0017 % high:
        peer CO2e = tanso CO2e × 0.4536 / 0.45359237. Tanso is right."""
    if t.rejects or (rec.family == "refrigerant" and (rec.meta["unit"] != "lb" or rec.meta["blend"])):
        return False
    with _context():
        return matches(p, {**{g: t.values[g] for g in ("CO2", "CH4", "N2O")},
                           "CO2e": t.values["CO2e"] * PEER_LB_KG / LB_KG})


def peer_kg_via_2_205_lb_and_0_4536(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """Refrigerant given in kg. The peer's material balance is in pounds: a user converts with the
    peer's own 1 kg = 2.205 lb, and the peer converts back with 1 lb = 0.4536 kg, so 1 kg counts as
    2.205 × 0.4536 = 1.000188 kg. Tanso is right (1 kg is 1 kg):
        peer CO2e = tanso CO2e × 2.205 × 0.4536."""
    if rec.family != "refrigerant" or rec.meta["unit"] != "kg" or rec.meta["blend"] or t.rejects:
        return False
    return matches(p, {"CO2e": t.values["CO2e"] * PEER_KG_LB * PEER_LB_KG})


def _blend_gwp(name: str) -> Decimal | None:
    """AR4 GWP of a blend's Kyoto share, from Tanso's refrigerant_blends pack and GWP table."""
    table = gwp_table(GWP_SETS["AR4"])
    rows = [r for r in pack("refrigerant_blends") if r["refrigerant"] == name and r["kyoto"] == "true"]
    if any(normalise_gas(r["gas"]) not in table for r in rows):
        return None  # a component without an AR4 GWP: no class applies, the row stays unexplained
    return sum((Decimal(r["value"]) * table[normalise_gas(r["gas"])] for r in rows), Decimal(0))


def peer_blend_gwp_rounded_to_integer(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """A refrigerant blend. Tanso weights each Kyoto component (ASHRAE 34 mass fraction, from
    refrigerant_blends) by its own AR4 GWP: R-404A = 0.44 × 3500 + 0.52 × 4470 + 0.04 × 1430 = 3921.6.
    The peer stores one GWP per blend rounded to an integer (3922), and converts pounds as for pure
    gases (lb: × 0.4536 instead of 0.45359237; kg given: × 2.205 × 0.4536). Tanso is right (no
    rounding of the GWP); with |GWP_peer − GWP_Tanso| ≤ 0.5,
        peer CO2e = tanso CO2e × GWP_peer / GWP_Tanso × (0.4536 / 0.45359237  or  2.205 × 0.4536)."""
    if not rec.meta["blend"] or t.rejects:
        return False
    exact, peer_gwp = _blend_gwp(_designation(rec)), peer_float(GWP[rec.meta["gas"]])
    if not exact or abs(peer_gwp - exact) > Decimal("0.5"):
        return False
    with _context():
        unit = PEER_LB_KG / LB_KG if rec.meta["unit"] == "lb" else PEER_KG_LB * PEER_LB_KG
        return matches(p, {"CO2e": t.values["CO2e"] * peer_gwp / exact * unit})


def blend_without_kyoto_share(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """A blend of only CFCs, HCFCs and hydrocarbons (R-406A, R-409A, R-414A/B, R-502). The peer's
    GWP is 0 and it reports 0; Tanso's ruleset matches Kyoto components only and there are none, so
    the row is refused ("no factor in refrigerant_blends for refrigerant='R-502', kyoto='true'")
    rather than silently zero (Tanso stricter). Both say: no emissions in the scopes. peer = 0."""
    if not rec.meta["blend"] or _blend_gwp(_designation(rec)) != 0 or not _rejected_for(
            t, "refrigerant.blend", f"no factor in refrigerant_blends for refrigerant='{_designation(rec)}', kyoto='true'"):
        return False
    return peer_float(GWP[rec.meta["gas"]]) == 0 and matches(p, {"CO2e": Decimal(0)})


def _designation(rec: Record) -> str:
    return blend_name(rec.meta["gas"])


def peer_clamps_negative_to_zero(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """A negative quantity (a mass balance with more refrigerant in stock than bought, a negative
    distance) (Tanso stricter). The peer clamps each result to max(0, …) and reports 0; Tanso refuses
    the row ("quantity is negative (…)"), so the data error is seen instead of vanishing. peer = 0."""
    if rec.meta["quantity"] >= 0 or "quantity is negative" not in " ".join(t.rejects.values()):
        return False
    return matches(p, {k: Decimal(0) for k in ("CO2", "CH4", "N2O", "bio", "CO2e")})


# =========================================================================== steam

def _energy_factors(fuel: str) -> dict[str, tuple[Decimal, Decimal]]:
    """Tanso's per-mmBtu factors of a fuel: gas → (kg per mmBtu, kg CO2e per mmBtu); fossil CO2 is 0
    where the pack has only biomass CO2 (`bio`, weight 0; the peer's steam has no biomass CO2, so
    `bio` is not compared)."""
    out = {"CO2": (Decimal(0), Decimal(0))}
    for row in pack("epa_hub_stationary_energy"):
        if row["fuel"] == snake(fuel):
            kg = Decimal(row["value"]) / (1000 if row["unit"] == "g" else 1)
            gas = "bio" if is_biogenic(row["gas"]) else row["gas"]
            out[gas] = (kg, kg * (0 if gas == "bio" else GWP_AR4[gas]))
    return out


def peer_default_boiler_efficiency_80(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """Steam without a boiler efficiency (Tanso stricter). The peer silently assumes 80 %; Tanso's
    quantity (steam ÷ efficiency) is missing and the row is refused ("quantity is missing"). With
    Tanso's own factors:  peer gas = steam / 0.8 × factor[gas]. Tanso is right not to guess: the
    ruleset can state a default (coalesce) where the methodology allows one."""
    if rec.meta["efficiency"] is not None or "quantity is missing" not in t.reason("steam"):
        return False
    with _context():
        factors = _energy_factors(rec.meta["fuel"])
        fuel = rec.meta["quantity"] / Decimal("0.8")
        return matches(p, predicted(*(fuel * factors[g][0] for g in ("CO2", "CH4", "N2O"))))


def tanso_rounds_steam_quotient_to_6_places(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """Steam ÷ boiler efficiency with more than 6 decimals (÷ 0.75 never terminates; ÷ 0.8 of a
    3-decimal quantity × a 3-decimal g/mmBtu factor has 7 or more). Tanso divides after
    the factor product, exactly, and rounds the amount half-even to 6 places (its one rounding in a
    row, README "division inside a calc argument"); the peer keeps a float. Both are right to their
    precision: for every gas
        tanso = round_half_even(steam × factor / efficiency, 6)   and   peer = steam × factor / efficiency
    (exact decimal, within TOLERANCE), so |peer − tanso| ≤ 0.5 mg per gas."""
    if rec.meta["efficiency"] is None or t.rejects:
        return False
    with _context():
        efficiency = Decimal(str(rec.meta["efficiency"])) / 100
        factors = _energy_factors(rec.meta["fuel"])
        exact = {g: rec.meta["quantity"] * factors[g][0] / efficiency for g in ("CO2", "CH4", "N2O")}
        six = Decimal("1e-6")
        rounded = all(t.values[g] == exact[g].quantize(six, ROUND_HALF_EVEN) for g in exact)
        co2e_rounded = t.values["CO2e"] == sum((rec.meta["quantity"] * factors[g][1] / efficiency).quantize(six, ROUND_HALF_EVEN)
                                               for g in exact)
        return rounded and co2e_rounded and not all(t.values[g] == exact[g] for g in exact) and matches(p, predicted(*exact.values()))


# =========================================================================== waste

EXACT_SHORT_TONS = {"gram": Decimal("0.001") / SHORT_TON_KG, "kilogram": 1 / SHORT_TON_KG,
                    "metricTon": 1000 / SHORT_TON_KG}


def peer_mass_to_short_ton_with_1_102(rec: Record, t: TansoResult, p: PeerResult) -> bool:
    """Waste in g, kg or metric tons. The peer converts to short tons with unit_conversions.json:
    1 t = 1.102 short ton, 1 kg = 0.0011020000000000001, 1 g = 1.1020000000000002e-06; exactly
    1 t = 1000 / 907.18474 = 1.10231131… short ton. Tanso is right; the peer is 0.021 % low:
        peer = tanso × peer_short_tons_per_unit / exact_short_tons_per_unit.
    (Pounds: 0.0005 short ton is exact, so lb rows agree.)"""
    unit = rec.meta["unit"]
    if unit not in EXACT_SHORT_TONS or t.rejects:
        return False
    with _context():
        return matches(p, {"CO2e": t.values["CO2e"] * peer_float(UNIT_CONV[unit]["shortTon"]) / EXACT_SHORT_TONS[unit]})


CLASSES: dict[str, list[Callable]] = {
    "stationary": [peer_m3_as_35_31_scf, peer_energy_via_heat_content, peer_litres_as_0_2642_gallon],
    "mobile": [peer_ethanol_is_e80, peer_biodiesel_is_b20, peer_methanol_as_e80, peer_two_and_four_stroke_as_gasoline,
               peer_clamps_model_year, both_refuse_non_numeric_model_year, peer_litres_as_0_2642_gallon],
    "refrigerant": [peer_lb_as_0_4536_kg, peer_kg_via_2_205_lb_and_0_4536, peer_clamps_negative_to_zero,
                    peer_blend_gwp_rounded_to_integer, blend_without_kyoto_share],
    "electricity": [peer_lb_as_0_4536_kg],
    "steam": [peer_default_boiler_efficiency_80, tanso_rounds_steam_quotient_to_6_places],
    "travel": [peer_clamps_negative_to_zero],
    "commuting": [peer_clamps_negative_to_zero],
    "transport": [peer_clamps_negative_to_zero],
    "waste": [peer_mass_to_short_ton_with_1_102],
}

# Every class is expected to hold at least one row of the seeded records.
EXPECTED_NON_EMPTY = {family: [c.__name__ for c in classes] for family, classes in CLASSES.items()}


def classify(rec: Record, t: TansoResult | None, p: PeerResult) -> tuple[str, str | None]:
    """("agree", None), (class name, None), or ("UNEXPLAINED", why)."""
    if t is None:
        return "UNEXPLAINED", "Tanso has neither a ledger row nor a reject for this record"
    if agrees(t, p):
        return "agree", None
    hits = [c.__name__ for c in CLASSES[rec.family] if c(rec, t, p)]
    if len(hits) == 1:
        return hits[0], None
    return "UNEXPLAINED", (f"matches {hits}" if hits else "matches no documented class")


def explain(rec: Record, t: TansoResult | None, p: PeerResult) -> str:
    """The record, both sides' numbers and their ratio, for a failure message."""
    lines = [rec.describe()]
    if t is not None and t.rejects:
        lines.append(f"  tanso rejects: {t.rejects}")
    if p.error:
        lines.append(f"  peer error: {p.error}")
    for key, peer_value in p.values.items():
        tanso_value = None if t is None else t.values.get(key)
        ratio = (peer_value / tanso_value) if (peer_value is not None and tanso_value) else None
        lines.append(f"  {key:5} tanso={tanso_value}  peer={peer_value}  peer/tanso={ratio}")
    if t is not None:
        lines.append(f"  tanso ledger gases: {sorted(t.gases)}")
    return "\n".join(lines)
