"""Transit: lines and stops from GTFS, GTFS-Realtime alerts and trip updates, complaint categories the reader learned."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.domain import Category
from knowledge.domains.base import Domain, Source, SubjectFinder, Words, register, words_file
from knowledge.lines import find_routes
from knowledge.stops import find_stops

if TYPE_CHECKING:
    from knowledge.store import Knowledge


def _lines(knowledge: Knowledge, text: str) -> tuple[str, ...]:
    return tuple(find_routes(knowledge.gtfs, text))


def _stops(knowledge: Knowledge, text: str) -> tuple[str, ...]:
    return tuple(mention.name for mention in find_stops(knowledge.gtfs, text))


TRANSIT = register(Domain(
    name="transit",
    sources=frozenset({Source.GTFS, Source.ALERTS, Source.TRIP_UPDATES, Source.FAQ}),
    finders=(SubjectFinder("line", _lines, tells_service=True), SubjectFinder("stop", _stops, tells_service=True)),
    categories=Category,
    words=Words.load(words_file(__file__)),
    learned_categories=True,
    other_category=Category.OTHER,
    help="buses, trams and metro: GTFS (optional), GTFS-Realtime alerts and trip updates, a FAQ",
))
