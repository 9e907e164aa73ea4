"""Messages in and out, and how long replies took, counted from the recorded transitions.

Transitions are only ever appended, so a tally reads each one once (past the last id it read)
and every process counts the same: the whole history at its first reading, then what is new.
A transition is read once it is ``SETTLE_SECONDS`` old, so a transaction still open with a
lower id is not stepped over; reading stops at the first row younger than that.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, select

from bot.domain import MessageState, as_utc
from storage.db import reading
from storage.models import Message, Transition

#: Upper bounds (seconds) of the reply-latency buckets: from a bot's seconds to an agent's day.
LATENCY_BUCKETS: tuple[float, ...] = (1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600)
SETTLE_SECONDS = 10.0
BATCH = 20000
NO_INTENT = "none"

#: A reply went out: by the bot alone, or after a person.
_OUT = {str(MessageState.AUTO_SENT): "bot", str(MessageState.SENT): "agent"}
_IN = str(MessageState.ROUTED)


@dataclass
class Histogram:
    """Cumulative-ready bucket counts and the sum of the observations."""

    buckets: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS) + 1))
    total: float = 0.0

    def observe(self, seconds: float) -> None:
        """Count one observation."""
        index = next((i for i, bound in enumerate(LATENCY_BUCKETS) if seconds <= bound), len(LATENCY_BUCKETS))
        self.buckets[index] += 1
        self.total += seconds

    def cumulative(self) -> list[tuple[str, int]]:
        """``(le, count)`` pairs as Prometheus wants them, ``+Inf`` last."""
        running = 0
        out: list[tuple[str, int]] = []
        for bound, count in zip((*LATENCY_BUCKETS, float("inf")), self.buckets, strict=True):
            running += count
            out.append(("+Inf" if bound == float("inf") else repr(float(bound)), running))
        return out


@dataclass(frozen=True)
class TallySnapshot:
    """The counts at one reading."""

    messages_in: dict[tuple[str, str], int]  # (channel, intent)
    messages_out: dict[tuple[str, str, str], int]  # (channel, intent, by)
    latency: dict[tuple[str, str], Histogram]  # (channel, by)


class TransitionTally:
    """Counts kept in this process, brought up to date from ``transitions`` at each reading."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.clock = clock
        self.last_id = 0
        self._in: Counter[tuple[str, str]] = Counter()
        self._out: Counter[tuple[str, str, str]] = Counter()
        self._latency: dict[tuple[str, str], Histogram] = {}
        self._lock = threading.Lock()

    def read(self) -> TallySnapshot:
        """Read the transitions recorded since the last reading and return the totals."""
        with self._lock:
            horizon = as_utc(self.clock()) - timedelta(seconds=SETTLE_SECONDS)
            while self._read_batch(horizon) == BATCH:
                pass
            return TallySnapshot(
                dict(self._in),
                dict(self._out),
                {k: Histogram(list(v.buckets), v.total) for k, v in self._latency.items()},
            )

    def _read_batch(self, horizon: datetime) -> int:
        query = (
            select(Transition.id, Transition.to_state, Transition.at, Message.channel, Message.intent,
                   Message.received_at)
            .join(Message, Message.id == Transition.message_id)
            .where(Transition.id > self.last_id, Transition.to_state.in_([_IN, *_OUT]))
            .order_by(Transition.id)
            .limit(BATCH)
        )
        with reading(self.engine).connect() as conn:
            rows = conn.execute(query).all()
        for row_id, to_state, at, channel, intent, received_at in rows:
            at = as_utc(at)
            if at > horizon:
                return 0  # not settled yet: read again from here next time
            self.last_id = row_id
            label = intent or NO_INTENT
            if to_state == _IN:
                self._in[(channel, label)] += 1
            elif to_state in _OUT:
                by = _OUT[to_state]
                self._out[(channel, label, by)] += 1
                waited = max(0.0, (at - as_utc(received_at)).total_seconds())
                self._latency.setdefault((channel, by), Histogram()).observe(waited)
        return len(rows)
