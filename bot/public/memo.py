"""Figures of service days that are over, kept in memory: their trip updates no longer change.

A service day is over once its last possible trip has ended (``CLOSED_AFTER`` past its GTFS
origin); its figures are computed once and kept for ``ttl`` (a late-arriving snapshot of an old
day shows after that at worst). Today and any day not yet over are always computed afresh.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable
from datetime import date, datetime, timedelta
from typing import TypeVar

from bot.domain import as_utc
from bot.insight.snapshots import service_start

T = TypeVar("T")
#: GTFS service days run past midnight: a day is over this long after its origin.
CLOSED_AFTER = timedelta(hours=30)


class ClosedDays:
    """A bounded, thread-safe store of figures for days that are over."""

    def __init__(self, tz: str, *, ttl: timedelta = timedelta(hours=24), limit: int = 100_000) -> None:
        self.tz = tz
        self.ttl = ttl.total_seconds()
        self.limit = limit
        self._kept: dict[Hashable, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def closed(self, day: date, now: datetime) -> bool:
        """Whether ``day``'s service is over at ``now``."""
        return as_utc(now) >= as_utc(service_start(day, self.tz)) + CLOSED_AFTER

    def peek(self, key: Hashable) -> object | None:
        """The kept figures for ``key``, or None."""
        with self._lock:
            found = self._kept.get(key)
        if found is None or found[0] < time.monotonic():
            return None
        return found[1]

    def keep(self, key: Hashable, value: object) -> None:
        """Keep ``value`` for ``key`` (the store empties itself when full)."""
        with self._lock:
            if len(self._kept) >= self.limit:
                self._kept.clear()
            self._kept[key] = (time.monotonic() + self.ttl, value)

    def get(self, key: Hashable, day: date, now: datetime, build: Callable[[], T]) -> T:
        """``build()``, kept when ``day`` is over."""
        found = self.peek(key)
        if found is not None:
            return found  # type: ignore[return-value]
        value = build()
        if self.closed(day, now):
            self.keep(key, value)
        return value
