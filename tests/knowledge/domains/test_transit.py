"""Transit's words: complaint topics as replies have always named them, and the words that name public transport."""

from __future__ import annotations

import pytest

from bot.domain import Category
from knowledge.domains import domain_named

TRANSIT = domain_named("transit")


@pytest.mark.parametrize(("category", "it", "en"), [
    (Category.DELAY, "il ritardo", "the delay"),
    (Category.STAFF, "il comportamento del personale", "the staff's behaviour"),
    (Category.CLIMATE, "la climatizzazione", "the heating or air conditioning"),
    (Category.OTHER, "il disagio", "the problem"),
    (None, "il disagio", "the problem"),
])
def test_a_complaint_topic_is_named_as_before(category: Category | None, it: str, en: str) -> None:
    code = str(category) if category else None
    assert (TRANSIT.topic(code, "it"), TRANSIT.topic(code, "en")) == (it, en)


def test_its_categories_are_learned_by_the_reader() -> None:
    assert TRANSIT.learned_categories and TRANSIT.categories is Category


@pytest.mark.parametrize("text", ["il bus 64 non passa", "la metro è ferma", "alla fermata di Termini", "tram 8 in ritardo"])
def test_words_of_public_transport_name_the_service(text: str) -> None:
    assert TRANSIT.service_words(text)


@pytest.mark.parametrize("text", ["senza acqua in via Roma", "dove butto il vetro?"])
def test_other_services_words_are_not_transits(text: str) -> None:
    assert not TRANSIT.service_words(text) and not TRANSIT.says_missing(text)


def test_a_problem_is_reported_with_the_line_the_stop_and_the_time() -> None:
    assert TRANSIT.report_details("it") == "linea, fermata e orario"
    assert TRANSIT.report_details("en") == "the line, the stop and the time"
