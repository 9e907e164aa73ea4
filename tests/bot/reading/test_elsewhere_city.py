"""A city that is also the name of one of our stops (Rome's «Milano», «Bologna», «Venezia»): read as another
network when named as where a service is (bot/reading/elsewhere.yaml: where, at_stop, our_metro), else our stop."""

from __future__ import annotations

import pytest

from bot.domain import Action, Decision, Elsewhere, ElsewhereKind, Intent
from bot.reading.elsewhere import ELSEWHERE
from bot.reading.model import Reading
from bot.reading.router import Router
from tests.bot.eval_knowledge import eval_knowledge
from tests.conftest import EVAL_NOW

CITIES = ("milano", "bologna", "venezia")  # the stops of ours a fake network names


def _still_ours(rest: str) -> bool:
    """A fake network whose only stops are those three cities' names."""
    return any(city in rest.lower() for city in CITIES)


def _calm(language: str) -> Reading:
    probabilities = {i: (0.9 if i == Intent.STATUS else 0.02) for i in Intent}
    return Reading(Intent.STATUS, probabilities, 0.01, False, None, language=language, language_probability=0.9)


def _read(text: str, lang: str = "it") -> Decision:
    return Router(eval_knowledge()).read(text, now=EVAL_NOW, reading=_calm(lang)).decision


@pytest.mark.parametrize(("text", "city"), [
    ("il tram 9 a Milano è in ritardo?", "Milano"),
    ("metro a Milano chiusa?", "Milano"),
    ("treni per Bologna in ritardo?", "Bologna"),
    ("is the bus in Bologna on strike today?", "Bologna"),
    ("il vaporetto a Venezia funziona oggi?", "Venezia"),
])
def test_a_city_named_as_where_the_service_is_is_another_network(text: str, city: str) -> None:
    assert ELSEWHERE.find_city(text, still_ours=_still_ours) == Elsewhere(ElsewhereKind.PLACE, city)


@pytest.mark.parametrize("text", [
    "fermata Bologna chiusa?",  # no preposition: the stop's name
    "we're at Bologna, is the train coming?",  # at: a stop's word
    "scendo a Bologna, c'è l'ascensore?",  # getting off there
    "sono a Venezia da mezz'ora, passa qualcosa?",  # waiting there
    "il bus ferma a Venezia oggi?",
    "metro B tra Bologna e Tiburtina ferma",
    "arrivano amici da Milano per 3 giorni, c'è un biglietto?",  # where visitors come from
    "il tram a Milano come a Roma?",  # Rome named
])
def test_a_city_named_as_a_stop_or_beside_rome_is_not_another_network(text: str) -> None:
    assert ELSEWHERE.find_city(text, still_ours=_still_ours) is None


def test_metro_words_keep_a_city_that_is_one_of_our_metro_stations_ours() -> None:
    text = "la metro a Bologna funziona?"
    assert ELSEWHERE.find_city(text, still_ours=_still_ours, metro_station=True) is None
    assert ELSEWHERE.find_city(text, still_ours=_still_ours) == Elsewhere(ElsewhereKind.PLACE, "Bologna")


def test_another_stop_of_ours_named_beside_the_city_keeps_the_message_ours() -> None:
    assert ELSEWHERE.find_city("il tram a Milano passa da Termini?", still_ours=lambda rest: True) is None


@pytest.mark.parametrize(("text", "lang"), [
    ("il tram 9 a Milano è in ritardo?", "it"),
    ("metro a Milano chiusa?", "it"),
    ("treni per Bologna in ritardo?", "it"),
    ("is the bus in Bologna running today?", "en"),
])
def test_the_router_reads_such_a_city_as_another_network_and_names_no_stop_of_ours(text: str, lang: str) -> None:
    decision = _read(text, lang)
    assert decision.elsewhere is not None and decision.elsewhere.kind == ElsewhereKind.PLACE
    assert (decision.stops, decision.alert_ids, decision.action) == ((), (), Action.REVIEW)


@pytest.mark.parametrize("text", [
    "fermata Bologna chiusa?",
    "metro B Bologna chiusa?",
    "scendo a Bologna sulla metro B, è aperta?",
    "la metro a Bologna funziona?",  # one of our metro stations, with a metro word
    "piazza Bologna il 61 passa?",
    "via Milano è chiusa al traffico?",
    "il 64 passa da Venezia?",
    "il tram 8 a Milano?",  # a line of ours
    "la metro a Milano ferma a Termini?",  # another stop of ours
])
def test_the_router_keeps_a_stop_or_line_of_ours_ours(text: str) -> None:
    assert _read(text).elsewhere is None


def test_a_person_in_danger_in_such_a_city_is_escalated_as_anywhere() -> None:
    probabilities = {i: (0.9 if i == Intent.EMERGENCY else 0.02) for i in Intent}
    danger = Reading(Intent.EMERGENCY, probabilities, 0.99, True, None, language="it", language_probability=0.9)
    text = "a Milano sul tram un uomo è svenuto e non respira, aiuto"
    decision = Router(eval_knowledge()).read(text, now=EVAL_NOW, reading=danger).decision
    assert (decision.intent, decision.action, decision.elsewhere) == (Intent.EMERGENCY, Action.ESCALATE, None)
