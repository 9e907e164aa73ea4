"""The follow feature in one process: the alert watcher and each service's outage watcher (shared jobs), the
sender thread, the X poster."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy import Engine

from bot.channels.base import Channel
from bot.config import Settings
from bot.follow.events import AlertWatcher, Watched
from bot.follow.outage_events import PlaceWatcher
from bot.follow.places import PlaceFinder
from bot.follow.sender import NoticeSender
from bot.follow.xpost import TimelinePoster
from bot.scheduler import JobLeases, Scheduler
from knowledge.store import Knowledge

log = logging.getLogger(__name__)

#: The lease one process holds while it sends (the platform's rate is per bot, not per process);
#: it lasts ``workers.lease_seconds`` and is renewed before every batch.
SEND_LEASE = "follow:send"
IDLE_SECONDS = 1.0


class FollowService:
    """Watches the alerts, sends follower notices from one process at a time, posts to X if asked."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine,
        knowledge: Knowledge,
        channels: Mapping[str, Channel],
        leases: JobLeases,
        *,
        worker: str,
        clock: Callable[[], datetime],
        announce: Callable[[str], None] | None = None,
        services: Mapping[str, tuple[str, Knowledge]] | None = None,
    ) -> None:
        """``services``: each service's label and knowledge on a desk (default: ``knowledge`` alone, named after
        its domain); each one with outage sources gets its own outage watcher."""
        self.settings = settings
        self.knowledge = knowledge
        self.leases = leases
        self.lease_seconds = settings.workers.lease_seconds
        self.x = channels.get("x") if settings.subscriptions.post_to_x else None
        self.watcher = AlertWatcher(
            engine, knowledge.gtfs, lambda: knowledge.alerts.alerts, knowledge.alerts_fresh,
            clock=clock, post_to_x=self.x is not None,
        )
        services = dict(services or {knowledge.domain.name: (knowledge.domain.name, knowledge)})
        finder = PlaceFinder.of_services(services)
        several = len(services) > 1
        self.outage_watchers = [
            (kn, PlaceWatcher(engine, name, kn.outages, finder, clock=clock, label=label if several else None,
                              post_to_x=self.x is not None))
            for name, (label, kn) in services.items() if kn.outages.configured
        ]
        pushed = {name: channel for name, channel in channels.items() if name in ("telegram", "web")}
        self.sender = NoticeSender(
            engine, pushed, settings, worker=worker, clock=clock,
            lease_seconds=settings.workers.lease_seconds, max_attempts=settings.workers.max_attempts,
            pause_before_finalize=settings.debug.pause_before_finalize,
            pause_in_turn=settings.debug.pause_after_claim, announce=announce,
        )
        self.poster = (
            TimelinePoster(engine, self.x, daily_posts=settings.subscriptions.x_daily_posts,
                           zone=settings.operator.timezone, lang=settings.operator.languages[0], clock=clock,
                           within_cap=lambda: _x_within_cap(self.x, settings))
            if self.x is not None else None
        )
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self) -> Watched:
        """Bring the alerts up to date from the shared cache, then announce what changed."""
        self.knowledge.alert_feed.sync()
        return self.watcher.watch()

    def watch_outages(self) -> list[Watched]:
        """Bring each service's outage sources up to date from the shared cache, then announce what changed."""
        looks = []
        for knowledge, watcher in self.outage_watchers:
            for feed in knowledge.outages.feeds:
                feed.sync()
            looks.append(watcher.watch())
        return looks

    def schedule(self, scheduler: Scheduler) -> None:
        """The watchers (and the X poster) as shared jobs."""
        alerts = self.settings.knowledge.alerts
        if self.knowledge.alert_feed.configured or not self.outage_watchers:
            scheduler.every("follow:alerts", alerts.refresh_seconds, self.watch, shared=True)
        if self.outage_watchers:
            every = min(f.settings.refresh_seconds for kn, _w in self.outage_watchers for f in kn.outages.feeds)
            scheduler.every("follow:outages", every, self.watch_outages, shared=True)
        if self.poster is not None:
            scheduler.every("follow:x", 60.0, self.poster.run_once, shared=True)

    def start(self) -> None:
        """Start the sender thread (it sends only while this process holds the send lease)."""
        if not self.sender.channels:
            return
        self._thread = threading.Thread(target=self._run, name="follow-sender", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the sender after its current notice and give the lease back."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=30)
            try:
                self.leases.release(SEND_LEASE)
            except Exception:  # noqa: BLE001 - shutting down; the lease runs out anyway
                log.debug("follow: send lease not released", exc_info=True)

    def _run(self) -> None:
        while not self._stopping.is_set():
            sent = 0
            try:
                if self.leases.acquire(SEND_LEASE, self.lease_seconds):
                    sent = self.sender.run_once()
            except Exception:  # the loop boundary: log, wait, go on
                log.exception("follow: sender failed")
            if not sent:
                self._stopping.wait(IDLE_SECONDS)


def _x_within_cap(x: Channel | None, settings: Settings) -> bool:
    """Whether the X calls made today leave room under ``channels.x.daily_call_cap``."""
    ledger = getattr(x, "ledger", None)
    return ledger is None or ledger.usage()[0] < settings.channels.x.daily_call_cap
