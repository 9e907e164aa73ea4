"""Outages of any service (water, waste, power): what is out, where, from when to when, and lookups by place.

An outage comes from a CAP 1.2 alert (``knowledge.cap``) or a row of a planned-interruptions CSV
(``knowledge.outage_csv``). Its areas are polygons, circles, ISTAT municipality codes or named streets.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from knowledge.streetnames import street_key

EARTH_RADIUS_KM = 6371.0088


class MessageType(StrEnum):
    """What a CAP message does to the outages it references."""

    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"


@dataclass(frozen=True)
class Circle:
    """A centre (WGS84 degrees) and a radius in kilometres."""

    lat: float
    lon: float
    radius_km: float

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point lies within the radius (great-circle distance)."""
        return distance_km(self.lat, self.lon, lat, lon) <= self.radius_km


@dataclass(frozen=True)
class Polygon:
    """A closed ring of (lat, lon) points; its bounding box is kept for a quick reject."""

    points: tuple[tuple[float, float], ...]
    bbox: tuple[float, float, float, float] = field(init=False)

    def __post_init__(self) -> None:
        lats = [p[0] for p in self.points] or [0.0]
        lons = [p[1] for p in self.points] or [0.0]
        object.__setattr__(self, "bbox", (min(lats), min(lons), max(lats), max(lons)))

    def contains(self, lat: float, lon: float) -> bool:
        """Whether the point is inside the ring (ray casting; a point on an edge may fall either way)."""
        south, west, north, east = self.bbox
        if not (south <= lat <= north and west <= lon <= east):
            return False
        inside = False
        pts = self.points
        j = len(pts) - 1
        for i in range(len(pts)):
            lat_i, lon_i = pts[i]
            lat_j, lon_j = pts[j]
            if (lat_i > lat) != (lat_j > lat):
                cross = lon_i + (lat - lat_i) * (lon_j - lon_i) / (lat_j - lat_i)
                if lon < cross:
                    inside = not inside
            j = i
        return inside


@dataclass(frozen=True)
class OutageArea:
    """Where an outage is: any of its shapes, municipality codes or streets (street keys with their code)."""

    description: str = ""
    polygons: tuple[Polygon, ...] = ()
    circles: tuple[Circle, ...] = ()
    codes: frozenset[str] = frozenset()  # ISTAT municipality codes covered whole
    streets: frozenset[tuple[str, str]] = frozenset()  # (municipality code, street key)
    areas: frozenset[str] = frozenset()  # ids of the operator's districts or zones covered whole


@dataclass(frozen=True)
class Place:
    """Where a citizen is: points of a street, a service point or an area, its municipality code, street key,
    the ids of the operator's areas (districts, zones) it lies in, and an area's own shapes."""

    points: tuple[tuple[float, float], ...] = ()
    code: str | None = None
    street: str | None = None
    areas: frozenset[str] = frozenset()
    polygons: tuple[Polygon, ...] = ()


@dataclass(frozen=True)
class Outage:
    """One interruption as last announced: texts by language, times (UTC) and areas."""

    id: str
    sent: datetime | None
    areas: tuple[OutageArea, ...]
    start: datetime | None = None  # onset, else effective, else sent
    expires: datetime | None = None
    headline: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    description: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    msg_type: MessageType = MessageType.ALERT
    references: tuple[str, ...] = ()  # identifiers of the earlier messages this one updates or cancels

    def in_force(self, now: datetime) -> bool:
        """Whether the outage is announced for ``now`` (started, not expired, not a cancellation)."""
        if self.msg_type is MessageType.CANCEL:
            return False
        if self.start is not None and now < self.start:
            return False
        return self.expires is None or now < self.expires

    def covers(self, place: Place) -> bool:
        """Whether any of its areas covers the place."""
        return any(_area_covers(area, place) for area in self.areas)

    def text(self, lang: str) -> str:
        """The headline and description in ``lang`` (else Italian, else any), joined."""
        def pick(texts: dict[str, str]) -> str:
            return texts.get(lang) or texts.get("it") or next(iter(texts.values()), "")
        return " — ".join(t for t in (pick(self.headline), pick(self.description)) if t)


def _area_covers(area: OutageArea, place: Place) -> bool:
    if place.code is not None and place.code in area.codes:
        return True
    if place.code is not None and place.street is not None and (place.code, place.street) in area.streets:
        return True
    if place.areas & area.areas:
        return True
    for lat, lon in place.points:
        if any(p.contains(lat, lon) for p in area.polygons) or any(c.contains(lat, lon) for c in area.circles):
            return True
    if not place.polygons:
        return False
    # An area of the place's (a district) holding part of the outage's shape: a vertex or a circle's centre.
    inside = [(lat, lon) for p in area.polygons for lat, lon in p.points] + [(c.lat, c.lon) for c in area.circles]
    return any(shape.contains(lat, lon) for shape in place.polygons for lat, lon in inside)


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def resolve(messages: Iterable[Outage]) -> dict[str, Outage]:
    """The outages still announced after applying updates and cancellations, by id.

    Messages are applied in order of their sent time; an Update replaces the messages it
    references, a Cancel removes them (and is not itself an outage).
    """
    current: dict[str, Outage] = {}
    ordered = sorted(messages, key=lambda m: (m.sent is None, m.sent or datetime.min))
    for message in ordered:
        for ref in message.references:
            current.pop(ref, None)
        if message.msg_type is MessageType.CANCEL:
            continue
        current[message.id] = message
    return current


class OutageIndex:
    """The believed outages, asked by place and time.

    Outages are indexed by municipality code, by street and, for shapes, by the cells of a grid of
    ``GRID_DEGREES`` their bounding boxes touch, so a lookup checks only the outages near the place.
    """

    def __init__(self, outages: Iterable[Outage] = ()) -> None:
        self._by_id = {o.id: o for o in outages}
        self._by_code: dict[str, set[str]] = defaultdict(set)
        self._by_street: dict[tuple[str, str], set[str]] = defaultdict(set)
        self._by_cell: dict[tuple[int, int], set[str]] = defaultdict(set)
        self._by_area: dict[str, set[str]] = defaultdict(set)
        self._wide: set[str] = set()  # shapes too large for the grid: always checked
        for outage in self._by_id.values():
            for area in outage.areas:
                for code in area.codes:
                    self._by_code[code].add(outage.id)
                for street in area.streets:
                    self._by_street[street].add(outage.id)
                for place_area in area.areas:
                    self._by_area[place_area].add(outage.id)
                for box in [p.bbox for p in area.polygons] + [_circle_box(c) for c in area.circles]:
                    cells = _cells(box)
                    if cells is None:
                        self._wide.add(outage.id)
                    for cell in cells or ():
                        self._by_cell[cell].add(outage.id)

    def __len__(self) -> int:
        return len(self._by_id)

    @property
    def ids(self) -> frozenset[str]:
        """The ids of every believed outage."""
        return frozenset(self._by_id)

    def in_force(self, now: datetime) -> list[Outage]:
        """Every outage in force at ``now``, by id."""
        return [o for _id, o in sorted(self._by_id.items()) if o.in_force(now)]

    def get(self, outage_id: str) -> Outage | None:
        """An outage by id."""
        return self._by_id.get(outage_id)

    def covering(self, place: Place, now: datetime) -> list[Outage]:
        """The outages in force at ``now`` whose areas cover ``place``, the newest announcement first."""
        near: set[str] = set(self._wide)
        if place.code is not None:
            near |= self._by_code.get(place.code, set())
            if place.street is not None:
                near |= self._by_street.get((place.code, place.street), set())
        for place_area in place.areas:
            near |= self._by_area.get(place_area, set())
        for lat, lon in place.points:
            near |= self._by_cell.get(_cell(lat, lon), set())
        for shape in place.polygons:
            for cell in _cells(shape.bbox) or ():
                near |= self._by_cell.get(cell, set())
        found = [o for o in map(self._by_id.__getitem__, near) if o.in_force(now) and o.covers(place)]
        return sorted(found, key=lambda o: (o.sent is not None, o.sent or datetime.min, o.id), reverse=True)


GRID_DEGREES = 0.05  # about 5.5 km of latitude


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / GRID_DEGREES), math.floor(lon / GRID_DEGREES)


def _cells(box: tuple[float, float, float, float]) -> list[tuple[int, int]] | None:
    """The grid cells a bounding box touches; None for a box too wide to list (over 2,500 cells)."""
    south, west, north, east = box
    (row0, col0), (row1, col1) = _cell(south, west), _cell(north, east)
    if (row1 - row0 + 1) * (col1 - col0 + 1) > 2_500:
        return None
    return [(r, c) for r in range(row0, row1 + 1) for c in range(col0, col1 + 1)]


def _circle_box(circle: Circle) -> tuple[float, float, float, float]:
    dlat = circle.radius_km / 111.0
    dlon = circle.radius_km / (111.0 * max(0.01, math.cos(math.radians(circle.lat))))
    return circle.lat - dlat, circle.lon - dlon, circle.lat + dlat, circle.lon + dlon


def street_area(code: str, street: str | None, description: str = "") -> OutageArea:
    """The area of a table row: one street of a municipality, or the whole municipality."""
    if street and street.strip():
        return OutageArea(description or street, streets=frozenset({(code, street_key(street))}))
    return OutageArea(description or code, codes=frozenset({code}))
