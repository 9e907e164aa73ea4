"""From a message to the outage covering the place it names (a service point, a street, a district or zone, a
municipality), or an honest 'none known'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.subjects import Subject
from knowledge.gazetteer import Gazetteer, Street
from knowledge.outages import Outage, OutageIndex, Place
from knowledge.places import ServicePoint


class Finding(StrEnum):
    """What the lookup could establish."""

    COVERED = "covered"  # the place (or its whole municipality) is inside an outage in force
    NONE_KNOWN = "none_known"  # the place is known and no outage in force covers it
    AMBIGUOUS = "ambiguous"  # the street or service point fits several of the gazetteer
    NO_STREET = "no_street"  # the message names no place of the gazetteer (a municipality at most)


@dataclass(frozen=True)
class OutageLookup:
    """The finding, the place found (``subject``; ``street`` when it is a street) or the candidates, and the
    outages covering it, the newest first."""

    finding: Finding
    street: Street | None = None
    candidates: tuple[Street, ...] = ()
    municipality_code: str | None = None
    outages: tuple[Outage, ...] = ()
    subject: Subject | None = None  # the service point, street, district or zone found
    points: tuple[ServicePoint, ...] = ()  # service points that fit equally (AMBIGUOUS)


def find_outage(gazetteer: Gazetteer, outages: OutageIndex, text: str, now: datetime) -> OutageLookup:
    """Find the place ``text`` names and the outages in force at ``now`` that cover it: a service point, else a
    street, else a district or zone, else the municipality."""
    point = gazetteer.find_point(text)
    if point is not None and point.point is not None:
        sp = point.point
        covering = tuple(outages.covering(sp.place(gazetteer.areas_holding([sp.point])), now))
        finding = Finding.COVERED if covering else Finding.NONE_KNOWN
        return OutageLookup(finding, municipality_code=sp.code, outages=covering, subject=sp.subject)
    match = gazetteer.find(text)
    if match is None or match.street is None:
        code = match.municipality_code if match else gazetteer.municipality(text)
        if match is None:
            area = gazetteer.find_area(text, code)
            if area is not None:
                covering = tuple(outages.covering(area.place, now))
                finding = Finding.COVERED if covering else Finding.NONE_KNOWN
                return OutageLookup(finding, municipality_code=area.code or code, outages=covering,
                                    subject=area.subject)
        covering = tuple(outages.covering(Place(code=code), now)) if code else ()
        if covering:
            return OutageLookup(Finding.COVERED, municipality_code=code, outages=covering)
        if match is None and point is not None:
            return OutageLookup(Finding.AMBIGUOUS, municipality_code=code, points=point.candidates)
        finding = Finding.AMBIGUOUS if match is not None else Finding.NO_STREET
        return OutageLookup(finding, candidates=match.candidates if match else (), municipality_code=code)
    street = match.street
    place = street.place
    held = gazetteer.areas_holding(street.points)
    if held:
        place = Place(points=place.points, code=place.code, street=place.street, areas=held)
    covering = tuple(outages.covering(place, now))
    finding = Finding.COVERED if covering else Finding.NONE_KNOWN
    return OutageLookup(finding, street, match.candidates, street.code, covering, subject=street.subject)
