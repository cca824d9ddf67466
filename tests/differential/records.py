"""Seeded records for every family both Tanso and atomic6ghg implement.

Each record carries the row Tanso reads (its input table's columns, decimals as text) and the
`wks_data` atomic6ghg's formula class reads for the same activity. Where a record is in a unit the
peer does not accept (bbl, litres for stationary and mobile fuel, kg of refrigerant, MWh), the
peer's input is converted with the peer's *own* `unit_conversions_factors.json` — that is what a
user of the EPA calculator would do, and it is what the classes in `classes.py` account for.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from typing import Any

SEED = 20261129


def snake(name: str) -> str:
    """camelCase JSON key → Tanso's snake_case match value (as scripts/build_factor_packs.py)."""
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    name = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return name.lower()


def peer_json(name: str) -> dict:
    """A JSON file of atomic6ghg's source data, numbers as the floats the peer uses."""
    return json.loads((resources.files("atomic6ghg") / "factors" / "source_data" / f"{name}.json").read_text())


def peer_float(value: float) -> Decimal:
    """A float of the peer as the exact decimal it is (repr round-trips, so this is the float's value
    to 17 significant digits, well inside the 1e-12 comparison tolerance)."""
    return Decimal(repr(value))


HEAT = peer_json("heat_content_factors")
UNIT_CONV = peer_json("unit_conversions_factors")
STATIONARY = peer_json("stationary_combustion_emission_factors")
MOBILE_CH4_N2O = peer_json("mobile_combustion_ch4_and_n2o_emission_factors")
GWP = peer_json("refrigerants_gwp_factors")


@dataclass
class Record:
    family: str
    row_id: str
    row: dict[str, Any]                 # the row of Tanso's input table
    peer: dict[str, Any]                # atomic6ghg wks_data for this record alone
    meta: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        return f"{self.family} {self.row_id} tanso={self.row} peer={self.peer}"


def q(rng: random.Random, low: float, high: float, places: int = 3) -> Decimal:
    """A positive decimal with `places` decimals, uniform in [low, high]."""
    return Decimal(rng.randint(int(low * 10 ** places), int(high * 10 ** places))).scaleb(-places)


# ---------------------------------------------------------------------------- stationary

# The Tanso spelling of each unit of heat_content_factors.json (several spellings where the
# engine must accept them all: issue #17 asks for MMBtu/mmBtu/MMBTU/mmbtu and short ton/shortTon).
STATIONARY_UNITS = {
    "mmbtu": ["MMBtu", "mmBtu", "MMBTU", "mmbtu"],
    "shortTon": ["short_ton", "short ton", "shortTon"],
    "gallons": ["gallon", "gal"],
    "scf": ["scf"],
    "therm": ["therm"],
    "decatherm": ["decatherm"],
    "ccf": ["ccf"],
    "mcf": ["Mcf"],
    "cubicMeter": ["m3"],
    "kWh": ["kWh"],
}
FUELS_STATIONARY = ["anthraciteCoal", "bituminousCoal", "subBituminousCoal", "ligniteCoal", "naturalGas",
                    "distillateFuelOilNo2", "residualFuelOilNo6", "kerosene", "liquefiedPetroleumGases",
                    "woodAndWoodResiduals", "landfillGas"]
OILS = {"distillateFuelOilNo2", "residualFuelOilNo6", "kerosene", "liquefiedPetroleumGases"}


def stationary(rng: random.Random) -> list[Record]:
    out = []
    for fuel in FUELS_STATIONARY:
        choices = [(u, spelling) for u in HEAT[fuel] if u in STATIONARY_UNITS for spelling in STATIONARY_UNITS[u]]
        if fuel in OILS:  # volumes the peer reaches through its unit_conversions table
            choices += [("bbl", "bbl"), ("liters", "l"), ("liters", "liter")]
        picks = choices + [rng.choice(choices) for _ in range(max(12 - len(choices), 3))]
        out += [_stationary_record(rng, fuel, unit, spelling) for unit, spelling in picks]
    return out


def _stationary_record(rng, fuel, unit, spelling) -> Record:
    amount = q(rng, 0.5, 5000)
    peer_unit, peer_amount = unit, float(amount)
    if unit == "bbl":
        peer_unit, peer_amount = "gallons", float(amount) * UNIT_CONV["bbl"]["gallons"]
    elif unit == "liters":
        peer_unit, peer_amount = "gallons", float(amount) * UNIT_CONV["liters"]["gallons"]
    n = _counter("stationary")
    return Record("stationary", f"ST{n:03d}", {"fuel": snake(fuel), "quantity": str(amount), "unit": spelling},
                  {"stationarySourceFuelConsumption": [{"fuelCombusted": fuel, "quantityCombusted": peer_amount,
                                                        "units": peer_unit}]},
                  {"fuel": fuel, "unit": unit, "quantity": amount})


_COUNTERS: dict[str, int] = {}


def _counter(family: str) -> int:
    _COUNTERS[family] = _COUNTERS.get(family, 0) + 1
    return _COUNTERS[family]


# ---------------------------------------------------------------------------- mobile

ROAD = ["heavyDutyVehicles", "lightDutyTrucks", "motorcycles", "passengerCars", "buses", "heavyDutyTrucks",
        "lightDutyCars", "mediumAndHeavyDutyVehicles", "mediumDutyTrucks"]          # MobileSources.road_vehicles
PEER_CO2_FUELS = {"gasoline", "diesel", "residualFuelOil", "aviationGasoline", "jetFuel", "lpg", "ethanol",
                  "biodiesel", "lng", "cng", "gasoline2Stroke", "gasoline4Stroke", "methanol"}


def mobile(rng: random.Random) -> list[Record]:
    by_year, alternative, non_road = [], [], []
    for vehicle, fuels in MOBILE_CH4_N2O.items():
        for fuel, years in fuels.items():
            if fuel not in PEER_CO2_FUELS:
                continue  # e.g. dieselEquipment: the peer crashes computing its CO2 (no CO2 factor, None × float)
            if vehicle in ROAD and "default" not in years:
                by_year.append((vehicle, fuel, sorted(int(y) for y in years)))
            elif vehicle in ROAD:
                alternative.append((vehicle, fuel))
            else:
                non_road.append((vehicle, fuel))
    out = []
    for vehicle, fuel, years in by_year:
        for year in rng.sample(years, 4):  # in the table: in gallons, litres or barrels
            out.append(_mobile_record(rng, vehicle, fuel, str(year), rng.choice(["gallon", "gallon", "l", "bbl"])))
        for year in (years[0] - rng.randint(1, 10), years[-1] + rng.randint(1, 8)):  # outside it
            out.append(_mobile_record(rng, vehicle, fuel, str(year), "gallon"))
    out.append(_mobile_record(rng, "passengerCars", "gasoline", "unknown", "gallon"))
    out.append(_mobile_record(rng, "lightDutyTrucks", "diesel", "", "gallon"))
    for vehicle, fuel in alternative:
        out.append(_mobile_record(rng, vehicle, fuel, "", "scf" if fuel == "cng" else "gallon"))
    for vehicle, fuel in rng.sample(non_road, 24):
        out.append(_mobile_record(rng, vehicle, fuel, "", "gallon"))
    return out


def _mobile_record(rng, vehicle, fuel, year, unit) -> Record:
    road = vehicle in ROAD
    amount = q(rng, 1, 3000)
    miles = q(rng, 10, 60000, 1) if road else None
    peer_gallons = float(amount)
    if unit == "l":
        peer_gallons = float(amount) * UNIT_CONV["liters"]["gallons"]
    elif unit == "bbl":
        peer_gallons = float(amount) * UNIT_CONV["bbl"]["gallons"]
    n = _counter("mobile")
    return Record("mobile", f"MO{n:03d}",
                  {"vehicle_type": snake(vehicle), "fuel": snake(fuel), "model_year": year or None,
                   "road": "yes" if road else "no", "fuel_quantity": str(amount), "fuel_unit": unit,
                   "miles": None if miles is None else str(miles)},
                  {"mobileSourcesFuelConsumption": [{"vehicleType": vehicle, "fuelType": fuel, "vehicleYear": year,
                                                     "fuelUsage": peer_gallons,
                                                     "milesTraveled": float(miles) if miles is not None else 0.0}]},
                  {"vehicle": vehicle, "fuel": fuel, "year": year, "unit": unit, "quantity": amount, "miles": miles,
                   "road": road})


# ---------------------------------------------------------------------------- refrigerants

PURE_GASES = {  # atomic6ghg key → the gas's name in Tanso (globalwarmingpotentials spelling, dashes allowed)
    "hfc23": "HFC-23", "hfc32": "HFC-32", "hfc41": "HFC-41", "hfc125": "HFC-125", "hfc134": "HFC-134",
    "hfc134a": "HFC-134a", "hfc143": "HFC-143", "hfc143a": "HFC-143a", "hfc152": "HFC-152", "hfc152a": "HFC-152a",
    "hfc161": "HFC-161", "hfc227ea": "HFC-227ea", "hfc236cb": "HFC-236cb", "hfc236ea": "HFC-236ea",
    "hfc236fa": "HFC-236fa", "hfc245ca": "HFC-245ca", "hfc245fa": "HFC-245fa", "hfc365mfc": "HFC-365mfc",
    "hfc4310mee": "HFC-43-10mee", "sf6": "SF6", "nf3": "NF3", "cf4": "CF4", "c2f6": "C2F6", "c3f8": "C3F8",
    "cc4f8": "c-C4F8", "c4f10": "C4F10", "c5f12": "C5F12", "c6f14": "C6F14",
}


def blend_name(key: str) -> str:
    """atomic6ghg's blend key → the ASHRAE 34 designation of Tanso's refrigerant_blends (r410a → R-410A;
    r507 is R-507A, the only R-507 ASHRAE lists)."""
    return "R-507A" if key == "r507" else "R-" + key[1:].upper()


BLENDS = {key: blend_name(key) for key in GWP if re.fullmatch(r"r\d{3}[a-z]?", key)}


def refrigerant(rng: random.Random) -> list[Record]:
    out = []
    for key, name in PURE_GASES.items():
        for unit in ("lb", "kg"):
            out.append(_refrigerant_record(rng, key, name, unit, negative=False))
    for key in rng.sample(sorted(PURE_GASES), 4):
        out.append(_refrigerant_record(rng, key, PURE_GASES[key], "lb", negative=True))
    for key, name in BLENDS.items():
        out.append(_refrigerant_record(rng, key, name, rng.choice(["lb", "kg"]), negative=False, blend=True))
    return out


def _refrigerant_record(rng, key, name, unit, negative, blend=False) -> Record:
    parts = [q(rng, 0, 40, 2), q(rng, 0, 20, 2), q(rng, 0, 10, 2)]
    if negative:
        parts[0] = -parts[0] - parts[1] - parts[2] - Decimal("1")
    total = sum(parts)
    to_lb = UNIT_CONV["kilogram"]["pounds"] if unit == "kg" else 1.0
    n = _counter("refrigerant")
    # a blend is matched on its Kyoto components only: in-scope emissions (the EPA Hub's blend GWPs count
    # only the HFC/PFC share: R-401A = 13 % HFC-152a × 124 = 16); pure gases leave `kyoto` empty
    return Record("refrigerant", f"RF{n:03d}", {"refrigerant": name, "quantity": str(total), "unit": unit,
                                                 "blend": "yes" if blend else "no", "kyoto": "true" if blend else None},
                  {"materialBalance": [{"gas": key, "inventoryChange": float(parts[0]) * to_lb,
                                        "transferredAmount": float(parts[1]) * to_lb,
                                        "capacityChange": float(parts[2]) * to_lb}]},
                  {"gas": key, "unit": unit, "quantity": total, "blend": blend})


# ---------------------------------------------------------------------------- electricity

SUBREGIONS = ["akgd", "akms", "aznm", "camx", "erct", "frcc", "hims", "hioa", "mroe", "mrow", "newe", "nwpp", "nycw",
              "nyli", "nyup", "prms", "rfce", "rfcm", "rfcw", "rmpa", "spno", "spso", "srmv", "srmw", "srso", "srtv",
              "srvc"]


def electricity(rng: random.Random) -> list[Record]:
    out = []
    for region in SUBREGIONS:
        for unit in ("kWh", "MWh"):
            amount = q(rng, 1, 900000, 1) if unit == "kWh" else q(rng, 0.1, 900, 3)
            kwh = float(amount) * (1000 if unit == "MWh" else 1)
            n = _counter("electricity")
            out.append(Record("electricity", f"EL{n:03d}",
                              {"egrid_subregion": region.upper(), "quantity": str(amount), "unit": unit},
                              {"totalElectricityPurchased": [{"eGridSubregion": region, "electricityPurchased": kwh,
                                                              "marketBasedEmissionFactorsCO2Emissions": None,
                                                              "marketBasedEmissionFactorsCH4Emissions": None,
                                                              "marketBasedEmissionFactorsN2OEmissions": None}]},
                              {"region": region, "unit": unit, "quantity": amount}))
    return out


# ---------------------------------------------------------------------------- steam

STEAM_FUELS = ["anthraciteCoal", "bituminousCoal", "coalCoke", "distillateFuelOilNo2", "kerosene", "landfillGas",
               "ligniteCoal", "liquefiedPetroleumGases", "mixedElectricPowerSector", "naturalGas",
               "residualFuelOilNo6", "subBituminousCoal", "woodAndWoodResiduals"]


def steam(rng: random.Random) -> list[Record]:
    out = []
    for fuel in STEAM_FUELS:
        for efficiency in (None, 80, rng.choice([65, 70, 75, 85, 90, 92.5])):
            amount = q(rng, 1, 20000)
            n = _counter("steam")
            out.append(Record("steam", f"SM{n:03d}",
                              {"fuel": snake(fuel), "quantity": str(amount), "unit": "MMBtu",
                               "boiler_efficiency": None if efficiency is None else str(Decimal(str(efficiency)) / 100)},
                              {"emissionFactorDataForSteamPurchased": [{
                                  "sourceId": f"SM{n:03d}", "sourceDescription": None, "sourceArea": None,
                                  "fuelType": fuel, "boilerEfficiency": efficiency, "steamPurchased": float(amount),
                                  **{f"{basis}EmissionFactors{gas}Factor": None for basis in ("locationBased", "marketBased")
                                     for gas in ("CO2", "CH4", "N2O")}}]},
                              {"fuel": fuel, "quantity": amount, "efficiency": efficiency}))
    return out


# ---------------------------------------------------------------------------- travel, commuting, transport

PERSONAL = ["passengerCars", "lightDutyTruck", "motorcycle"]
RAIL_BUS = ["intercityRailNortheastCorridor", "intercityRailOtherRoutes", "intercityRailNationalAverage",
            "commuterRail", "transitRail", "bus"]
AIR = ["shortHaul", "mediumHaul", "longHaul"]


def travel(rng: random.Random) -> list[Record]:
    out = []
    for mode in PERSONAL + RAIL_BUS + AIR + rng.sample(PERSONAL + RAIL_BUS + AIR, 12):
        out.append(_travel_record(rng, mode, negative=False))
    for mode in rng.sample(PERSONAL + AIR, 3):
        out.append(_travel_record(rng, mode, negative=True))
    return out


def _travel_record(rng, mode, negative) -> Record:
    miles = q(rng, 1, 50000, 1) * (-1 if negative else 1)
    section, key, field_ = (("personalVehicleRentalCarOrTaxiBusinessTravel", "vehicleType", "vehicleMiles")
                            if mode in PERSONAL else ("airBusinessTravel", "flightLength", "passengerMiles")
                            if mode in AIR else ("railOrBusBusinessTravel", "vehicleType", "passengerMiles"))
    n = _counter("travel")
    return Record("travel", f"TR{n:03d}", {"mode": snake(mode), "quantity": str(miles), "unit": "mile"},
                  {section: [{key: mode, field_: float(miles)}]}, {"mode": mode, "quantity": miles})


def commuting(rng: random.Random) -> list[Record]:
    out = []
    for mode in PERSONAL + RAIL_BUS + rng.sample(PERSONAL + RAIL_BUS, 9) + ["passengerCars", "bus"]:
        negative = len(out) >= 18
        miles = q(rng, 1, 80000, 1) * (-1 if negative else 1)
        section, key, field_ = (("personalVehicle", "vehicleType", "vehicleMiles") if mode in PERSONAL
                                else ("publicTransportation", "transportType", "passengerMiles"))
        n = _counter("commuting")
        out.append(Record("commuting", f"CM{n:03d}", {"mode": snake(mode), "quantity": str(miles), "unit": "mile"},
                          {section: [{"sourceId": f"CM{n:03d}", "sourceDescription": None, key: mode,
                                     field_: float(miles)}]}, {"mode": mode, "quantity": miles}))
    return out


TRANSPORT_MILES = ["mediumAndHeavyDutyTruck", "lightDutyTruck", "passengerCars"]
TRANSPORT_TON_MILES = ["mediumAndHeavyDutyTruck", "rail", "aircraft", "waterborneCraft"]


def transport(rng: random.Random) -> list[Record]:
    out = []
    plan = [(m, "vehicle_mile") for m in TRANSPORT_MILES for _ in range(3)] + \
           [(m, "ton_mile") for m in TRANSPORT_TON_MILES for _ in range(3)] + [("rail", "ton_mile"), ("passengerCars", "vehicle_mile")]
    for i, (mode, basis) in enumerate(plan):
        negative = i >= len(plan) - 2
        amount = q(rng, 1, 200000, 1) * (-1 if negative else 1)
        n = _counter("transport")
        if basis == "vehicle_mile":
            peer = {"productTransportByVehicleMiles": [{"vehicleType": mode, "vehicleMiles": float(amount)}]}
            unit = "mile"
        else:
            peer = {"productTransportByTonMiles": [{"vehicleType": mode, "shortTonMiles": float(amount)}]}
            unit = "short_ton*mile"
        out.append(Record("transport", f"PT{n:03d}", {"mode": snake(mode), "basis": basis, "quantity": str(amount),
                                                       "unit": unit}, peer, {"mode": mode, "quantity": amount}))
    return out


# ---------------------------------------------------------------------------- waste

WASTE_UNITS = {"gram": "g", "kilogram": "kg", "metricTon": "tonne", "pounds": "lb", "shortTon": "short_ton"}


def waste(rng: random.Random) -> list[Record]:
    factors = peer_json("waste_emission_factors")
    pairs = [(m, d) for m, methods in factors.items() for d in methods]
    out = []
    for material, method in rng.sample(pairs, 45):
        unit = rng.choice(list(WASTE_UNITS))
        amount = q(rng, 1, 900000, 1) if unit == "gram" else q(rng, 0.1, 5000, 3)
        n = _counter("waste")
        out.append(Record("waste", f"WS{n:03d}",
                          {"waste_type": snake(material), "treatment": snake(method), "quantity": str(amount),
                           "unit": WASTE_UNITS[unit]},
                          {"wasteDisposal": [{"sourceId": f"WS{n:03d}", "sourceDescription": None,
                                              "wasteMaterial": material, "disposalMethod": method,
                                              "weight": float(amount), "unit": unit}]},
                          {"unit": unit, "quantity": amount}))
    return out


FAMILIES = {"stationary": stationary, "mobile": mobile, "refrigerant": refrigerant, "electricity": electricity,
            "steam": steam, "travel": travel, "commuting": commuting, "transport": transport, "waste": waste}


def generate(seed: int = SEED) -> dict[str, list[Record]]:
    """Every family's records; the same seed gives the same records."""
    _COUNTERS.clear()
    rng = random.Random(seed)
    return {family: make(rng) for family, make in FAMILIES.items()}
