"""Outage events for the followers of places: an outage covering a followed street, area or service point that
started, changed or ended since they were last told, and the fan-out.

The same rules as line alerts (``bot.follow.events``): an outage source already holds a vanished outage for one
more fetch before it is believed gone (``knowledge.belief``), so an end is confirmed, not a blip; while any of
the service's outage sources is stale, suspect or unknown nothing is announced (no outage is called ended from
data whose age cannot be vouched for). Each event and its notices are written in one transaction. Which followed
places an outage covers is asked of the outage index with each place's points, street, municipality and areas
(``knowledge.outages``), so a street inside an outage's polygon is covered and one outside is not. A followed
municipality hears every outage reaching it: one announced for it whole, for one of its streets, districts or
zones, or whose shape holds a street or service point the service's gazetteer places in it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from bot.domain import DataState
from bot.follow.events import MAX_NAMED, EventKind, Topic, Watched, fan_out, first_look
from bot.follow.places import PLACE_KINDS, PlaceFinder
from bot.subjects import SubjectKind
from knowledge.outage_store import OutageStore
from knowledge.outages import Outage, Place
from storage.models import AlertEvent, FollowedAlert, Follower

log = logging.getLogger(__name__)

_EVENTS = AlertEvent.__table__  # type: ignore[attr-defined]
_TOLD = FollowedAlert.__table__  # type: ignore[attr-defined]
_FOLLOWERS = Follower.__table__  # type: ignore[attr-defined]
LANGS = ("it", "en")


def outage_texts(outage: Outage, places: Iterable[str], finder: PlaceFinder, label: str | None) -> dict[str, dict[str, str]]:
    """What followers read of an outage, per language: its headline (after the service's name on a desk of
    several), its description, the followed places it covers (or its area's description, beyond three), and its
    area's description alone (``area``, for the public X timeline)."""
    keys = sorted(places)
    texts = {}
    for lang in LANGS:
        pick = lambda found: found.get(lang) or found.get("it") or next(iter(found.values()), "")  # noqa: E731
        header = pick(outage.headline) or pick(outage.description)
        if label:
            header = f"{label}: {header}"
        named = [finder.label(*key.split(":", 1), lang) for key in keys]
        area = ", ".join(a.description for a in outage.areas if a.description)
        if len(named) > MAX_NAMED or not named:
            what = area or ("più luoghi" if lang == "it" else "several places")
        else:
            what = ", ".join(named)
        texts[lang] = {"header": header, "description": pick(outage.description) if outage.headline else "", "what": what,
                       "area": area}  # the outage's own area: what the X timeline says (not who follows what)
    return texts


def fingerprint(outage: Outage) -> str:
    """Changes when the outage's texts, times or areas change (not when who follows it does)."""
    areas = [[a.description, [p.points for p in a.polygons], [(c.lat, c.lon, c.radius_km) for c in a.circles],
              sorted(a.codes), sorted(a.streets), sorted(a.areas)] for a in outage.areas]
    body = json.dumps([outage.headline, outage.description, str(outage.start), str(outage.expires), areas],
                      sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()[:32]


class PlaceWatcher:
    """Compares one service's outages in force with what the followers of places were told, and queues the
    difference (``service``: the desk's name for it; ``label``: said before each headline, on a desk of several;
    ``post_to_x``: each start and end is also queued for the operator's X timeline, as line alerts are, except
    for what is already in force at the service's very first look)."""

    def __init__(self, engine: Engine, service: str, store: OutageStore, finder: PlaceFinder, *,
                 clock: Callable[[], datetime], label: str | None = None, post_to_x: bool = False) -> None:
        self.engine = engine
        self.service = service
        self.store = store
        self.finder = finder
        self.clock = clock
        self.label = label
        self.post_to_x = post_to_x
        self._baseline = False
        self._was_usable = True
        self._places: dict[tuple[str, str], Place | None] = {}
        self._reached: dict[tuple[str, str], frozenset[str]] = {}

    def usable(self, now: datetime) -> bool:
        """Whether every outage source of the service is fresh (not stale, suspect or never fetched)."""
        return bool(self.store.feeds) and all(f.source_age(now).state == DataState.FRESH for f in self.store.feeds)

    def watch(self) -> Watched:
        """One look: write an event (and its notices) per outage that started, changed or ended."""
        now = self.clock()
        if not self.usable(now):
            if self._was_usable:
                log.warning("follow: %s's outage sources are stale or suspect; no outage is announced until they are good",
                            self.service)
            self._was_usable = False
            return Watched(usable=False)
        self._was_usable = True
        current = {f"{self.service}:{o.id}": o for o in self.store.index.in_force(now)}
        covered = self._covered(current, now)
        events: list[tuple[str, EventKind, int]] = []
        with self.engine.begin() as conn:
            told = {row.alert_id: row for row in conn.execute(
                select(_TOLD).where(_TOLD.c.ended_at.is_(None), _TOLD.c.topic == str(Topic.OUTAGE),
                                    _TOLD.c.service == self.service).with_for_update()
            )}
            self._baseline = first_look(conn, now, f"watched:outages:{self.service}"[:64])
            for alert_id, outage in current.items():
                before, places = told.get(alert_id), covered.get(alert_id, set())
                if before is None:
                    events.append((alert_id, EventKind.START, self._start(conn, alert_id, outage, places, now)))
                elif before.fingerprint != fingerprint(outage):
                    events.append((alert_id, EventKind.CHANGE, self._change(conn, alert_id, outage, places, before, now)))
                elif not places <= set(before.places or ()):  # newly followed places: kept for its end, not told now
                    conn.execute(update(_TOLD).where(_TOLD.c.alert_id == alert_id).values(
                        places=sorted(places | set(before.places or ()))))
            for alert_id, before in told.items():
                if alert_id not in current:
                    events.append((alert_id, EventKind.END, self._end(conn, before, now)))
        for alert_id, kind, count in events:
            log.info("follow: outage %s %s, %d follower notices queued", alert_id, kind, count)
        return Watched(tuple(events))

    def _covered(self, current: dict[str, Outage], now: datetime) -> dict[str, set[str]]:
        """For each outage in force, the followed places (``kind:id``) it covers."""
        if not current:
            return {}
        with self.engine.connect() as conn:
            followed = conn.execute(
                select(_FOLLOWERS.c.kind, _FOLLOWERS.c.target).where(_FOLLOWERS.c.kind.in_(sorted(map(str, PLACE_KINDS))))
                .distinct()
            ).all()
        prefix = f"{self.service}:"
        found: dict[str, set[str]] = {}
        index = self.store.index
        towns: set[str] = set()
        for kind, target in followed:
            if kind == str(SubjectKind.MUNICIPALITY):
                towns.add(target)  # any outage reaching it, not only one announced for it whole (below)
                continue
            place = self._place(kind, target)
            if place is None:
                continue
            for outage in index.covering(place, now):
                found.setdefault(prefix + outage.id, set()).add(f"{kind}:{target}")
        for alert_id, outage in current.items() if towns else ():
            for code in self._towns(outage) & towns:
                found.setdefault(alert_id, set()).add(f"{SubjectKind.MUNICIPALITY}:{code}")
        return found

    def _towns(self, outage: Outage) -> frozenset[str]:
        """The municipalities an outage reaches (by the service's gazetteer), kept while the outage is unchanged."""
        key = (outage.id, fingerprint(outage))
        if key not in self._reached:
            if len(self._reached) > 10_000:
                self._reached.clear()
            self._reached[key] = self.store.gazetteer.municipalities_touched(outage)
        return self._reached[key]

    def _place(self, kind: str, target: str) -> Place | None:
        if (kind, target) not in self._places:
            if len(self._places) > 100_000:
                self._places.clear()
            known = self.store.gazetteer.known(SubjectKind(kind), target) or self.finder.known(kind, target)  # its own first
            self._places[(kind, target)] = known[1] if known else None
        return self._places[(kind, target)]

    def _start(self, conn: Connection, alert_id: str, outage: Outage, places: set[str], now: datetime) -> int:
        texts = outage_texts(outage, places, self.finder, self.label)
        values = {"fingerprint": fingerprint(outage), "routes": [], "stops": [], "texts": texts, "started_at": now,
                  "changed_at": now, "ended_at": None, "topic": str(Topic.OUTAGE), "service": self.service,
                  "places": sorted(places)}
        if not conn.execute(update(_TOLD).where(_TOLD.c.alert_id == alert_id).values(**values)).rowcount:
            conn.execute(insert(_TOLD).values(alert_id=alert_id, **values))
        return self._event(conn, alert_id, EventKind.START, texts, places, now)

    def _change(self, conn: Connection, alert_id: str, outage: Outage, places: set[str], before: Any,
                now: datetime) -> int:
        # Told to the followers of the places it covers now, and of those it no longer covers.
        every = places | set(before.places or ())
        texts = outage_texts(outage, every, self.finder, self.label)
        conn.execute(update(_TOLD).where(_TOLD.c.alert_id == alert_id).values(
            fingerprint=fingerprint(outage), texts=texts, changed_at=now, places=sorted(places)))
        return self._event(conn, alert_id, EventKind.CHANGE, texts, every, now)

    def _end(self, conn: Connection, before: Any, now: datetime) -> int:
        conn.execute(update(_TOLD).where(_TOLD.c.alert_id == before.alert_id).values(ended_at=now))
        return self._event(conn, before.alert_id, EventKind.END, dict(before.texts), set(before.places or ()), now)

    def _event(self, conn: Connection, alert_id: str, kind: EventKind, texts: dict[str, Any], places: set[str],
               now: datetime) -> int:
        x_status = "pending" if self.post_to_x and kind != EventKind.CHANGE and not self._baseline else None
        event_id = conn.execute(insert(_EVENTS).values(
            alert_id=alert_id, kind=str(kind), at=now, texts=texts, followers=0, x_status=x_status,
            topic=str(Topic.OUTAGE), service=self.service,
        ).returning(_EVENTS.c.id)).scalar_one()
        count = fan_out(conn, event_id, alert_id, (), (), now, places=sorted(places))
        conn.execute(update(_EVENTS).where(_EVENTS.c.id == event_id).values(followers=count))
        return count
