"""Synonyms for `tanso suggest`: the words ledgers and invoices use for fuels, energy, waste, goods
and services, in Japanese and English, each term with its source (data/vocabulary/*.csv)."""

from __future__ import annotations

from pathlib import Path

from tanso.contracts import Vocabulary


def _path(name: str) -> Path:
    return Path(__file__).parent / "data" / "vocabulary" / f"{name}.csv"   # not importlib.resources: off check's path


VOCABULARIES = [
    Vocabulary("ghgp-fuels-energy-waste", _path("fuels_energy_waste"),
               "fuels, electricity, heat, refrigerants and waste treatments: MoE 算定・報告・公表制度, EPA Hub and "
               "DESNZ names, and invoice wording"),
    Vocabulary("ghgp-goods-services", _path("goods_services"),
               "purchased goods and services: the Japanese input-output table's sector names, NAICS titles, "
               "Japanese account names and invoice wording"),
]
