"""The operator's territory: municipalities, streets, districts, zones and service points, from CSV or GeoJSON files,
found in a message.

Streets: CSV columns ``municipality_code`` (ISTAT), ``municipality``, ``street``, ``lat``, ``lon`` (several rows
of one street add points to it); GeoJSON Point, MultiPoint, LineString or MultiLineString features whose
properties carry ``municipality_code``, ``municipality`` and ``street``; a line becomes points every ~50 m.
Districts and zones (GeoJSON polygons) and service points (GeoJSON points with a ``name`` and a ``kind``, or a
CSV with the columns ``kind``, ``name``, ``lat``, ``lon``) are read by :mod:`knowledge.places`.
Streets are bucketed by municipality and by type word and initial, and indexed by word, so a lookup compares few names.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from bot.subjects import Subject, SubjectKind
from knowledge.addresses import NUMBER, address_subject, house_number
from knowledge.errors import KnowledgeError
from knowledge.outages import Outage, Place
from knowledge.places import (
    AREA_CUE_WORDS,
    SERVICE_POINT_COLUMNS,
    Area,
    PlaceError,
    Places,
    PointMatch,
    ServicePoint,
    area,
    csv_points,
    outer_rings,
    service_point,
)
from knowledge.streetnames import STREET_TYPES, street_key, words

FUZZY_CUTOFF = 86.0  # rapidfuzz ratio (0–100) a misspelt street name must reach
MAX_NAME_WORDS = 6
# Words that end a street name in a message ("via Sparano a Bari senza acqua", "via Roma has no water").
STOP_WORDS = frozenset({
    "a", "ad", "in", "senza", "da", "dal", "dalla", "dalle", "non", "e", "che", "ce", "c", "manca", "niente",
    "nessuna", "oggi", "ieri", "stamattina", "stasera", "sta", "ho", "hanno", "is", "has", "have", "no",
    "since", "without", "at", "the", "there", "we", "our", "water", "acqua", "since", "sotto", "vicino",
    "angolo", "numero", "n", "civico", "qui",
})


class GazetteerError(KnowledgeError):
    """A gazetteer file is missing, unreadable or lacks a column."""


@dataclass(frozen=True)
class Street:
    """One street of one municipality, with the points known along it (lat, lon)."""

    code: str
    municipality: str
    name: str
    key: str
    points: tuple[tuple[float, float], ...]

    @property
    def place(self) -> Place:
        """The street as a place an outage may cover."""
        return Place(points=self.points, code=self.code, street=self.key)

    @property
    def subject(self) -> Subject:
        """The street as what a message is about: ``code:key`` as its id, "name, municipality" as its label."""
        label = f"{self.name}, {self.municipality}" if self.municipality else self.name
        return Subject(SubjectKind.STREET, f"{self.code}:{self.key}", label)


@dataclass(frozen=True)
class StreetMatch:
    """What a message names: the street when it is one, the candidates when several fit, the municipality."""

    street: Street | None
    candidates: tuple[Street, ...] = ()
    municipality_code: str | None = None
    said: str = ""  # the words of the message taken for the street name
    number: str | None = None  # the house number said with it ("via Sparano 12"), if any

    @property
    def address(self) -> Subject | None:
        """The address the message names (the street and its house number), when it names both."""
        if self.street is None or self.number is None:
            return None
        return address_subject(self.street.subject, self.number)


class Gazetteer:
    """Streets by municipality, the municipalities by name, and the districts, zones and service points."""

    def __init__(self, streets: Iterable[Street], places: Places | None = None) -> None:
        self.places = places or Places()
        merged: dict[tuple[str, str], Street] = {}
        for s in streets:
            old = merged.get((s.code, s.key))
            merged[(s.code, s.key)] = s if old is None else Street(
                s.code, s.municipality, old.name, s.key, old.points + s.points)
        self.streets = tuple(merged.values())
        self._towns: dict[str, str] = {}
        self._by_code: dict[str, dict[str, Street]] = defaultdict(dict)
        self._buckets: dict[tuple[str | None, str], list[str]] = defaultdict(list)
        self._with_word: dict[tuple[str | None, str], set[str]] = defaultdict(set)
        self._everywhere: dict[str, list[Street]] = defaultdict(list)
        for s in self.streets:
            self._towns.setdefault(street_key(s.municipality), s.code)
            self._by_code[s.code][s.key] = s
            self._everywhere[s.key].append(s)
            self._buckets[(s.code, _bucket(s.key))].append(s.key)
            for word in s.key.split():
                self._with_word[(s.code, word)].add(s.key)
        for key in self._everywhere:
            self._buckets[(None, _bucket(key))].append(key)
            for word in key.split():
                self._with_word[(None, word)].add(key)
        self._town_names = {s.code: s.municipality for s in self.streets if s.municipality}
        for place in (*self.places.areas, *self.places.points):
            if place.code and place.municipality:
                self._towns.setdefault(street_key(place.municipality), place.code)
                self._town_names.setdefault(place.code, place.municipality)
        self._town_words = frozenset(name for name in self._towns if " " not in name)
        self._stops = STOP_WORDS | self._town_words | AREA_CUE_WORDS  # 'via Sparano, quartiere Murat'
        names = sorted(self._towns, key=len, reverse=True)
        self._points_by_code: dict[str, tuple[tuple[float, float], ...]] | None = None
        self._town_re = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b") if names else None

    def __len__(self) -> int:
        """How many places it knows: streets, areas and service points."""
        return len(self.streets) + len(self.places.areas) + len(self.places.points)

    @classmethod
    def load(cls, paths: Iterable[str | Path]) -> Gazetteer:
        """Read CSV and GeoJSON files (by suffix). Raises :class:`GazetteerError` naming the file."""
        streets: list[Street] = []
        areas: list[Area] = []
        points: list[ServicePoint] = []
        for path in map(Path, paths):
            try:
                text = path.read_text(encoding="utf-8-sig")
            except OSError as exc:
                msg = f"gazetteer {path}: {exc.strerror or exc}"
                raise GazetteerError(msg) from exc
            reader = _geojson if path.suffix.lower() in (".geojson", ".json") else _csv
            try:
                found = reader(text, path)
            except PlaceError as exc:
                raise GazetteerError(str(exc)) from exc
            streets += found[0]
            areas += found[1]
            points += found[2]
        return cls(streets, Places(areas, points))

    def subjects(self, text: str) -> tuple[Subject, ...]:
        """What a message names of the territory, the most precise first found: a service point, else its
        address and street ("via Sparano 12": the address, then the street it is on) or its street, else a
        district or zone, else the municipality it names (an ISTAT code as the id), else nothing."""
        point = self.find_point(text)
        if point is not None and point.point is not None:
            return (point.point.subject,)
        match = self.find(text)
        if match is not None and match.street is not None:
            address = match.address
            return (address, match.street.subject) if address is not None else (match.street.subject,)
        code = match.municipality_code if match is not None else None
        code = code or self.municipality(text)
        found = self.find_area(text, code)
        if found is not None:
            return (found.subject,)
        if not code or (code not in self._by_code and code not in self._town_names):
            return ()
        return (Subject(SubjectKind.MUNICIPALITY, str(code), self._town_names.get(code) or None),)

    def municipalities(self) -> tuple[Subject, ...]:
        """Every municipality it knows, as subjects (ISTAT code, name)."""
        codes = sorted(set(self._by_code) | set(self._town_names))
        return tuple(Subject(SubjectKind.MUNICIPALITY, c, self._town_names.get(c) or None) for c in codes)

    def known(self, kind: SubjectKind, ident: str) -> tuple[Subject, Place] | None:
        """A place by its subject's kind and id (as :meth:`subjects` names it), and where it is for an outage
        (a street or service point with the districts and zones holding it); None when the files lack it."""
        if kind == SubjectKind.STREET:
            code, _sep, key = ident.partition(":")
            street = self._by_code.get(code, {}).get(key)
            if street is None:
                return None
            held = self.areas_holding(street.points)
            place = street.place
            return street.subject, Place(points=place.points, code=place.code, street=place.street, areas=held)
        if kind == SubjectKind.SERVICE_POINT:
            sp = next((p for p in self.places.points if p.id == ident), None)
            return None if sp is None else (sp.subject, sp.place(self.areas_holding([sp.point])))
        if kind in (SubjectKind.DISTRICT, SubjectKind.ZONE):
            area = next((a for a in self.places.areas if a.id == ident and a.kind == kind), None)
            return None if area is None else (area.subject, area.place)
        if kind == SubjectKind.MUNICIPALITY and (ident in self._by_code or ident in self._town_names):
            return Subject(kind, ident, self._town_names.get(ident) or None), Place(code=ident)
        return None

    def municipalities_touched(self, outage: Outage) -> frozenset[str]:
        """The codes of the municipalities an outage reaches: those it names whole, those of the streets and of
        the districts or zones it names, and those with a known street, service point or area inside its shapes
        (so the followers of a whole municipality hear of an outage in one of its streets)."""
        found: set[str] = set()
        for area in outage.areas:
            found |= area.codes
            found |= {code for code, _key in area.streets}
            found |= {a.code for a in self.places.areas if a.id in area.areas and a.code}
        if any(a.polygons or a.circles for a in outage.areas):
            for code, points in self._town_points().items():
                if code not in found and outage.covers(Place(points=points)):
                    found.add(code)
            found |= {a.code for a in self.places.areas
                      if a.code and a.code not in found and outage.covers(a.place)}
        return frozenset(found)

    def _town_points(self) -> dict[str, tuple[tuple[float, float], ...]]:
        """Each municipality's known points: its streets' and its service points'."""
        if self._points_by_code is None:
            points: dict[str, list[tuple[float, float]]] = defaultdict(list)
            for s in self.streets:
                points[s.code] += s.points
            for p in self.places.points:
                if p.code:
                    points[p.code].append(p.point)
            self._points_by_code = {code: tuple(found) for code, found in points.items()}
        return self._points_by_code

    def find_point(self, text: str) -> PointMatch | None:
        """The service point a message names ('la fontanella di piazza Umberto I'), or None."""
        if not self.places.points:
            return None
        tokens = words(text)
        found = self.places.find_point(tokens, self.municipality(text))
        if found is not None:
            return found
        kinds = self.places.cued(tokens)
        street = self.find(text) if kinds else None
        if street is None or street.street is None:
            return None
        return self.places.on_street(kinds, street.street.code, street.street.key)

    def find_area(self, text: str, code: str | None = None) -> Area | None:
        """The district or zone a message names ('quartiere Murat senza acqua'), or None."""
        if not self.places.areas:
            return None
        return self.places.find_area(words(text), code or self.municipality(text))

    def areas_holding(self, points: Iterable[tuple[float, float]]) -> frozenset[str]:
        """The ids of the districts and zones holding any of ``points`` (so an outage announced for a zone
        covers its streets)."""
        return self.places.containing(points) if self.places.areas else frozenset()

    def municipality(self, text: str) -> str | None:
        """The code of the last municipality the text names outside a street name ('via Bari a Modugno')."""
        if self._town_re is None:
            return None
        joined = " ".join(words(text))
        found = None
        for m in self._town_re.finditer(joined):
            before = joined[: m.start()].split()
            if before and before[-1] in STREET_TYPES:
                continue
            found = self._towns[m.group(1)]
        return found

    def find(self, text: str) -> StreetMatch | None:
        """The street a message names, by exact key then by a close spelling; None when it names none."""
        tokens = words(text)
        code = self.municipality(text)
        for i, token in enumerate(tokens):
            if token not in STREET_TYPES:
                continue
            window = _phrases(tokens, i, frozenset())
            phrases = _phrases(tokens, i, self._stops, doors=True)
            if not window:
                continue
            match = self._exact(window, code)
            if match is None and phrases:  # 'via Bari a Modugno' in a gazetteer holding Bari: the town stops the name
                match = self._partial(phrases[0], code, token) or self._fuzzy(phrases, code, token)
            if match is not None:
                number = house_number(tokens, i, i + len(match.said.split())) if match.street else None
                return replace(match, number=number) if number else match
        return None

    def _exact(self, phrases: list[str], code: str | None) -> StreetMatch | None:
        for phrase in phrases:
            if code is not None:
                street = self._by_code.get(code, {}).get(phrase)
                if street is not None:
                    return StreetMatch(street, (street,), code, phrase)
            elif phrase in self._everywhere:
                return _choose(self._everywhere[phrase], None, phrase)
        return None

    def _partial(self, phrase: str, code: str | None, first: str) -> StreetMatch | None:
        """The street whose name holds every word of the phrase ('via petroni': 'via giulio petroni'), if one."""
        said = phrase.split()
        if len(said) < 2:
            return None
        found = set(self._with_word.get((code, said[0]), ()))
        for word in said[1:]:
            found &= self._with_word.get((code, word), set())
        keys = sorted(found)
        if code is not None:
            return StreetMatch(self._by_code[code][keys[0]], (), code, phrase) if len(keys) == 1 else None
        streets = [s for k in keys for s in self._everywhere[k]]
        return _choose(streets, None, phrase) if streets else None

    def _fuzzy(self, phrases: list[str], code: str | None, first: str) -> StreetMatch | None:
        best: tuple[float, str, str] | None = None
        for phrase in phrases:
            if " " not in phrase:
                continue
            choices = self._buckets.get((code, _bucket(phrase)), ())
            hit = process.extractOne(phrase, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
            if hit is not None and (best is None or hit[1] > best[0]):
                best = (hit[1], hit[0], phrase)
        if best is None:
            return None
        _score, key, phrase = best
        if code is not None:
            street = self._by_code[code][key]
            return StreetMatch(street, (street,), code, phrase)
        return _choose(self._everywhere[key], None, phrase)


def _bucket(key: str) -> str:
    """The bucket of a street key: its type word and the first letter of its name ('via g')."""
    first, _, rest = key.partition(" ")
    return f"{first} {rest[:1]}"


def _choose(streets: list[Street], code: str | None, phrase: str) -> StreetMatch:
    """One street when only one municipality has it; else no street and the candidates for a person."""
    if len(streets) == 1:
        return StreetMatch(streets[0], (streets[0],), streets[0].code, phrase)
    return StreetMatch(None, tuple(streets), code, phrase)


def _phrases(tokens: list[str], start: int, stops: frozenset[str], *, doors: bool = False) -> list[str]:
    """The street-name readings starting at ``tokens[start]``, the longest first, none past a stop word (nor,
    with ``doors``, past a house number after the name's first word: 'via sparano 12', not 'via 25 aprile')."""
    end = start + 1
    while (end < len(tokens) and end - start <= MAX_NAME_WORDS and tokens[end] not in stops
           and not (doors and end - start >= 2 and NUMBER.match(tokens[end]))):
        end += 1
    return [" ".join(tokens[start:stop]) for stop in range(end, start + 1, -1)]


_Found = tuple[list[Street], list[Area], list[ServicePoint]]


def _csv(text: str, path: Path) -> _Found:
    """A CSV of streets, or of service points when it has ``kind`` and ``name`` columns and no ``street``."""
    reader = csv.DictReader(text.splitlines())
    columns = reader.fieldnames or ()
    if "street" not in columns and all(c in columns for c in SERVICE_POINT_COLUMNS):
        return [], [], csv_points(reader, path)
    wanted = ("municipality_code", "municipality", "street", "lat", "lon")
    missing = [c for c in wanted if c not in columns]
    if missing:
        msg = (f"gazetteer {path}: missing columns {', '.join(missing)} (expected: {', '.join(wanted)}; "
               f"or, for service points: {', '.join(SERVICE_POINT_COLUMNS)})")
        raise GazetteerError(msg)
    out = []
    for line, row in enumerate(reader, start=2):
        try:
            point = (float(row["lat"]), float(row["lon"]))
        except (TypeError, ValueError) as exc:
            msg = f"gazetteer {path} line {line}: lat/lon {row['lat']!r},{row['lon']!r} are not numbers"
            raise GazetteerError(msg) from exc
        out.append(_street(row, (point,)))
    return out, [], []


def _geojson(text: str, path: Path) -> _Found:
    """Streets (features with ``street``), areas (polygons) and service points (points with ``kind`` and ``name``)."""
    try:
        features = json.loads(text).get("features", [])
    except (json.JSONDecodeError, AttributeError) as exc:
        msg = f"gazetteer {path}: not a GeoJSON FeatureCollection"
        raise GazetteerError(msg) from exc
    streets: list[Street] = []
    areas: list[Area] = []
    points: list[ServicePoint] = []
    for n, feature in enumerate(features, start=1):
        props, geometry = feature.get("properties") or {}, feature.get("geometry") or {}
        where = f"gazetteer {path} feature {n}"
        rings = outer_rings(geometry)
        if rings and not props.get("street"):
            areas.append(area(props, rings, where))
            continue
        coords = _coordinates(geometry)
        if geometry.get("type") == "Point" and not props.get("street") and props.get("kind"):
            lon, lat, *_ = coords[0]
            points.append(service_point(props, (float(lat), float(lon)), where))
            continue
        found = tuple((float(lat), float(lon)) for lon, lat, *_ in coords)
        if found and props.get("street") and props.get("municipality_code"):
            streets.append(_street(props, found))
    return streets, areas, points


def _coordinates(geometry: dict[str, Any]) -> list[list[float]]:
    """A feature's points (lon, lat); a line's points every ``LINE_STEP_DEGREES`` along it, not only its vertices."""
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Point":
        return [coords]
    if kind == "MultiPoint":
        return list(coords)
    if kind == "LineString":
        return _along(coords)
    if kind == "MultiLineString":
        return [p for line in coords for p in _along(line)]
    return []


LINE_STEP_DEGREES = 0.0005  # about 50 m: a line crossing a small area still has a point inside it


def _along(line: list[list[float]]) -> list[list[float]]:
    out: list[list[float]] = []
    for (x0, y0, *_), (x1, y1, *_) in zip(line, line[1:]):
        steps = max(1, int(max(abs(x1 - x0), abs(y1 - y0)) / LINE_STEP_DEGREES))
        out += [[x0 + (x1 - x0) * i / steps, y0 + (y1 - y0) * i / steps] for i in range(steps)]
    return out + [list(line[-1][:2])] if line else out


def _street(row: dict[str, Any], points: tuple[tuple[float, float], ...]) -> Street:
    name = str(row["street"]).strip()
    return Street(str(row["municipality_code"]).strip(), str(row.get("municipality") or "").strip(), name,
                  street_key(name), points)
