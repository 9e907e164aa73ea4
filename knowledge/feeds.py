"""Live GTFS-Realtime feeds from a file or an http(s) URL, with conditional GET, back-off and age."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path

import httpx
from google.transit import gtfs_realtime_pb2

from knowledge.alerts import TEXT_SUFFIXES, parse_feed
from knowledge.errors import FeedError

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current time as an aware UTC datetime (the default clock)."""
    return datetime.now(timezone.utc)


@dataclass(frozen=True, slots=True)
class FeedSnapshot:
    """The last good parse of a feed and when it was obtained."""

    feed: gtfs_realtime_pb2.FeedMessage
    fetched_at: datetime
    published_at: datetime | None
    etag: str | None = None
    last_modified: str | None = None
    file_mtime_ns: int | None = None

    @property
    def own_time(self) -> datetime | None:
        """The time the data itself claims: the header timestamp, else the file's or the server's
        modification time; None when the source says nothing."""
        if self.published_at is not None:
            return self.published_at
        if self.file_mtime_ns is not None:
            return datetime.fromtimestamp(self.file_mtime_ns / 1e9, tz=timezone.utc)
        if self.last_modified:
            try:
                return parsedate_to_datetime(self.last_modified).astimezone(timezone.utc)
            except (TypeError, ValueError):
                return None
        return None

    @property
    def data_time(self) -> datetime:
        """How recent the data is: the older of its own time and the fetch that confirmed it."""
        own = self.own_time
        return min(own, self.fetched_at) if own is not None else self.fetched_at


class FeedSource:
    """One GTFS-RT feed (alerts, trip updates or vehicle positions) refreshed by a scheduler.

    `refresh()` fetches when the back-off allows; failures keep the last good data and its
    times, so `is_fresh()` turns false once that data is older than `max_age`. The data's age runs
    from its own time (header timestamp, else file time), never from a later fetch.
    """

    def __init__(
        self,
        location: str | Path,
        *,
        name: str | None = None,
        max_age: timedelta = timedelta(minutes=5),
        timeout: float = 10.0,
        backoff_base: timedelta = timedelta(seconds=15),
        backoff_max: timedelta = timedelta(minutes=15),
        jitter: float = 0.2,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        if not 0 <= jitter < 1:
            msg = f"jitter must be in [0, 1), got {jitter}"
            raise ValueError(msg)
        self.location = str(location)
        self.is_http = self.location.startswith(("http://", "https://"))
        self.name = name or self.location
        self.max_age = max_age
        self.timeout = timeout
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.jitter = jitter
        self._clock = clock
        self._rng = rng or random.Random()
        self._client = client
        self._snapshot: FeedSnapshot | None = None
        self.failures = 0
        self.last_error: str | None = None
        self.last_attempt_at: datetime | None = None
        self.next_attempt_at: datetime | None = None

    # ---- state --------------------------------------------------------------------------
    @property
    def snapshot(self) -> FeedSnapshot | None:
        """The last good data, or None before the first success."""
        return self._snapshot

    @property
    def feed(self) -> gtfs_realtime_pb2.FeedMessage | None:
        """The last good FeedMessage, or None."""
        return self._snapshot.feed if self._snapshot else None

    @property
    def fetched_at(self) -> datetime | None:
        """When the data was last confirmed current (a 200 or a 304), or None."""
        return self._snapshot.fetched_at if self._snapshot else None

    def age(self, now: datetime | None = None) -> timedelta | None:
        """How old the last good data is (from its own time, see `FeedSnapshot.data_time`), or None."""
        if self._snapshot is None:
            return None
        return (now or self._clock()) - self._snapshot.data_time

    def is_fresh(self, now: datetime | None = None, max_age: timedelta | None = None) -> bool:
        """Whether there is data no older than `max_age` (default: the source's limit)."""
        age = self.age(now)
        return age is not None and age <= (max_age if max_age is not None else self.max_age)

    def due(self, now: datetime | None = None) -> bool:
        """Whether the back-off allows an attempt now."""
        return self.next_attempt_at is None or (now or self._clock()) >= self.next_attempt_at

    def retry_delay(self, failures: int) -> timedelta:
        """Back-off after `failures` consecutive failures: doubling from the base, capped, with jitter."""
        if failures <= 0:
            return timedelta(0)
        raw = min(self.backoff_max.total_seconds(), self.backoff_base.total_seconds() * 2 ** (failures - 1))
        spread = self._rng.uniform(1 - self.jitter, 1 + self.jitter) if self.jitter else 1.0
        return timedelta(seconds=raw * spread)

    # ---- refreshing ------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> bool:
        """Fetch and parse once unless backing off; True when new data replaced the old.

        Never raises for a fetch or parse failure: the error is recorded in `last_error`, the
        last good data stays, and the next attempt is delayed.
        """
        now = self._clock()
        if not force and not self.due(now):
            return False
        self.last_attempt_at = now
        try:
            changed = self._fetch(now)
        except FeedError as exc:
            self._failed(now, str(exc))
            return False
        if self.failures:
            log.info("feed %s recovered after %d failed attempts", self.name, self.failures)
        self.failures = 0
        self.last_error = None
        self.next_attempt_at = None
        return changed

    def _failed(self, now: datetime, error: str) -> None:
        self.failures += 1
        self.last_error = error
        self.next_attempt_at = now + self.retry_delay(self.failures)
        if self.failures == 1:
            log.warning("feed %s is failing: %s", self.name, error)
        else:
            log.debug("feed %s still failing (%d): %s", self.name, self.failures, error)

    def _fetch(self, now: datetime) -> bool:
        return self._fetch_http(now) if self.is_http else self._fetch_file(now)

    def _fetch_file(self, now: datetime) -> bool:
        path = Path(self.location)
        try:
            mtime = path.stat().st_mtime_ns
            old = self._snapshot
            if old is not None and old.file_mtime_ns == mtime:
                self._snapshot = _replace_time(old, now)
                return False
            data: bytes | str = path.read_text("utf-8") if path.suffix in TEXT_SUFFIXES else path.read_bytes()
        except (OSError, UnicodeDecodeError) as exc:
            msg = f"cannot read {path}: {exc}"
            raise FeedError(msg) from exc
        feed = parse_feed(data)
        self._snapshot = FeedSnapshot(feed, now, _published(feed), file_mtime_ns=mtime)
        return True

    def _fetch_http(self, now: datetime) -> bool:
        headers = {"Accept": "application/x-protobuf, application/octet-stream, */*"}
        old = self._snapshot
        if old is not None and old.etag:
            headers["If-None-Match"] = old.etag
        if old is not None and old.last_modified:
            headers["If-Modified-Since"] = old.last_modified
        try:
            if self._client is not None:
                response = self._client.get(self.location, headers=headers, timeout=self.timeout)
            else:
                response = httpx.get(self.location, headers=headers, timeout=self.timeout, follow_redirects=True)
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            msg = f"GET {self.location} failed: {type(exc).__name__}: {exc}"
            raise FeedError(msg) from exc
        if response.status_code == 304 and old is not None:
            self._snapshot = _replace_time(old, now)
            return False
        if response.status_code != 200:
            msg = f"GET {self.location} answered HTTP {response.status_code}"
            raise FeedError(msg)
        feed = parse_feed(response.content)
        self._snapshot = FeedSnapshot(feed, now, _published(feed), response.headers.get("ETag"),
                                      response.headers.get("Last-Modified"))
        return True


def _replace_time(snapshot: FeedSnapshot, now: datetime) -> FeedSnapshot:
    return FeedSnapshot(snapshot.feed, now, snapshot.published_at, snapshot.etag,
                        snapshot.last_modified, snapshot.file_mtime_ns)


def _published(feed: gtfs_realtime_pb2.FeedMessage) -> datetime | None:
    stamp = feed.header.timestamp if feed.header.HasField("timestamp") else 0
    return datetime.fromtimestamp(stamp, tz=timezone.utc) if stamp else None
