"""Promised versus delivered: trips scheduled, run, cancelled, delays, gaps and recovery.

The promise is the static GTFS (trips whose service runs that day); the delivery is what the
trip-update snapshots recorded. Realtime feeds may name a route differently from the static
feed (Rome's realtime says ``MA`` for metro A, static route ``248``, short name ``MEA``):
:class:`RouteNames` maps the two through configured aliases and short names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import mean
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, case, func, select

from bot.domain import as_utc
from bot.insight.errors import InsightError
from bot.insight.reading import reader
from bot.insight.snapshots import service_start
from knowledge.gtfs import GtfsIndex
from storage.models import TripUpdateSnapshot

S = TripUpdateSnapshot.__table__.c
LATE_S = 300
#: A scheduled trip not seen this long after its start is counted as not run.
GRACE = timedelta(minutes=15)


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
    status: str  # run, cancelled, added, not_seen, upcoming
    max_delay_s: int | None = None


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

    @property
    def missed(self) -> int:
        """Trips that did not run: cancelled plus scheduled trips never seen (once due)."""
        return self.cancelled + (self.not_seen or 0)

    def answer(self, lang: str = "it") -> str:
        """A sentence for a citizen asking how many trips of the line were lost."""
        if lang == "it":
            text = f"Oggi sulla linea {self.label}: "
            if self.scheduled is not None:
                text += f"{self.scheduled} corse programmate, {self.run} effettuate finora, "
                text += f"{self.missed} saltate ({self.cancelled} soppresse"
                text += f", {self.not_seen} non rilevate)." if self.not_seen else ")."
            else:
                text += f"{self.run} corse rilevate, {self.cancelled} soppresse."
            if self.mean_delay_s is not None:
                text += f" Ritardo medio {round(self.mean_delay_s / 60)} min."
            return text
        text = f"Today on {self.label}: "
        if self.scheduled is not None:
            text += f"{self.scheduled} trips scheduled, {self.run} run so far, {self.missed} missed "
            text += f"({self.cancelled} cancelled" + (f", {self.not_seen} not seen)." if self.not_seen else ").")
        else:
            text += f"{self.run} trips seen, {self.cancelled} cancelled."
        if self.mean_delay_s is not None:
            text += f" Average delay {round(self.mean_delay_s / 60)} min."
        return text


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
        self, engine: Engine, gtfs: GtfsIndex | None, *, tz: str, aliases: dict[str, str] | None = None
    ) -> None:
        self.engine = reader(engine)
        self.gtfs = gtfs
        self.names = RouteNames(gtfs, aliases)
        agency = next(iter(gtfs.agencies.values()), None) if gtfs else None
        self.tz = agency.timezone if agency and agency.timezone else tz

    def _scheduled(self, static_id: str | None, day: date) -> list | None:
        if self.gtfs is None or static_id is None or not self.gtfs.has_trips():
            return None
        return self.gtfs.trips_for_route_on(static_id, day)

    def route_day(self, route: str, day: date, *, now: datetime | None = None) -> ServiceDay:
        """Everything about one route on one service day (``now`` bounds what is due yet)."""
        static_id = self.names.static_id(route)
        ids = sorted(self.names.realtime_ids(route))
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(S.trip_id, S.relationship, S.start_time, S.max_delay_s, S.last_delay_s, S.payload)
                .where(S.service_date == day.strftime("%Y%m%d"), S.route_id.in_(ids))
            ).all()
        if not rows and static_id is None:
            msg = f"no route {route!r} in the static feed and no trip updates for it on {day}"
            raise InsightError(msg)
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
                trips.append(TripOutcome(trip.trip_id, start, trip.direction_id, status, row.max_delay_s))
            else:
                late = start is not None and due_by is not None and start > due_by
                trips.append(TripOutcome(trip.trip_id, start, trip.direction_id, "upcoming" if late else "not_seen"))
        for trip_id, row in seen.items():
            if trip_id in planned:
                continue
            status = "cancelled" if row.relationship == "CANCELED" else (
                "added" if scheduled is not None or row.relationship == "ADDED" else "run")
            direction = (row.payload or {}).get("direction")
            trips.append(TripOutcome(trip_id, _seconds(row.start_time), direction, status, row.max_delay_s))
        trips.sort(key=lambda t: (t.start_s is None, t.start_s or 0, t.trip_id))
        count = lambda status: sum(1 for t in trips if t.status == status)
        delays = [r.last_delay_s for r in rows if r.last_delay_s is not None and r.relationship != "CANCELED"]
        worst = [r.max_delay_s for r in rows if r.max_delay_s is not None and r.relationship != "CANCELED"]
        return ServiceDay(
            route=static_id or route,
            label=self.names.label(route),
            day=day,
            realtime_ids=tuple(ids),
            scheduled=len(scheduled) if scheduled is not None else None,
            seen=len(rows),
            run=count("run") + count("added"),
            cancelled=count("cancelled"),
            added=count("added"),
            not_seen=count("not_seen") if scheduled is not None else None,
            upcoming=count("upcoming"),
            mean_delay_s=mean(delays) if delays else None,
            max_delay_s=max(worst) if worst else None,
            late_trips=sum(1 for d in worst if d >= LATE_S),
            worst_stops=self._worst_stops(rows),
            gaps=gaps(trips),
            trips=trips,
        )

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
                per_stop.setdefault(self._stop_name(stop), []).append(int(delay))
        ranked = sorted(((s, mean(d), len(d)) for s, d in per_stop.items()), key=lambda x: (-x[1], x[0]))
        return ranked[:limit]

    def _stop_name(self, stop_id: str) -> str:
        stop = self.gtfs.stop(stop_id) if self.gtfs else None
        return f"{stop.name} ({stop_id})" if stop and stop.name else stop_id

    def day_overview(self, day: date) -> list[RouteDayCount]:
        """Every route with trip updates on ``day``, counted in the database, worst first."""
        cancelled = func.sum(case((S.relationship == "CANCELED", 1), else_=0))
        running = S.relationship != "CANCELED"
        query = (
            select(
                S.route_id,
                func.count(),
                cancelled,
                func.avg(case((running, S.last_delay_s))),
                func.max(case((running, S.max_delay_s))),
                func.sum(case((running & (S.max_delay_s >= LATE_S), 1), else_=0)),
            )
            .where(S.service_date == day.strftime("%Y%m%d"))
            .group_by(S.route_id)
        )
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
        merged: dict[str, list] = {}
        for route_id, seen, lost, avg, worst, late in rows:
            key = self.names.static_id(route_id or "?") or (route_id or "?")
            into = merged.setdefault(key, [0, 0, [], None, 0])
            into[0] += int(seen)
            into[1] += int(lost or 0)
            if avg is not None:
                into[2].append((float(avg), int(seen) - int(lost or 0)))
            into[3] = worst if into[3] is None else max(into[3], worst or into[3])
            into[4] += int(late or 0)
        found = []
        for key, (seen, lost, avgs, worst, late) in merged.items():
            weight = sum(w for _, w in avgs)
            scheduled = self._scheduled(self.names.static_id(key), day)
            found.append(RouteDayCount(
                route=key, label=self.names.label(key),
                scheduled=len(scheduled) if scheduled is not None else None,
                seen=seen, cancelled=lost,
                mean_delay_s=sum(a * w for a, w in avgs) / weight if weight else None,
                max_delay_s=int(worst) if worst is not None else None, late_trips=late,
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
) -> ServiceDay:
    """One route's promised-versus-delivered figures for ``day``: the call handlers make when a
    citizen asks "quante corse del 64 sono saltate oggi?" (``route_id`` may be a static id, a
    realtime id or the number people use; ``now`` keeps trips not yet due out of the missed)."""
    return ServiceReports(engine, gtfs, tz=tz, aliases=aliases).route_day(route_id, day, now=now)


def local_today(now: datetime, tz: str) -> date:
    """The service day a citizen means by "today"."""
    return as_utc(now).astimezone(ZoneInfo(tz)).date()
