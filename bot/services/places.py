"""The places an agent may name when correcting a message: subjects of its service's gazetteer, checked.

A place is written as its subject key, ``kind:id`` (``street:072006:via argiro``, ``district:BA-MURAT``,
``service_point:FONT-BA-UMBERTO``, ``municipality:072006``), or with the label people read after the kind
(``street:Via Argiro, Bari``); an address is its street and a house number (``address:072006:via argiro:7``).
Anything the service's gazetteer does not hold is refused, naming the known kinds or a few known places.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from bot.config import Settings
from bot.errors import BadInput
from bot.subjects import TRANSIT_KINDS, Subject, SubjectKind
from knowledge.addresses import NUMBER, address_subject
from knowledge.gazetteer import Gazetteer, GazetteerError

#: The kinds a correction's places may take (lines and stops have their own fields).
PLACE_KINDS: tuple[SubjectKind, ...] = tuple(k for k in SubjectKind if k not in TRANSIT_KINDS)
#: At most this many known places are named in a refusal.
SHOWN = 8


class UnknownPlace(BadInput):
    """A correction names a place its service's gazetteer does not hold, or no place at all."""


def gazetteer_paths(settings: Settings, service: str | None) -> tuple[str, ...]:
    """The gazetteer files of ``service`` (the one service's when the deployment serves one)."""
    if not settings.services:
        return tuple(map(str, settings.knowledge.gazetteer or ()))
    chosen = settings.services.get(service or "")
    return tuple(map(str, chosen.knowledge.gazetteer or ())) if chosen is not None else ()


def service_gazetteer(settings: Settings, service: str | None) -> Gazetteer | None:
    """The service's gazetteer (read once per set of files and their times), or None when it has none."""
    paths = gazetteer_paths(settings, service)
    if not paths:
        return None
    stamps = tuple((p, Path(p).stat().st_mtime_ns if Path(p).exists() else 0) for p in paths)
    return _load(stamps)


@lru_cache(maxsize=8)
def _load(stamps: tuple[tuple[str, int], ...]) -> Gazetteer | None:
    try:
        return Gazetteer.load([p for p, _ in stamps])
    except GazetteerError:
        return None


def _of_kind(gazetteer: Gazetteer, kind: SubjectKind) -> list[Subject]:
    if kind == SubjectKind.STREET:
        return [s.subject for s in gazetteer.streets]
    if kind == SubjectKind.SERVICE_POINT:
        return [p.subject for p in gazetteer.places.points]
    if kind == SubjectKind.MUNICIPALITY:
        return list(gazetteer.municipalities())
    return [a.subject for a in gazetteer.places.areas if a.kind == kind]


def _find(candidates: list[Subject], said: str) -> Subject | None:
    """The candidate whose id is ``said``, else whose label is (case aside), else whose name before the town is,
    when only one is."""
    folded = said.strip().casefold()
    for match in (lambda s: s.id == said.strip(), lambda s: (s.label or "").casefold() == folded,
                  lambda s: (s.label or "").partition(", ")[0].casefold() == folded):
        found = [s for s in candidates if match(s)]
        if len(found) == 1:
            return found[0]
    return None


def resolve_places(settings: Settings, service: str | None, values: list[str],
                   kept: Mapping[str, Subject] | None = None) -> list[Subject]:
    """The places ``values`` name, as subjects of ``service`` with their labels; :class:`UnknownPlace` for a
    value that is no place key or that the service's gazetteer does not hold. A key in ``kept`` (the places
    the message already names) stands as it is, whatever the gazetteer holds now."""
    if not values:
        return []
    kept = kept or {}
    gazetteer = service_gazetteer(settings, service) if any(v not in kept for v in values) else None
    kinds = ", ".join(str(k) for k in PLACE_KINDS)
    found: list[Subject] = []
    for value in values:
        if value in kept:
            old = kept[value]
            subject = Subject(old.kind, old.id, old.label, service or old.service)
            if subject not in found:
                found.append(subject)
            continue
        kind_text, sep, rest = value.partition(":")
        if not sep or not rest.strip() or kind_text.strip() not in {str(k) for k in PLACE_KINDS}:
            msg = f"places: {value!r} is not a place; write kind:id with a kind among {kinds}"
            raise UnknownPlace(msg)
        kind = SubjectKind(kind_text.strip())
        if gazetteer is None or not len(gazetteer):
            whose = f"service {service}" if service else "this service"
            msg = f"places: {value!r}: {whose} has no gazetteer (knowledge.gazetteer), so it names no places"
            raise UnknownPlace(msg)
        subject = _address(gazetteer, rest) if kind == SubjectKind.ADDRESS else _find(_of_kind(gazetteer, kind), rest)
        if subject is None:
            raise UnknownPlace(_unknown(gazetteer, kind, value, service))
        subject = Subject(subject.kind, subject.id, subject.label, service)
        if subject not in found:
            found.append(subject)
    return found


def _address(gazetteer: Gazetteer, rest: str) -> Subject | None:
    street_said, _, number = rest.strip().rpartition(":")
    door = NUMBER.match(number.strip().casefold())
    if not street_said or door is None:
        return None
    street = _find(_of_kind(gazetteer, SubjectKind.STREET), street_said)
    return address_subject(street, f"{int(door.group(1))}{door.group(2) or ''}") if street is not None else None


def _unknown(gazetteer: Gazetteer, kind: SubjectKind, value: str, service: str | None) -> str:
    shown_kind = SubjectKind.STREET if kind == SubjectKind.ADDRESS else kind
    known = _of_kind(gazetteer, shown_kind)[:SHOWN]
    where = f" of service {service}" if service else ""
    if kind == SubjectKind.ADDRESS:
        hint = "an address is a known street and a house number, e.g. " + (
            f"address:{known[0].id}:12" if known else "address:CODE:street:12")
        return f"places: {value!r}: no such address{where}; {hint}"
    names = "; ".join(f"{s.key} ({s.label})" if s.label else s.key for s in known)
    return (f"places: {value!r}: the gazetteer{where} has no such {kind}; "
            + (f"known {kind} places: {names}" if names else f"it holds no {kind}"))
