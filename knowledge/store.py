"""Everything sportello knows at one moment: the network, live alerts with their age, the FAQ.

Live feeds are fetched by one process at a time (a shared job) and their last good payload
is kept in the database, so every process routes on the same data and a restart starts from
the last good copy. Without a database (``sportello route``) a feed is read directly.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import FeedSettings, KnowledgeSettings
from bot.domain import as_utc, utcnow
from knowledge.alerts import Alert, AlertIndex, parse_feed
from knowledge.faq import FaqIndex
from knowledge.gtfs import GtfsIndex
from storage.models import FeedCache

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Job:
    """A periodic job the knowledge needs run."""

    name: str
    seconds: float
    run: Callable[[], object]
    shared: bool


class LiveFeed:
    """One GTFS-Realtime feed: the last good payload, when it was fetched, and the last error."""

    def __init__(
        self,
        name: str,
        settings: FeedSettings,
        *,
        engine: Engine | None,
        clock: Clock,
        on_payload: Callable[[bytes], None],
    ) -> None:
        self.name = name
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.on_payload = on_payload
        self.fetched_at: datetime | None = None
        self.error: str | None = None
        self._source = _make_source(settings, clock) if settings.source else None
        self._lock = threading.Lock()

    @property
    def configured(self) -> bool:
        """Whether a source is set for this feed."""
        return self._source is not None

    def refresh(self) -> bool:
        """Fetch the source (one process at a time); store a new good payload. True if new."""
        if self._source is None:
            return False
        changed = self._source.refresh()
        if self._source.last_error:
            self._record_error(self._source.last_error)
            return False
        snapshot = self._source.snapshot
        if snapshot is None:
            return False
        if not changed and self.fetched_at is not None:
            self._touch(snapshot.fetched_at)
            return False
        payload = snapshot.feed.SerializeToString()
        if self.engine is None:
            self._apply(payload, snapshot.fetched_at)
            return True
        with Session(self.engine) as session:
            row = session.get(FeedCache, self.name, with_for_update=True) or FeedCache(name=self.name)
            row.payload = payload
            row.fetched_at = snapshot.fetched_at
            row.etag = snapshot.etag
            row.last_modified = snapshot.last_modified
            row.error = None
            session.add(row)
            session.commit()
        self.sync()
        return True

    def sync(self) -> None:
        """Load the payload another process stored, when it is newer than ours (every process)."""
        if self.engine is None:
            return
        with Session(self.engine) as session:
            row = session.get(FeedCache, self.name)
        if row is None:
            return
        self.error = row.error
        if row.payload is None or row.fetched_at is None:
            return
        fetched = as_utc(row.fetched_at)
        if self.fetched_at is None or fetched > self.fetched_at:
            self._apply(row.payload, fetched)

    def _apply(self, payload: bytes, fetched_at: datetime) -> None:
        with self._lock:
            self.on_payload(payload)
            self.fetched_at = fetched_at
            self.error = None

    def _touch(self, now: datetime) -> None:
        """The source confirmed our data is current (304 or unchanged file)."""
        if self.engine is None:
            self.fetched_at = now
            return
        with Session(self.engine) as session:
            row = session.get(FeedCache, self.name, with_for_update=True)
            if row is not None and row.payload is not None:
                row.fetched_at = now
                row.error = None
                session.add(row)
            session.commit()
        self.sync()

    def _record_error(self, error: str) -> None:
        if self.error != error:
            log.warning("feed %s: %s (keeping data from %s)", self.name, error, self.fetched_at)
        self.error = error
        if self.engine is None:
            return
        with Session(self.engine) as session:
            row = session.get(FeedCache, self.name, with_for_update=True) or FeedCache(name=self.name)
            row.error = error[:4000]
            row.error_at = self.clock()
            session.add(row)
            session.commit()

    def age(self, now: datetime) -> timedelta | None:
        """How old the data is, or None when there is none."""
        return None if self.fetched_at is None else now - self.fetched_at

    def fresh(self, now: datetime) -> bool:
        """Whether the data is recent enough to present as live."""
        age = self.age(now)
        return age is not None and age.total_seconds() <= self.settings.max_age_seconds


def _make_source(settings: FeedSettings, clock: Clock) -> Any:
    from knowledge.feeds import FeedSource

    assert settings.source is not None
    return FeedSource(
        settings.source,
        max_age=timedelta(seconds=settings.max_age_seconds),
        timeout=settings.timeout_seconds,
        clock=clock,
    )


class Knowledge:
    """The network index, the live alerts and the FAQ, as one object handlers can ask."""

    def __init__(
        self,
        gtfs: GtfsIndex,
        faq: FaqIndex,
        alerts: FeedSettings,
        *,
        trip_updates: FeedSettings | None = None,
        engine: Engine | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self.gtfs = gtfs
        self.faq = faq
        self.clock = clock
        self.engine = engine
        self._alerts = AlertIndex((), gtfs)
        self.alert_feed = LiveFeed(
            "alerts", alerts, engine=engine, clock=clock, on_payload=self._load_alerts
        )
        self.trip_feed = LiveFeed(
            "trip_updates",
            trip_updates or FeedSettings(),
            engine=engine,
            clock=clock,
            on_payload=lambda _payload: None,
        )
        self.alert_feed.sync()
        if self.alert_feed.fetched_at is None:
            self.alert_feed.refresh()

    @classmethod
    def from_settings(
        cls, settings: KnowledgeSettings, *, engine: Engine | None = None, clock: Clock = utcnow
    ) -> Knowledge:
        """Load what the configuration names."""
        gtfs = GtfsIndex.load(settings.gtfs, cache_dir=settings.cache_dir)
        faq = FaqIndex.load([Path(p) for p in settings.faq])
        return cls(
            gtfs, faq, settings.alerts, trip_updates=settings.trip_updates, engine=engine, clock=clock
        )

    def _load_alerts(self, payload: bytes) -> None:
        self._alerts = AlertIndex.from_feed(parse_feed(payload), self.gtfs)

    @property
    def alerts(self) -> AlertIndex:
        """The current alert index (replaced whole on refresh, so readers never see a mix)."""
        return self._alerts

    def jobs(self) -> list[Job]:
        """The feed refreshes (shared) and the syncs every process needs (local)."""
        jobs: list[Job] = []
        for feed in (self.alert_feed, self.trip_feed):
            if not feed.configured:
                continue
            jobs.append(Job(f"feed:{feed.name}", feed.settings.refresh_seconds, feed.refresh, True))
            jobs.append(
                Job(f"sync:{feed.name}", max(1.0, feed.settings.refresh_seconds / 4), feed.sync, False)
            )
        return jobs

    # -- what handlers ask ---------------------------------------------------------------
    def alert(self, alert_id: str) -> Alert | None:
        """An alert by its entity id."""
        return self._alerts.get(alert_id)

    def alert_text(self, alert_id: str, lang: str) -> tuple[str, str]:
        """An alert's header and description in ``lang`` (with the feed's fallbacks)."""
        alert = self._alerts.get(alert_id)
        return alert.text(lang) if alert else ("", "")

    def alerts_updated_at(self) -> datetime | None:
        """When the alerts were last fetched successfully."""
        return self.alert_feed.fetched_at

    def alerts_fresh(self, now: datetime) -> bool:
        """Whether the alerts may be presented as live."""
        return self.alert_feed.fresh(now)

    def route_label(self, route_id: str, lang: str) -> str:
        """How to name a route to a citizen ("metro A", "bus 64")."""
        route = self.gtfs.route(route_id)
        return route.label(lang) if route else route_id

    def stop_label(self, stop_name: str) -> str:
        """A stop name as a citizen reads it ("Termini" for "TERMINI (MA-MB-FS)")."""
        base = stop_name.split(" (")[0]
        return base.title()

    def faq_answer(self, faq_id: str, lang: str) -> str:
        """The FAQ entry's answer in ``lang`` (or its fallback)."""
        try:
            return self.faq.answer(faq_id, lang)
        except KeyError:
            return ""

    def status(self, now: datetime) -> dict[str, Any]:
        """The age and health of each feed, for /health and the console."""
        out: dict[str, Any] = {"routes": len(self.gtfs.routes), "stops": len(self.gtfs.stops)}
        for feed in (self.alert_feed, self.trip_feed):
            if not feed.configured:
                continue
            age = feed.age(now)
            out[feed.name] = {
                "fetched_at": feed.fetched_at.isoformat() if feed.fetched_at else None,
                "age_seconds": round(age.total_seconds()) if age else None,
                "fresh": feed.fresh(now),
                "error": feed.error,
            }
        out["alerts"] = {**out.get("alerts", {}), "count": len(self._alerts)}
        return out
