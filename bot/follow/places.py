"""Places a citizen can follow on a water or waste desk (a street, a district or zone, a municipality, a service
point): found by the gazetteers' subject finders, named back in the citizen's language."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.subjects import Subject, SubjectKind
from knowledge.gazetteer import Gazetteer
from knowledge.outages import Place
from knowledge.places import AREA_CUE_WORDS
from knowledge.streetnames import STREET_TYPES, street_key, words

#: The subject kinds a follower may follow as a place (an address is followed as its street).
PLACE_KINDS: frozenset[SubjectKind] = frozenset({
    SubjectKind.STREET, SubjectKind.DISTRICT, SubjectKind.ZONE, SubjectKind.MUNICIPALITY, SubjectKind.SERVICE_POINT,
})
#: The most precise first, when two services' gazetteers find different places in the same words.
_PRECISION = {SubjectKind.SERVICE_POINT: 0, SubjectKind.STREET: 1, SubjectKind.DISTRICT: 2, SubjectKind.ZONE: 2,
              SubjectKind.MUNICIPALITY: 3}
_AREA_WORD = {"it": {SubjectKind.DISTRICT: "quartiere", SubjectKind.ZONE: "zona"},
              "en": {SubjectKind.DISTRICT: "district", SubjectKind.ZONE: "zone"}}


def names_street(text: str) -> bool:
    """Whether the words name a street ("via", "corso", "piazza", ...)."""
    return any(w in STREET_TYPES for w in words(text))


def is_place(kind: str) -> bool:
    """Whether a follower's ``kind`` is a place's."""
    return kind in {str(k) for k in PLACE_KINDS}


@dataclass(frozen=True)
class PlaceTarget:
    """A followed place: its subject kind and id (``followers.kind`` and ``target``)."""

    kind: SubjectKind
    id: str

    @property
    def key(self) -> str:
        """``kind:id``, as outage events list the places they cover."""
        return f"{self.kind}:{self.id}"


class PlaceFinder:
    """The places of every service's gazetteer (a desk of several shares one list of places to follow)."""

    def __init__(self, gazetteers: Sequence[Gazetteer] = ()) -> None:
        self.gazetteers = tuple(g for g in gazetteers if len(g))

    def __bool__(self) -> bool:
        return bool(self.gazetteers)

    def find(self, text: str) -> PlaceTarget | None:
        """The place ``text`` names, the most precise first (a service point, a street, an area, a municipality).
        A street the gazetteers lack is not taken for its town: "via Garibaldi a Bari" finds nothing."""
        best: PlaceTarget | None = None
        for gazetteer in self.gazetteers:  # each service's gazetteer: the most precise place any of them finds
            place = next((s for s in gazetteer.subjects(text) if s.kind in PLACE_KINDS), None)  # an address: its street
            if place is None:
                continue
            if place.kind == SubjectKind.MUNICIPALITY and names_street(text):
                continue
            if best is None or _PRECISION[place.kind] < _PRECISION[best.kind]:
                best = PlaceTarget(place.kind, place.id)
        return best

    def known(self, kind: str, ident: str) -> tuple[Subject, Place] | None:
        """The place's subject and where it lies, from the first gazetteer that has it."""
        for gazetteer in self.gazetteers:
            found = gazetteer.known(SubjectKind(kind), ident)
            if found is not None:
                return found
        return None

    def label(self, kind: str, ident: str, lang: str) -> str:
        """How a followed place is named ("via Sparano da Bari, Bari", "quartiere Murat, Bari")."""
        found = self.known(kind, ident)
        if found is None:
            return ident
        subject = found[0]
        if subject.kind == SubjectKind.MUNICIPALITY:
            return f"comune di {subject.name}" if lang == "it" else f"the municipality of {subject.name}"
        word = _AREA_WORD["en" if lang == "en" else "it"].get(subject.kind)
        if word is None or street_key(subject.name).split()[0] in AREA_CUE_WORDS:
            return subject.name
        name, _sep, town = subject.name.partition(", ")
        named = f"{word} {name}" if lang != "en" else f"{name} {word}"
        return f"{named}, {town}" if town else named

    def argument(self, kind: str, ident: str, lang: str) -> str:
        """Words that find the place again in a command ("Via Sparano da Bari a Bari", "quartiere Murat a Bari")."""
        found = self.known(kind, ident)
        if found is None:
            return ident
        subject = found[0]
        if subject.kind == SubjectKind.MUNICIPALITY:
            return f"comune di {subject.name}" if lang == "it" else f"municipality of {subject.name}"
        name, _sep, town = subject.name.partition(", ")
        word = _AREA_WORD["it"].get(subject.kind)
        if word is not None and street_key(name).split()[0] not in AREA_CUE_WORDS:
            name = f"{word} {name}"
        return f"{name} a {town}" if town else name
