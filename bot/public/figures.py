"""The published figures: what each line promised and delivered, what citizens reported, how fast
the care service answered. Aggregates only: no message text, no citizen, no agent ever appears.

Trip figures come from :class:`bot.insight.service.ServiceReports` (counted only over recorded
time, with their coverage); citizens' reports from ``problems``, grouped by subject (a line's
reports per kind; streets, areas and service points by place, when other services record them); the care
figures from ``response_facts`` (every message past the target a miss, the unanswered counted
at their wait so far). Small counts about people are hidden (:mod:`bot.public.counts`).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, and_, case, func, insert, or_, select
from sqlalchemy.exc import IntegrityError

from bot.domain import as_utc
from bot.insight.errors import InsightError
from bot.insight.reading import reader
from bot.insight.recording import Span, spans_between
from bot.insight.service import DAY_LENGTH, LATE_S, Schedule, ServiceDay, ServiceReports
from bot.insight.snapshots import service_start
from bot.insight.sqltime import local_date
from bot.public.counts import Shown, shown, shown_parts
from bot.public.memo import ClosedDays
from bot.public.rollup import LINE, NETWORK, Counts, DayTrips, keep_days, kept_days, read_days
from bot.subjects import SubjectKind
from knowledge.alerts import Alert, AlertIndex
from storage.models import Cursor, Message, ProblemRecord, ResponseFact, TripUpdateSnapshot

S = TripUpdateSnapshot.__table__.c
P = ProblemRecord.__table__.c
F = ResponseFact.__table__.c
M = Message.__table__.c
C = Cursor.__table__.c
LINE_KIND = str(SubjectKind.LINE)
#: Subjects published by place (lines have their own table; stops and addresses are never listed:
#: a house number can point at a person).
PLACE_KINDS = tuple(str(k) for k in (SubjectKind.MUNICIPALITY, SubjectKind.DISTRICT, SubjectKind.ZONE,
                                     SubjectKind.STREET, SubjectKind.SERVICE_POINT))
#: At most this many places on the page.
MAX_PLACES = 20
#: A day recorded for less than this share of its service time was seen in one snapshot (a few seconds).
SNAPSHOT_SHARE = 0.01
#: A day recorded for less than this many seconds was seen in one snapshot.
SNAPSHOT_S = 60.0
#: The memory key of a day's citizens' reports.
REPORTS = "reports"
#: Where the first day this installation recorded messages is kept (``cursors``), once known.
SINCE_CURSOR = ("public", "reports_since")


@dataclass(frozen=True)
class AlertShown:
    """An operator's alert in force on a day: its own public header and when it held (local times)."""

    id: str
    header: str
    effect: str
    spans: list[tuple[str, str]]  # ("dd/mm/yyyy HH:MM" or "", the same or "") per active period


@dataclass(frozen=True)
class Care:
    """How the care service answered messages about a line: counts hidden when small."""

    messages: Shown
    answered_in_time: Shown
    due: Shown
    in_time_share: float | None  # None when too few to say
    median_first_s: float | None
    median_is_bound: bool  # some cases still wait: the median is at least this
    waiting: Shown


@dataclass(frozen=True)
class Reports:
    """How many citizens' reports named the line, in all and per kind of problem (``total`` None:
    a day before this installation began recording messages, so no count can be claimed)."""

    total: Shown | None
    by_kind: dict[str, Shown]


@dataclass(frozen=True)
class LineDay:
    """One line on one day, as published."""

    day: date
    has_data: bool
    schedule: Schedule
    scheduled: int | None
    run: int
    cancelled: int
    missed: int | None  # scheduled, due, recorded and never seen
    not_recorded: int | None
    upcoming: int
    recorded_share: float | None  # of the day's service time
    judged_share: float | None  # of the trips due
    recorded: list[tuple[str, str]]
    gaps: list[tuple[str, str]]
    punctual: int  # run trips with a believable delay under 5 minutes at every stop
    timed: int  # run trips with a believable delay recorded
    mean_delay_s: float | None
    implausible: int
    alerts: list[AlertShown]
    reports: Reports
    care: Care | None  # None: a day before this installation began recording messages

    @property
    def punctual_share(self) -> float | None:
        """Share of the timed trips that were punctual."""
        return self.punctual / self.timed if self.timed else None

    @property
    def snapshot_only(self) -> bool:
        """The day's trips were recorded in a single snapshot (or under a minute): its late and
        punctual figures are what that instant showed, not the day's."""
        return self.has_data and bool(self.recorded) and (self.recorded_share or 0) < SNAPSHOT_SHARE


@dataclass(frozen=True)
class LineHistory:
    """A line's page: its days, newest first, and the totals over them."""

    route: str
    key: str
    label: str
    days: list[LineDay]
    schedule: Schedule
    plausible_limit_s: int


@dataclass(frozen=True)
class LineToday:
    """A line's row on the network page: today so far, and its last days in brief."""

    route: str
    key: str
    label: str
    seen: int | None  # None: nothing of the day was recorded, so no count can be claimed
    cancelled: int | None
    late: int | None
    implausible: int | None
    alerts: list[AlertShown]
    reports: Shown | None  # None: a day before this installation began recording messages
    trouble: int
    days_with_data: int
    month_seen: int | None  # None: no day with data in the period
    month_cancelled: int | None
    month_timed: int | None
    month_punctual: int | None
    month_reports: Shown | None  # None: the days were all before this installation began recording messages
    snapshot_only: bool = False  # the day's figures come from a single snapshot
    month_snapshot_days: int = 0  # of the days with data, those recorded in a single snapshot

    @property
    def month_punctual_share(self) -> float | None:
        """Share of the last days' timed trips that were punctual."""
        return self.month_punctual / self.month_timed if self.month_timed else None


@dataclass(frozen=True)
class PlaceReports:
    """Citizens' reports about one place or service point (a street, an area, a fountain), today and
    over the last days; a place fewer than ``public.min_count`` messages named is not listed."""

    kind: str  # a bot.subjects.SubjectKind
    id: str
    label: str
    today: Shown
    days: Shown
    #: How the care service answered the messages naming it over the days (counts hidden when small).
    care: Care | None = None


@dataclass(frozen=True)
class Network:
    """The network page: today's lines, trouble first, with the recording's coverage."""

    day: date
    since: date
    recorded: list[tuple[str, str]]
    gaps: list[tuple[str, str]]
    recorded_s: float
    last_recorded: datetime | None
    last_day_with_data: date | None
    schedule: Schedule
    lines: list[LineToday]
    network_alerts: list[AlertShown]
    places: list[PlaceReports] = field(default_factory=list)  # reports by place (other services' subjects)
    #: The first day this installation recorded messages: reports and care figures of days before are "–".
    reports_since: date | None = None

    @property
    def snapshot_only(self) -> bool:
        """The day's trips were recorded in a single snapshot."""
        return bool(self.recorded) and self.recorded_s < SNAPSHOT_S


class PublicFigures:
    """Builds the published figures from the database, the static feed and the live alerts."""

    def __init__(self, engine: Engine, service: ServiceReports, *, alerts: Callable[[], AlertIndex | None],
                 tz: str, days: int, least: int, target_s: float) -> None:
        self.engine = reader(engine)
        self.writer = engine
        self.service = service
        self.alerts = alerts
        self.tz = tz
        self.days = days
        self.least = least
        self.target_s = target_s
        self.memo = ClosedDays(tz)
        self.zone = ZoneInfo(tz)
        self._since: date | None = None

    @classmethod
    def for_settings(cls, engine: Engine, gtfs: Any, settings: Any, *,
                     alerts: Callable[[], AlertIndex | None]) -> PublicFigures:
        """The published figures with the service's settings (time zone, days, smallest count, target)."""
        return cls(engine, ServiceReports.for_settings(engine, gtfs, settings), alerts=alerts,
                   tz=settings.operator.timezone, days=settings.public.days, least=settings.public.min_count,
                   target_s=settings.console.response_target_minutes * 60)

    # -- helpers -------------------------------------------------------------------------------
    def _local(self, moment: datetime) -> datetime:
        return as_utc(moment).astimezone(self.zone)

    def _bucketer(self, first: date, last: date) -> Callable[[datetime], date]:
        """A fast local-day lookup for instants between ``first`` and ``last`` (by bisection)."""
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        starts = [datetime.combine(d, datetime.min.time(), self.zone) for d in days]
        stamps = [as_utc(t).timestamp() for t in starts]

        def day_of(moment: datetime) -> date:
            i = bisect_right(stamps, as_utc(moment).timestamp()) - 1
            return days[i] if i >= 0 else self._local_day(moment)

        return day_of

    def _day_bounds(self, day: date) -> tuple[datetime, datetime]:
        start = as_utc(service_start(day, self.tz))
        return start, start + DAY_LENGTH

    def _local_day(self, moment: datetime) -> date:
        return self._local(moment).date()

    def key_of(self, route: str) -> str:
        """The name a line goes by in addresses: its short name when it has one, else its id."""
        gtfs = self.service.gtfs
        found = gtfs.routes.get(route) if gtfs else None
        short = found.short_name if found is not None else ""
        if short and self.service.names.static_id(short) == route:
            return short
        return route

    def _alerts_on(self, route: str | None, since: datetime, until: datetime) -> list[AlertShown]:
        index = self.alerts()
        if index is None:
            return []
        if route is None:  # the whole network: an agency or a kind of transport, no line, stop or trip
            chosen = [a for a in index.alerts if a.in_force(since, until) and any(
                s.route_id is None and s.stop_id is None and s.trip_id is None
                and (s.agency_id is not None or s.route_type is not None) for s in a.informed)]
        else:
            chosen = index.applicable(since, routes=[route], until=until)
        return [self._alert(a, since, until) for a in chosen]

    def _alert(self, alert: Alert, since: datetime, until: datetime) -> AlertShown:
        header, _ = alert.text("it")
        stamp = lambda t: self._local(t).strftime("%d/%m/%Y %H:%M") if t is not None else ""
        spans = [(stamp(p.start), stamp(p.end)) for p in alert.periods if p.overlaps(since, until)]
        return AlertShown(alert.id, header, alert.effect, spans)

    def alert_text(self, alert_id: str, lang: str) -> str:
        """An alert's header in ``lang`` (the operator's own public words)."""
        index = self.alerts()
        found = index.get(alert_id) if index is not None else None
        return found.text(lang)[0] if found is not None else ""

    # -- one line ------------------------------------------------------------------------------
    def line(self, route: str, *, today: date, now: datetime) -> LineHistory:
        """The line's last ``days`` days up to ``today`` (InsightError for an unknown line)."""
        first = today - timedelta(days=self.days - 1)
        spans = spans_between(self.engine, self._day_bounds(first)[0], self._day_bounds(today)[1] + timedelta(hours=6),
                              gap=self.service.gap)
        static_id = self.service.names.static_id(route)
        if static_id is None and not self._appears(route, first, today):
            msg = f"no line {route!r} in the static feed, and none in the trip updates of the last {self.days} days"
            raise InsightError(msg)
        reports = self._report_days(static_id or route, first, today, now)
        care = self._care(static_id or route, first, today, now)
        since_day = self.reports_since(today)
        days: list[LineDay] = []
        basis = self.service.schedule_basis(static_id)
        limit = self.service.plausible_s
        wanted = [today - timedelta(days=offset) for offset in range(self.days)]
        for day, served in zip(wanted, self._served(static_id or route, wanted, now, spans), strict=True):
            since, until = self._day_bounds(day)
            days.append(self._line_day(served, day, reports.get(day, Counter()), care.get(day, []), now,
                                       self._alerts_on(served.route, since, until), recording=day >= since_day))
        route_id = static_id or route
        return LineHistory(route_id, self.key_of(route_id), self.service.names.label(route), days, basis, limit)

    def _appears(self, route: str, first: date, last: date) -> bool:
        ids = sorted(self.service.names.realtime_ids(route))
        with self.engine.connect() as conn:
            return conn.execute(
                select(S.id).where(S.route_id.in_(ids), S.service_date >= first.strftime("%Y%m%d"),
                                   S.service_date <= last.strftime("%Y%m%d")).limit(1)
            ).first() is not None

    def _empty_day(self, route: str, day: date) -> ServiceDay:
        """A day a line only the realtime feed knows did not appear: nothing recorded for it."""
        return ServiceDay(route, self.service.names.label(route), day, (route,), None, 0, 0, 0, 0, None, 0, None,
                          None, 0, schedule=self.service.schedule_basis(None))

    def _served(self, route: str, wanted: list[date], now: datetime, spans: list[Span]) -> list[DayTrips]:
        """Each day's trip figures: days that are over from memory or the kept rollup, the others
        counted in one query."""
        found: dict[date, DayTrips] = {}
        for day in wanted:
            kept = self.memo.peek((LINE, route, day))
            if kept is not None:
                found[day] = kept  # type: ignore[assignment]
        closed = [d for d in wanted if d not in found and self.memo.closed(d, now)]
        for day, value in read_days(self.engine, LINE, route, closed).items():
            found[day] = DayTrips.from_json(value)
            self.memo.keep((LINE, route, day), found[day])
        for day in [d for d, v in found.items() if not v.has_data and self._recorded_on(d, spans)]:
            del found[day]  # kept with nothing recorded, recorded since (an old feed replayed): count it again
        for day, served in self._count_days(route, [d for d in wanted if d not in found], now, spans).items():
            found[day] = served
            if self.memo.closed(day, now):
                self.memo.keep((LINE, route, day), served)
        return [found[d] for d in wanted]

    def _count_days(self, route: str, days: list[date], now: datetime, spans: list[Span] | None) -> dict[date, DayTrips]:
        """Count ``route``'s ``days`` from the trip updates (in one query)."""
        built = self.service.route_days(route, days, now=now, spans=spans)
        return {day: DayTrips.of(served or self._empty_day(route, day)) for day, served in zip(days, built, strict=True)}

    def _line_day(self, s: DayTrips, day: date, kinds: Counter, care: list[tuple], now: datetime,
                  alerts: list[AlertShown], *, recording: bool = True) -> LineDay:
        total: Shown | None
        total, parts = shown_parts(sum(kinds.values()), dict(kinds), self.least)
        if not recording and not kinds and not care:  # before the installation began: not zero, unknown
            total = None
        return LineDay(
            day=day, has_data=s.has_data, schedule=s.schedule, scheduled=s.scheduled, run=s.run,
            cancelled=s.cancelled, missed=s.not_seen, not_recorded=s.not_recorded, upcoming=s.upcoming,
            recorded_share=s.time_share, judged_share=s.trip_share, recorded=s.spans, gaps=s.gaps,
            punctual=s.punctual, timed=s.timed, mean_delay_s=s.mean_delay_s, implausible=s.implausible,
            alerts=alerts, reports=Reports(total, parts),
            care=self._care_of(care, now) if total is not None else None,
        )

    def _report_days(self, route: str | None, first: date, last: date, now: datetime) -> dict[date, Counter]:
        """Citizens' reports per local day from ``first`` to ``last``: of the line ``route`` by kind, or
        (``route`` None) of every line by line. Days that are over come from memory once counted;
        the others are counted in one query."""
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        found: dict[date, Counter] = {}
        for day in days:
            kept = self.memo.peek((REPORTS, route, day))
            if kept is not None:
                found[day] = kept  # type: ignore[assignment]
        missing = [d for d in days if d not in found]
        if missing:
            counted = self._reports(route, missing[0], missing[-1])
            for day in missing:
                found[day] = counted.get(day, Counter())
                if self.memo.closed(day, now):
                    self.memo.keep((REPORTS, route, day), found[day])
        return found

    def _reports(self, route: str | None, first: date, last: date) -> dict[date, Counter]:
        """Citizens' reports naming the line ``route`` per local day and kind (``route`` None: every
        line's, per day and line): one a message, counted by the database."""
        since, until = self._day_bounds(first)[0], self._day_bounds(last)[1]
        dialect = self.engine.dialect.name
        day = local_date(P.at, dialect, self.tz, since, until).label("day")
        kind = func.coalesce(P.category, "other").label("kind") if route is not None else P.subject_id
        chosen = P.subject_id == route if route is not None else P.subject_id.is_not(None)
        query = (
            select(day, kind, func.count(func.distinct(P.message_id)))
            .where(P.subject_kind == LINE_KIND, chosen, P.at >= since, P.at < until)
            .group_by(day, kind)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        found: dict[date, Counter] = defaultdict(Counter)
        for on, category, count in rows:
            found[date.fromisoformat(str(on))][str(category)] += int(count)
        return found

    def _care(self, route: str, first: date, last: date, now: datetime) -> dict[date, list[tuple]]:
        since, until = self._day_bounds(first)[0], self._day_bounds(last)[1]
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(F.received_at, F.opens_case, F.first_reply_s, F.next_reply_s, F.resolution_s)
                .where(F.route_id == route, F.received_at >= since, F.received_at < until)
            ).all()
        found: dict[date, list[tuple]] = defaultdict(list)
        day_of = self._bucketer(first, last)
        for row in rows:
            found[day_of(row[0])].append(tuple(row))
        return found

    def _care_of(self, rows: list[tuple], now: datetime) -> Care:
        due_before = as_utc(now) - timedelta(seconds=self.target_s)
        due = [r for r in rows if r[3] is not None or as_utc(r[0]) < due_before]
        met = sum(1 for r in due if r[3] is not None and r[3] <= self.target_s)
        firsts = [r for r in rows if r[1]]
        waits = [r[2] if r[2] is not None else (r[4] if r[4] is not None else (as_utc(now) - as_utc(r[0])).total_seconds())
                 for r in firsts]
        waiting = sum(1 for r in firsts if r[2] is None)
        enough = len(due) >= self.least
        middle = median(waits) if len(firsts) >= self.least else None
        bound = waiting > 0 and middle is not None and any(
            r[2] is None and w <= middle for r, w in zip(firsts, waits, strict=True))
        return Care(
            messages=shown(len(rows), self.least), answered_in_time=shown(met, self.least),
            due=shown(len(due), self.least), in_time_share=met / len(due) if enough else None,
            median_first_s=middle, median_is_bound=bound, waiting=shown(waiting, self.least),
        )

    # -- the network ---------------------------------------------------------------------------
    def network(self, *, today: date, now: datetime) -> Network:
        """Today's lines, trouble first, with their last ``days`` days in brief."""
        first = today - timedelta(days=self.days - 1)
        since, until = self._day_bounds(today)
        coverage = self.service.day_coverage(today, now=now)
        today_rows = {r.route: r for r in self.service.day_overview(today)}
        spans = spans_between(self.engine, self._day_bounds(first)[0], self._day_bounds(today)[1], gap=self.service.gap)
        month = self._month(first, today, now, spans)
        per_day = self._report_days(None, first, today, now)
        reports_today = per_day[today]
        reports_month = sum(per_day.values(), Counter())
        since_day = self.reports_since(today)
        snapshot_days = self._snapshot_days(first, today, spans)
        alerts = self._line_alerts(since, until)
        names = set(today_rows) | set(month) | set(alerts) | {r for r in reports_today if r}
        # A line not seen today counts 0 only when the feed was recorded today at all.
        watched = bool(today_rows) or coverage.recorded_s > 0 or bool(coverage.spans)
        lines = []
        for route in names:
            row = today_rows.get(route)
            m = month.get(route, {})
            count = reports_today.get(route, 0)
            trouble = (row.cancelled * 3 + row.late_trips if row else 0) + 5 * len(alerts.get(route, [])) + count
            none_today = 0 if watched else None
            over_days = (lambda name, m=m: int(m.get(name, 0)) if m.get("days") else None)
            told = shown(count, self.least) if today >= since_day or count else None
            lines.append(LineToday(
                route=route, key=self.key_of(route), label=self.service.names.label(route),
                seen=row.seen if row else none_today, cancelled=row.cancelled if row else none_today,
                late=row.late_trips if row else none_today, implausible=row.implausible if row else none_today,
                alerts=alerts.get(route, []), reports=told, trouble=trouble,
                days_with_data=int(m.get("days", 0)), month_seen=over_days("seen"),
                month_cancelled=over_days("cancelled"), month_timed=over_days("timed"),
                month_punctual=over_days("punctual"),
                month_reports=(shown(reports_month.get(route, 0), self.least)
                               if today >= since_day or reports_month.get(route) else None),
                snapshot_only=row is not None and today in snapshot_days,
                month_snapshot_days=sum(1 for d in m.get("on", ()) if d in snapshot_days),
            ))
        lines.sort(key=lambda x: (-x.trouble, -(x.month_cancelled or 0), x.label))
        gtfs = self.service.gtfs
        static = Schedule.TIMETABLE if gtfs is not None and gtfs.has_trips() else self.service.schedule_basis(None)
        return Network(
            day=today, since=first, recorded=coverage.spans, gaps=coverage.gaps, recorded_s=coverage.recorded_s,
            last_recorded=self._last_recorded(),
            last_day_with_data=self._last_day_with_data(), schedule=static, lines=lines,
            network_alerts=self._alerts_on(None, since, until),
            places=self._places(first, today, now), reports_since=since_day,
        )

    def _places(self, first: date, today: date, now: datetime) -> list[PlaceReports]:
        """Reports per place and service point over the days, most reported first, each with how the care
        service answered the messages naming it."""
        since, until = self._day_bounds(first)[0], self._day_bounds(today)[1]
        today_since = self._day_bounds(today)[0]
        days = func.count(func.distinct(P.message_id))
        on_day = func.count(func.distinct(case((P.at >= today_since, P.message_id))))
        query = (
            select(P.subject_kind, P.subject_id, func.max(P.subject_label), days, on_day)
            .where(P.subject_kind.in_(PLACE_KINDS), P.at >= since, P.at < until)
            .group_by(P.subject_kind, P.subject_id)
            .having(days >= self.least)
            .order_by(days.desc(), P.subject_kind, P.subject_id)
            .limit(MAX_PLACES)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        care = self._place_care([(str(k), str(i)) for k, i, *_ in rows], since, until)
        return [PlaceReports(str(kind), str(ident), label or str(ident), shown(int(n_today), self.least),
                             shown(int(n), self.least), self._care_of(care.get((str(kind), str(ident)), []), now))
                for kind, ident, label, n, n_today in rows]

    def _place_care(self, places: list[tuple[str, str]], since: datetime,
                    until: datetime) -> dict[tuple[str, str], list[tuple]]:
        """The response facts of the messages naming each place (any of their subjects), over the days."""
        if not places:
            return {}
        named = or_(*(and_(P.subject_kind == kind, P.subject_id == ident) for kind, ident in places))
        query = (select(P.subject_kind, P.subject_id, F.message_id, F.received_at, F.opens_case, F.first_reply_s,
                        F.next_reply_s, F.resolution_s).distinct()
                 .join(ResponseFact.__table__, F.message_id == P.message_id)
                 .where(named, F.received_at >= since, F.received_at < until))
        found: dict[tuple[str, str], list[tuple]] = defaultdict(list)
        with self.engine.connect() as conn:
            for kind, ident, _message, *facts in conn.execute(query):
                found[(str(kind), str(ident))].append(tuple(facts))
        return found

    def _line_alerts(self, since: datetime, until: datetime) -> dict[str, list[AlertShown]]:
        index = self.alerts()
        if index is None:
            return {}
        found: dict[str, list[AlertShown]] = defaultdict(list)
        for alert in index.alerts:
            if not alert.in_force(since, until):
                continue
            for route in alert.routes():
                key = self.service.names.static_id(route) or route
                found[key].append(self._alert(alert, since, until))
        return found

    def _month(self, first: date, last: date, now: datetime, spans: list[Span]) -> dict[str, Any]:
        """Per line over the days: days with data (and which: ``on``), trips seen, cancelled, timed and punctual (days
        that are over from memory or the kept rollup, the others counted in one query)."""
        days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
        per_day: dict[date, Counts] = {}
        for day in days:
            kept = self.memo.peek((NETWORK, day))
            if kept is not None:
                per_day[day] = kept  # type: ignore[assignment]
        closed = [d for d in days if d not in per_day and self.memo.closed(d, now)]
        for day, value in read_days(self.engine, NETWORK, "", closed).items():
            per_day[day] = value
            self.memo.keep((NETWORK, day), value)
        for day in [d for d, v in per_day.items() if not v and self._recorded_on(d, spans)]:
            del per_day[day]  # kept with nothing recorded, recorded since: count it again
        for day, counts in self._days_counts([d for d in days if d not in per_day]).items():
            per_day[day] = counts
            if self.memo.closed(day, now):
                self.memo.keep((NETWORK, day), counts)
        found: dict[str, Any] = {}
        for day in days:
            for key, values in per_day[day].items():
                into = found.setdefault(key, Counter())
                into.update(values)
                into["days"] += 1
                into.setdefault("on", []).append(day)
        return found

    def _days_counts(self, days: list[date]) -> dict[date, Counts]:
        """Each day's counts per line (seen, cancelled, timed, punctual), in one query."""
        if not days:
            return {}
        limit = self.service.plausible_s
        running = S.relationship != "CANCELED"
        believed = running & S.max_delay_s.is_not(None) & (S.max_delay_s <= limit) & (
            func.abs(func.coalesce(S.last_delay_s, 0)) <= limit)
        stamps = {d.strftime("%Y%m%d"): d for d in days}
        query = (
            select(S.service_date, S.route_id, func.count(), func.sum(case((S.relationship == "CANCELED", 1), else_=0)),
                   func.sum(case((believed, 1), else_=0)),
                   func.sum(case((believed & (S.max_delay_s < LATE_S), 1), else_=0)))
            .where(S.service_date >= min(stamps), S.service_date <= max(stamps))
            .group_by(S.service_date, S.route_id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        found: dict[date, Counts] = {d: {} for d in days}
        for stamp, route_id, seen, cancelled, timed, punctual in rows:
            if stamp not in stamps:
                continue
            key = self.service.names.static_id(route_id or "?") or (route_id or "?")
            into = found[stamps[stamp]].setdefault(key, {"seen": 0, "cancelled": 0, "timed": 0, "punctual": 0})
            for name, value in (("seen", seen), ("cancelled", cancelled), ("timed", timed), ("punctual", punctual)):
                into[name] += int(value or 0)
        return found

    # -- the kept rollup -----------------------------------------------------------------------
    def fill(self, *, today: date, now: datetime) -> int:
        """Count and keep every day of the last ``days`` that is over and not kept yet: the
        network's counts and each line of the static feed; how many (line, day) were kept."""
        self.remember_since(today, now)
        first = today - timedelta(days=self.days - 1)
        closed = [d for d in (first + timedelta(days=i) for i in range(self.days)) if self.memo.closed(d, now)]
        if not closed:
            return 0
        kept = 0
        have = {day for _route, day in kept_days(self.writer, NETWORK, closed[0], closed[-1])}
        missing = [d for d in closed if d not in have]
        if missing:
            counts = self._days_counts(missing)
            keep_days(self.writer, NETWORK, "", {d: counts[d] for d in missing}, now)
            kept += len(missing)
        gtfs = self.service.gtfs
        if gtfs is None:
            return kept
        have_lines = kept_days(self.writer, LINE, closed[0], closed[-1])
        spans: list[Span] | None = None
        for route in sorted(gtfs.routes):
            missing = [d for d in closed if (route, d) not in have_lines]
            if not missing:
                continue
            if spans is None:
                spans = spans_between(self.engine, self._day_bounds(closed[0])[0],
                                      self._day_bounds(closed[-1])[1] + timedelta(hours=6), gap=self.service.gap)
            counted = self._count_days(route, missing, now, spans)
            keep_days(self.writer, LINE, route, {d: v.to_json() for d, v in counted.items()}, now)
            kept += len(missing)
        return kept

    def _recorded_on(self, day: date, spans: list[Span]) -> bool:
        """Whether any of ``spans`` touches ``day``'s service."""
        since, until = self._day_bounds(day)
        return any(s.end >= since and s.start <= until for s in spans)

    def _snapshot_days(self, first: date, last: date, spans: list[Span]) -> set[date]:
        """The days between ``first`` and ``last`` whose trips were recorded in a single snapshot."""
        found = set()
        day = first
        while day <= last:
            since, until = self._day_bounds(day)
            inside = [(max(s.start, since), min(s.end, until)) for s in spans if s.end >= since and s.start <= until]
            if inside and sum((b - a).total_seconds() for a, b in inside) < SNAPSHOT_S:
                found.add(day)
            day += timedelta(days=1)
        return found

    def reports_since(self, today: date) -> date:
        """The first day this installation recorded messages: the day kept by :meth:`remember_since`,
        else the day of the oldest message, report or response on record, else ``today``."""
        if self._since is not None:
            return self._since
        channel, name = SINCE_CURSOR
        with self.engine.connect() as conn:
            kept = conn.execute(select(C.value).where(C.channel == channel, C.name == name)).scalar()
            if kept:
                self._since = date.fromisoformat(kept)
                return self._since
            oldest = [conn.execute(select(func.min(column))).scalar() for column in (M.received_at, P.at, F.received_at)]
        found = [self._local_day(at) for at in oldest if at is not None]
        return min([*found, today])

    def remember_since(self, today: date, now: datetime) -> None:
        """Keep the first day this installation recorded messages, once (the rollup job does it):
        messages removed later by the retention rules no longer move it."""
        channel, name = SINCE_CURSOR
        with self.writer.begin() as conn:
            if conn.execute(select(C.value).where(C.channel == channel, C.name == name)).scalar():
                return
            day = self.reports_since(today)
            try:
                with conn.begin_nested():
                    conn.execute(insert(Cursor).values(channel=channel, name=name, value=day.isoformat(),
                                                       updated_at=now))
            except IntegrityError:
                pass  # another process kept it at the same moment: the same day

    def _last_recorded(self) -> datetime | None:
        from storage.models import RecordingSpan

        r = RecordingSpan.__table__.c
        with self.engine.connect() as conn:
            value = conn.execute(select(func.max(r.ended_at))).scalar()
        return as_utc(value) if value is not None else None

    def _last_day_with_data(self) -> date | None:
        with self.engine.connect() as conn:
            value = conn.execute(select(func.max(S.service_date))).scalar()
        if not value:
            return None
        return date(int(value[:4]), int(value[4:6]), int(value[6:8]))


def plain(value: Any) -> Any:
    """Dataclasses as JSON-ready values (dates in ISO 8601)."""
    from bot.insight.render import _plain

    return _plain(value)
