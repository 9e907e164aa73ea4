"""How fast we answer: first, next and resolution times, hand-overs, target hit rate, backlog.

Figures come from ``response_facts`` (kept by :mod:`bot.insight.facts`): whole local days and
months from their rollup (:mod:`bot.insight.response_rollup`; its scoped tables for a report narrowed to a
service or an area), the edges of the period from the facts (every day, for a report narrowed to another
subject: the facts of the messages naming it, found through the problem records' subject index). Medians and 90th percentiles come from one histogram the database sums and accumulates
with windows, read with ``percentile_cont``'s interpolation. The backlog is read live from
``messages``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    and_,
    case,
    exists,
    func,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Select

from bot.domain import as_utc
from bot.insight.cells import Cells, split
from bot.insight.period import Period, local_day
from bot.insight.problems import ProblemLog
from bot.insight.reading import reader
from bot.insight.response_rollup import (
    COUNTS,
    MEASURES,
    RH,
    RR,
    SH,
    SR,
    F,
    M,
    P,
    covered_for,
    fact_counts,
    fact_key,
    rolled_up,
    service_scope,
    subject_scope,
    whole,
)
from bot.insight.response_rollup import NAME as ROLLUP
from bot.insight.rollup_state import constant, load_state
from bot.insight.sqltime import seconds_between_sql
from bot.subjects import SubjectKind
from storage.models import Message

BUCKETS = ((0, 60), (60, 300), (300, 900), (900, 3600), (3600, None))
BUCKET_LABELS = ("<1 min", "1-5 min", "5-15 min", "15-60 min", ">60 min")
DIMENSIONS = ("channel", "intent", "line", "hour", "service", "subject")
#: The reference point: a large operator answers in 8 minutes on average.
REFERENCE_MINUTES = 8.0
#: How far a problem record's time may be from its message's (they are the same: a day's margin).
MARGIN = timedelta(days=1)
#: The first response with the unanswered counted at their wait so far (censored times).
WAIT = "first_wait"
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
    replies_met: int = 0
    replies_due: int = 0
    #: Cases not answered yet (or closed unanswered): censored times, counted at their wait so far.
    waiting: int = 0
    waiting_past_target: int = 0
    #: First response with the unanswered counted at their wait so far: a lower bound when ``waiting``.
    first_wait: Measure = Measure(0, None, None, None, (0,) * 5)

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
        """Share of citizen messages answered within the target, among those due by now: every
        message answered late, or still waiting past the target, is a miss."""
        return self.replies_met / self.replies_due if self.replies_due else None

    @property
    def first_hit_rate(self) -> float | None:
        """Share of cases first answered within the target, among those due by now (unanswered
        cases past the target count as misses)."""
        return self.target_met / self.target_due if self.target_due else None

    @property
    def first_wait_is_bound(self) -> bool:
        """Whether the first-response figures counting the waiting are only lower bounds."""
        return self.waiting > 0


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
    service: str | None = None  # the service the report is narrowed to
    subject: str | None = None  # the subject key (``street:bari:via-sparano``) it is narrowed to
    subject_labels: dict[str, str] = field(default_factory=dict)  # subject key -> its latest label


class ResponseTimes:
    """Aggregate queries over ``response_facts`` and the live queue."""

    def __init__(self, engine: Engine, *, tz: str, target_minutes: float, service: str | None = None,
                 subject: tuple[SubjectKind, str] | None = None) -> None:
        self.engine = reader(engine)
        self.tz = tz
        self.target_s = target_minutes * 60.0
        self.target_minutes = target_minutes
        self.dialect = engine.dialect.name
        #: One service's messages (a desk of several), and the messages naming one subject (any of their
        #: subjects, as the problems report counts them).
        self.service = service
        self.subject = subject
        #: The scoped rollup's scope a narrowed report reads whole days from (None: the rollup of everything).
        #: A report narrowed to a line, stop, street, address or service point (not kept there), or to a service
        #: and a subject at once (the scopes are not split by service), reads every day from the facts of the
        #: messages naming it, found through the problem records' subject index: a handful of a year's facts.
        self._scope: str | None = None
        if service is not None:
            self._scope = service_scope(service)
        if subject is not None:
            self._scope = subject_scope(str(subject[0]), subject[1])
        self._raw_only = subject is not None and (service is not None or not rolled_up(subject[0]))

    def _narrow(self, span: Period) -> list[ColumnElement]:
        """The conditions keeping the facts of ``span`` the report is narrowed to: the service's, and those of
        the messages naming the subject (their problem records carry the message's time, a day's margin kept)."""
        if self.subject is None:
            return [] if self.service is None else [F.service == self.service]
        kind, ident = self.subject
        naming = select(P.message_id).where(P.subject_kind == str(kind), P.subject_id == ident,
                                            P.at >= as_utc(span.since) - MARGIN, P.at < as_utc(span.until) + MARGIN)
        if self.service is None:
            return [F.message_id.in_(naming)]
        if self.dialect == "postgresql":  # a hash semi-join either way: the facts' own column is the cheaper test
            return [F.service == self.service, F.message_id.in_(naming)]
        # SQLite would walk the facts' (service, time) index over the whole period: asked of the messages found, the
        # subject's index leads
        naming = naming.join(Message.__table__, M.id == P.message_id).where(M.service == self.service)
        return [F.message_id.in_(naming)]

    def _tables(self) -> tuple[Any, Any, list[ColumnElement]]:
        """The rollup tables to read whole days from, and the condition picking the report's scope there."""
        if self._scope is None:
            return RR, RH, []
        return SR, SH, [SR.c.scope == self._scope, SH.c.scope == self._scope]

    def _cells(self, period: Period, now: datetime) -> Cells:
        """Whole days from the rollup (those over before the target's grace ends; the scoped rollup's for a
        report narrowed to a service or an area), the rest raw; all raw when narrowed to another subject, or to a
        service and a subject at once."""
        if self._raw_only:
            return split(period, self.tz, None)
        with self.engine.connect() as conn:
            covered = covered_for(load_state(conn, ROLLUP), self.tz, self.target_s)
        due = local_day(as_utc(now) - timedelta(seconds=self.target_s), self.tz)
        return split(period, self.tz, None if covered is None else min(covered, due))

    def groups(self, dimension: str | None, period: Period, *, now: datetime, limit: int = 30) -> list[ResponseGroup]:
        """Response figures per channel, intent, line or local hour (None: one group, all)."""
        name = dimension or "all"
        cells = self._cells(period, now)
        due_before = as_utc(now) - timedelta(seconds=self.target_s)
        parts: list[Select] = []
        table, _histogram, scoped = self._tables()
        r = table.c
        for grain, low, high, sign in cells.blocks():
            parts.append(select(r.key, *[(sign * r[c]).label(c) for c in COUNTS], (sign * r.cases).label("due"),
                                (sign * r.messages).label("replies_due"))
                         .where(r.dimension == name, r.grain == grain, r.day >= low, r.day < high, *scoped[:1]))
        for span in cells.raw:
            key = fact_key(name, self.dialect, self.tz, span)
            due = _sum(and_(F.opens_case == True, or_(F.first_reply_s.is_not(None),
                                                      F.received_at < due_before))).label("due")
            replies_due = _sum(or_(F.next_reply_s.is_not(None), F.received_at < due_before)).label("replies_due")
            raw = (select(key.label("key"), *fact_counts(self.target_s), due, replies_due)
                   .where(F.received_at >= as_utc(span.since), F.received_at < as_utc(span.until), key.is_not(None),
                          *self._narrow(span)))
            parts.append(raw.group_by(key) if name != "all" else raw)
        pieces = union_all(*parts).subquery("pieces")
        c = pieces.c
        messages = func.sum(c.messages)
        query = (select(c.key, messages, func.sum(c.cases), func.sum(c.resolved), func.sum(c.bot_alone),
                        func.sum(c.handed), func.sum(c.target_met), func.sum(c.due), func.sum(c.replies_met),
                        func.sum(c.replies_due))
                 .group_by(c.key).having(messages > 0))
        if dimension == "hour":
            query = query.order_by(c.key)
        else:
            query = query.order_by(messages.desc(), c.key).limit(limit)
        with self.engine.connect() as conn:
            rows = [list(row) for row in conn.execute(query)]
            keys = [str(row[0]) for row in rows]
            found = self._measures(conn, name, cells, keys, period=period, now=now) if rows else {}
            waiting = self._waiting(conn, name, period, keys, now) if rows else {}
        empty = [0, None, None, None] + [0] * len(BUCKETS)
        for row in rows:
            for measure in (*MEASURES, WAIT):
                row += found.get((measure, str(row[0])), empty)
            row += waiting.get(str(row[0]), [0, 0])
        groups = [_group(row) for row in rows]
        if dimension == "hour":
            have = {g.key: g for g in groups}
            groups = [have.get(str(h), _empty(str(h))) for h in range(24)]
        return groups

    def _measures(self, conn: Connection, dimension: str, cells: Cells, keys: list[str], *,
                  period: Period, now: datetime) -> dict[tuple[str, str], list]:
        """Count, mean, median, 90th percentile and banded counts of every duration per key, read
        from one histogram the database sums and accumulates: the rollup's buckets for whole
        days, each distinct value for the raw edges. Median and 90th percentile interpolate as
        ``percentile_cont`` does between the values of the ranks around them, a bucket's value
        being the mean of its durations: exact on raw values, within a bucket on rolled-up days."""
        parts: list[Select] = []
        _rollup, table, scoped = self._tables()
        h = table.c
        for grain, low, high, sign in cells.blocks():
            parts.append(select(h.measure, h.key, h.low, (sign * h.n).label("n"), (sign * h.total_s).label("total_s"))
                         .where(h.dimension == dimension, h.grain == grain, h.day >= low, h.day < high,
                                h.key.in_(keys), *scoped[1:]))
            parts.append(select(constant(WAIT).label("measure"), h.key, h.low, (sign * h.n).label("n"),
                                (sign * h.total_s).label("total_s"))
                         .where(h.dimension == dimension, h.grain == grain, h.day >= low, h.day < high,
                                h.measure == "first_reply", h.key.in_(keys), *scoped[1:]))
        for span in cells.raw:
            key = fact_key(dimension, self.dialect, self.tz, span)
            for name, column in [*((m, m) for m in MEASURES), (WAIT, "first_reply")]:
                value = F[f"{column}_s"]
                parts.append(
                    select(constant(name).label("measure"), key.label("key"), value.label("low"),
                           func.count().label("n"), func.sum(value).label("total_s"))
                    .where(value.is_not(None), key.in_(keys), *self._narrow(span),
                           F.received_at >= as_utc(span.since), F.received_at < as_utc(span.until))
                    .group_by(*([] if dimension == "all" else [key]), value)
                )
        key = fact_key(dimension, self.dialect, self.tz, period)
        waited = self._waited(now)
        parts.append(  # the unanswered, at their wait so far (or until closed): censored times
            select(constant(WAIT).label("measure"), key.label("key"), waited.label("low"),
                   func.count().label("n"), func.sum(waited).label("total_s"))
            .where(F.opens_case == True, F.first_reply_s.is_(None), key.in_(keys), *self._narrow(period),
                   F.received_at >= as_utc(period.since), F.received_at < as_utc(period.until))
            .group_by(*([] if dimension == "all" else [key]), waited)
        )
        stacked = union_all(*parts).subquery("stacked")
        v = stacked.c
        histogram = (
            select(v.measure, v.key, v.low, func.sum(v.n).label("n"), func.sum(v.total_s).label("total_s"))
            .group_by(v.measure, v.key, v.low)
            .having(func.sum(v.n) > 0)  # buckets emptied by subtracted days
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
            lower = whole(position, self.dialect)
            for rank in (lower, lower + 1):
                picks.append(func.max(case((and_(c.before <= rank, rank < c.before + c.n), c.total_s / c.n))))
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

    def _waited(self, now: datetime) -> ColumnElement:
        """Seconds an unanswered case has waited: until it was closed, else until ``now``."""
        stamp = as_utc(now).strftime("%Y-%m-%d %H:%M:%S")
        later = f"CAST('{stamp}+00:00' AS TIMESTAMP WITH TIME ZONE)" if self.dialect == "postgresql" else f"'{stamp}'"
        since = f"{F.received_at.table.name}.received_at"
        return func.coalesce(F.resolution_s, literal_column(seconds_between_sql(later, since, self.dialect)))

    def _waiting(self, conn: Connection, dimension: str, period: Period, keys: list[str],
                 now: datetime) -> dict[str, list[int]]:
        """Per key: cases with no reply yet, and how many of them have waited past the target."""
        key = fact_key(dimension, self.dialect, self.tz, period)
        waited = self._waited(now)
        query = (select(key, func.count(), _sum(waited > self.target_s))
                 .where(F.opens_case == True, F.first_reply_s.is_(None), key.in_(keys), *self._narrow(period),
                        F.received_at >= as_utc(period.since), F.received_at < as_utc(period.until)))
        if dimension != "all":
            query = query.group_by(key)
        return {str(k): [int(n or 0), int(late or 0)] for k, n, late in conn.execute(query) if n}

    def backlog(self, now: datetime) -> Backlog:
        """Messages waiting for an answer now (of the service and subject narrowed to): how many per state,
        and the oldest."""
        narrow: list[ColumnElement] = []
        if self.service is not None:
            narrow.append(M.service == self.service)
        if self.subject is not None:
            narrow.append(exists().where(P.message_id == M.id, P.subject_kind == str(self.subject[0]),
                                         P.subject_id == self.subject[1]))
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(M.state, func.count(), func.min(M.received_at))
                .where(M.state.in_(OPEN_STATES), *narrow)
                .group_by(M.state)
            ).all()
            by_state = {state: int(n) for state, n, _ in rows}
            oldest = conn.execute(
                select(M.id, M.received_at)
                .where(M.state.in_(OPEN_STATES), *narrow)
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
        by = {d: self.groups(d, period, now=now) for d in DIMENSIONS}
        subject = f"{self.subject[0]}:{self.subject[1]}" if self.subject is not None else None
        keys = [g.key for g in by["subject"]] + ([subject] if subject else [])
        return ResponseReport(
            period=period,
            target_minutes=self.target_minutes,
            reference_minutes=REFERENCE_MINUTES,
            overall=overall[0] if overall else _empty("all"),
            by=by,
            backlog=self.backlog(now),
            service=self.service,
            subject=subject,
            subject_labels=ProblemLog(self.engine, tz=self.tz).subject_labels(keys),
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
    head, rest = row[:10], list(row[10:])
    width = 4 + len(BUCKETS)
    measures = [_measure(rest[i * width:(i + 1) * width]) for i in range(len(MEASURES) + 1)]
    waiting, late = (int(v or 0) for v in rest[-2:])
    return ResponseGroup(str(head[0]), *(int(v or 0) for v in head[1:3]), *measures[:len(MEASURES)],
                         *(int(v or 0) for v in head[3:8]), replies_met=int(head[8] or 0),
                         replies_due=int(head[9] or 0), waiting=waiting, waiting_past_target=late,
                         first_wait=measures[-1])


def _empty(key: str) -> ResponseGroup:
    none = Measure(0, None, None, None, (0,) * len(BUCKETS))
    return ResponseGroup(key, 0, 0, none, none, none, none, 0, 0, 0, 0, 0)

