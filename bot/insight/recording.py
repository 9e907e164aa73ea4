"""When a live feed was actually recorded: spans of snapshots, and the gaps between them.

A figure about delivered service is only as good as the time it was watched. Each stored
trip-updates snapshot extends the feed's current span when it comes at most ``gap`` after it,
and starts a new one otherwise. Reading merges spans again with the same rule, so snapshots
stored out of order, or by two workers, still give the same coverage.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Engine, select
from sqlmodel import Session

from bot.domain import as_utc
from storage.models import RecordingSpan

R = RecordingSpan.__table__.c
TRIP_UPDATES = "trip_updates"
#: Snapshots further apart than this leave a gap in the recording (reports.recording_gap_seconds).
DEFAULT_GAP = timedelta(minutes=5)


@dataclass(frozen=True)
class Span:
    """A stretch recorded without a gap, ``start`` to ``end`` (equal for a single snapshot)."""

    start: datetime
    end: datetime
    snapshots: int

    @property
    def seconds(self) -> float:
        """How long the span lasted."""
        return (self.end - self.start).total_seconds()


def record_snapshot(engine: Engine, at: datetime, *, feed: str = TRIP_UPDATES, gap: timedelta = DEFAULT_GAP) -> None:
    """Note that ``feed`` was recorded at ``at``: extend the latest span, or open a new one."""
    at = as_utc(at)
    with Session(engine) as session:
        latest = session.execute(
            select(RecordingSpan).where(RecordingSpan.feed == feed).order_by(R.ended_at.desc()).limit(1)
        ).scalar_one_or_none()
        if latest is not None and as_utc(latest.started_at) - gap <= at <= as_utc(latest.ended_at) + gap:
            latest.started_at = min(as_utc(latest.started_at), at)
            latest.ended_at = max(as_utc(latest.ended_at), at)
            latest.snapshots += 1
            session.add(latest)
        else:
            session.add(RecordingSpan(feed=feed, started_at=at, ended_at=at, snapshots=1))
        session.commit()


def spans_between(engine: Engine, since: datetime, until: datetime, *, feed: str = TRIP_UPDATES,
                  gap: timedelta = DEFAULT_GAP) -> list[Span]:
    """The recorded spans touching ``[since, until]``, merged and clipped to it, in order."""
    since, until = as_utc(since), as_utc(until)
    with engine.connect() as conn:
        rows = conn.execute(
            select(R.started_at, R.ended_at, R.snapshots)
            .where(R.feed == feed, R.ended_at >= since - gap, R.started_at <= until + gap)
            .order_by(R.started_at)
        ).all()
    merged = merge([Span(as_utc(a), as_utc(b), int(n)) for a, b, n in rows], gap)
    clipped = [Span(max(s.start, since), min(s.end, until), s.snapshots) for s in merged]
    return [s for s in clipped if s.start <= s.end]


def merge(spans: list[Span], gap: timedelta) -> list[Span]:
    """Spans sorted and joined where they lie at most ``gap`` apart."""
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if out and span.start - out[-1].end <= gap:
            last = out[-1]
            out[-1] = Span(last.start, max(last.end, span.end), last.snapshots + span.snapshots)
        else:
            out.append(span)
    return out


def gaps_within(spans: list[Span], since: datetime, until: datetime, gap: timedelta) -> list[tuple[datetime, datetime]]:
    """The stretches of ``[since, until]`` longer than ``gap`` that no span covers."""
    holes: list[tuple[datetime, datetime]] = []
    cursor = as_utc(since)
    for span in spans:
        if span.start - cursor > gap:
            holes.append((cursor, span.start))
        cursor = max(cursor, span.end)
    if as_utc(until) - cursor > gap:
        holes.append((cursor, as_utc(until)))
    return holes


def covers(spans: list[Span], start: datetime, end: datetime) -> bool:
    """Whether any recorded moment falls within ``[start, end]``."""
    return any(span.start <= end and span.end >= start for span in spans)
