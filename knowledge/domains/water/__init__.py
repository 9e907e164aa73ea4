"""Water: a utility without lines and stops; CAP outage alerts, planned interruptions, streets and a FAQ."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from knowledge.domains.base import Domain, Source, SubjectFinder, Words, register, words_file

if TYPE_CHECKING:
    from knowledge.store import Knowledge


class WaterCategory(StrEnum):
    """What a complaint to a water utility is about (found from the words file's cues, in this order)."""

    LEAK = "leak"
    SEWER = "sewer"
    QUALITY = "quality"
    PRESSURE = "pressure"
    METER = "meter"
    BILLING = "billing"
    FOUNTAIN = "fountain"
    STAFF = "staff"
    OTHER = "other"


def streets(knowledge: Knowledge, text: str) -> tuple[str, ...]:
    """The street of the territory a message names ("Via Sparano da Bari, Bari"), if the gazetteer has it."""
    gazetteer = knowledge.outages.gazetteer
    found = gazetteer.find(text) if len(gazetteer) else None
    street = found.street if found is not None else None
    if street is None:
        return ()
    return (f"{street.name}, {street.municipality}" if street.municipality else street.name,)


def service_points(knowledge: Knowledge, text: str) -> tuple[str, ...]:
    """The service point a message names ("la fontanella di piazza Umberto I"), if the gazetteer has it: one
    of this service's own points, so finding it names the service."""
    found = knowledge.outages.gazetteer.find_point(text)
    return (found.point.subject.name,) if found is not None and found.point is not None else ()


def areas(knowledge: Knowledge, text: str) -> tuple[str, ...]:
    """The district or zone a message names ("quartiere Murat"), if the gazetteer has it."""
    found = knowledge.outages.gazetteer.find_area(text)
    return (found.subject.name,) if found is not None else ()


FINDERS = (SubjectFinder("street", streets), SubjectFinder("service_point", service_points, tells_service=True),
           SubjectFinder("area", areas))

WATER = register(Domain(
    name="water",
    sources=frozenset({Source.OUTAGES, Source.PLANNED_OUTAGES, Source.GAZETTEER, Source.FAQ}),
    finders=FINDERS,
    categories=WaterCategory,
    words=Words.load(words_file(__file__)),
    other_category=WaterCategory.OTHER,
    help="a water utility: CAP 1.2 outage alerts, a CSV of planned interruptions, a gazetteer, a FAQ",
))
