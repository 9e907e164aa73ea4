"""A generated service day with known answers: a static feed for line 64 and its trip updates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from google.transit import gtfs_realtime_pb2 as rt

from bot.insight.snapshots import service_start

DAY = date(2026, 11, 23)
TZ = "Europe/Rome"
STARTS = {"T1": "06:00", "T2": "06:15", "T3": "06:30", "T4": "06:45", "T5": "07:00", "T6": "07:15"}


def write_static(folder: Path) -> Path:
    """Line 64 (route R64) with six weekday trips over three stops, 5 minutes apart."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nOP,Test,http://x,Europe/Rome\n",
        "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\nR64,OP,64,,3\n",
        "stops.txt": "stop_id,stop_name,stop_lat,stop_lon\nS1,Termini,41.9,12.5\nS2,Venezia,41.9,12.48\n"
                     "S3,San Pietro,41.9,12.46\n",
        "calendar.txt": "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
                        "WK,1,1,1,1,1,0,0,20260101,20261231\n",
        "trips.txt": "route_id,service_id,trip_id,direction_id\n"
                     + "".join(f"R64,WK,{t},0\n" for t in STARTS),
    }
    lines = ["trip_id,arrival_time,departure_time,stop_id,stop_sequence"]
    for trip, start in STARTS.items():
        h, m = (int(x) for x in start.split(":"))
        for seq, stop in enumerate(("S1", "S2", "S3"), start=1):
            t = h * 60 + m + 5 * (seq - 1)
            lines.append(f"{trip},{t // 60:02d}:{t % 60:02d}:00,{t // 60:02d}:{t % 60:02d}:00,{stop},{seq}")
    files["stop_times.txt"] = "\n".join(lines) + "\n"
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def at(clock: str) -> datetime:
    """A local time of the day as an aware datetime."""
    h, m = (int(x) for x in clock.split(":"))
    return service_start(DAY, TZ) + timedelta(hours=h, minutes=m)


def feed(observed: datetime) -> rt.FeedMessage:
    """T1 on time-ish, T2 cancelled, T3 never reported, T4 and T5 late, T6 given as times only,
    and an added trip X1."""
    message = rt.FeedMessage()
    message.header.gtfs_realtime_version = "2.0"
    message.header.timestamp = int(observed.timestamp())

    def trip(trip_id: str, *, relationship: int = 0, delays: tuple[int, ...] = (), times: tuple[int, ...] = (),
             route: str = "64", start: str | None = None) -> None:
        entity = message.entity.add()
        entity.id = trip_id
        update = entity.trip_update
        update.trip.trip_id = trip_id
        update.trip.route_id = route
        update.trip.start_date = DAY.strftime("%Y%m%d")
        update.trip.schedule_relationship = relationship
        if start:
            update.trip.start_time = start
        for seq, delay in enumerate(delays, start=1):
            stu = update.stop_time_update.add()
            stu.stop_sequence, stu.stop_id = seq, f"S{seq}"
            stu.arrival.delay = delay
        for seq, moment in enumerate(times, start=1):
            stu = update.stop_time_update.add()
            stu.stop_sequence, stu.stop_id = seq, f"S{seq}"
            stu.arrival.time = moment

    trip("T1", delays=(60, 40, 20))
    trip("T2", relationship=rt.TripDescriptor.CANCELED)
    trip("T4", delays=(420, 400, 380))
    trip("T5", delays=(400, 350, 300))
    six = at("07:15")
    trip("T6", times=(int(six.timestamp()) + 30, int(six.timestamp()) + 300 + 90, int(six.timestamp()) + 600 + 30))
    trip("X1", relationship=rt.TripDescriptor.ADDED, delays=(0,), start="06:40:00")
    return message


def record(engine: object, gtfs: object, since: str = "05:50", until: str = "07:20", every: int = 2) -> None:
    """Store the day's feed every ``every`` minutes from ``since`` to ``until``, as the snapshot job
    does while the trip-updates feed is up (so the morning is recorded without a gap)."""
    from bot.insight.snapshots import SnapshotStore

    store = SnapshotStore(engine, tz=TZ, gtfs=gtfs)  # type: ignore[arg-type]
    moment, last = at(since), at(until)
    while moment <= last:
        observed = feed(moment)
        observed.header.timestamp = int(moment.timestamp())
        store.store(observed, moment)
        moment += timedelta(minutes=every)
