"""The operator's areas (districts, zones) and service points (fountains, collection points, depots), found in a message.

Read by :mod:`knowledge.gazetteer` from the operator's files: GeoJSON Polygon and MultiPolygon features are areas
(properties ``name``, ``kind`` = ``district`` or ``zone``, optional ``id``, ``municipality_code``,
``municipality``); Point features with ``name`` and ``kind`` (a key of ``place_words.yaml``'s
``service_points``) and no ``street`` are service points; a CSV with the columns ``kind``, ``name``, ``lat``,
``lon`` (and optional ``id``, ``municipality_code``, ``municipality``, ``street``) lists service points.
The words that name each kind are data (``place_words.yaml``).
"""

from __future__ import annotations

import csv
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rapidfuzz import fuzz

from bot.subjects import Subject, SubjectKind
from knowledge.errors import KnowledgeError
from knowledge.outages import GRID_DEGREES, Place, Polygon
from knowledge.streetnames import STREET_TYPES, street_key

WORDS_FILE = Path(__file__).resolve().parent / "place_words.yaml"
AREA_KINDS = {"district": SubjectKind.DISTRICT, "zone": SubjectKind.ZONE}
# Words of a service point's name that say nothing about which one it is ("Fontanella di piazza Umberto I").
LINKING = frozenset({"di", "del", "della", "dello", "dei", "degli", "delle", "d", "in", "a", "al", "alla", "allo",
                     "presso", "the", "of", "on", "at", "in", "e", "n", "i"})
WORD_FUZZ = 86.0  # a misspelt distinctive word ('Umbreto' for 'Umberto') must reach this ratio


class PlaceError(KnowledgeError):
    """A gazetteer file's area or service point lacks a field or names an unknown kind."""


@dataclass(frozen=True)
class PlaceWords:
    """The words that name each kind of service point and area (folded phrases)."""

    service_points: Mapping[str, tuple[str, ...]]
    areas: Mapping[str, tuple[str, ...]]
    before_area: frozenset[str]

    @classmethod
    def load(cls, path: Path = WORDS_FILE) -> PlaceWords:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(
            service_points={str(k): tuple(map(str, v)) for k, v in data["service_points"].items()},
            areas={str(k): tuple(map(str, v)) for k, v in data["areas"].items()},
            before_area=frozenset(map(str, data.get("before_area") or ())),
        )

    def pattern(self, phrases: Iterable[str]) -> re.Pattern[str]:
        """Any of ``phrases`` as whole words, the longest first."""
        ordered = sorted(set(phrases), key=len, reverse=True)
        return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b")


WORDS = PlaceWords.load()
_KIND_CUES = {kind: WORDS.pattern(phrases) for kind, phrases in WORDS.service_points.items()}
_CUE_WORDS = frozenset(w for phrases in WORDS.service_points.values() for p in phrases for w in p.split())
AREA_CUE_WORDS = frozenset(w for phrases in WORDS.areas.values() for p in phrases for w in p.split())


@dataclass(frozen=True)
class Area:
    """A district or zone: its id (the operator's, used by outage feeds), name, shapes and municipality."""

    id: str
    kind: SubjectKind
    name: str
    key: str
    polygons: tuple[Polygon, ...]
    code: str | None = None
    municipality: str = ""

    @property
    def subject(self) -> Subject:
        label = f"{self.name}, {self.municipality}" if self.municipality else self.name
        return Subject(self.kind, self.id, label)

    @property
    def place(self) -> Place:
        """The area as a place: its shapes, its vertices and centres as points, its id and municipality."""
        points = tuple(p for poly in self.polygons for p in (*poly.points, _centre(poly)))
        return Place(points=points, code=self.code, areas=frozenset({self.id}), polygons=self.polygons)

    def contains(self, lat: float, lon: float) -> bool:
        return any(p.contains(lat, lon) for p in self.polygons)


@dataclass(frozen=True)
class ServicePoint:
    """A fountain, a collection point, a depot, an office: one point of the service, by kind and name."""

    id: str
    kind: str  # a key of place_words.yaml's service_points
    name: str
    key: str
    point: tuple[float, float]
    code: str | None = None
    municipality: str = ""
    street: str | None = None  # its street's key, when the file says it
    distinct: frozenset[str] = field(default=frozenset(), compare=False)  # the words that tell it from others

    @property
    def subject(self) -> Subject:
        label = f"{self.name}, {self.municipality}" if self.municipality else self.name
        return Subject(SubjectKind.SERVICE_POINT, self.id, label)

    def place(self, areas: frozenset[str] = frozenset()) -> Place:
        return Place(points=(self.point,), code=self.code, street=self.street, areas=areas)


@dataclass(frozen=True)
class PointMatch:
    """The service point a message names, or the candidates when several fit equally."""

    point: ServicePoint | None
    candidates: tuple[ServicePoint, ...] = ()


class Places:
    """Areas and service points, indexed by name word."""

    def __init__(self, areas: Iterable[Area] = (), points: Iterable[ServicePoint] = ()) -> None:
        self.areas = tuple({a.id: a for a in areas}.values())
        self.points = tuple({p.id: p for p in points}.values())
        self._points_with: dict[str, list[int]] = defaultdict(list)
        self._points_of_kind: dict[object, list[int]] = defaultdict(list)  # by kind, and by (kind, town code)
        for i, p in enumerate(self.points):
            self._points_of_kind[p.kind].append(i)
            self._points_of_kind[(p.kind, p.code)].append(i)
            for word in p.distinct:
                self._points_with[word].append(i)
        self._area_keys: dict[str, list[Area]] = defaultdict(list)
        self._area_cells: dict[tuple[int, int], list[Area]] = defaultdict(list)
        self._wide: list[Area] = []  # areas too large for the grid: always checked
        for a in self.areas:
            self._area_keys[a.key].append(a)
            for poly in a.polygons:
                south, west, north, east = poly.bbox
                (r0, c0), (r1, c1) = _grid(south, west), _grid(north, east)
                if (r1 - r0 + 1) * (c1 - c0 + 1) > 2_500:
                    self._wide.append(a)
                    continue
                for cell in {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}:
                    if a not in self._area_cells[cell]:
                        self._area_cells[cell].append(a)
        names = sorted(self._area_keys, key=len, reverse=True)
        self._area_re = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b") if names else None

    def __bool__(self) -> bool:
        return bool(self.areas or self.points)

    def containing(self, points: Iterable[tuple[float, float]]) -> frozenset[str]:
        """The ids of the areas holding any of ``points`` (only the areas whose grid cells the points fall in)."""
        found: set[str] = set()
        for lat, lon in points:
            for a in (*self._area_cells.get(_grid(lat, lon), ()), *self._wide):
                if a.id not in found and a.contains(lat, lon):
                    found.add(a.id)
        return frozenset(found)

    def find_point(self, tokens: list[str], code: str | None) -> PointMatch | None:
        """The service point the words name: every distinctive word of its name said (a close spelling
        allowed), and its kind named ('la fontanella di piazza Umberto') or its whole name said."""
        if not self.points:
            return None
        joined = " ".join(tokens)
        said = set(tokens)
        cued = self.cued(tokens)
        near: set[int] = {i for w in said for i in self._points_with.get(w, ())}
        for kind in cued:  # a misspelt name: the kind named, its points in the town (or all, when no word fits)
            if code is not None:
                near.update(self._points_of_kind.get((kind, code), ()))
            elif not near:
                near.update(self._points_of_kind.get(kind, ()))
        best: list[tuple[int, ServicePoint]] = []
        loose = [w for w in said if len(w) >= 5]
        close: dict[str, bool] = {}

        def heard(word: str) -> bool:
            if word in said:
                return True
            if word not in close:
                close[word] = len(word) >= 5 and any(fuzz.ratio(word, t) >= WORD_FUZZ for t in loose)
            return close[word]

        for i in near:
            p = self.points[i]
            if code is not None and p.code is not None and p.code != code:
                continue
            if p.kind not in cued and f" {p.key} " not in f" {joined} ":
                continue
            hits = sum(1 for w in p.distinct if heard(w))
            if not p.distinct or hits < len(p.distinct):
                continue
            if not best or hits > best[0][0]:
                best = [(hits, p)]
            elif hits == best[0][0]:
                best.append((hits, p))
        if not best:
            return None
        found = tuple(p for _, p in best)
        return PointMatch(found[0], found) if len(found) == 1 else PointMatch(None, found)

    @staticmethod
    def cued(tokens: list[str]) -> set[str]:
        """The kinds of service point the words name ('fontanella', 'recycling centre')."""
        joined = " ".join(tokens)
        return {kind for kind, cue in _KIND_CUES.items() if cue.search(joined)}

    def on_street(self, kinds: set[str], code: str, street: str) -> PointMatch | None:
        """The service point of one of ``kinds`` on a street ('la fontanella di piazza Umbreto I', the street
        found by a close spelling), when exactly one is."""
        found = tuple(p for p in self.points if p.kind in kinds and p.street == street and p.code in (None, code))
        if not found:
            return None
        return PointMatch(found[0], found) if len(found) == 1 else PointMatch(None, found)

    def find_area(self, tokens: list[str], code: str | None) -> Area | None:
        """The district or zone the words name: its name after an area word ('quartiere Murat', 'zona
        Poggiofranco') or before one ('Murat district'), or after 'a'/'in'; never a street's name ('via Murat')."""
        if self._area_re is None:
            return None
        joined = " ".join(tokens)
        for m in self._area_re.finditer(joined):
            before = joined[: m.start()].split()
            after = joined[m.end():].split()
            prev = before[-1] if before else ""
            if prev in STREET_TYPES and prev not in AREA_CUE_WORDS:
                continue
            cue_before = any(w in AREA_CUE_WORDS for w in before[-3:])
            cue_after = bool(after) and after[0] in AREA_CUE_WORDS
            cue_within = m.group(1).split()[0] in AREA_CUE_WORDS  # a name that says it ('Zona nord')
            if not (cue_before or cue_after or cue_within or prev in WORDS.before_area):
                continue
            areas = [a for a in self._area_keys[m.group(1)] if code is None or a.code in (None, code)]
            if len(areas) == 1:
                return areas[0]
        return None


def _grid(lat: float, lon: float) -> tuple[int, int]:
    return math.floor(lat / GRID_DEGREES), math.floor(lon / GRID_DEGREES)


def _centre(poly: Polygon) -> tuple[float, float]:
    south, west, north, east = poly.bbox
    return (south + north) / 2, (west + east) / 2


def distinct_words(kind: str, key: str) -> frozenset[str]:
    """The words of a service point's name that tell it from others of its kind (no kind, linking or street-type words)."""
    return frozenset(w for w in key.split() if w not in _CUE_WORDS and w not in LINKING and w not in STREET_TYPES)


def service_point(row: Mapping[str, Any], point: tuple[float, float], where: str) -> ServicePoint:
    """One service point from a CSV row or a GeoJSON feature's properties."""
    kind = str(row.get("kind") or "").strip()
    if kind not in WORDS.service_points:
        msg = f"{where}: service point kind {kind!r} unknown; known kinds: {', '.join(WORDS.service_points)}"
        raise PlaceError(msg)
    ident, name, key, code = _named(row, "a service point", where)
    street = str(row.get("street") or "").strip()
    return ServicePoint(ident, kind, name, key, point, code, str(row.get("municipality") or "").strip(),
                        street_key(street) if street else _street_in(key), distinct_words(kind, key))


def _named(row: Mapping[str, Any], what: str, where: str) -> tuple[str, str, str, str | None]:
    """A place's id, name, name key and municipality code from its row; the id defaults to 'code:key'."""
    name = str(row.get("name") or "").strip()
    if not name:
        msg = f"{where}: {what} needs a name"
        raise PlaceError(msg)
    code = str(row.get("municipality_code") or "").strip() or None
    key = street_key(name)
    ident = str(row.get("id") or "").strip() or f"{code or ''}:{key}".lstrip(":")
    return ident, name, key, code


def _street_in(key: str) -> str | None:
    """The street a service point's name holds ('fontanella di piazza umberto i' -> 'piazza umberto i')."""
    words = key.split()
    for i, w in enumerate(words):
        if w in STREET_TYPES and i + 1 < len(words):
            return " ".join(words[i:])
    return None


def area(props: Mapping[str, Any], rings: list[list[list[float]]], where: str) -> Area:
    """One district or zone from a GeoJSON feature's properties and its outer rings (lon, lat)."""
    kind = str(props.get("kind") or "district").strip()
    if kind not in AREA_KINDS:
        msg = f"{where}: area kind {kind!r} unknown; known kinds: {', '.join(AREA_KINDS)}"
        raise PlaceError(msg)
    ident, name, key, code = _named(props, "an area", where)
    polygons = tuple(Polygon(tuple((float(lat), float(lon)) for lon, lat, *_ in ring)) for ring in rings if ring)
    return Area(ident, AREA_KINDS[kind], name, key, polygons, code, str(props.get("municipality") or "").strip())


SERVICE_POINT_COLUMNS = ("kind", "name", "lat", "lon")


def csv_points(rows: Iterable[Mapping[str, str]], path: Path) -> list[ServicePoint]:
    """Service points from a CSV's rows (``kind``, ``name``, ``lat``, ``lon``, ...)."""
    out = []
    for line, row in enumerate(rows, start=2):
        try:
            point = (float(row["lat"]), float(row["lon"]))
        except (TypeError, ValueError) as exc:
            msg = f"gazetteer {path} line {line}: lat/lon {row.get('lat')!r},{row.get('lon')!r} are not numbers"
            raise PlaceError(msg) from exc
        out.append(service_point(row, point, f"gazetteer {path} line {line}"))
    return out


def outer_rings(geometry: Mapping[str, Any]) -> list[list[list[float]]]:
    """The outer ring of a Polygon, or of each polygon of a MultiPolygon ([] for other geometries)."""
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return [coords[0]] if coords else []
    if kind == "MultiPolygon":
        return [poly[0] for poly in coords if poly]
    return []
