"""Stores GTFS-Realtime trip updates as they arrive, one row per trip and service day.

Each observation merges into the trip's row: the latest relationship (SCHEDULED, CANCELED,
ADDED, ...), the latest delay predicted at every stop (the last prediction before the vehicle
passes is the best record of its real delay), skipped stops, and whether the trip was ever
cancelled. A day can then be rebuilt from the rows alone. When a stop update gives only a time,
the delay is the time minus the static schedule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from google.transit import gtfs_realtime_pb2 as rt
from sqlalchemy import Engine, select, tuple_
from sqlmodel import Session

from bot.domain import as_utc
from bot.insight.recording import DEFAULT_GAP, record_snapshot
from knowledge.alerts import parse_feed
from knowledge.gtfs import GtfsIndex
from storage.models import Cursor, FeedCache, TripUpdateSnapshot

log = logging.getLogger(__name__)

FEED_NAME = "trip_updates"
WATERMARK = ("insight", "trip_snapshots")
_BATCH = 400


@dataclass(frozen=True)
class Observation:
    """What one feed entity says about one trip."""

    service_date: str
    trip_id: str
    route_id: str | None
    relationship: str
    start_time: str | None
    delays: dict[str, int]
    skipped: tuple[str, ...]
    current_delay: int | None
    vehicle: str | None
    direction: int | None = None


def service_start(day: date, tz: str) -> datetime:
    """GTFS's time origin of a service day: noon local time minus twelve hours."""
    return datetime.combine(day, time(12), ZoneInfo(tz)) - timedelta(hours=12)


def _day(text: str) -> date:
    return date(int(text[:4]), int(text[4:6]), int(text[6:8]))


class SnapshotStore:
    """Turns trip-update feeds into ``trip_snapshots`` rows."""

    def __init__(self, engine: Engine, *, tz: str, gtfs: GtfsIndex | None = None,
                 gap: timedelta = DEFAULT_GAP) -> None:
        self.engine = engine
        self.gtfs = gtfs
        self.gap = gap
        agency = next(iter(gtfs.agencies.values()), None) if gtfs else None
        self.tz = agency.timezone if agency and agency.timezone else tz

    def observations(self, feed: rt.FeedMessage, observed_at: datetime) -> list[Observation]:
        """The trip updates of a feed, with delays worked out where only times are given."""
        today = as_utc(observed_at).astimezone(ZoneInfo(self.tz)).strftime("%Y%m%d")
        found: list[Observation] = []
        for entity in feed.entity:
            if entity.is_deleted or not entity.HasField("trip_update"):
                continue
            update = entity.trip_update
            trip = update.trip
            if not trip.trip_id:
                continue
            static = self.gtfs.trip(trip.trip_id) if self.gtfs else None
            service_date = trip.start_date or today
            delays, skipped = self._stop_delays(update, static, service_date)
            current = next(iter(delays.values()), None)
            if update.HasField("delay"):
                current = update.delay
            found.append(
                Observation(
                    service_date=service_date,
                    trip_id=trip.trip_id,
                    route_id=trip.route_id or (static.route_id if static else None),
                    relationship=rt.TripDescriptor.ScheduleRelationship.Name(trip.schedule_relationship)[:16],
                    start_time=trip.start_time or _start_of(static),
                    delays=delays,
                    skipped=skipped,
                    current_delay=current,
                    vehicle=update.vehicle.id or None if update.HasField("vehicle") else None,
                    direction=trip.direction_id if trip.HasField("direction_id") else (
                        static.direction_id if static is not None else None),
                )
            )
        return found

    def _stop_delays(self, update: Any, static: Any, service_date: str) -> tuple[dict[str, int], tuple[str, ...]]:
        delays: dict[str, int] = {}
        skipped: list[str] = []
        origin = None
        for stu in update.stop_time_update:
            key = stu.stop_id or f"#{stu.stop_sequence}"
            if stu.schedule_relationship == rt.TripUpdate.StopTimeUpdate.SKIPPED:
                skipped.append(key)
                continue
            event = stu.arrival if stu.HasField("arrival") else stu.departure
            if event.HasField("delay"):
                delays[key] = event.delay
            elif event.HasField("time") and static is not None and stu.stop_id in static.stop_ids:
                scheduled = static.arrivals[static.stop_ids.index(stu.stop_id)]
                if scheduled is None:
                    continue
                origin = origin or service_start(_day(service_date), self.tz)
                delays[key] = int(event.time - (origin + timedelta(seconds=scheduled)).timestamp())
        return delays, tuple(skipped)

    def store(self, feed: rt.FeedMessage, observed_at: datetime) -> int:
        """Merge a feed's trip updates into the table and note the moment as recorded; returns
        the number of trips touched."""
        count = self.store_observations(self.observations(feed, observed_at), observed_at)
        record_snapshot(self.engine, observed_at, gap=self.gap)
        return count

    def store_observations(self, found: Iterable[Observation], observed_at: datetime) -> int:
        """Merge observations into their rows (insert the trips seen for the first time)."""
        items = list(found)
        at = as_utc(observed_at)
        for start in range(0, len(items), _BATCH):
            batch = {(o.service_date, o.trip_id): o for o in items[start:start + _BATCH]}
            with Session(self.engine) as session:
                keys = tuple_(TripUpdateSnapshot.service_date, TripUpdateSnapshot.trip_id)
                rows = session.execute(
                    select(TripUpdateSnapshot).where(keys.in_(list(batch)))
                ).scalars()
                existing = {(r.service_date, r.trip_id): r for r in rows}
                for key, obs in batch.items():
                    row = existing.get(key) or TripUpdateSnapshot(
                        service_date=obs.service_date, trip_id=obs.trip_id, first_seen=at, last_seen=at, payload={}
                    )
                    _merge(row, obs, at)
                    session.add(row)
                session.commit()
        return len(items)


def _start_of(static: Any) -> str | None:
    first = static.first_departure if static is not None else None
    if first is None:
        return None
    return f"{first // 3600:02d}:{first % 3600 // 60:02d}:{first % 60:02d}"


def _merge(row: TripUpdateSnapshot, obs: Observation, at: datetime) -> None:
    payload = dict(row.payload or {})
    stops = dict(payload.get("stops") or {})
    stops.update({k: v for k, v in obs.delays.items()})
    payload["stops"] = stops
    payload["skipped"] = sorted(set(payload.get("skipped") or ()) | set(obs.skipped))
    payload["observations"] = int(payload.get("observations") or 0) + 1
    if obs.relationship == "CANCELED":
        payload["cancelled"] = True
    if obs.vehicle:
        payload["vehicle"] = obs.vehicle
    if obs.direction is not None:
        payload["direction"] = obs.direction
    row.payload = payload
    row.route_id = obs.route_id or row.route_id
    row.relationship = obs.relationship
    row.start_time = obs.start_time or row.start_time
    if obs.current_delay is not None:
        row.last_delay_s = obs.current_delay
    if stops:
        worst = max(stops.values())
        row.max_delay_s = worst if row.max_delay_s is None else max(row.max_delay_s, worst)
    row.stops_seen = len(stops)
    row.last_seen = max(as_utc(row.last_seen), at) if row.last_seen else at


def last_snapshot_at(engine: Engine) -> datetime | None:
    """The feed time of the last trip-updates snapshot stored (what service counts are as of), or None."""
    with Session(engine) as session:
        mark = session.get(Cursor, WATERMARK)
    if mark is None or not mark.value or not mark.value.isdigit():
        return None
    return datetime.fromtimestamp(int(mark.value), tz=UTC)


class SnapshotJob:
    """The scheduled job: store the trip-updates payload the knowledge feed last fetched, once."""

    def __init__(self, store: SnapshotStore, *, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def __call__(self) -> int:
        """Store the shared feed's payload if it is newer than the last one stored."""
        engine = self.store.engine
        with Session(engine) as session:
            cached = session.get(FeedCache, FEED_NAME)
            mark = session.get(Cursor, WATERMARK)
        if cached is None or cached.payload is None or cached.fetched_at is None:
            return 0
        feed = parse_feed(cached.payload)
        stamp = str(feed.header.timestamp or int(as_utc(cached.fetched_at).timestamp()))
        if mark is not None and mark.value == stamp:
            return 0
        observed = datetime.fromtimestamp(int(stamp), tz=UTC)
        count = self.store.store(feed, observed)
        with Session(engine) as session:
            row = session.get(Cursor, WATERMARK) or Cursor(channel=WATERMARK[0], name=WATERMARK[1], value=stamp)
            row.value = stamp
            row.updated_at = self.clock()
            session.add(row)
            session.commit()
        log.info("stored %d trip updates observed at %s", count, observed.isoformat())
        return count
