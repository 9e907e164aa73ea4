"""Storing trip updates: real Rome, Caltrain and BART feeds, and merging repeated observations."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from bot.insight.snapshots import SnapshotJob, SnapshotStore, service_start
from knowledge.alerts import read_feed
from knowledge.gtfs import GtfsIndex
from storage.models import FeedCache, TripUpdateSnapshot
from tests.bot.insight.generated_day import feed, write_static
from tests.conftest import FIXTURES

RT = FIXTURES / "gtfsrt"
UTC = timezone.utc


def rows(engine: Engine) -> dict[str, TripUpdateSnapshot]:
    with Session(engine) as session:
        return {r.trip_id: r for r in session.execute(select(TripUpdateSnapshot)).scalars()}


def test_rome_excerpt_keeps_the_realtime_route_ids(engine: Engine) -> None:
    parsed = read_feed(RT / "rome-trip-updates" / "rome_trip_updates_20241121.excerpt.textproto")
    stored = SnapshotStore(engine, tz="Europe/Rome").store(parsed, datetime(2024, 11, 21, 22, 20, tzinfo=UTC))
    found = rows(engine)
    assert stored == len(found) == 12
    assert sorted({r.route_id for r in found.values()}) == ["163", "64", "8BUS", "90", "MA", "MC"]
    first = found["0#989-17"]
    assert (first.service_date, first.start_time, first.last_delay_s, first.max_delay_s) == (
        "20241121", "23:14:00", -166, -152)
    assert first.stops_seen == 11


def test_whole_rome_feed_stores_one_row_per_trip_and_day(engine: Engine) -> None:
    parsed = read_feed(RT / "rome-trip-updates" / "rome_trip_updates_20241121.pb")
    expected = {(e.trip_update.trip.start_date, e.trip_update.trip.trip_id) for e in parsed.entity
                if e.HasField("trip_update")}
    SnapshotStore(engine, tz="Europe/Rome").store(parsed, datetime(2024, 11, 21, 22, 20, tzinfo=UTC))
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(TripUpdateSnapshot)).scalar() == len(expected)


def test_caltrain_delays_come_from_the_static_schedule(engine: Engine) -> None:
    static = RT / "caltrain" / "ct.zip"
    store = SnapshotStore(engine, tz="Europe/Rome", gtfs=GtfsIndex.load(static))
    store.store(read_feed(RT / "caltrain" / "ct-trip-updates.pb"), datetime(2023, 11, 8, 1, 5, tzinfo=UTC))
    with zipfile.ZipFile(static) as archive:
        text = io.TextIOWrapper(archive.open("stop_times.txt"), encoding="utf-8-sig")
        row = next(r for r in csv.DictReader(text) if r["trip_id"] == "124" and r["stop_id"] == "70242")
    h, m, s = (int(x) for x in row["arrival_time"].split(":"))
    scheduled = service_start(date(2023, 11, 7), "America/Los_Angeles") + timedelta(hours=h, minutes=m, seconds=s)
    assert rows(engine)["124"].payload["stops"]["70242"] == 1699405801 - int(scheduled.timestamp())


def test_bart_trips_without_route_or_date_take_them_from_static_and_the_clock(engine: Engine) -> None:
    store = SnapshotStore(engine, tz="Europe/Rome", gtfs=GtfsIndex.load(RT / "bart" / "bart-rt.zip"))
    store.store(read_feed(RT / "bart" / "bart-trip-updates.pb"), datetime(2019, 8, 7, 17, 45, tzinfo=UTC))
    found = rows(engine)
    assert {r.service_date for r in found.values()} == {"20190807"}  # Los Angeles date, not Rome's
    assert found["1011112WKDY"].route_id is not None
    assert sum(1 for r in found.values() if r.relationship == "ADDED") == 8


def test_a_second_observation_merges_into_the_same_row(engine: Engine, tmp_path: Path) -> None:
    store = SnapshotStore(engine, tz="Europe/Rome", gtfs=GtfsIndex.load(write_static(tmp_path / "gtfs")))
    first = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    store.store(feed(first), first)
    later = feed(first + timedelta(minutes=1))
    later.entity[0].trip_update.stop_time_update[0].arrival.delay = 900
    store.store(later, first + timedelta(minutes=1))
    t1 = rows(engine)["T1"]
    assert (t1.payload["observations"], t1.max_delay_s, t1.last_delay_s) == (2, 900, 900)
    seen = (t1.first_seen.replace(tzinfo=UTC), t1.last_seen.replace(tzinfo=UTC))
    assert seen == (first, first + timedelta(minutes=1))


def test_job_stores_the_shared_feed_once_per_new_payload(engine: Engine, tmp_path: Path) -> None:
    moment = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
    with Session(engine) as session:
        session.add(FeedCache(name="trip_updates", payload=feed(moment).SerializeToString(), fetched_at=moment))
        session.commit()
    store = SnapshotStore(engine, tz="Europe/Rome", gtfs=GtfsIndex.load(write_static(tmp_path / "gtfs")))
    job = SnapshotJob(store, clock=lambda: moment)
    assert (job(), job()) == (6, 0)
    assert rows(engine)["T1"].payload["observations"] == 1
