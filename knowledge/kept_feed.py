"""What every fetched source keeps of its last good data: its own time, the fetch time, the belief, the last error.

Shared by the GTFS-Realtime feeds (``knowledge.livefeed``) and the outage sources (``knowledge.outage_feed``): each
fetches and parses in its own way, and both keep the times, the error and the age of what they believe alike.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine

from bot.config import FeedSettings
from bot.domain import SourceAge, SourceKind, as_utc
from knowledge.belief import Belief, believed_age
from storage.feed_cache import record_feed_error, stored_feed
from storage.models import FeedCache

Clock = Callable[[], datetime]


class KeptFeed:
    """A source's last good data as this process holds it: the data's own time, the fetch time, the belief and the
    last error, loaded from ``feed_cache`` by :meth:`_newer_row` when a database is shared."""

    #: How the log names a source of this kind.
    label = "feed"

    def __init__(self, name: str, settings: FeedSettings, *, kind: SourceKind, engine: Engine | None,
                 clock: Clock) -> None:
        self.name = name
        self.kind = kind
        self.settings = settings
        self.engine = engine
        self.clock = clock
        self.fetched_at: datetime | None = None
        self.data_at: datetime | None = None
        self.belief: Belief | None = None
        self.error: str | None = None
        self._lock = threading.Lock()

    def _record_error(self, error: str, now: datetime | None = None) -> None:
        """Keep ``error`` as the last error (logged once while it lasts), the last good data in place; ``now``: when
        it happened (the clock's time when not given)."""
        if self.error != error:
            logging.getLogger(type(self).__module__).warning(
                "%s %s: %s (keeping data from %s)", self.label, self.name, error, self.data_at)
        self.error = error
        if self.engine is not None:
            record_feed_error(self.engine, self.name, error, self.clock() if now is None else now)

    def _newer_row(self, force: bool) -> FeedCache | None:
        """The stored row when it holds data fetched after ours (any stored data, with ``force``), else None; the
        stored last error is taken either way."""
        if self.engine is None:
            return None
        stored = stored_feed(self.engine, self.name, newer_than=None if force else self.fetched_at)
        if stored is None:
            return None
        self.error = stored.error
        row = stored.newer
        return None if row is None or row.fetched_at is None else row

    def _set_stored_times(self, row: FeedCache, belief: Belief | None) -> None:
        """Take the times of a stored row (its fetch time when it has no data time) and ``belief``."""
        fetched = as_utc(row.fetched_at)
        self._set_times(fetched, as_utc(row.data_at) if row.data_at else fetched, belief)

    def _set_times(self, fetched_at: datetime, data_at: datetime, belief: Belief | None) -> None:
        self.fetched_at = fetched_at
        self.data_at = min(data_at, fetched_at)
        self.belief = belief

    def age(self, now: datetime) -> timedelta | None:
        """How old the data is (from its own time), or None when there is none."""
        return None if self.data_at is None else now - self.data_at

    def source_age(self, now: datetime) -> SourceAge:
        """The typed age of this source's data at ``now``."""
        return believed_age(self.kind, now, self.data_at, self.fetched_at, self.settings.max_age_seconds, self.belief)

    def status(self, now: datetime) -> dict[str, Any]:
        """The age and health of the source, for /health and the console."""
        age = self.age(now)
        return {
            "fetched_at": self.fetched_at.isoformat() if self.fetched_at else None,
            "data_at": self.data_at.isoformat() if self.data_at else None,
            "age_seconds": round(age.total_seconds()) if age is not None else None,
            "state": str(self.source_age(now).state),
            **self._health(now),
            "error": self.error,
        }

    def _health(self, now: datetime) -> dict[str, Any]:
        """What :meth:`status` tells of this kind of source beside the times and the error."""
        return {}
