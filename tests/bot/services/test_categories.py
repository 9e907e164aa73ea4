"""The complaint categories a message may take: its service's domain's (bot.services.categories)."""

from __future__ import annotations

from bot.config import Settings
from bot.domain import Category
from bot.services import UNDECIDED
from bot.services.categories import categories_of, category_labels
from knowledge.domains.waste import WasteCategory
from knowledge.domains.water import WaterCategory

CITY = Settings(services={"bus": {"knowledge": {"domain": "transit"}}, "water": {"knowledge": {"domain": "water"}},
                          "waste": {"knowledge": {"domain": "waste"}}})


def test_one_service_takes_its_domains_categories() -> None:
    assert categories_of(Settings(), None) == tuple(str(c) for c in Category)
    assert categories_of(Settings(knowledge={"domain": "water"}), None) == tuple(str(c) for c in WaterCategory)


def test_a_service_of_a_desk_takes_its_domains_categories() -> None:
    assert categories_of(CITY, "water") == tuple(str(c) for c in WaterCategory)
    assert categories_of(CITY, "bus") == tuple(str(c) for c in Category)


def test_an_undecided_message_takes_any_services_categories_each_once() -> None:
    codes = categories_of(CITY, UNDECIDED)
    assert set(codes) == {str(c) for c in (*Category, *WaterCategory, *WasteCategory)}
    assert len(codes) == len(set(codes))


def test_a_category_is_named_by_the_console_word_else_the_domains_topic() -> None:
    labels = category_labels(CITY, "water", "it", {"staff": "personale"}.get)
    assert (labels["staff"], labels["leak"]) == ("personale", "la perdita d'acqua")
