"""Waste collection's words: complaint categories, missed-collection talk, the words that name the service."""

from __future__ import annotations

import pytest

from knowledge.domains import domain_named
from knowledge.domains.waste import WasteCategory

WASTE = domain_named("waste")


@pytest.mark.parametrize(("text", "category"), [
    ("in via Roma non hanno ritirato la plastica", WasteCategory.MISSED_COLLECTION),
    ("sacchi abbandonati all'angolo da una settimana", WasteCategory.DUMPING),
    ("il cassonetto è pieno e trabocca", WasteCategory.BIN),
    ("marciapiede sporco da giorni, mai visto lo spazzamento", WasteCategory.STREET_CLEANING),
    ("la TARI di quest'anno è sbagliata", WasteCategory.BILLING),
    ("il netturbino mi ha risposto male", WasteCategory.STAFF),
    ("nessuno risponde al numero verde", WasteCategory.OTHER),
])
def test_a_complaint_is_given_its_category(text: str, category: WasteCategory) -> None:
    assert WASTE.category_of(text) is category


@pytest.mark.parametrize("text", ["non hanno ritirato la spazzatura", "raccolta saltata in via Carroccio", "bins not collected"])
def test_missed_collection_is_recognised(text: str) -> None:
    assert WASTE.says_missing(text)


@pytest.mark.parametrize("text", ["dove butto il vetro?", "via Sparano senza acqua"])
def test_other_messages_are_not_missed_collection(text: str) -> None:
    assert not WASTE.says_missing(text)


@pytest.mark.parametrize("text", ["dove butto il vetro?", "quando passa l'umido?", "cassonetto pieno", "garbage not collected"])
def test_words_of_waste_name_the_service(text: str) -> None:
    assert WASTE.service_words(text)


def test_a_problem_is_reported_with_the_street_and_the_day() -> None:
    assert WASTE.report_details("it") == "via, numero civico e giorno"
    assert WASTE.everywhere("en") == "in waste collection"
