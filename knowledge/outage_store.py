"""A utility's outage sources and gazetteer together: the believed outages, their age, lookups by message."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine

from bot.config import AlertFeedSettings
from bot.domain import DataState, SourceAge, SourceKind
from knowledge.gazetteer import Gazetteer
from knowledge.outage_feed import OutageFeed
from knowledge.outage_lookup import OutageLookup, find_outage
from knowledge.outages import OutageIndex

Clock = Callable[[], datetime]
_WORST = (DataState.UNKNOWN, DataState.STALE, DataState.SUSPECT, DataState.FRESH)


class OutageStore:
    """The configured outage sources (each with its own age) and the gazetteer they are looked up with."""

    def __init__(
        self,
        sources: Sequence[tuple[str, AlertFeedSettings]],
        gazetteer: Gazetteer | None,
        *,
        engine: Engine | None,
        clock: Clock,
    ) -> None:
        self.gazetteer = gazetteer or Gazetteer(())
        self.clock = clock
        self.feeds = [OutageFeed(name, s, engine=engine, clock=clock) for name, s in sources if s.source]
        self._index: OutageIndex = OutageIndex()
        self._index_key: tuple[object, ...] = ()
        for feed in self.feeds:
            feed.sync()
            if feed.fetched_at is None:
                feed.refresh()

    @property
    def configured(self) -> bool:
        """Whether any outage source is set."""
        return bool(self.feeds)

    @property
    def index(self) -> OutageIndex:
        """Every source's believed outages in one index (rebuilt when a source changed)."""
        key = tuple(id(feed.outages) for feed in self.feeds)
        if key != self._index_key:
            self._index = OutageIndex(o for feed in self.feeds for o in feed.outages.values())
            self._index_key = key
        return self._index

    def lookup(self, text: str, now: datetime) -> OutageLookup:
        """The street a message names and the outages in force covering it."""
        return find_outage(self.gazetteer, self.index, text, now)

    def source_age(self, now: datetime) -> SourceAge:
        """The age of the least trustworthy source (unknown when none is configured)."""
        if not self.feeds:
            return SourceAge(SourceKind.OUTAGES, DataState.UNKNOWN)
        ages = [feed.source_age(now) for feed in self.feeds]
        return min(ages, key=lambda a: (_WORST.index(a.state), a.data_time or datetime.max.replace(
            tzinfo=now.tzinfo)))

    def status(self, now: datetime) -> dict[str, Any]:
        """Each source's age and health, and the gazetteer's size."""
        return {**{feed.name: feed.status(now) for feed in self.feeds}, "streets": len(self.gazetteer)}
