"""How fast we answer: first, next and resolution times, hand-overs, target hit rate, backlog.

Figures come from ``response_facts`` (kept by :mod:`bot.insight.facts`) with medians and 90th
percentiles computed by the database: ``percentile_cont`` on PostgreSQL; on SQLite, which has
no percentile, a histogram the database groups and accumulates with windows, read with the same
interpolation. The backlog is read live from ``messages``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import (
    Connection,
    Engine,
    Integer,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from bot.domain import as_utc
from bot.insight.period import Period
from bot.insight.reading import reader
from bot.insight.sqltime import local_hour
from storage.models import Message, ResponseFact

F = ResponseFact.__table__.c
M = Message.__table__.c
MEASURES = ("first_reply", "first_human", "next_reply", "resolution")
BUCKETS = ((0, 60), (60, 300), (300, 900), (900, 3600), (3600, None))
BUCKET_LABELS = ("<1 min", "1-5 min", "5-15 min", "15-60 min", ">60 min")
DIMENSIONS = ("channel", "intent", "line", "hour")
#: The reference point: a large operator answers in 8 minutes on average.
REFERENCE_MINUTES = 8.0
#: Messages nobody has answered yet.
OPEN_STATES = ("received", "routed", "awaiting_review", "escalated", "approved", "edited")


@dataclass(frozen=True)
class Measure:
    """One duration over a group: how many, mean, median, 90th percentile (seconds), buckets."""

    count: int
    mean_s: float | None
    median_s: float | None
    p90_s: float | None
    buckets: tuple[int, ...]


@dataclass(frozen=True)
class ResponseGroup:
    """The response figures of one channel, intent, line or hour (or of everything)."""

    key: str
    messages: int
    cases: int
    first_reply: Measure
    first_human: Measure
    next_reply: Measure
    resolution: Measure
    resolved: int
    bot_alone: int
    handed: int
    target_met: int
    target_due: int

    @property
    def bot_alone_share(self) -> float | None:
        """Share of cases the bot resolved without a person."""
        return self.bot_alone / self.cases if self.cases else None

    @property
    def handed_share(self) -> float | None:
        """Share of cases handed to a person."""
        return self.handed / self.cases if self.cases else None

    @property
    def hit_rate(self) -> float | None:
        """Share of cases first answered within the target, among those due by now."""
        return self.target_met / self.target_due if self.target_due else None


@dataclass(frozen=True)
class Backlog:
    """Messages nobody has answered yet, now."""

    count: int
    by_state: dict[str, int]
    oldest_id: int | None
    oldest_at: datetime | None
    oldest_age_s: float | None


@dataclass(frozen=True)
class ResponseReport:
    """Everything ``sportello report response`` shows."""

    period: Period
    target_minutes: float
    reference_minutes: float
    overall: ResponseGroup
    by: dict[str, list[ResponseGroup]]
    backlog: Backlog


class ResponseTimes:
    """Aggregate queries over ``response_facts`` and the live queue."""

    def __init__(self, engine: Engine, *, tz: str, target_minutes: float) -> None:
        self.engine = reader(engine)
        self.tz = tz
        self.target_s = target_minutes * 60.0
        self.target_minutes = target_minutes
        self.dialect = engine.dialect.name

    def _base(self, dimension: str | None, period: Period) -> Subquery:
        since, until = as_utc(period.since), as_utc(period.until)
        if dimension is None:
            key: ColumnElement = literal("all")
        elif dimension == "hour":
            key = local_hour(F.received_at, self.dialect, self.tz, since, until)
        else:
            key = {"channel": F.channel, "intent": func.coalesce(F.intent, "-"), "line": F.route_id}[dimension]
        return (
            select(key.label("key"), *[F[c] for c in _COLUMNS])
            .where(F.received_at >= since, F.received_at < until)
            .subquery("base")
        )

    def groups(self, dimension: str | None, period: Period, *, now: datetime, limit: int = 30) -> list[ResponseGroup]:
        """Response figures per channel, intent, line or local hour (None: one group, all)."""
        base = self._base(dimension, period)
        s = base.c
        due_before = as_utc(now) - timedelta(seconds=self.target_s)
        opens = s.opens_case == True  # noqa: E712  (SQL comparison)
        columns: list[ColumnElement] = [
            s.key,
            func.count(),
            _sum(opens),
            _sum(and_(opens, s.resolved == True)),  # noqa: E712
            _sum(and_(opens, s.resolved == True, s.handed == False)),  # noqa: E712
            _sum(and_(opens, s.handed == True)),  # noqa: E712
            _sum(and_(opens, s.first_reply_s <= self.target_s)),
            _sum(and_(opens, or_(s.first_reply_s.is_not(None), s.received_at < due_before))),
        ]
        pg = self.dialect == "postgresql"
        if pg:
            for name in MEASURES:
                value = s[f"{name}_s"]
                columns += [func.count(value), func.avg(value)]
                columns += [func.percentile_cont(q).within_group(value) for q in (0.5, 0.9)]
                columns += [_sum(_in_bucket(value, low, high)) for low, high in BUCKETS]
        query = select(*columns).where(s.key.is_not(None)).group_by(s.key)
        if dimension == "hour":
            query = query.order_by(s.key)
        else:
            query = query.order_by(func.count().desc(), s.key).limit(limit)
        with self.engine.connect() as conn:
            rows = [list(row) for row in conn.execute(query)]
            if not pg:
                empty = [0, None, None, None] + [0] * len(BUCKETS)
                found = self._sqlite_measures(conn, base)
                for row in rows:
                    for name in MEASURES:
                        row += found.get((name, str(row[0])), empty)
        groups = [_group(row) for row in rows]
        if dimension == "hour":
            have = {g.key: g for g in groups}
            groups = [have.get(str(h), _empty(str(h))) for h in range(24)]
        return groups

    @staticmethod
    def _sqlite_measures(conn: Connection, base: Subquery) -> dict[tuple[str, str], list]:
        """Count, mean, median, 90th percentile and buckets of every duration per key, read from
        one histogram the database groups and accumulates (SQLite has no percentile). Median and
        90th percentile interpolate as ``percentile_cont`` does, exactly for durations in whole
        seconds under an hour, whole minutes under a day, whole hours beyond."""
        parts = []
        for name in MEASURES:
            value = base.c[f"{name}_s"]
            width = case((value < 3600, 1), (value < 86400, 60), else_=3600)
            parts.append(
                select(literal(name).label("measure"), base.c.key.label("key"),
                       (cast(value / width, Integer) * width).label("low"), value.label("value"))
                .where(value.is_not(None), base.c.key.is_not(None))
            )
        stacked = union_all(*parts).subquery("stacked")
        v = stacked.c
        histogram = (
            select(v.measure, v.key, v.low, func.count().label("n"), func.sum(v.value).label("total_s"))
            .group_by(v.measure, v.key, v.low)
            .subquery("histogram")
        )
        h = histogram.c
        group = (h.measure, h.key)
        cumulative = select(
            h.measure, h.key, h.low, h.n, h.total_s,
            (func.sum(h.n).over(partition_by=group, order_by=h.low) - h.n).label("before"),
            func.sum(h.n).over(partition_by=group).label("total"),
        ).subquery("cumulative")
        c = cumulative.c
        picks: list[ColumnElement] = [func.sum(c.n), func.sum(c.total_s) / func.sum(c.n)]
        for q in (0.5, 0.9):
            position = literal_column(repr(q)) * (c.total - 1)
            lower = cast(position, Integer)
            for rank in (lower, lower + 1):
                picks.append(func.max(case((and_(c.before <= rank, rank < c.before + c.n), c.low))))
            picks.append(func.max(position - lower))
        picks += [func.sum(case((_in_bucket(c.low, lo, hi), c.n), else_=0)) for lo, hi in BUCKETS]
        found: dict[tuple[str, str], list] = {}
        for measure, key, count, average, *rest in conn.execute(
            select(c.measure, c.key, *picks).group_by(c.measure, c.key)
        ):
            quantiles = []
            for i in range(2):
                first, second, weight = rest[3 * i: 3 * i + 3]
                second = first if second is None else second
                quantiles.append(float(first) + (float(second) - float(first)) * float(weight))
            found[(str(measure), str(key))] = [count, average, *quantiles, *rest[6:]]
        return found

    def backlog(self, now: datetime) -> Backlog:
        """Messages waiting for an answer now: how many per state, and the oldest."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(M.state, func.count(), func.min(M.received_at))
                .where(M.state.in_(OPEN_STATES))
                .group_by(M.state)
            ).all()
            by_state = {state: int(n) for state, n, _ in rows}
            oldest = conn.execute(
                select(M.id, M.received_at)
                .where(M.state.in_(OPEN_STATES))
                .order_by(M.received_at, M.id)
                .limit(1)
            ).first()
        if oldest is None:
            return Backlog(0, by_state, None, None, None)
        at = as_utc(oldest[1])
        return Backlog(sum(by_state.values()), by_state, int(oldest[0]), at, (as_utc(now) - at).total_seconds())

    def report(self, period: Period, *, now: datetime) -> ResponseReport:
        """The whole response report for ``period``."""
        overall = self.groups(None, period, now=now)
        return ResponseReport(
            period=period,
            target_minutes=self.target_minutes,
            reference_minutes=REFERENCE_MINUTES,
            overall=overall[0] if overall else _empty("all"),
            by={d: self.groups(d, period, now=now) for d in DIMENSIONS},
            backlog=self.backlog(now),
        )


_COLUMNS = (
    "received_at", "opens_case", "resolved", "handed",
    "first_reply_s", "first_human_s", "next_reply_s", "resolution_s",
)


def _sum(condition: ColumnElement) -> ColumnElement:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _in_bucket(value: ColumnElement, low: float, high: float | None) -> ColumnElement:
    if high is None:
        return value >= low
    return and_(value >= low, value < high)


def _measure(values: list) -> Measure:  # [count, avg, p50, p90, b1..b5]
    count = int(values[0] or 0)
    numbers = [None if v is None or not count else round(float(v), 1) for v in values[1:4]]
    return Measure(count, numbers[0], numbers[1], numbers[2], tuple(int(v or 0) for v in values[4:]))


def _group(row: tuple) -> ResponseGroup:
    head, rest = row[:8], list(row[8:])
    width = 4 + len(BUCKETS)
    measures = [_measure(rest[i * width:(i + 1) * width]) for i in range(len(MEASURES))]
    return ResponseGroup(str(head[0]), *(int(v or 0) for v in head[1:3]), *measures,
                         *(int(v or 0) for v in head[3:8]))


def _empty(key: str) -> ResponseGroup:
    none = Measure(0, None, None, None, (0,) * len(BUCKETS))
    return ResponseGroup(key, 0, 0, none, none, none, none, 0, 0, 0, 0, 0)

