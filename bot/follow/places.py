"""Places a citizen can follow on a water or waste desk (a street, a district or zone, a municipality, a service
point): found by the gazetteers' subject finders, named back in the citizen's language."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.subjects import Subject, SubjectKind
from knowledge.gazetteer import Gazetteer
from knowledge.outages import Place
from knowledge.places import AREA_CUE_WORDS
from knowledge.streetnames import STREET_TYPES, fold, street_key, words

if TYPE_CHECKING:
    from knowledge.store import Knowledge

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


def _same(place: Subject) -> str:
    """What makes two services' places one: an area's or street's name and town (their files' ids may differ);
    a service point is its own (a water depot and a waste depot of one street are two)."""
    if place.kind == SubjectKind.SERVICE_POINT:
        return place.id
    return street_key(place.label or place.id) if place.kind != SubjectKind.MUNICIPALITY else place.id


_Found = tuple[tuple[str, str], Subject]


@dataclass(frozen=True)
class PlaceLook:
    """What a follow request names: one place (``target``), or the different places several services'
    gazetteers name equally well (``tied``: each service's name, label and place) for the citizen to choose."""

    target: PlaceTarget | None = None
    tied: tuple[tuple[str, str, Subject], ...] = ()

    def __bool__(self) -> bool:
        return self.target is not None or bool(self.tied)


class PlaceFinder:
    """The places of every service's gazetteer (a desk of several shares one list of places to follow).

    ``services``: each gazetteer's service name and label, in the same order (a desk of several);
    ``service_words``: each service's words naming it ("acqua", "rifiuti"), to tell tied places apart."""

    def __init__(self, gazetteers: Sequence[Gazetteer] = (), *, services: Sequence[tuple[str, str]] = (),
                 service_words: Mapping[str, Callable[[str], tuple[str, ...]]] | None = None) -> None:
        named = list(services) or [("", "")] * len(gazetteers)
        kept = [(g, n) for g, n in zip(gazetteers, named, strict=True) if len(g)]
        self.gazetteers = tuple(g for g, _n in kept)
        self.services = tuple(n for _g, n in kept)
        self.service_words = dict(service_words or {})

    @classmethod
    def of_services(cls, services: Mapping[str, tuple[str, Knowledge]]) -> PlaceFinder:
        """Every service's gazetteer (name: its label and knowledge), its domain's words and its label naming it."""
        def naming(label: str, knowledge: Knowledge) -> Callable[[str], tuple[str, ...]]:
            said = re.compile(r"\b" + re.escape(fold(label)) + r"\b") if label.strip() else None

            def named(text: str) -> tuple[str, ...]:
                found = knowledge.domain.service_words(text)
                return found or ((label,) if said is not None and said.search(fold(text)) else ())
            return named

        return cls([kn.outages.gazetteer for _label, kn in services.values()],
                   services=[(name, label) for name, (label, _kn) in services.items()],
                   service_words={name: naming(label, kn) for name, (label, kn) in services.items()})

    def __bool__(self) -> bool:
        return bool(self.gazetteers)

    def find(self, text: str, service: str | None = None) -> PlaceTarget | None:
        """The one place ``text`` names (see :meth:`look`); None when none is, or when services' places tie."""
        return self.look(text, service).target

    def look(self, text: str, service: str | None = None) -> PlaceLook:
        """The place ``text`` names, the most precise any service's gazetteer finds (a service point, a street,
        an area, a municipality). A street the gazetteers lack is not taken for its town: "via Garibaldi a Bari"
        finds nothing. When services' gazetteers name different places equally precisely (a water depot and a
        waste depot of via Modugno), the message's ``service`` decides; else the place whose name is said more
        fully; else the one service the words name ("... dei rifiuti"); else they are returned as ``tied``. The
        same area or street in two services' files (the same kind and name) is one place, not a tie."""
        found: list[tuple[tuple[str, str], Subject]] = []
        for gazetteer, named in zip(self.gazetteers, self.services, strict=True):
            place = next((s for s in gazetteer.subjects(text) if s.kind in PLACE_KINDS), None)  # an address: its street
            if place is None or (place.kind == SubjectKind.MUNICIPALITY and names_street(text)):
                continue
            found.append((named, place))
        if not found:
            return PlaceLook()
        best = min(_PRECISION[p.kind] for _n, p in found)
        tied: dict[tuple[str, str], tuple[tuple[str, str], Subject]] = {}
        for named, place in found:  # one entry per place; the same area or street named alike is one place
            same = (str(place.kind), _same(place))
            if _PRECISION[place.kind] == best and (same not in tied or named[0] == service):
                tied[same] = (named, place)  # the message's service's own id, when it has the place too
        candidates = list(tied.values())
        said = set(words(text))

        def by_service(cs: list[_Found]) -> list[_Found]:
            return [c for c in cs if service and c[0][0] == service]

        def by_name(cs: list[_Found]) -> list[_Found]:  # "deposito mezzi di via Modugno": the waste depot's name
            heard = {id(c): len(said & set(street_key((c[1].label or c[1].id).partition(", ")[0]).split())) for c in cs}
            most = max(heard.values())
            return [c for c in cs if heard[id(c)] == most]

        def by_words(cs: list[_Found]) -> list[_Found]:
            return [c for c in cs if c[0][0] in self.service_words and self.service_words[c[0][0]](text)]

        for narrow in (by_service, by_name, by_words):
            if len(candidates) > 1:
                candidates = narrow(candidates) or candidates
        if len(candidates) == 1:
            place = candidates[0][1]
            return PlaceLook(PlaceTarget(place.kind, place.id))
        return PlaceLook(tied=tuple((n[0], n[1], p) for n, p in candidates))

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
