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


WATER = register(Domain(
    name="water",
    sources=frozenset({Source.OUTAGES, Source.PLANNED_OUTAGES, Source.GAZETTEER, Source.FAQ}),
    finders=(SubjectFinder("street", streets),),
    categories=WaterCategory,
    words=Words.load(words_file(__file__)),
    other_category=WaterCategory.OTHER,
    help="a water utility: CAP 1.2 outage alerts, a CSV of planned interruptions, a gazetteer, a FAQ",
))
