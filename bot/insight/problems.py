"""Problems from the problem log: reports by subject (a line, a stop, a street, an area, a service
point), route, stop, category and hour, and trends.

A message may leave several problem rows (one per subject it names), so every figure counts
distinct messages. A report "matched an alert" when the router tied it to a
published alert: the operator already knew.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, and_, case, distinct, func, select, union_all
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import Subquery

from bot.domain import as_utc
from bot.insight.cells import split
from bot.insight.period import Period
from bot.insight.problem_rollup import NAME, ROLLED, counted, subject_key
from bot.insight.reading import reader
from bot.insight.rollup_state import constant, covered_until
from bot.insight.sqltime import local_hour
from bot.subjects import TRANSIT_KINDS, SubjectKind, split_key
from storage.models import ProblemRecord, ProblemRollup

P = ProblemRecord.__table__.c
R = ProblemRollup.__table__.c
DIMENSIONS = ("route", "stop", "category", "channel", "hour", "subject")
#: Dimensions a record names on its own (the others every record of a message shares).
_OWN = ("route", "stop", "subject")
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Count:
    """Reports (distinct messages) for one key, and how many matched a published alert."""

    key: str
    reports: int
    known: int

    @property
    def unknown(self) -> int:
        """Reports the operator had no alert for."""
        return self.reports - self.known

    @property
    def known_share(self) -> float | None:
        """Share of reports that matched an alert (None without reports)."""
        return self.known / self.reports if self.reports else None


@dataclass(frozen=True)
class Trend:
    """A line's or stop's reports this week against the week before."""

    key: str
    this_week: int
    last_week: int
    known_this_week: int

    @property
    def change(self) -> int:
        """This week's reports minus last week's."""
        return self.this_week - self.last_week

    @property
    def known_share(self) -> float | None:
        """Share of this week's reports that matched an alert."""
        return self.known_this_week / self.this_week if self.this_week else None


@dataclass(frozen=True)
class ProblemReport:
    """Everything ``sportello report problems`` shows for one period."""

    period: Period
    route: str | None
    total: Count
    by: dict[str, list[Count]]
    top_routes: list[Trend]
    top_stops: list[Trend]
    heatmap: dict[str, list[int]] = field(default_factory=dict)
    subject_labels: dict[str, str] = field(default_factory=dict)  # subject key -> its latest label
    subject: str | None = None  # the subject key (``street:072006:via argiro``) the report is narrowed to
    service: str | None = None  # the service the report is narrowed to


class ProblemLog:
    """Aggregate queries over the ``problems`` table: whole local days and months from the
    rollup (:mod:`bot.insight.problem_rollup`) once it holds them, the edges from the records.
    A report for one route reads the records of the messages naming it."""

    def __init__(self, engine: Engine, *, tz: str, service: str | None = None,
                 subject: tuple[SubjectKind, str] | None = None) -> None:
        self.engine = reader(engine)
        self.tz = tz
        self.dialect = engine.dialect.name
        #: One service's reports (a desk of several, ``bot.services``): counted from its records, the
        #: rollup holding every service's together.
        self.service = service
        #: The messages naming one subject (a street, an area, a service point, ...): from their records.
        self.subject = subject

    def _records(self, route: str | None) -> bool:
        """Whether a figure is counted from the records (one route's, one subject's or one service's) rather
        than the rollup."""
        return route is not None or self.service is not None or self.subject is not None

    def pieces(self, dimension: str, periods: dict[int, Period], keys: list[str] | None = None) -> Subquery:
        """Rows ``tag, key, hour, reports, known`` for each tagged period: rollup rows for its
        whole days (some subtracted), counted records for the rest (sum them per key)."""
        covered = covered_until(self.engine, NAME, self.tz, ROLLED)
        parts = []
        for tag, period in periods.items():
            cells = split(period, self.tz, covered)
            for grain, low, high, sign in cells.blocks():
                rolled = select(constant(tag).label("tag"), R.key, R.hour, (sign * R.reports).label("reports"),
                                (sign * R.known).label("known"))
                rolled = rolled.where(R.dimension == dimension, R.grain == grain, R.day >= low, R.day < high)
                parts.append(rolled.where(R.key.in_(keys)) if keys is not None else rolled)
            where = (P.route_id.in_(keys),) if keys is not None else ()
            for span in cells.raw:
                raw = counted(dimension, span, self.dialect, self.tz, where=where).subquery()
                parts.append(select(constant(tag).label("tag"), *raw.c))
        return union_all(*parts).subquery("pieces")

    # -- building blocks -----------------------------------------------------------------
    def _where(self, period: Period, route: str | None, *, shared: bool = False, own: bool = False
               ) -> list[ColumnElement]:
        """``shared``: the figure reads only what every record of a message shares (time,
        category, channel, alert), so the route's own records are enough; ``own``: it reads what a record
        names itself (a line, a stop), so one subject's messages are taken whole."""
        since, until = as_utc(period.since), as_utc(period.until)
        where: list[ColumnElement] = [P.at >= since, P.at < until]
        if self.service is not None:
            where.append(P.service == self.service)
        if self.subject is not None:
            kind, ident = self.subject
            names = (P.subject_kind == str(kind), P.subject_id == ident)
            if shared and not own:
                where += names
            else:
                where.append(P.message_id.in_(select(P.message_id).where(*names, P.at >= since, P.at < until)))
        if route is not None and shared:
            where.append(P.route_id == route)
        elif route is not None:
            named = select(P.message_id).where(P.route_id == route, P.at >= since, P.at < until)
            where.append(P.message_id.in_(named))
        return where

    def _key(self, dimension: str, period: Period) -> ColumnElement:
        if dimension == "hour":
            return local_hour(P.at, self.dialect, self.tz, period.since, period.until)
        column = {"route": P.route_id, "stop": P.stop_name, "category": P.category, "channel": P.channel,
                  "subject": subject_key()}
        return column[dimension]

    @staticmethod
    def _known(condition: ColumnElement | None = None) -> ColumnElement:
        test = P.alert_id.is_not(None) if condition is None else and_(condition, P.alert_id.is_not(None))
        return func.count(distinct(case((test, P.message_id))))

    # -- reports ----------------------------------------------------------------------------
    def total(self, period: Period, route: str | None = None) -> Count:
        """All reports in the period (optionally those naming ``route``)."""
        if not self._records(route):
            p = self.pieces("all", {0: period})
            with self.engine.connect() as conn:
                reports, known = conn.execute(select(func.sum(p.c.reports), func.sum(p.c.known))).one()
            return Count("all", int(reports or 0), int(known or 0))
        query = select(func.count(distinct(P.message_id)), self._known()).where(*self._where(period, route, shared=True))
        with self.engine.connect() as conn:
            reports, known = conn.execute(query).one()
        return Count("all", int(reports or 0), int(known or 0))

    def counts_by(
        self, dimension: str, period: Period, route: str | None = None, limit: int | None = 20
    ) -> list[Count]:
        """Reports per route, stop, category, channel, local hour or subject key (``kind:id``), most
        reported first (hours in order, all 24 of them)."""
        if dimension not in DIMENSIONS:
            msg = f"unknown dimension {dimension!r}; known: {', '.join(DIMENSIONS)}"
            raise ValueError(msg)
        if not self._records(route):
            p = self.pieces(dimension, {0: period})
            key, reports = p.c.key, func.sum(p.c.reports).label("reports")
            query = select(key, reports, func.sum(p.c.known)).group_by(key).having(reports > 0)
        else:
            key = self._key(dimension, period).label("key")
            reports = func.count(distinct(P.message_id)).label("reports")
            query = (
                select(key, reports, self._known().label("known"))
                .where(*self._where(period, route, shared=dimension not in _OWN), key.is_not(None))
                .group_by(key)
            )
        if dimension == "hour":
            query = query.order_by(key)
        else:
            query = query.order_by(reports.desc(), key)
            if limit is not None:
                query = query.limit(limit)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        found = [Count(str(k), int(n), int(kn)) for k, n, kn in rows]
        if dimension == "hour":
            have = {c.key: c for c in found}
            found = [have.get(str(h), Count(str(h), 0, 0)) for h in range(24)]
        return found

    def trend(self, dimension: str, now: datetime, limit: int = 10, route: str | None = None) -> list[Trend]:
        """The most reported routes or stops in the 7 days before ``now`` against the 7 before
        (with ``route``: that line alone, or the stops of the messages naming it)."""
        now = as_utc(now)
        if self._records(route):
            return self._route_trend(dimension, now, limit, route)
        p = self.pieces(dimension, {0: Period(now - 2 * WEEK, now - WEEK), 1: Period(now - WEEK, now)})
        recent = p.c.tag == 1
        this_week = func.sum(case((recent, p.c.reports), else_=0)).label("this_week")
        query = (
            select(p.c.key, this_week, func.sum(case((recent, 0), else_=p.c.reports)),
                   func.sum(case((recent, p.c.known), else_=0)))
            .group_by(p.c.key)
            .having(func.sum(p.c.reports) > 0)
            .order_by(this_week.desc(), p.c.key)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [Trend(str(k), int(a), int(b), int(c)) for k, a, b, c in rows if a or b]

    def _route_trend(self, dimension: str, now: datetime, limit: int, route: str | None) -> list[Trend]:
        """:meth:`trend` for the messages naming ``route`` (or the service's), counted from the records."""
        recent = P.at >= now - WEEK
        key = self._key(dimension, Period(now - 2 * WEEK, now))
        this_week = func.count(distinct(case((recent, P.message_id)))).label("this_week")
        last_week = func.count(distinct(case((~recent, P.message_id))))
        known = func.count(distinct(case((and_(recent, P.alert_id.is_not(None)), P.message_id))))
        where = self._where(Period(now - 2 * WEEK, now), route, shared=dimension == "route", own=True)
        query = (
            select(key, this_week, last_week, known)
            .where(*where, key.is_not(None))
            .group_by(key)
            .order_by(this_week.desc(), key)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        return [Trend(str(k), int(a), int(b), int(c)) for k, a, b, c in rows if a or b]

    def heatmap(self, period: Period, routes: list[str]) -> dict[str, list[int]]:
        """Reports per local hour for each of ``routes``: ``{route: [24 counts]}``."""
        if not routes:
            return {}
        if self.service is not None or self.subject is not None:  # one service's or subject's: from its records
            hour = local_hour(P.at, self.dialect, self.tz, period.since, period.until)
            query = (select(P.route_id, hour, func.count(distinct(P.message_id)))
                     .where(*self._where(period, None, shared=True, own=True), P.route_id.in_(routes))
                     .group_by(P.route_id, hour))
        else:
            p = self.pieces("heat", {0: period}, keys=routes)
            query = select(p.c.key, p.c.hour, func.sum(p.c.reports)).group_by(p.c.key, p.c.hour)
        grid = {route: [0] * 24 for route in routes}
        with self.engine.connect() as conn:
            for route, h, n in conn.execute(query):
                grid[route][int(h)] = int(n)
        return grid

    def report(self, period: Period, *, now: datetime, route: str | None = None, limit: int = 20) -> ProblemReport:
        """The whole problems report for ``period`` (trends are the two weeks before ``now``)."""
        by = {d: self.counts_by(d, period, route, limit) for d in DIMENSIONS}
        top = [c.key for c in by["route"][:10]]
        labels = self.subject_labels([c.key for c in by["subject"]])
        return ProblemReport(
            period=period,
            route=route,
            total=self.total(period, route),
            by=by,
            top_routes=self.trend("route", now, route=route),
            top_stops=self.trend("stop", now, route=route),
            heatmap=self.heatmap(period, top),
            subject_labels=labels,
            subject=f"{self.subject[0]}:{self.subject[1]}" if self.subject is not None else None,
            service=self.service,
        )

    def subject_labels(self, keys: list[str]) -> dict[str, str]:
        """The latest label recorded for each subject key that has one (``{"street:via-roma": "Via Roma"}``)."""
        wanted = [split_key(k) for k in keys]
        if not wanted:
            return {}
        latest = (
            select(P.subject_kind, P.subject_id, func.max(P.id).label("id"))
            .where(P.subject_label.is_not(None), P.subject_id.in_({ident for _, ident in wanted}))
            .group_by(P.subject_kind, P.subject_id)
            .subquery()
        )
        query = select(P.subject_kind, P.subject_id, P.subject_label).join(latest, P.id == latest.c.id)
        with self.engine.connect() as conn:
            found = {f"{kind}:{ident}": label for kind, ident, label in conn.execute(query)}
        return {k: found[k] for k in keys if k in found}


@dataclass(frozen=True)
class HotSpot:
    """A subject (a line, a stop, a street, an area, a service point) reported at least a few times
    on a day and not in the week before: ``kind`` is the subject's kind, ``key`` its id (a line's
    route id, a stop's name), ``label`` what people call it when recorded."""

    kind: str
    key: str
    reports: int
    label: str | None = None


def hot_spots(log: ProblemLog, day: Period, *, min_reports: int) -> list[HotSpot]:
    """Subjects with ``min_reports`` or more reports in ``day`` and none in the 7 days before:
    lines, then stops, then the other subjects (streets, areas, service points)."""
    found: list[HotSpot] = []
    for kind, dimension in (("line", "route"), ("stop", "stop"), ("", "subject")):
        p = log.pieces(dimension, {0: Period(day.since - WEEK, day.since), 1: day})
        on_day = func.sum(case((p.c.tag == 1, p.c.reports), else_=0))
        before = func.sum(case((p.c.tag == 1, 0), else_=p.c.reports))
        query = (
            select(p.c.key, on_day)
            .group_by(p.c.key)
            .having(and_(on_day >= min_reports, before == 0))
            .order_by(on_day.desc(), p.c.key)
        )
        with log.engine.connect() as conn:
            rows = [(str(k), int(n)) for k, n in conn.execute(query)]
        if kind:
            found += [HotSpot(kind, k, n) for k, n in rows]
            continue
        others = [(k, n) for k, n in rows if split_key(k)[0] not in TRANSIT_KINDS]
        labels = log.subject_labels([k for k, _ in others])
        found += [HotSpot(str(split_key(k)[0]), split_key(k)[1], n, labels.get(k)) for k, n in others]
    return found
