"""Alert events for followers: what started, changed or ended since followers were last told, and the fan-out.

The alerts feed already holds a vanished alert for one more fetch (``knowledge.belief``), so an
alert missing from what is believed now has been confirmed gone. A stale or suspect feed
announces nothing: no alert is called ended from data whose age cannot be vouched for. Each
event and its follower notices (the outbox) are written in one transaction, so an event is
queued for every follower exactly once, or not at all.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, literal, or_, select, update

from bot.follow.targets import TargetKind, label
from knowledge.alerts import Alert
from knowledge.gtfs import GtfsIndex
from storage.models import AlertEvent, Cursor, FollowedAlert, Follower, FollowNotice

log = logging.getLogger(__name__)

_EVENTS = AlertEvent.__table__  # type: ignore[attr-defined]
_TOLD = FollowedAlert.__table__  # type: ignore[attr-defined]
_FOLLOWERS = Follower.__table__  # type: ignore[attr-defined]
_NOTICES = FollowNotice.__table__  # type: ignore[attr-defined]
_CURSORS = Cursor.__table__  # type: ignore[attr-defined]
LANGS = ("it", "en")
#: More lines than this are named as "the whole network" / "several lines".
MAX_NAMED = 3


class EventKind(StrEnum):
    """What happened to an alert."""

    START = "start"
    CHANGE = "change"
    END = "end"


class Topic(StrEnum):
    """What an event is about: a transit alert (lines and stops) or a service's outage (places)."""

    ALERT = "alert"
    OUTAGE = "outage"


@dataclass(frozen=True)
class AlertView:
    """An alert as followers see it: the lines and stops it touches, its texts, a fingerprint of both."""

    alert_id: str
    routes: tuple[str, ...]
    stops: tuple[str, ...]
    texts: dict[str, dict[str, str]] = field(hash=False)

    @property
    def fingerprint(self) -> str:
        """Changes when the texts or what the alert touches change."""
        body = json.dumps([self.routes, self.stops, self.texts], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class Watched:
    """What one look at the alerts did: events written and notices queued (None: the feed was not usable)."""

    events: tuple[tuple[str, EventKind, int], ...] = ()
    usable: bool = True

    @property
    def notices(self) -> int:
        """Follower notices queued."""
        return sum(count for _alert, _kind, count in self.events)


def touched_routes(alert: Alert, gtfs: GtfsIndex) -> tuple[str, ...]:
    """The routes an alert is about: named alone, through a trip, or all of a route type or agency."""
    found: set[str] = set()
    for s in alert.informed:
        if s.trip_id is not None:
            trip = gtfs.trip(s.trip_id)
            found.update([trip.route_id] if trip else ([s.route_id] if s.route_id else []))
        elif s.route_id is not None:
            found.add(s.route_id)
        elif s.stop_id is None and (s.route_type is not None or s.agency_id is not None):
            found.update(
                r.route_id for r in gtfs.routes.values()
                if (s.route_type is None or r.route_type == s.route_type) and (s.agency_id is None or r.agency_id == s.agency_id)
            )
    return tuple(sorted(found))


def view(alert: Alert, gtfs: GtfsIndex) -> AlertView:
    """What followers are told about ``alert``."""
    routes = touched_routes(alert, gtfs)
    stops = tuple(sorted(alert.stops()))
    texts = {}
    for lang in LANGS:
        header, description = alert.text(lang)
        texts[lang] = {"header": header, "description": description, "what": _what(routes, stops, gtfs, lang)}
    return AlertView(alert.id, routes, stops, texts)


def _what(routes: Iterable[str], stops: Iterable[str], gtfs: GtfsIndex, lang: str) -> str:
    named = [label(TargetKind.LINE, r, gtfs, lang) for r in routes] + [label(TargetKind.STOP, s, gtfs, lang) for s in stops]
    if len(named) > MAX_NAMED:
        return "più linee e fermate" if lang == "it" else "several lines and stops"
    return ", ".join(named)


class AlertWatcher:
    """Compares the alerts in force with what followers were told, and queues the difference."""

    def __init__(
        self,
        engine: Engine,
        gtfs: GtfsIndex,
        alerts: Callable[[], Iterable[Alert]],
        usable: Callable[[datetime], bool],
        *,
        clock: Callable[[], datetime],
        post_to_x: bool = False,
    ) -> None:
        self.engine = engine
        self.gtfs = gtfs
        self.alerts = alerts
        self.usable = usable
        self.clock = clock
        self.post_to_x = post_to_x
        self._was_usable = True
        self._baseline = False

    def watch(self) -> Watched:
        """One look: write an event (and its notices) per alert that started, changed or ended."""
        now = self.clock()
        if not self.usable(now):
            if self._was_usable:
                log.warning("follow: the alerts feed is stale or suspect; no alert is announced until it is good")
            self._was_usable = False
            return Watched(usable=False)
        self._was_usable = True
        current = {a.id: view(a, self.gtfs) for a in self.alerts() if a.state(now) == "active"}
        events: list[tuple[str, EventKind, int]] = []
        with self.engine.begin() as conn:
            told = {row.alert_id: row for row in conn.execute(
                select(_TOLD).where(_TOLD.c.ended_at.is_(None), _TOLD.c.topic == str(Topic.ALERT)).with_for_update()
            )}
            # The very first look finds alerts already in force: followers hear of them, X does not.
            self._baseline = self._first_look(conn, now)
            for alert_id, seen in current.items():
                before = told.get(alert_id)
                if before is None:
                    events.append((alert_id, EventKind.START, self._start(conn, seen, now)))
                elif before.fingerprint != seen.fingerprint:
                    events.append((alert_id, EventKind.CHANGE, self._change(conn, seen, before, now)))
            for alert_id, before in told.items():
                if alert_id not in current:
                    events.append((alert_id, EventKind.END, self._end(conn, before, now)))
        for alert_id, kind, count in events:
            log.info("follow: alert %s %s, %d follower notices queued", alert_id, kind, count)
        return Watched(tuple(events))

    @staticmethod
    def _first_look(conn: Connection, now: datetime) -> bool:
        """Whether the alerts were never looked at before (and remember that they now were)."""
        return first_look(conn, now, "watched")

    def _start(self, conn: Connection, seen: AlertView, now: datetime) -> int:
        values = {"fingerprint": seen.fingerprint, "routes": list(seen.routes), "stops": list(seen.stops),
                  "texts": seen.texts, "started_at": now, "changed_at": now, "ended_at": None}
        done = conn.execute(update(_TOLD).where(_TOLD.c.alert_id == seen.alert_id).values(**values))
        if not done.rowcount:
            conn.execute(insert(_TOLD).values(alert_id=seen.alert_id, **values))
        return self._event(conn, seen.alert_id, EventKind.START, seen.texts, seen.routes, seen.stops, now)

    def _change(self, conn: Connection, seen: AlertView, before: Any, now: datetime) -> int:
        conn.execute(update(_TOLD).where(_TOLD.c.alert_id == seen.alert_id).values(
            fingerprint=seen.fingerprint, routes=list(seen.routes), stops=list(seen.stops), texts=seen.texts,
            changed_at=now,
        ))
        # Told to those who follow what it touches now, and to those it no longer touches.
        routes = tuple(sorted({*seen.routes, *before.routes}))
        stops = tuple(sorted({*seen.stops, *before.stops}))
        return self._event(conn, seen.alert_id, EventKind.CHANGE, seen.texts, routes, stops, now)

    def _end(self, conn: Connection, before: Any, now: datetime) -> int:
        conn.execute(update(_TOLD).where(_TOLD.c.alert_id == before.alert_id).values(ended_at=now))
        return self._event(conn, before.alert_id, EventKind.END, dict(before.texts), tuple(before.routes), tuple(before.stops), now)

    def _event(self, conn: Connection, alert_id: str, kind: EventKind, texts: dict[str, Any],
               routes: tuple[str, ...], stops: tuple[str, ...], now: datetime) -> int:
        x_status = "pending" if self.post_to_x and kind != EventKind.CHANGE and not self._baseline else None
        event_id = conn.execute(insert(_EVENTS).values(
            alert_id=alert_id, kind=str(kind), at=now, texts=texts, followers=0, x_status=x_status,
        ).returning(_EVENTS.c.id)).scalar_one()
        count = fan_out(conn, event_id, alert_id, routes, stops, now)
        conn.execute(update(_EVENTS).where(_EVENTS.c.id == event_id).values(followers=count))
        return count


def first_look(conn: Connection, now: datetime, name: str) -> bool:
    """Whether the watcher whose cursor is ``name`` never looked before (and remember that it now did): what is
    in force at its first look is told to followers but is not news on X."""
    where = (_CURSORS.c.channel == "follow", _CURSORS.c.name == name)
    if conn.execute(select(_CURSORS.c.value).where(*where)).first() is not None:
        conn.execute(update(_CURSORS).where(*where).values(value=now.isoformat(), updated_at=now))
        return False
    conn.execute(insert(_CURSORS).values(channel="follow", name=name, value=now.isoformat(), updated_at=now))
    return True


def fan_out(conn: Connection, event_id: int, alert_id: str, routes: Iterable[str], stops: Iterable[str], now: datetime,
            places: Iterable[str] = ()) -> int:
    """Queue one notice of ``event_id`` per chat following any of ``routes``, ``stops`` or ``places`` (subject
    keys, ``kind:id``), in one statement."""
    routes, stops = list(routes), list(stops)
    wanted = []
    if routes:
        wanted.append(and_(_FOLLOWERS.c.kind == str(TargetKind.LINE), _FOLLOWERS.c.target.in_(routes)))
    if stops:
        wanted.append(and_(_FOLLOWERS.c.kind == str(TargetKind.STOP), _FOLLOWERS.c.target.in_(stops)))
    by_kind: dict[str, list[str]] = {}
    for key in places:
        kind, _sep, ident = key.partition(":")
        by_kind.setdefault(kind, []).append(ident)
    for kind, idents in sorted(by_kind.items()):
        wanted.append(and_(_FOLLOWERS.c.kind == kind, _FOLLOWERS.c.target.in_(sorted(set(idents)))))
    if not wanted:
        return 0
    chosen = (
        select(
            literal(event_id), literal(alert_id), _FOLLOWERS.c.channel, _FOLLOWERS.c.chat,
            func.min(_FOLLOWERS.c.lang), func.max(_FOLLOWERS.c.message_id), literal("pending"), literal(0), literal(now, _NOTICES.c.created_at.type),
        )
        .where(or_(*wanted))
        .group_by(_FOLLOWERS.c.channel, _FOLLOWERS.c.chat)
    )
    columns = ["event_id", "alert_id", "channel", "chat", "lang", "message_id", "status", "attempts", "created_at"]
    conn.execute(insert(_NOTICES).from_select(columns, chosen))
    # Counted, not read from rowcount (the PostgreSQL driver does not report it for INSERT ... SELECT).
    return int(conn.execute(select(func.count()).where(_NOTICES.c.event_id == event_id)).scalar_one())
