"""GTFS-Realtime service alerts: parsing, activity at a time, and lookup by route, stop or network."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Literal

from google.protobuf import text_format
from google.protobuf.message import DecodeError
from google.transit import gtfs_realtime_pb2

from knowledge.errors import FeedError
from knowledge.gtfs import GtfsIndex

State = Literal["active", "upcoming", "expired"]
TEXT_SUFFIXES = (".textproto", ".pbtxt", ".txt")  # feed files in protobuf text format
FALLBACK_LANG = "it"


@dataclass(frozen=True, slots=True)
class Period:
    """An active_period; None means open-ended. Instants are aware UTC datetimes."""

    start: datetime | None
    end: datetime | None

    def contains(self, at: datetime) -> bool:
        """Whether `at` falls in [start, end)."""
        return (self.start is None or self.start <= at) and (self.end is None or at < self.end)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether this period shares any instant with the window [start, end)."""
        return (self.start is None or self.start < end) and (self.end is None or start < self.end)


@dataclass(frozen=True, slots=True)
class EntitySelector:
    """One informed_entity: every field that is set must match (GTFS-RT semantics)."""

    agency_id: str | None = None
    route_id: str | None = None
    route_type: int | None = None
    stop_id: str | None = None
    trip_id: str | None = None
    direction_id: int | None = None

    @property
    def is_network_wide(self) -> bool:
        """Names an agency, a route alone, a route type alone or a stop alone (no trip, no pairing)."""
        if self.trip_id is not None:
            return False
        if self.stop_id is not None:
            return self.route_id is None and self.route_type is None
        return self.agency_id is not None or self.route_id is not None or self.route_type is not None


@dataclass(frozen=True, slots=True)
class Alert:
    """A service alert as published; texts keyed by language tag ("" for an untagged translation)."""

    id: str
    periods: tuple[Period, ...]
    informed: tuple[EntitySelector, ...]
    cause: str
    effect: str
    header: dict[str, str]
    description: dict[str, str]
    url: str = ""
    severity: str = ""

    def __hash__(self) -> int:
        return hash(self.id)

    def state(self, at: datetime) -> State:
        """'active' if a period holds `at` (no period = always), 'upcoming' if one starts later, else 'expired'."""
        at = _utc(at)
        if not self.periods or any(p.contains(at) for p in self.periods):
            return "active"
        if any(p.start is not None and p.start > at for p in self.periods):
            return "upcoming"
        return "expired"

    def in_force(self, start: datetime, end: datetime | None = None) -> bool:
        """Active at `start` (when `end` is None) or at some instant of the window [start, end)."""
        if end is None:
            return self.state(start) == "active"
        start, end = _utc(start), _utc(end)
        return not self.periods or any(p.overlaps(start, end) for p in self.periods)

    def text(self, lang: str = FALLBACK_LANG) -> tuple[str, str]:
        """(header, description) in `lang`, falling back to untagged, Italian, then any; HTML stripped."""
        return _pick(self.header, lang), _pick(self.description, lang)

    def routes(self) -> frozenset[str]:
        """Route ids named by any selector."""
        return frozenset(s.route_id for s in self.informed if s.route_id is not None)

    def stops(self) -> frozenset[str]:
        """Stop ids named by any selector."""
        return frozenset(s.stop_id for s in self.informed if s.stop_id is not None)


# ---- parsing ----------------------------------------------------------------------------------
def parse_feed(data: bytes | str) -> gtfs_realtime_pb2.FeedMessage:
    """Parse a FeedMessage from protobuf bytes, or from text format when given a str."""
    feed = gtfs_realtime_pb2.FeedMessage()
    try:
        if isinstance(data, str):
            text_format.Parse(data, feed)
        else:
            feed.ParseFromString(data)
    except (DecodeError, text_format.ParseError, ValueError) as exc:
        msg = f"not a GTFS-Realtime FeedMessage: {exc}"
        raise FeedError(msg) from exc
    if not feed.HasField("header"):
        msg = "not a GTFS-Realtime FeedMessage: header missing"
        raise FeedError(msg)
    return feed


def read_feed(path: str | Path) -> gtfs_realtime_pb2.FeedMessage:
    """Read a feed file: `.textproto`/`.txt`/`.pbtxt` as text format, anything else as binary."""
    p = Path(path)
    try:
        if p.suffix in TEXT_SUFFIXES:
            return parse_feed(p.read_text(encoding="utf-8"))
        return parse_feed(p.read_bytes())
    except OSError as exc:
        msg = f"cannot read feed {p}: {exc}"
        raise FeedError(msg) from exc


def alerts_from_feed(feed: gtfs_realtime_pb2.FeedMessage) -> list[Alert]:
    """The alerts of a FeedMessage (deleted entities and non-alert entities skipped)."""
    alerts = []
    for entity in feed.entity:
        if entity.is_deleted or not entity.HasField("alert"):
            continue
        alerts.append(_alert(entity.id, entity.alert))
    return alerts


def _alert(alert_id: str, msg: gtfs_realtime_pb2.Alert) -> Alert:
    periods = tuple(Period(_instant(p.start) if p.HasField("start") else None,
                           _instant(p.end) if p.HasField("end") else None) for p in msg.active_period)
    informed = tuple(_selector(e) for e in msg.informed_entity)
    enum = gtfs_realtime_pb2.Alert
    return Alert(
        id=alert_id,
        periods=periods,
        informed=tuple(s for s in informed if s != EntitySelector()),
        cause=enum.Cause.Name(msg.cause) if msg.HasField("cause") else "UNKNOWN_CAUSE",
        effect=enum.Effect.Name(msg.effect) if msg.HasField("effect") else "UNKNOWN_EFFECT",
        header=_translations(msg.header_text),
        description=_translations(msg.description_text),
        url=_pick(_translations(msg.url), FALLBACK_LANG) if msg.HasField("url") else "",
        severity=enum.SeverityLevel.Name(msg.severity_level) if msg.HasField("severity_level") else "",
    )


def _selector(e: gtfs_realtime_pb2.EntitySelector) -> EntitySelector:
    trip = e.trip if e.HasField("trip") else None
    route_id = e.route_id if e.HasField("route_id") else None
    direction = e.direction_id if e.HasField("direction_id") else None
    if trip is not None:
        route_id = route_id or (trip.route_id if trip.HasField("route_id") else None)
        if direction is None and trip.HasField("direction_id"):
            direction = trip.direction_id
    return EntitySelector(
        agency_id=e.agency_id if e.HasField("agency_id") else None,
        route_id=route_id,
        route_type=e.route_type if e.HasField("route_type") else None,
        stop_id=e.stop_id if e.HasField("stop_id") else None,
        trip_id=trip.trip_id if trip is not None and trip.HasField("trip_id") else None,
        direction_id=direction,
    )


def _translations(ts: gtfs_realtime_pb2.TranslatedString) -> dict[str, str]:
    out: dict[str, str] = {}
    for t in ts.translation:
        out.setdefault(t.language.strip().lower() if t.HasField("language") else "", t.text)
    return out


def _pick(texts: dict[str, str], lang: str) -> str:
    if not texts:
        return ""
    lang = lang.lower()
    primary = lang.split("-")[0]
    for wanted in (lang, primary):
        if wanted in texts:
            return _plain(texts[wanted])
    same = sorted(k for k in texts if k.split("-")[0] == primary)
    for key in [*same, "", FALLBACK_LANG]:
        if key in texts:
            return _plain(texts[key])
    return _plain(next(iter(texts.values())))


class _TextOnly(HTMLParser):
    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _plain(text: str) -> str:
    """Text without HTML tags or entities, with blank runs collapsed."""
    if "<" in text and ">" in text:
        parser = _TextOnly()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    else:
        text = html.unescape(text)
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


#: Where a feed's time lies beyond what a datetime holds (a uint64 can): far enough to never come.
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=timezone.utc)


def _instant(seconds: int) -> datetime | None:
    if not seconds:
        return None
    try:
        return datetime.fromtimestamp(seconds, tz=timezone.utc)
    except (OverflowError, ValueError, OSError):
        return FAR_FUTURE


def _utc(at: datetime) -> datetime:
    if at.tzinfo is None:
        msg = "alert times must be timezone-aware"
        raise ValueError(msg)
    return at.astimezone(timezone.utc)


# ---- index ---------------------------------------------------------------------------------------
class AlertIndex:
    """Alerts of one feed indexed by agency, route, route type, stop and trip.

    Matching rules (the ones the evaluation labels follow):
    - a route asked about gets alerts whose selector names that route alone (or with its agency),
      its route type alone, or its agency alone;
    - a stop asked about gets alerts whose selector names that stop, alone or paired with a route; a
      route+stop selector also needs its route among the asked routes when routes are asked;
    - a trip asked about gets alerts naming that trip;
    - the whole network gets every alert whose selector names an agency, a route alone, a route type
      alone or a stop alone;
    - an alert counts only when in force at the instant or window asked; expired alerts never count.
    """

    def __init__(self, alerts: Iterable[Alert], gtfs: GtfsIndex | None = None) -> None:
        self.alerts: tuple[Alert, ...] = tuple(alerts)
        self.gtfs = gtfs
        self._by_id = {a.id: a for a in self.alerts}
        self._by_route: dict[str, list[Alert]] = {}
        self._by_stop: dict[str, list[Alert]] = {}
        self._by_agency: dict[str, list[Alert]] = {}
        self._by_type: dict[int, list[Alert]] = {}
        self._by_trip: dict[str, list[Alert]] = {}
        for alert in self.alerts:
            for s in alert.informed:
                if s.trip_id is not None:
                    _add(self._by_trip, s.trip_id, alert)
                elif s.stop_id is not None:
                    _add(self._by_stop, s.stop_id, alert)
                elif s.route_id is not None:
                    _add(self._by_route, s.route_id, alert)
                elif s.route_type is not None:
                    _add(self._by_type, s.route_type, alert)
                elif s.agency_id is not None:
                    _add(self._by_agency, s.agency_id, alert)

    @classmethod
    def from_feed(cls, feed: gtfs_realtime_pb2.FeedMessage, gtfs: GtfsIndex | None = None) -> AlertIndex:
        """Index the alerts of a parsed FeedMessage; `gtfs` resolves a route's agency and type."""
        return cls(alerts_from_feed(feed), gtfs)

    def __len__(self) -> int:
        return len(self.alerts)

    def get(self, alert_id: str) -> Alert | None:
        """The alert with this entity id, or None."""
        return self._by_id.get(alert_id)

    def matching(self, routes: Iterable[str] = (), stops: Iterable[str] = (),
                 trips: Iterable[str] = ()) -> list[Alert]:
        """Alerts whose selectors match what is asked, regardless of time, in feed order."""
        routes, stops, trips = set(routes), set(stops), set(trips)
        found: set[str] = set()
        for route_id in routes:
            agency, rtype = self._route_facts(route_id)
            for alert in self._by_route.get(route_id, ()):
                if any(self._route_selector_matches(s, route_id, agency) for s in alert.informed):
                    found.add(alert.id)
            if rtype is not None:
                for alert in self._by_type.get(rtype, ()):
                    if any(s.route_type == rtype and s.route_id is None and s.stop_id is None
                           and s.trip_id is None and s.agency_id in (None, agency) for s in alert.informed):
                        found.add(alert.id)
            if agency is not None:
                found.update(a.id for a in self._by_agency.get(agency, ()))
        for stop_id in stops:
            for alert in self._by_stop.get(stop_id, ()):
                if any(s.stop_id == stop_id and (s.route_id is None or not routes or s.route_id in routes)
                       for s in alert.informed):
                    found.add(alert.id)
        for trip_id in trips:
            found.update(a.id for a in self._by_trip.get(trip_id, ()))
        return [a for a in self.alerts if a.id in found]

    def applicable(self, at: datetime, routes: Iterable[str] = (), stops: Iterable[str] = (),
                   trips: Iterable[str] = (), until: datetime | None = None) -> list[Alert]:
        """Alerts matching the routes/stops/trips asked and in force at `at` (or in [at, until))."""
        return [a for a in self.matching(routes, stops, trips) if a.in_force(at, until)]

    def network(self, at: datetime, until: datetime | None = None) -> list[Alert]:
        """Alerts for a whole-network question: in force, with an agency/route/type/stop-alone selector."""
        return [a for a in self.alerts
                if a.in_force(at, until) and any(s.is_network_wide for s in a.informed)]

    def upcoming(self, at: datetime, routes: Iterable[str] = (), stops: Iterable[str] = (),
                 causes: Iterable[str] = (), effects: Iterable[str] = ()) -> list[Alert]:
        """Alerts not yet in force at `at` that concern the question (the network when nothing is named).

        `causes`/`effects` (GTFS-RT enum names such as "STRIKE") narrow the result when given.
        """
        routes, stops = list(routes), list(stops)
        pool = self.matching(routes, stops) if routes or stops else [
            a for a in self.alerts if any(s.is_network_wide for s in a.informed)]
        causes, effects = set(causes), set(effects)
        return [a for a in pool if a.state(at) == "upcoming"
                and (not causes or a.cause in causes) and (not effects or a.effect in effects)]

    def _route_facts(self, route_id: str) -> tuple[str | None, int | None]:
        if self.gtfs is None:
            return None, None
        route = self.gtfs.route(route_id)
        return (route.agency_id, route.route_type) if route else (None, None)

    @staticmethod
    def _route_selector_matches(s: EntitySelector, route_id: str, agency: str | None) -> bool:
        if s.route_id != route_id or s.stop_id is not None or s.trip_id is not None:
            return False
        return s.agency_id is None or agency is None or s.agency_id == agency


def _add(table: dict[Any, list[Alert]], key: object, alert: Alert) -> None:
    bucket = table.setdefault(key, [])
    if not bucket or bucket[-1] is not alert:
        bucket.append(alert)
