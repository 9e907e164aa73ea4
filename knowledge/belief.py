"""What the alerts feed is believed to say: a disappearance or a sharp shrink waits for a second fetch.

A feed cut short (at an entity boundary it still parses) or a producer that briefly drops entities
must not make sportello say "no disruptions". So an alert missing from one good fetch is still
believed in force until the next good fetch agrees it is gone, and a fetch that loses more than
``max_shrink_share`` of the entities at once marks the feed *suspect* until the next fetch confirms it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.transit import gtfs_realtime_pb2

from bot.domain import DataState, SourceAge, SourceKind


@dataclass(frozen=True)
class Belief:
    """The entity ids of the last good fetch, those missing from it but not yet believed gone, suspicion."""

    seen: frozenset[str] = frozenset()
    held: frozenset[str] = frozenset()
    suspect: bool = False

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready data, stored beside the payload so every process shares it."""
        return {"seen": sorted(self.seen), "held": sorted(self.held), "suspect": self.suspect}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Belief | None:
        """The stored belief, or None when none was stored."""
        if not data:
            return None
        return cls(frozenset(data.get("seen") or ()), frozenset(data.get("held") or ()), bool(data.get("suspect")))


def observe(previous: Belief | None, fetched: frozenset[str], max_shrink_share: float) -> Belief:
    """The belief after one more good fetch holding the entity ids ``fetched``.

    An id seen before and missing now is held (still believed); an id held and missing again is
    gone. The fetch is suspect when it is smaller than the previous one by more than
    ``max_shrink_share``; the next fetch is compared with this one, so a second agreeing fetch confirms it.
    """
    if previous is None:
        return Belief(seen=fetched)
    held = previous.seen - fetched
    before = len(previous.seen)
    suspect = before > 0 and (before - len(fetched)) / before > max_shrink_share
    return Belief(seen=fetched, held=frozenset(held), suspect=suspect)


def believed_age(kind: SourceKind, now: datetime, data_at: datetime | None, fetched_at: datetime | None,
                 limit_seconds: float, belief: Belief | None) -> SourceAge:
    """The typed age at ``now`` of a source's data: unknown without any, stale older than ``limit_seconds``,
    suspect while its belief is, else fresh."""
    if data_at is None:
        return SourceAge(kind, DataState.UNKNOWN, limit_seconds=limit_seconds)
    if (now - data_at).total_seconds() > limit_seconds:
        state = DataState.STALE
    elif belief is not None and belief.suspect:
        state = DataState.SUSPECT
    else:
        state = DataState.FRESH
    return SourceAge(kind, state, data_at, fetched_at, limit_seconds)


def entity_ids(feed: gtfs_realtime_pb2.FeedMessage) -> frozenset[str]:
    """The ids of a feed's entities."""
    return frozenset(entity.id for entity in feed.entity)


def believed_feed(
    fetched: gtfs_realtime_pb2.FeedMessage,
    previous: gtfs_realtime_pb2.FeedMessage | None,
    held: frozenset[str],
) -> gtfs_realtime_pb2.FeedMessage:
    """The fetched feed plus the held entities, taken from the previously believed feed."""
    if not held or previous is None:
        return fetched
    out = gtfs_realtime_pb2.FeedMessage()
    out.CopyFrom(fetched)
    for entity in previous.entity:
        if entity.id in held:
            out.entity.add().CopyFrom(entity)
    return out
