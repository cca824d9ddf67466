"""Run atomic6ghg (the peer) on one record and read its result as kilograms, exactly.

The peer reports CO2 in kg, CH4 and N2O in g (electricity: every gas in lb), totals in metric
tons. Those are *its* units; turning them into kg here uses exact definitions (1 g = 0.001 kg,
1 t = 1000 kg, 1 lb = 0.45359237 kg), so any constant the peer itself uses stays visible in its
numbers. Each float becomes the decimal it is via repr.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from decimal import Decimal

from atomic6ghg.formulas.business_travel import BusinessTravel
from atomic6ghg.formulas.commuting import Commuting
from atomic6ghg.formulas.electricity import Electricity
from atomic6ghg.formulas.mobile_sources import MobileSources
from atomic6ghg.formulas.product_transport import ProductTransport
from atomic6ghg.formulas.refrigeration_and_ac import RefrigerationAndAc
from atomic6ghg.formulas.stationary_combustion import StationaryCombustion
from atomic6ghg.formulas.steam import Steam
from atomic6ghg.formulas.waste import Waste

from .records import Record, peer_float

G, T, LB = Decimal("0.001"), Decimal(1000), Decimal("0.45359237")


@dataclass
class PeerResult:
    values: dict[str, Decimal | None]   # kg; None where the peer does not report that quantity
    error: str | None = None            # the exception the peer raised, if it did


def _vec(co2=None, ch4=None, n2o=None, bio=None, co2e=None) -> dict:
    return {"CO2": co2, "CH4": ch4, "N2O": n2o, "bio": bio, "CO2e": co2e}


def run(record: Record) -> PeerResult:
    logging.getLogger("atomic6ghg").setLevel(logging.CRITICAL)  # the peer logs, then zeroes, unmappable years
    try:
        return PeerResult(RUNNERS[record.family](record.peer))
    except Exception as error:  # noqa: BLE001 - the peer's failure is a result to classify
        return PeerResult(_vec(), f"{type(error).__name__}: {error}")


def _stationary(wks):
    peer = StationaryCombustion(wks)
    total = peer._total_emissions["totalEmissionsForAllFuels"]
    out = peer.to_dict()
    return _vec(peer_float(peer._total_emissions["totalFossilFuelEmissions"]["CO2"]),
                peer_float(total["CH4"]) * G, peer_float(total["N2O"]) * G,
                peer_float(out["totalBiomassEquivalentEmissions"]) * T, peer_float(out["totalCO2EquivalentEmissions"]) * T)


def _mobile(wks):
    peer = MobileSources(wks)
    total, out = peer._total_emissions, peer.to_dict()
    return _vec(peer_float(total["CO2"]), peer_float(total["CH4"]) * G, peer_float(total["N2O"]) * G,
                peer_float(out["totalBiomassCO2EquivalentEmissions"]) * T, peer_float(out["totalCO2EquivalentEmissions"]) * T)


def _refrigerant(wks):
    return _vec(co2e=peer_float(RefrigerationAndAc(wks).to_dict()["totalCO2EquivalentEmissions"]) * T)


def _electricity(wks):
    out = Electricity(wks).to_dict()
    total = out["totalEmissionsForAllSources"]
    return _vec(*(peer_float(total[f"locationBasedEmissions{gas}Emissions"]) * LB for gas in ("CO2", "CH4", "N2O")),
                co2e=peer_float(out["CO2EquivalentEmissionsLocationBasedElectricityEmissions"]) * T)


def _steam(wks):
    out = Steam(wks).to_dict()
    total = out["emissionsBySourceAndFuelType"][-1]
    return _vec(peer_float(total["locationBasedCO2Emissions"]), peer_float(total["locationBasedCH4Emissions"]) * G,
                peer_float(total["locationBasedN2OEmissions"]) * G,
                co2e=peer_float(out["CO2EquivalentEmissionsLocationBasedElectricityEmissions"]) * T)


def _sections(sections: list[dict], co2e: float):
    return _vec(*(sum((peer_float(s[gas]) for s in sections), Decimal(0)) * (1 if gas == "CO2" else G)
                  for gas in ("CO2", "CH4", "N2O")), co2e=peer_float(co2e) * T)


def _travel(wks):
    out = BusinessTravel(wks).to_dict()
    return _sections([out["totalForAllPersonalVehicleBusinessTravel"], out["totalForAllRailAndBusBusinessTravel"],
                      out["totalForAllAirBusinessTravel"]], out["totalCO2EquivalentEmissions"])


def _commuting(wks):
    peer = Commuting(wks)
    out = peer.to_dict()
    return _sections([peer._total_emissions["personalVehicle"], peer._total_emissions["publicTransportation"]],
                     out["totalCO2EquivalentEmissions"])


def _transport(wks):
    peer = ProductTransport(wks)
    out = peer.to_dict()
    return _sections([peer._total_emissions_by_miles, peer._total_emissions_by_short_ton],
                     out["totalCO2EquivalentEmissions"])


def _waste(wks):
    return _vec(co2e=peer_float(Waste(wks).to_dict()["totalCO2EquivalentEmissions"]) * T)


RUNNERS = {"stationary": _stationary, "mobile": _mobile, "refrigerant": _refrigerant, "electricity": _electricity,
           "steam": _steam, "travel": _travel, "commuting": _commuting, "transport": _transport, "waste": _waste}
