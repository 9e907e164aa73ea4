"""Water's words: complaint categories from what citizens write, outage talk, the words that name the service."""

from __future__ import annotations

import pytest

from knowledge.domains import domain_named
from knowledge.domains.water import WaterCategory

WATER = domain_named("water")


@pytest.mark.parametrize(("text", "category"), [
    ("c'è una perdita d'acqua in via Roma da ieri", WaterCategory.LEAK),
    ("tubo rotto davanti al civico 12", WaterCategory.LEAK),
    ("il tombino davanti casa è intasato e puzza", WaterCategory.SEWER),
    ("l'acqua esce torbida dal rubinetto", WaterCategory.QUALITY),
    ("il contatore è rotto", WaterCategory.METER),
    ("mi avete addebitato due volte la bolletta", WaterCategory.BILLING),
    ("la fontanella di piazza Garibaldi è rotta", WaterCategory.FOUNTAIN),
    ("l'operatore al telefono è stato scortese", WaterCategory.STAFF),
    ("nessuno mi risponde da giorni", WaterCategory.OTHER),
])
def test_a_complaint_is_given_its_category(text: str, category: WaterCategory) -> None:
    assert WATER.category_of(text) is category


@pytest.mark.parametrize("text", ["via Sparano senza acqua", "non esce acqua dal rubinetto", "no water since 7"])
def test_outage_talk_is_recognised(text: str) -> None:
    assert WATER.says_missing(text)


@pytest.mark.parametrize("text", ["Come pago la bolletta dell'acqua?", "non hanno ritirato la spazzatura", "il 64 è in ritardo"])
def test_other_messages_are_not_water_outage_talk(text: str) -> None:
    assert not WATER.says_missing(text)


def test_the_reply_names_the_category_in_the_citizens_language() -> None:
    assert (WATER.topic("leak", "it"), WATER.topic("leak", "en")) == ("la perdita d'acqua", "the water leak")


def test_a_problem_is_reported_with_the_street_and_since_when() -> None:
    assert WATER.report_details("it") == "via, numero civico e da quando"
    assert WATER.report_details("en") == "the street, the house number and since when"
