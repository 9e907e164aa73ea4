"""Everything sportello knows at one moment: the network, live alerts with their age, the FAQ.

Live feeds are fetched by one process at a time (a shared job) and their last good payload
is kept in the database, so every process routes on the same data and a restart starts from
the last good copy. Without a database (``sportello route``) a feed is read directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.config import SAMPLE_DIR, AlertFeedSettings, FeedSettings, KnowledgeSettings
from bot.domain import DataState, SourceAge, SourceKind, utcnow
from knowledge.alerts import Alert, AlertIndex, parse_feed
from knowledge.domains import Domain, domain_named
from knowledge.domains.base import Source
from knowledge.faq_engine import FaqSource, load_faq
from bot.errors import ConfigError
from knowledge.errors import GtfsError
from knowledge.gtfs import GtfsIndex
from knowledge.gazetteer import Gazetteer, GazetteerError
from knowledge.livefeed import LiveFeed
from knowledge.outage_store import OutageStore

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class Job:
    """A periodic job the knowledge needs run."""

    name: str
    seconds: float
    run: Callable[[], object]
    shared: bool


class Knowledge:
    """The network index, the live alerts and the FAQ, as one object handlers can ask.

    ``domain`` is the kind of service it serves (transit unless said); ``service`` names it in a
    multi-service desk, and prefixes its feeds' names so two services' feeds never share a cache row.
    """

    def __init__(
        self,
        gtfs: GtfsIndex,
        faq: FaqSource,
        alerts: FeedSettings,
        *,
        trip_updates: FeedSettings | None = None,
        engine: Engine | None = None,
        clock: Clock = utcnow,
        faq_time: datetime | None = None,
        faq_max_age_days: float | None = None,
        outages: OutageStore | None = None,
        domain: Domain | None = None,
        service: str | None = None,
    ) -> None:
        self.domain = domain or domain_named("transit")
        self.service = service
        self.gtfs = gtfs
        self.faq = faq
        self.clock = clock
        self.engine = engine
        self.faq_time = faq_time
        self.faq_max_age_days = faq_max_age_days
        self._alerts = AlertIndex((), gtfs)
        if not isinstance(alerts, AlertFeedSettings):
            alerts = AlertFeedSettings(**alerts.model_dump())
        self.alert_feed = LiveFeed(
            feed_name("alerts", service), alerts, kind=SourceKind.ALERTS, engine=engine, clock=clock,
            on_payload=self._load_alerts, confirm=True,
        )
        self.trip_feed = LiveFeed(
            feed_name("trip_updates", service),
            trip_updates or FeedSettings(),
            kind=SourceKind.TRIP_UPDATES,
            engine=engine,
            clock=clock,
            on_payload=lambda _payload: None,
        )
        self.alert_feed.sync()
        if self.alert_feed.fetched_at is None:
            self.alert_feed.refresh()
        self.outages = outages or OutageStore((), None, engine=engine, clock=clock)

    @classmethod
    def from_settings(
        cls,
        settings: KnowledgeSettings,
        *,
        engine: Engine | None = None,
        clock: Clock = utcnow,
        service: str | None = None,
        key: str = "knowledge",
    ) -> Knowledge:
        """Load what the configuration names, as far as its domain reads it (``key``: where it is configured)."""
        domain = domain_named(settings.domain, key=f"{key}.domain")
        check_sources(settings, domain, key=key)
        alerts = settings.alerts if domain.reads(Source.ALERTS) else AlertFeedSettings()
        trips = settings.trip_updates if domain.reads(Source.TRIP_UPDATES) else FeedSettings()
        warn_long_limit(alerts)
        gtfs = load_network(settings) if domain.reads(Source.GTFS) else GtfsIndex.empty()
        faq_paths = [Path(p) for p in settings.faq]
        faq = load_faq(faq_paths, settings.faq_engine, settings.cache_dir)
        outages = load_outages(settings, engine=engine, clock=clock, service=service)
        return cls(
            gtfs, faq, alerts, trip_updates=trips, engine=engine, clock=clock,
            faq_time=newest_file_time(faq_paths), faq_max_age_days=settings.faq_max_age_days, outages=outages,
            domain=domain, service=service,
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
        for source in self.outages.feeds:
            jobs.append(Job(f"feed:{source.name}", source.settings.refresh_seconds, source.refresh, True))
            jobs.append(
                Job(f"sync:{source.name}", max(1.0, source.settings.refresh_seconds / 4), source.sync, False)
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
        """The alerts' own time (header timestamp or file time, never after the fetch)."""
        return self.alert_feed.data_at

    def alerts_fresh(self, now: datetime) -> bool:
        """Whether the alerts may be presented as live (young enough and confirmed)."""
        return self.alert_feed.fresh(now)

    def source_age(self, kind: SourceKind, now: datetime) -> SourceAge:
        """The typed age of one source this object holds (alerts, trip updates, the FAQ)."""
        if kind == SourceKind.ALERTS:
            return self.alert_feed.source_age(now)
        if kind == SourceKind.TRIP_UPDATES:
            return self.trip_feed.source_age(now)
        if kind == SourceKind.FAQ:
            return self._faq_age(now)
        if kind == SourceKind.OUTAGES:
            return self.outages.source_age(now)
        msg = f"the knowledge holds no {kind} source"
        raise ValueError(msg)

    def _faq_age(self, now: datetime) -> SourceAge:
        """The FAQ is curated, not live: fresh unless `faq_max_age_days` is set and its files are older."""
        limit = self.faq_max_age_days * 86400 if self.faq_max_age_days else None
        if limit is None:
            state = DataState.FRESH
        elif self.faq_time is None:
            state = DataState.UNKNOWN
        else:
            state = DataState.STALE if (now - self.faq_time).total_seconds() > limit else DataState.FRESH
        return SourceAge(SourceKind.FAQ, state, self.faq_time, self.faq_time, limit)

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
            if feed.configured:
                out[feed.name] = feed.status(now)
        out["alerts"] = {**out.get("alerts", {}), "count": len(self._alerts)}
        if self.outages.configured:
            out["outages"] = self.outages.status(now)
        return out


#: A limit longer than this is only meant for the shipped sample (a fixed demonstration file).
LONG_LIMIT_SECONDS = 86400.0


def load_network(settings: KnowledgeSettings) -> GtfsIndex:
    """The static network ``knowledge.gtfs`` names, or an empty one when it is null.

    Raises :class:`ConfigError` naming the key when the folder or zip cannot be read.
    """
    if settings.gtfs is None:
        return GtfsIndex.empty()
    if settings.stop_names is not None and not Path(settings.stop_names).is_file():
        msg = (f"knowledge.stop_names: {settings.stop_names} is not a file; point it at a file in the format of GTFS "
               "translations.txt, or remove the key")
        raise ConfigError(msg)
    try:
        return GtfsIndex.load(settings.gtfs, cache_dir=settings.cache_dir, translations=settings.stop_names)
    except GtfsError as exc:
        msg = (f"knowledge.gtfs: {exc}; point it at a GTFS folder or zip, "
               "or set `knowledge.gtfs: null` for a service without lines and stops")
        raise ConfigError(msg) from exc


def load_outages(
    settings: KnowledgeSettings, *, engine: Engine | None, clock: Clock, service: str | None = None
) -> OutageStore:
    """The outage sources and the gazetteer the configuration names (an empty store when none is set)."""
    return OutageStore(
        [(feed_name("outages", service), settings.outages),
         (feed_name("planned_outages", service), settings.planned_outages)],
        load_gazetteer(settings), engine=engine, clock=clock,
    )


def feed_name(name: str, service: str | None) -> str:
    """A feed's name in the cache and in /health: ``alerts``, or ``water:outages`` in a multi-service desk."""
    return f"{service}:{name}" if service else name


def check_sources(settings: KnowledgeSettings, domain: Domain, *, key: str = "knowledge") -> None:
    """Refuse a source the configuration sets that the domain does not read, naming the key and what it reads."""
    given = settings.model_fields_set
    for source in Source:
        if domain.reads(source) or source.value not in given:
            continue
        value = getattr(settings, source.value)
        if isinstance(value, FeedSettings):
            value = value.source
        if value:
            reads = ", ".join(sorted(str(s) for s in domain.sources))
            msg = (f"{key}.{source.value}: the {domain.name} domain does not read it (it reads {reads}); "
                   f"remove it, or set {key}.domain to a domain that does")
            raise ConfigError(msg)


def load_gazetteer(settings: KnowledgeSettings) -> Gazetteer | None:
    """The streets ``knowledge.gazetteer`` names (None when unset); errors name the key."""
    if not settings.gazetteer:
        return None
    try:
        return Gazetteer.load(settings.gazetteer)
    except GazetteerError as exc:
        msg = f"knowledge.gazetteer: {exc}"
        raise ConfigError(msg) from exc


def warn_long_limit(alerts: FeedSettings) -> bool:
    """Warn (once, at start-up) when a real alerts feed is given a limit of more than a day. True if warned."""
    sample = (SAMPLE_DIR / "alerts.textproto").resolve()
    source = alerts.source or ""
    is_sample = not source.startswith(("http://", "https://")) and Path(source).resolve() == sample
    if alerts.max_age_seconds <= LONG_LIMIT_SECONDS or is_sample or not source:
        return False
    log.warning(
        "knowledge.alerts.max_age_seconds is %.0f s: alerts that old from %s will be presented as live; "
        "a real feed wants a few minutes (900)", alerts.max_age_seconds, source,
    )
    return True


def newest_file_time(paths: Sequence[Path]) -> datetime | None:
    """The latest modification time of the files at ``paths`` (folders searched), or None."""
    times = []
    for path in paths:
        files = [f for f in path.rglob("*") if f.is_file()] if path.is_dir() else [path]
        times += [f.stat().st_mtime for f in files if f.exists()]
    return datetime.fromtimestamp(max(times), tz=timezone.utc) if times else None
