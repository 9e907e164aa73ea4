"""Messages in and out, and how long replies took, counted once for the whole service.

Transitions are only ever appended. The ``metric_tallies`` row holds the counts of every
transition up to its ``last_id``; a reading adds what was recorded since, counted by the
database (one GROUP BY over an id range), and stores the new totals unless another process
stored first. A scrape therefore costs what arrived since the last scrape of any process, not
the length of the history, and a process that starts reads the stored totals.

A history longer than ``CATCH_UP`` transitions (metrics switched on for a service that has run
for a while, or buckets that changed) is counted ``CATCH_UP`` at a time over several readings;
until it is all counted the counts are withheld (``caught_up`` is false) rather than shown
half-counted, and ``behind`` says how many ids are left.

A transition is counted once it is ``SETTLE_SECONDS`` old, so a transaction still open with a
lower id is not stepped over: a range ends before the first row younger than that.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.domain import MessageState, as_utc
from bot.insight.sqltime import seconds_between_sql
from storage.db import reading
from storage.models import MetricTally, Transition

#: Upper bounds (seconds) of the reply-latency buckets: from a bot's seconds to an agent's day.
LATENCY_BUCKETS: tuple[float, ...] = (1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600)
SETTLE_SECONDS = 10.0
#: Transition ids counted at most by one reading.
CATCH_UP = 50_000
NO_INTENT = "none"
NAME = "transitions"
#: Names what the stored counts mean: stored counts of other buckets are counted again from the start.
EDGES = ",".join(repr(float(bound)) for bound in LATENCY_BUCKETS)

#: A reply went out: by the bot alone, or after a person.
_OUT = {str(MessageState.AUTO_SENT): "bot", str(MessageState.SENT): "agent"}
_IN = str(MessageState.ROUTED)
log = logging.getLogger(__name__)
T = Transition.__table__.c
K = MetricTally.__table__


@dataclass
class Histogram:
    """Bucket counts (one per bound, then the overflow) and the sum of the observations."""

    buckets: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS) + 1))
    total: float = 0.0

    def observe(self, seconds: float) -> None:
        """Count one observation."""
        self.add(bucket_of(seconds), 1, seconds)

    def add(self, index: int, count: int, seconds: float) -> None:
        """Count ``count`` observations in bucket ``index`` summing ``seconds``."""
        self.buckets[index] += count
        self.total += seconds

    def cumulative(self) -> list[tuple[str, int]]:
        """``(le, count)`` pairs as Prometheus wants them, ``+Inf`` last."""
        running = 0
        out: list[tuple[str, int]] = []
        for bound, count in zip((*LATENCY_BUCKETS, float("inf")), self.buckets, strict=True):
            running += count
            out.append(("+Inf" if bound == float("inf") else repr(float(bound)), running))
        return out


def bucket_of(seconds: float) -> int:
    """The index of the bucket ``seconds`` falls in (``len(LATENCY_BUCKETS)``: beyond the last bound)."""
    return next((i for i, bound in enumerate(LATENCY_BUCKETS) if seconds <= bound), len(LATENCY_BUCKETS))


@dataclass
class TallySnapshot:
    """The counts of every transition up to ``last_id``; ``behind``: ids recorded but not yet counted."""

    messages_in: dict[tuple[str, str], int] = field(default_factory=dict)  # (channel, intent)
    messages_out: dict[tuple[str, str, str], int] = field(default_factory=dict)  # (channel, intent, by)
    latency: dict[tuple[str, str], Histogram] = field(default_factory=dict)  # (channel, by)
    last_id: int = 0
    behind: int = 0

    @property
    def caught_up(self) -> bool:
        """True when everything settled is counted."""
        return self.behind == 0

    def to_json(self) -> dict[str, Any]:
        """The stored form (the ``counts`` column)."""
        return {
            "edges": EDGES,
            "in": [[*key, n] for key, n in sorted(self.messages_in.items())],
            "out": [[*key, n] for key, n in sorted(self.messages_out.items())],
            "latency": [[*key, h.buckets, h.total] for key, h in sorted(self.latency.items())],
        }

    @classmethod
    def from_row(cls, last_id: int, counts: dict[str, Any]) -> TallySnapshot:
        """Counts read back; other bucket edges than these mean nothing is counted yet."""
        if counts.get("edges") != EDGES:
            return cls()
        return cls(
            {(c, i): n for c, i, n in counts["in"]},
            {(c, i, b): n for c, i, b, n in counts["out"]},
            {(c, b): Histogram(list(buckets), total) for c, b, buckets, total in counts["latency"]},
            last_id,
        )


def _range_statement(dialect: str) -> str:
    """Transitions in and out of ``(:low, :high]`` grouped by channel, intent, state and latency bucket.

    The waits are worked out once into a materialised table (inlined, each WHEN of the bucket's
    CASE would work them out again)."""
    seconds = seconds_between_sql("t.at", "m.received_at", dialect)
    waited = f"GREATEST(0, {seconds})" if dialect == "postgresql" else f"max(0, {seconds})"
    bucket = " ".join(f"WHEN waited <= {bound!r} THEN {i}" for i, bound in enumerate(LATENCY_BUCKETS))
    states = ", ".join(f"'{s}'" for s in (_IN, *_OUT))
    return f"""
        WITH moved AS MATERIALIZED (
            SELECT m.channel AS channel, m.intent AS intent, t.to_state AS to_state, {waited} AS waited
            FROM transitions t JOIN messages m ON m.id = t.message_id
            WHERE t.id > :low AND t.id <= :high AND t.to_state IN ({states}))
        SELECT channel, intent, to_state, CASE {bucket} ELSE {len(LATENCY_BUCKETS)} END AS bucket,
               count(*), sum(waited)
        FROM moved GROUP BY channel, intent, to_state, bucket"""


class TransitionTally:
    """Reads the stored counts, adds the transitions recorded since, and stores the result."""

    def __init__(self, engine: Engine, clock: Callable[[], datetime], catch_up: int = CATCH_UP) -> None:
        self.engine = engine
        self.clock = clock
        self.catch_up = catch_up
        self._statement = text(_range_statement(engine.dialect.name))

    def read(self) -> TallySnapshot:
        """The counts up to the newest settled transition (or ``catch_up`` ids further)."""
        horizon = as_utc(self.clock()) - timedelta(seconds=SETTLE_SECONDS)
        with reading(self.engine).connect() as conn:
            row = conn.execute(select(K.c.last_id, K.c.counts).where(K.c.name == NAME)).first()
            stored = TallySnapshot.from_row(row[0], row[1]) if row else TallySnapshot()
            newest = conn.execute(select(func.max(T.id))).scalar() or 0
            high = min(newest, stored.last_id + self.catch_up)
            young = conn.execute(
                select(func.min(T.id)).where(T.id > stored.last_id, T.id <= high, T.at > horizon)
            ).scalar()
            if young is not None:
                high = young - 1
            tally = self._add(conn, stored, high) if high > stored.last_id else stored
        tally.behind = 0 if young is not None else newest - tally.last_id
        if tally.last_id > stored.last_id or row is None or stored.last_id != row[0]:
            self._store(row[0] if row else None, tally)
        return tally

    def _add(self, conn: Connection, stored: TallySnapshot, high: int) -> TallySnapshot:
        tally = TallySnapshot(dict(stored.messages_in), dict(stored.messages_out),
                              {k: Histogram(list(h.buckets), h.total) for k, h in stored.latency.items()}, high)
        for channel, intent, state, bucket, count, waited in conn.execute(
            self._statement, {"low": stored.last_id, "high": high}
        ):
            label, count = intent or NO_INTENT, int(count)
            if state == _IN:
                tally.messages_in[(channel, label)] = tally.messages_in.get((channel, label), 0) + count
                continue
            by = _OUT[state]
            tally.messages_out[(channel, label, by)] = tally.messages_out.get((channel, label, by), 0) + count
            tally.latency.setdefault((channel, by), Histogram()).add(int(bucket), count, float(waited or 0.0))
        return tally

    def _store(self, was: int | None, tally: TallySnapshot) -> None:
        """Store ``tally`` unless another process moved the row since it was read (``was``)."""
        values = {"last_id": tally.last_id, "counts": tally.to_json(), "updated_at": as_utc(self.clock())}
        try:
            with self.engine.begin() as conn:
                if was is None:
                    conn.execute(insert(K).values(name=NAME, **values))
                else:
                    conn.execute(update(K).where(K.c.name == NAME, K.c.last_id == was).values(**values))
        except IntegrityError:
            pass  # another process stored its first count at the same moment: the next reading adds to it
        except OperationalError as exc:  # the database busy with writers: these counts are right, store them next time
            log.info("metrics: counts up to transition %d not stored this time: %s", tally.last_id, exc.orig)
