"""What a message is about: typed subjects (a line, a stop, an area, a street, a service point).

A foundation module: it imports nothing of sportello's, so every part (the reader, the
problem log, the reports, each service's domain) can speak of subjects the same way.
A subject is named by its kind and an id that is stable within its service (a GTFS route or
stop id, an ISTAT municipality code, a street's id in the operator's gazetteer); its label is
what people read. A stop known only by its name has the name as its id.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

#: The service a subject, a message or a case belongs to when nothing says otherwise.
DEFAULT_SERVICE = "transit"


class SubjectKind(StrEnum):
    """What kind of thing a message or a report is about."""

    LINE = "line"  # a transit line (a GTFS route)
    STOP = "stop"  # a transit stop or station
    MUNICIPALITY = "municipality"  # an area: a comune (ISTAT code)
    DISTRICT = "district"  # an area: a quartiere, a municipio of a city
    ZONE = "zone"  # an area: a utility's own zone (a pressure zone, a collection round)
    STREET = "street"  # a street, without a house number
    ADDRESS = "address"  # a street and a house number
    SERVICE_POINT = "service_point"  # a fountain, a collection point, a depot, an office

    @property
    def is_area(self) -> bool:
        """Whether the subject covers a territory (municipality, district, zone)."""
        return self in AREA_KINDS


#: Kinds that cover a territory.
AREA_KINDS: frozenset[SubjectKind] = frozenset({SubjectKind.MUNICIPALITY, SubjectKind.DISTRICT, SubjectKind.ZONE})
#: Kinds the transit domain names (a decision's ``routes`` and ``stops`` are views of these).
TRANSIT_KINDS: frozenset[SubjectKind] = frozenset({SubjectKind.LINE, SubjectKind.STOP})


@dataclass(frozen=True)
class Subject:
    """One thing a message is about: its kind, its id, what people call it, its service."""

    kind: SubjectKind
    id: str
    label: str | None = None
    service: str | None = None  # None: the service of the message it came with

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", SubjectKind(self.kind))
        if not self.id:
            msg = f"a {self.kind} subject needs an id"
            raise ValueError(msg)

    @property
    def key(self) -> str:
        """``kind:id``, the subject's name in reports and rollups (one string, stable)."""
        return f"{self.kind}:{self.id}"

    @property
    def name(self) -> str:
        """What people read: the label, or the id when there is none."""
        return self.label or self.id

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (``label`` and ``service`` only when set)."""
        data: dict[str, Any] = {"kind": str(self.kind), "id": self.id}
        if self.label is not None:
            data["label"] = self.label
        if self.service is not None:
            data["service"] = self.service
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Subject:
        """Rebuild a subject stored with :meth:`as_dict`."""
        return cls(SubjectKind(data["kind"]), str(data["id"]), data.get("label"), data.get("service"))


def split_key(key: str) -> tuple[SubjectKind, str]:
    """The kind and id of a subject's :attr:`Subject.key` (``ValueError`` for anything else)."""
    kind, sep, ident = key.partition(":")
    if not sep or not ident:
        msg = f"not a subject key: {key!r} (expected kind:id)"
        raise ValueError(msg)
    return SubjectKind(kind), ident


def transit_subjects(routes: Sequence[str], stops: Sequence[str], stop_ids: Sequence[str] = ()) -> tuple[Subject, ...]:
    """Lines and stops as subjects: each line by its id; each stop by its id when known (``stop_ids``
    runs beside ``stops``), else by its name, labelled with its name."""
    lines = [Subject(SubjectKind.LINE, route, service=DEFAULT_SERVICE) for route in routes if route]
    places = []
    for i, name in enumerate(stops):
        ident = stop_ids[i] if i < len(stop_ids) and stop_ids[i] else name
        if ident:
            places.append(Subject(SubjectKind.STOP, ident, name or None, service=DEFAULT_SERVICE))
    return (*lines, *places)


def of_kind(subjects: Iterable[Subject], kind: SubjectKind) -> tuple[Subject, ...]:
    """The subjects of one kind, in order."""
    return tuple(s for s in subjects if s.kind == kind)
