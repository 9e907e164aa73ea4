"""From a message to the outage covering the street it names, or an honest 'none known'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from knowledge.gazetteer import Gazetteer, Street
from knowledge.outages import Outage, OutageIndex, Place


class Finding(StrEnum):
    """What the lookup could establish."""

    COVERED = "covered"  # the street (or its whole municipality) is inside an outage in force
    NONE_KNOWN = "none_known"  # the street is known and no outage in force covers it
    AMBIGUOUS = "ambiguous"  # the street name fits streets of several municipalities
    NO_STREET = "no_street"  # the message names no street of the gazetteer


@dataclass(frozen=True)
class OutageLookup:
    """The finding, the street found (or the candidates) and the outages covering it, the newest first."""

    finding: Finding
    street: Street | None = None
    candidates: tuple[Street, ...] = ()
    municipality_code: str | None = None
    outages: tuple[Outage, ...] = ()


def find_outage(gazetteer: Gazetteer, outages: OutageIndex, text: str, now: datetime) -> OutageLookup:
    """Find the street ``text`` names and the outages in force at ``now`` that cover it."""
    match = gazetteer.find(text)
    if match is None or match.street is None:
        code = match.municipality_code if match else gazetteer.municipality(text)
        covering = tuple(outages.covering(Place(code=code), now)) if code else ()
        if covering:
            return OutageLookup(Finding.COVERED, municipality_code=code, outages=covering)
        finding = Finding.AMBIGUOUS if match is not None else Finding.NO_STREET
        return OutageLookup(finding, candidates=match.candidates if match else (), municipality_code=code)
    covering = tuple(outages.covering(match.street.place, now))
    finding = Finding.COVERED if covering else Finding.NONE_KNOWN
    return OutageLookup(finding, match.street, match.candidates, match.street.code, covering)
