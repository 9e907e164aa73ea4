"""Promised versus delivered: trips scheduled, run, cancelled, delays, gaps and recovery.

The promise is the static GTFS (trips whose service runs that day); the delivery is what the
trip-update snapshots recorded. Realtime feeds may name a route differently from the static
feed (Rome's realtime says ``MA`` for metro A, static route ``248``, short name ``MEA``):
:class:`RouteNames` maps the two through configured aliases and short names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any
from statistics import mean
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, case, func, select

from bot.domain import as_utc
from bot.insight.errors import InsightError
from bot.insight.reading import reader
from bot.insight.recording import DEFAULT_GAP, Span, covers, gaps_within, spans_between
from bot.insight.snapshots import service_start
from knowledge.gtfs import GtfsIndex
from storage.models import TripUpdateSnapshot

S = TripUpdateSnapshot.__table__.c
LATE_S = 300
#: A scheduled trip not seen this long after its start is counted as not run.
GRACE = timedelta(minutes=15)
#: A delay (late or early) beyond this is implausible: flagged, never averaged (reports.max_plausible_delay_minutes).
PLAUSIBLE_S = 3600
#: How long a service day lasts when no timetable says (GTFS days may run past midnight).
DAY_LENGTH = timedelta(hours=24)


class Schedule(StrEnum):
    """Where the promise (trips scheduled) came from, or why there is none."""

    TIMETABLE = "timetable"  # the static feed's trips for the route and day
    NO_TRIPS = "no_trips"  # the static feed has no trips.txt / stop_times.txt: nothing to count against
    NO_STATIC = "no_static"  # no static feed is loaded
    NOT_IN_STATIC = "not_in_static"  # the realtime route is not in the static feed


@dataclass(frozen=True)
class Coverage:
    """How much of a service day was actually recorded: the figures hold over this only.

    ``window`` is the part of the day the figures speak of (scheduled first departure to last
    arrival, or the whole day without a timetable, cut at ``now``); ``spans`` and ``gaps`` are
    local clock times (``HH:MM``); ``due`` scheduled trips were due by now, ``judged`` of them
    fell in recorded time.
    """

    window_s: float
    recorded_s: float
    spans: list[tuple[str, str]]
    gaps: list[tuple[str, str]]
    snapshots: int
    due: int | None = None
    judged: int | None = None

    @property
    def time_share(self) -> float | None:
        """Share of the window that was recorded (None for an empty window)."""
        return min(1.0, self.recorded_s / self.window_s) if self.window_s > 0 else None

    @property
    def trip_share(self) -> float | None:
        """Share of the trips due whose time was recorded (None without a timetable)."""
        return self.judged / self.due if self.due else None


class RouteNames:
    """Maps route names between the static feed, the realtime feed and what people type."""

    def __init__(self, gtfs: GtfsIndex | None, aliases: dict[str, str] | None = None) -> None:
        self.gtfs = gtfs
        self.aliases = dict(aliases or {})

    def static_id(self, name: str) -> str | None:
        """The static route_id for a static id, realtime id, alias or short name, else None."""
        if self.gtfs is None:
            return None
        if name in self.gtfs.routes:
            return name
        if name in self.aliases and self.aliases[name] in self.gtfs.routes:
            return self.aliases[name]
        folded = name.strip().casefold()
        for route in self.gtfs.routes.values():
            names = (route.short_name, route.display_name, route.label("it"), route.label("en"))
            if folded in {n.casefold() for n in names}:
                return route.route_id
        return None

    def realtime_ids(self, name: str) -> set[str]:
        """Every id the realtime feed may use for the route ``name`` names."""
        static = self.static_id(name)
        if static is None:
            return {name}
        ids = {static}
        route = self.gtfs.routes[static] if self.gtfs else None
        if route is not None and route.short_name:
            ids.add(route.short_name)
        ids.update(rt for rt, st in self.aliases.items() if st == static)
        return ids

    def label(self, name: str) -> str:
        """A human name for a route (``metro A``, ``bus 64``), or the id itself."""
        static = self.static_id(name)
        if static is None or self.gtfs is None:
            return name
        return self.gtfs.routes[static].label("it")


@dataclass(frozen=True)
class TripOutcome:
    """One trip of the day: its scheduled start (seconds of the service day) and what happened."""

    trip_id: str
    start_s: int | None
    direction: int | None
    status: str  # run, cancelled, added, not_seen (in recorded time), not_recorded (in a gap), upcoming
    max_delay_s: int | None = None
    implausible: bool = False  # its delay is beyond belief: shown, never averaged


@dataclass(frozen=True)
class Gap:
    """Consecutive trips that failed (not run, or late), and when service came back."""

    kind: str  # missed or late
    direction: int | None
    first: str
    last: str
    trips: int
    recovered_at: str | None


@dataclass(frozen=True)
class ServiceDay:
    """One route on one day: what was promised, what ran, and how late."""

    route: str
    label: str
    day: date
    realtime_ids: tuple[str, ...]
    scheduled: int | None
    seen: int
    run: int
    cancelled: int
    added: int
    not_seen: int | None
    upcoming: int
    mean_delay_s: float | None
    max_delay_s: int | None
    late_trips: int
    worst_stops: list[tuple[str, float, int]] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)
    trips: list[TripOutcome] = field(default_factory=list)
    schedule: Schedule = Schedule.TIMETABLE
    not_recorded: int | None = None
    implausible: int = 0
    plausible_limit_s: int = PLAUSIBLE_S
    coverage: Coverage = field(default_factory=lambda: Coverage(0.0, 0.0, [], [], 0))

    @property
    def missed(self) -> int:
        """Trips that did not run: cancelled plus scheduled trips never seen in recorded time (once due)."""
        return self.cancelled + (self.not_seen or 0)

    @property
    def has_data(self) -> bool:
        """Whether anything at all was recorded for the day (a trip seen, or the feed watched)."""
        return self.seen > 0 or self.coverage.snapshots > 0

    def answer(self, lang: str = "it") -> str:
        """A sentence for a citizen asking how many trips of the line were lost (with its coverage)."""
        return _answer_it(self) if lang == "it" else _answer_en(self)


@dataclass(frozen=True)
class RouteDayCount:
    """One route's line in the day overview (counted by the database)."""

    route: str
    label: str
    scheduled: int | None
    seen: int
    cancelled: int
    mean_delay_s: float | None
    max_delay_s: int | None
    late_trips: int
    implausible: int = 0


def _hhmm(seconds: int | None) -> str:
    if seconds is None:
        return "?"
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _seconds(text: str | None) -> int | None:
    if not text:
        return None
    try:
        h, m, s = (int(p) for p in text.split(":"))
    except ValueError:
        return None
    return h * 3600 + m * 60 + s


class ServiceReports:
    """Promised-versus-delivered figures from the static feed and the stored snapshots."""

    def __init__(
        self, engine: Engine, gtfs: GtfsIndex | None, *, tz: str, aliases: dict[str, str] | None = None,
        gap: timedelta = DEFAULT_GAP, plausible_s: int = PLAUSIBLE_S,
    ) -> None:
        self.engine = reader(engine)
        self.gap = gap
        self.plausible_s = plausible_s
        self.gtfs = gtfs
        self.names = RouteNames(gtfs, aliases)
        agency = next(iter(gtfs.agencies.values()), None) if gtfs else None
        self.tz = agency.timezone if agency and agency.timezone else tz

    def _scheduled(self, static_id: str | None, day: date) -> list | None:
        if self.gtfs is None or static_id is None or not self.gtfs.has_trips():
            return None
        return self.gtfs.trips_for_route_on(static_id, day)

    @classmethod
    def for_settings(cls, engine: Engine, gtfs: GtfsIndex | None, settings: Any) -> ServiceReports:
        """Reports with the operator's time zone, route aliases, recording gap and plausible limit."""
        reports = settings.reports
        return cls(engine, gtfs, tz=settings.operator.timezone, aliases=reports.route_aliases,
                   gap=timedelta(seconds=reports.recording_gap_seconds),
                   plausible_s=int(reports.max_plausible_delay_minutes * 60))

    def schedule_basis(self, static_id: str | None) -> Schedule:
        """Where the day's promise comes from for a route (or why there is none)."""
        if self.gtfs is None:
            return Schedule.NO_STATIC
        if not self.gtfs.has_trips():
            return Schedule.NO_TRIPS
        return Schedule.TIMETABLE if static_id is not None else Schedule.NOT_IN_STATIC

    def spans_for(self, day: date) -> list[Span]:
        """The recorded spans of the trip-updates feed over a service day (and the early hours after)."""
        origin = service_start(day, self.tz)
        return spans_between(self.engine, origin, origin + DAY_LENGTH + timedelta(hours=6), gap=self.gap)

    def route_day(self, route: str, day: date, *, now: datetime | None = None,
                  spans: list[Span] | None = None) -> ServiceDay:
        """Everything about one route on one service day (``now`` bounds what is due yet).

        A scheduled trip never seen counts as missed only when the feed was recorded during its
        scheduled run; otherwise it is ``not_recorded``. Delays beyond the plausible limit are
        flagged and left out of the mean, the maximum and the late trips.
        """
        ids = sorted(self.names.realtime_ids(route))
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(S.trip_id, S.relationship, S.start_time, S.max_delay_s, S.last_delay_s, S.payload)
                .where(S.service_date == day.strftime("%Y%m%d"), S.route_id.in_(ids))
            ).all()
        return self._build(route, day, rows, now=now, spans=self.spans_for(day) if spans is None else spans)

    def route_days(self, route: str, days: list[date], *, now: datetime | None = None,
                   spans: list[Span] | None = None) -> list[ServiceDay | None]:
        """:meth:`route_day` for many days in one query (None for a day of a line only the realtime
        feed knows, when it did not appear); ``spans`` must cover all the days."""
        if not days:
            return []
        ids = sorted(self.names.realtime_ids(route))
        first, last = min(days), max(days)
        with self.engine.connect() as conn:
            found = conn.execute(
                select(S.service_date, S.trip_id, S.relationship, S.start_time, S.max_delay_s, S.last_delay_s,
                       S.payload)
                .where(S.service_date >= first.strftime("%Y%m%d"), S.service_date <= last.strftime("%Y%m%d"),
                       S.route_id.in_(ids))
            ).all()
        by_day: dict[str, list] = {}
        for row in found:
            by_day.setdefault(row.service_date, []).append(row)
        if spans is None:
            spans = spans_between(self.engine, service_start(first, self.tz),
                                  service_start(last, self.tz) + DAY_LENGTH + timedelta(hours=6), gap=self.gap)
        out: list[ServiceDay | None] = []
        for day in days:
            since = as_utc(service_start(day, self.tz))
            until = since + DAY_LENGTH + timedelta(hours=6)
            inside = [s for s in spans if s.end >= since and s.start <= until]
            try:
                out.append(self._build(route, day, by_day.get(day.strftime("%Y%m%d"), []), now=now, spans=inside))
            except InsightError:
                out.append(None)
        return out

    def _build(self, route: str, day: date, rows: list, *, now: datetime | None, spans: list[Span]) -> ServiceDay:
        """The day's figures from its snapshot rows and the recorded spans."""
        static_id = self.names.static_id(route)
        ids = sorted(self.names.realtime_ids(route))
        if not rows and static_id is None:
            msg = f"no route {route!r} in the static feed and no trip updates for it on {day}"
            raise InsightError(msg)
        origin = as_utc(service_start(day, self.tz))
        seen = {r.trip_id: r for r in rows}
        scheduled = self._scheduled(static_id, day)
        due_by = self._due_by(day, now)
        trips: list[TripOutcome] = []
        planned: set[str] = set()
        for trip in scheduled or ():
            planned.add(trip.trip_id)
            row = seen.get(trip.trip_id)
            start = trip.first_departure
            if row is not None:
                status = "cancelled" if row.relationship == "CANCELED" else "run"
                trips.append(self._outcome(trip.trip_id, start, trip.direction_id, status, row))
                continue
            if start is not None and due_by is not None and start > due_by:
                status = "upcoming"
            elif start is None or not covers(spans, *self._window(origin, start, trip.arrivals)):
                status = "not_recorded"
            else:
                status = "not_seen"
            trips.append(TripOutcome(trip.trip_id, start, trip.direction_id, status))
        for trip_id, row in seen.items():
            if trip_id in planned:
                continue
            status = "cancelled" if row.relationship == "CANCELED" else (
                "added" if scheduled is not None or row.relationship == "ADDED" else "run")
            direction = (row.payload or {}).get("direction")
            trips.append(self._outcome(trip_id, _seconds(row.start_time), direction, status, row))
        trips.sort(key=lambda t: (t.start_s is None, t.start_s or 0, t.trip_id))
        count = lambda status: sum(1 for t in trips if t.status == status)
        believed = [r for r in rows if r.relationship != "CANCELED" and not self._implausible(r)]
        delays = [r.last_delay_s for r in believed if r.last_delay_s is not None]
        worst = [r.max_delay_s for r in believed if r.max_delay_s is not None]
        has_timetable = scheduled is not None
        coverage = self._coverage(origin, spans, scheduled, now, trips if has_timetable else None)
        return ServiceDay(
            route=static_id or route,
            label=self.names.label(route),
            day=day,
            realtime_ids=tuple(ids),
            scheduled=len(scheduled) if has_timetable else None,
            seen=len(rows),
            run=count("run") + count("added"),
            cancelled=count("cancelled"),
            added=count("added"),
            not_seen=count("not_seen") if has_timetable else None,
            upcoming=count("upcoming"),
            mean_delay_s=mean(delays) if delays else None,
            max_delay_s=max(worst) if worst else None,
            late_trips=sum(1 for d in worst if d >= LATE_S),
            worst_stops=self._worst_stops(believed),
            gaps=gaps(trips),
            trips=trips,
            schedule=self.schedule_basis(static_id),
            not_recorded=count("not_recorded") if has_timetable else None,
            implausible=sum(1 for t in trips if t.implausible),
            plausible_limit_s=self.plausible_s,
            coverage=coverage,
        )

    def _outcome(self, trip_id: str, start: int | None, direction: int | None, status: str, row: object) -> TripOutcome:
        odd = status != "cancelled" and self._implausible(row)
        return TripOutcome(trip_id, start, direction, status, getattr(row, "max_delay_s", None), odd)

    def _implausible(self, row: object) -> bool:
        """Whether a trip's recorded delays go beyond the plausible limit, either way."""
        limit = self.plausible_s
        worst, last = getattr(row, "max_delay_s", None), getattr(row, "last_delay_s", None)
        if (worst is not None and worst > limit) or (last is not None and abs(last) > limit):
            return True
        stops = ((getattr(row, "payload", None) or {}).get("stops") or {}).values()
        return any(int(v) < -limit for v in stops)  # the maximum already covers the late side

    @staticmethod
    def _window(origin: datetime, start: int, arrivals: tuple[int | None, ...]) -> tuple[datetime, datetime]:
        """A scheduled trip's run in real time: first departure to last arrival."""
        end = max((a for a in arrivals if a is not None), default=start)
        return origin + timedelta(seconds=start), origin + timedelta(seconds=max(end, start) + GRACE.total_seconds())

    def _coverage(self, origin: datetime, spans: list[Span], scheduled: list | None, now: datetime | None,
                  trips: list[TripOutcome] | None) -> Coverage:
        """What part of the day was recorded, and how many of the due trips fell in it."""
        if scheduled:
            starts = [t.first_departure for t in scheduled if t.first_departure is not None]
            ends = [a for t in scheduled for a in t.arrivals if a is not None]
            since = origin + timedelta(seconds=min(starts)) if starts else origin
            until = origin + timedelta(seconds=max(ends)) if ends else origin + DAY_LENGTH
        else:
            since, until = origin, origin + DAY_LENGTH
        if now is not None:
            until = max(since, min(until, as_utc(now)))
        inside = [Span(max(s.start, since), min(s.end, until), s.snapshots) for s in spans
                  if s.end >= since and s.start <= until]
        due = judged = None
        if trips is not None:
            due = sum(1 for t in trips if t.status in ("run", "cancelled", "not_seen", "not_recorded"))
            judged = sum(1 for t in trips if t.status in ("run", "cancelled", "not_seen"))
        clock = lambda moment: self._clock(moment)
        return Coverage(
            window_s=(until - since).total_seconds(),
            recorded_s=sum(s.seconds for s in inside),
            spans=[(clock(s.start), clock(s.end)) for s in inside],
            gaps=[(clock(a), clock(b)) for a, b in gaps_within(inside, since, until, self.gap)],
            snapshots=sum(s.snapshots for s in inside),
            due=due,
            judged=judged,
        )

    def day_coverage(self, day: date, *, now: datetime | None = None) -> Coverage:
        """How much of a whole service day the trip-updates feed was recorded (no timetable)."""
        origin = as_utc(service_start(day, self.tz))
        return self._coverage(origin, self.spans_for(day), None, now, None)

    def _clock(self, moment: datetime) -> str:
        return as_utc(moment).astimezone(ZoneInfo(self.tz)).strftime("%H:%M")

    def _due_by(self, day: date, now: datetime | None) -> int | None:
        """Seconds of the service day before which a scheduled trip should have been seen."""
        if now is None:
            return None
        elapsed = as_utc(now) - as_utc(service_start(day, self.tz)) - GRACE
        return int(elapsed.total_seconds())

    def _worst_stops(self, rows: list, limit: int = 5) -> list[tuple[str, float, int]]:
        per_stop: dict[str, list[int]] = {}
        for row in rows:
            for stop, delay in ((row.payload or {}).get("stops") or {}).items():
                if abs(int(delay)) <= self.plausible_s:
                    per_stop.setdefault(self._stop_name(stop), []).append(int(delay))
        ranked = sorted(((s, mean(d), len(d)) for s, d in per_stop.items()), key=lambda x: (-x[1], x[0]))
        return ranked[:limit]

    def _stop_name(self, stop_id: str) -> str:
        stop = self.gtfs.stop(stop_id) if self.gtfs else None
        return f"{stop.name} ({stop_id})" if stop and stop.name else stop_id

    def day_overview(self, day: date) -> list[RouteDayCount]:
        """Every route with trip updates on ``day``, counted in the database, worst first
        (implausible delays counted apart, never averaged)."""
        cancelled = func.sum(case((S.relationship == "CANCELED", 1), else_=0))
        running = S.relationship != "CANCELED"
        limit = self.plausible_s
        odd = (func.coalesce(S.max_delay_s, 0) > limit) | (func.abs(func.coalesce(S.last_delay_s, 0)) > limit)
        believed = running & ~odd
        query = (
            select(
                S.route_id,
                func.count(),
                cancelled,
                func.avg(case((believed, S.last_delay_s))),
                func.max(case((believed, S.max_delay_s))),
                func.sum(case((believed & (S.max_delay_s >= LATE_S), 1), else_=0)),
                func.sum(case((running & odd, 1), else_=0)),
                func.sum(case((believed & S.last_delay_s.is_not(None), 1), else_=0)),
            )
            .where(S.service_date == day.strftime("%Y%m%d"))
            .group_by(S.route_id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        merged: dict[str, list] = {}
        for route_id, seen, lost, avg, worst, late, implausible, weight in rows:
            key = self.names.static_id(route_id or "?") or (route_id or "?")
            into = merged.setdefault(key, [0, 0, [], None, 0, 0])
            into[0] += int(seen)
            into[1] += int(lost or 0)
            if avg is not None:
                into[2].append((float(avg), int(weight or 0)))
            into[3] = worst if into[3] is None else max(into[3], worst or into[3])
            into[4] += int(late or 0)
            into[5] += int(implausible or 0)
        found = []
        for key, (seen, lost, avgs, worst, late, implausible) in merged.items():
            weight = sum(w for _, w in avgs)
            static_id = self.names.static_id(key)
            has_timetable = self.gtfs is not None and static_id is not None and self.gtfs.has_trips()
            found.append(RouteDayCount(
                route=key, label=self.names.label(key),
                scheduled=self.gtfs.trip_count_on(static_id, day) if has_timetable else None,  # type: ignore[union-attr,arg-type]
                seen=seen, cancelled=lost,
                mean_delay_s=sum(a * w for a, w in avgs) / weight if weight else None,
                max_delay_s=int(worst) if worst is not None else None, late_trips=late,
                implausible=implausible,
            ))
        return sorted(found, key=lambda r: (-r.cancelled, -r.late_trips, r.route))


def gaps(trips: list[TripOutcome]) -> list[Gap]:
    """Runs of consecutive failed trips per direction, in scheduled order, with the recovery."""
    found: list[Gap] = []
    directions = sorted({t.direction for t in trips}, key=lambda d: (d is None, d or 0))
    for direction in directions:
        line = [t for t in trips if t.direction == direction and t.status != "upcoming"]
        for kind, failed in (("missed", _missed), ("late", _late)):
            run: list[TripOutcome] = []
            for trip in line + [None]:  # type: ignore[list-item]
                if trip is not None and failed(trip):
                    run.append(trip)
                    continue
                if trip is not None and kind == "late" and _missed(trip):
                    continue  # a missed trip neither breaks nor ends a run of late ones
                if run:
                    back = _hhmm(trip.start_s) if trip is not None else None
                    found.append(Gap(kind, direction, _hhmm(run[0].start_s), _hhmm(run[-1].start_s), len(run), back))
                    run = []
    return sorted(found, key=lambda g: (g.first, g.kind))


def _missed(trip: TripOutcome) -> bool:
    return trip.status in ("cancelled", "not_seen")


def _late(trip: TripOutcome) -> bool:
    return trip.status in ("run", "added") and (trip.max_delay_s or 0) >= LATE_S


def service_summary(
    engine: Engine,
    gtfs: GtfsIndex | None,
    route_id: str,
    day: date,
    *,
    tz: str = "Europe/Rome",
    aliases: dict[str, str] | None = None,
    now: datetime | None = None,
    gap: timedelta = DEFAULT_GAP,
    plausible_s: int = PLAUSIBLE_S,
) -> ServiceDay:
    """One route's promised-versus-delivered figures for ``day``: the call handlers make when a
    citizen asks "quante corse del 64 sono saltate oggi?" (``route_id`` may be a static id, a
    realtime id or the number people use; ``now`` keeps trips not yet due out of the missed)."""
    reports = ServiceReports(engine, gtfs, tz=tz, aliases=aliases, gap=gap, plausible_s=plausible_s)
    return reports.route_day(route_id, day, now=now)


def local_today(now: datetime, tz: str) -> date:
    """The service day a citizen means by "today"."""
    return as_utc(now).astimezone(ZoneInfo(tz)).date()


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _answer_it(day: ServiceDay) -> str:
    text = f"Oggi sulla linea {day.label}: "
    if not day.has_data:
        return text + "nessun dato registrato finora, quindi non possiamo dire quante corse sono state effettuate."
    cov = day.coverage
    if day.scheduled is not None:
        text += f"{day.scheduled} corse programmate, {day.run} effettuate finora, "
        text += f"{day.missed} saltate ({day.cancelled} soppresse"
        text += f", {day.not_seen} non rilevate)." if day.not_seen else ")."
        if day.not_recorded == 1:
            text += " 1 corsa cade in orari non registrati e non è contata."
        elif day.not_recorded:
            text += f" {day.not_recorded} corse cadono in orari non registrati e non sono contate."
    else:
        text += f"{day.run} corse rilevate, {day.cancelled} soppresse "
        text += f"(non abbiamo l'orario programmato: {_why_it(day.schedule)})."
    text += _coverage_it(cov)
    if day.mean_delay_s is not None:
        text += f" Ritardo medio {round(day.mean_delay_s / 60)} min."
    if day.implausible:
        text += (f" {day.implausible} ritardi oltre {day.plausible_limit_s // 60} min sembrano errori dei dati "
                 "e non sono nella media.")
    return text


def _answer_en(day: ServiceDay) -> str:
    text = f"Today on {day.label}: "
    if not day.has_data:
        return text + "nothing recorded so far, so we cannot say how many trips ran."
    cov = day.coverage
    if day.scheduled is not None:
        text += f"{day.scheduled} trips scheduled, {day.run} run so far, {day.missed} missed "
        text += f"({day.cancelled} cancelled" + (f", {day.not_seen} not seen)." if day.not_seen else ").")
        if day.not_recorded:
            text += f" {_count(day.not_recorded, 'trip falls', 'trips fall')} in unrecorded time and not counted."
    else:
        text += f"{day.run} trips seen, {day.cancelled} cancelled (no timetable to compare: {_why_en(day.schedule)})."
    text += _coverage_en(cov)
    if day.mean_delay_s is not None:
        text += f" Average delay {round(day.mean_delay_s / 60)} min."
    if day.implausible:
        text += (f" {day.implausible} delays over {day.plausible_limit_s // 60} min look like data errors "
                 "and are left out of the average.")
    return text


def _coverage_it(cov: Coverage) -> str:
    if not cov.spans or not cov.gaps:
        return ""
    if cov.recorded_s < 60:
        return f" Dati registrati solo alle {', '.join(a for a, _ in cov.spans[:3])}."
    return f" Dati registrati per il {round(100 * (cov.time_share or 0))}% del tempo."


def _coverage_en(cov: Coverage) -> str:
    if not cov.spans or not cov.gaps:
        return ""
    if cov.recorded_s < 60:
        return f" Data recorded only at {', '.join(a for a, _ in cov.spans[:3])}."
    return f" Data recorded for {round(100 * (cov.time_share or 0))}% of the time."


def _why_it(basis: Schedule) -> str:
    return {
        Schedule.NO_TRIPS: "il feed statico non contiene le corse",
        Schedule.NO_STATIC: "nessun feed statico caricato",
        Schedule.NOT_IN_STATIC: "la linea non è nel feed statico",
    }.get(basis, "orario non disponibile")


def _why_en(basis: Schedule) -> str:
    return {
        Schedule.NO_TRIPS: "the static feed has no trips",
        Schedule.NO_STATIC: "no static feed is loaded",
        Schedule.NOT_IN_STATIC: "the line is not in the static feed",
    }.get(basis, "no timetable")
