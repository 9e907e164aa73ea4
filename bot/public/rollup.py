"""Published figures of service days that are over, kept in the database (``public_days``).

A shared job (``public:rollup``, every ``ROLLUP_SECONDS``) counts each line's days, and the
network's per-line counts, once a day is over, for the last ``public.days`` days: a page, the
first one after a start included, reads a month in one query instead of counting a month of
trip updates. The trip updates of a day that is over no longer change, so a kept day is final
(``VERSION`` marks the format: rows of another version are counted again). Pages never write:
a day the job has not reached yet is counted by the page and kept in its memory.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, delete, insert, select

from bot.insight.service import LATE_S, Schedule, ServiceDay
from storage.models import PublicDay

#: The format of ``public_days.value``; a change of :class:`DayTrips` or of the counts bumps it.
VERSION = 1
LINE = "line"
NETWORK = "network"
#: How often the job looks for days that are over and not yet kept (a day closes at 06:00 local).
ROLLUP_SECONDS = 900.0

D = PublicDay.__table__.c  # type: ignore[attr-defined]
#: A day's counts per line on the network page: seen, cancelled, timed, punctual.
Counts = dict[str, dict[str, int]]


@dataclass(frozen=True)
class DayTrips:
    """What a line's public day shows of its trips, without the trips themselves."""

    route: str
    has_data: bool
    schedule: Schedule
    scheduled: int | None
    run: int
    cancelled: int
    not_seen: int | None  # scheduled, due, recorded and never seen
    not_recorded: int | None
    upcoming: int
    time_share: float | None  # of the day's service time that was recorded
    trip_share: float | None  # of the trips due whose time was recorded
    spans: list[tuple[str, str]]
    gaps: list[tuple[str, str]]
    mean_delay_s: float | None
    implausible: int
    punctual: int  # run trips with a believable delay under 5 minutes at every stop
    timed: int  # run trips with a believable delay recorded

    @classmethod
    def of(cls, served: ServiceDay) -> DayTrips:
        """The public part of a counted day."""
        timed = [t for t in served.trips if t.status in ("run", "added") and t.max_delay_s is not None
                 and not t.implausible]
        coverage = served.coverage
        return cls(
            route=served.route, has_data=served.has_data, schedule=served.schedule, scheduled=served.scheduled,
            run=served.run, cancelled=served.cancelled, not_seen=served.not_seen, not_recorded=served.not_recorded,
            upcoming=served.upcoming, time_share=coverage.time_share if served.has_data else None,
            trip_share=coverage.trip_share, spans=list(coverage.spans), gaps=list(coverage.gaps),
            mean_delay_s=served.mean_delay_s, implausible=served.implausible,
            punctual=sum(1 for t in timed if (t.max_delay_s or 0) < LATE_S), timed=len(timed),
        )

    def to_json(self) -> dict[str, Any]:
        """The value kept in ``public_days``."""
        return {**asdict(self), "schedule": str(self.schedule)}

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> DayTrips:
        """A kept value read back."""
        return cls(**{**value, "schedule": Schedule(value["schedule"]),
                      "spans": [tuple(p) for p in value["spans"]], "gaps": [tuple(p) for p in value["gaps"]]})


def read_days(engine: Engine, kind: str, route: str, days: Iterable[date]) -> dict[date, dict[str, Any]]:
    """The kept values of ``route``'s ``days`` (of this format), by day."""
    wanted = sorted(set(days))
    if not wanted:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(D.day, D.value).where(D.kind == kind, D.route == route, D.day.in_(wanted), D.version == VERSION)
        ).all()
    return {day: value for day, value in rows}


def kept_days(engine: Engine, kind: str, first: date, last: date) -> set[tuple[str, date]]:
    """Which (route, day) of ``kind`` between ``first`` and ``last`` are kept in this format."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(D.route, D.day).where(D.kind == kind, D.day >= first, D.day <= last, D.version == VERSION)
        ).all()
    return {(route, day) for route, day in rows}


def keep_days(engine: Engine, kind: str, route: str, values: dict[date, dict[str, Any]], now: datetime) -> None:
    """Keep ``values`` (day -> value) for ``route``, replacing what was kept for those days."""
    if not values:
        return
    with engine.begin() as conn:
        conn.execute(delete(PublicDay).where(D.kind == kind, D.route == route, D.day.in_(sorted(values))))
        conn.execute(insert(PublicDay), [
            {"kind": kind, "route": route, "day": day, "version": VERSION, "value": value, "computed_at": now}
            for day, value in sorted(values.items())
        ])
