"""One live GTFS-Realtime feed as every process sees it: the last good data, its own time, its state.

One process fetches (a shared job) and stores the believed payload, its times and its confirmation
state in ``feed_cache``; every process syncs from there. Without a database the feed is read directly.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from google.transit import gtfs_realtime_pb2
from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import AlertFeedSettings, FeedSettings
from bot.domain import SourceKind
from knowledge.alerts import parse_feed
from knowledge.belief import Belief, believed_feed, entity_ids, observe
from knowledge.feeds import FeedSource
from knowledge.kept_feed import Clock, KeptFeed
from storage.feed_cache import locked_row

log = logging.getLogger(__name__)


class LiveFeed(KeptFeed):
    """One GTFS-Realtime feed: the believed payload, its own time, the fetch time and the last error.

    With ``confirm`` (the alerts feed) an entity missing from one fetch is kept until the next good
    fetch agrees, and a sharp shrink makes the feed suspect until then (``knowledge.belief``).
    """

    def __init__(
        self,
        name: str,
        settings: FeedSettings,
        *,
        kind: SourceKind,
        engine: Engine | None,
        clock: Clock,
        on_payload: Callable[[bytes], None],
        confirm: bool = False,
    ) -> None:
        super().__init__(name, settings, kind=kind, engine=engine, clock=clock)
        self.on_payload = on_payload
        self.confirm = confirm
        self._believed: gtfs_realtime_pb2.FeedMessage | None = None
        self._payload: bytes | None = None
        self._source = _make_source(settings, clock) if settings.source else None

    @property
    def configured(self) -> bool:
        """Whether a source is set for this feed."""
        return self._source is not None

    @property
    def max_shrink_share(self) -> float:
        """The share of entities one fetch may lose before it is suspect."""
        return self.settings.max_shrink_share if isinstance(self.settings, AlertFeedSettings) else 0.5

    # -- fetching (one process) -----------------------------------------------------------
    def refresh(self) -> bool:
        """Fetch the source once; store what is now believed. True when the believed data changed."""
        if self._source is None:
            return False
        changed = self._source.refresh()
        if self._source.last_error:
            self._record_error(self._source.last_error)
            return False
        snapshot = self._source.snapshot
        if snapshot is None:
            return False
        belief = observe(self.belief, entity_ids(snapshot.feed), self.max_shrink_share) if self.confirm else None
        if not changed and self.fetched_at is not None and belief == self.belief:
            self._store(None, snapshot.fetched_at, snapshot.data_time, belief, snapshot.etag, snapshot.last_modified)
            return False
        if belief is not None and belief.suspect:
            log.warning("feed %s shrank from %d to %d entities: suspect until the next fetch",
                        self.name, len(self.belief.seen) if self.belief else 0, len(belief.seen))
        feed = believed_feed(snapshot.feed, self._believed, belief.held if belief else frozenset())
        self._store(feed.SerializeToString(), snapshot.fetched_at, snapshot.data_time, belief,
                    snapshot.etag, snapshot.last_modified)
        return True

    def _store(self, payload: bytes | None, fetched_at: datetime, data_at: datetime, belief: Belief | None,
               etag: str | None, last_modified: str | None) -> None:
        if self.engine is None:
            if payload is not None:
                self._apply(payload)
            self._set_times(fetched_at, data_at, belief)
            return
        with Session(self.engine) as session:
            row = locked_row(session, self.name)
            if payload is not None:
                row.payload = payload
            row.fetched_at = fetched_at
            row.data_at = data_at
            row.belief = belief.as_dict() if belief else None
            row.etag = etag
            row.last_modified = last_modified
            row.error = None
            session.add(row)
            session.commit()
        self.sync(force=True)

    # -- every process ----------------------------------------------------------------------
    def sync(self, force: bool = False) -> None:
        """Load what the fetching process stored, when it is newer than ours (or always, with ``force``)."""
        row = self._newer_row(force)
        if row is None:
            return
        if row.payload != self._payload:
            self._apply(row.payload)
        self._set_stored_times(row, Belief.from_dict(row.belief))

    def _apply(self, payload: bytes) -> None:
        with self._lock:
            self.on_payload(payload)
            self._believed = parse_feed(payload) if self.confirm else None
            self._payload = payload
            self.error = None

    # -- age --------------------------------------------------------------------------------
    def fresh(self, now: datetime) -> bool:
        """Whether the data may be presented as live (young enough and confirmed)."""
        return self.source_age(now).usable

    def _health(self, now: datetime) -> dict[str, Any]:
        return {"fresh": self.fresh(now)}


def _make_source(settings: FeedSettings, clock: Clock) -> FeedSource:
    assert settings.source is not None
    return FeedSource(
        settings.source,
        max_age=timedelta(seconds=settings.max_age_seconds),
        timeout=settings.timeout_seconds,
        clock=clock,
    )
