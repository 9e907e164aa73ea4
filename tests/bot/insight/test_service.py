"""Promised versus delivered on a generated day with known answers and on the real feeds."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.insight.errors import InsightError
from bot.insight.service import RouteNames, Schedule, ServiceReports, service_summary
from bot.insight.snapshots import SnapshotStore
from knowledge.alerts import read_feed
from knowledge.gtfs import GtfsIndex
from tests.bot.insight.generated_day import DAY, TZ, at, feed, record, write_static
from tests.conftest import EVAL, FIXTURES

RT = FIXTURES / "gtfsrt"
UTC = timezone.utc


@pytest.fixture
def day64(engine: Engine, tmp_path: Path) -> GtfsIndex:
    gtfs = GtfsIndex.load(write_static(tmp_path / "gtfs"))
    record(engine, gtfs, since="05:50", until="07:20")  # the whole morning, a snapshot every 2 minutes
    return gtfs


def test_trips_scheduled_run_cancelled_and_not_seen(engine: Engine, day64: GtfsIndex) -> None:
    day = service_summary(engine, day64, "64", DAY, tz=TZ, now=at("23:00"))
    assert (day.route, day.scheduled, day.seen, day.run, day.cancelled, day.added, day.not_seen, day.missed) == (
        "R64", 6, 6, 5, 1, 1, 1, 2)
    assert [(t.trip_id, t.status) for t in day.trips] == [
        ("T1", "run"), ("T2", "cancelled"), ("T3", "not_seen"), ("X1", "added"), ("T4", "run"), ("T5", "run"),
        ("T6", "run")]


def test_gaps_and_when_service_recovered(engine: Engine, day64: GtfsIndex) -> None:
    day = service_summary(engine, day64, "64", DAY, tz=TZ, now=at("23:00"))
    assert [(g.kind, g.first, g.last, g.trips, g.recovered_at) for g in day.gaps if g.direction == 0] == [
        ("missed", "06:15", "06:30", 2, "06:45"), ("late", "06:45", "07:00", 2, "07:15")]


def test_delays_at_stops_including_ones_computed_from_times(engine: Engine, day64: GtfsIndex) -> None:
    day = service_summary(engine, day64, "64", DAY, tz=TZ, now=at("23:00"))
    assert (day.max_delay_s, day.late_trips) == (420, 2)
    assert day.mean_delay_s == pytest.approx((60 + 420 + 400 + 30 + 0) / 5)
    assert day.worst_stops[0] == ("Venezia (S2)", pytest.approx((40 + 400 + 350 + 90) / 4), 4)  # T6: 90 s from times


def test_trips_not_yet_due_are_not_counted_as_missed(engine: Engine, day64: GtfsIndex) -> None:
    day = service_summary(engine, day64, "64", DAY, tz=TZ, now=at("06:20"))
    assert (day.not_seen, day.upcoming, day.missed) == (0, 1, 1)


def test_citizen_answer_in_italian(engine: Engine, day64: GtfsIndex) -> None:
    text = service_summary(engine, day64, "64", DAY, tz=TZ, now=at("23:00")).answer("it")
    assert text.startswith("Oggi sulla linea bus 64: 6 corse programmate, 5 effettuate finora, 2 saltate")
    assert "1 soppresse, 1 non rilevate" in text


def test_day_overview_counts_in_the_database(engine: Engine, day64: GtfsIndex) -> None:
    [line] = ServiceReports(engine, day64, tz=TZ).day_overview(DAY)
    assert (line.route, line.scheduled, line.seen, line.cancelled, line.max_delay_s, line.late_trips) == (
        "R64", 6, 6, 1, 420, 2)


def test_unknown_route_without_data_is_an_error(engine: Engine, day64: GtfsIndex) -> None:
    with pytest.raises(InsightError):
        service_summary(engine, day64, "999", DAY, tz=TZ)


def test_rome_metro_a_is_found_under_its_realtime_name(engine: Engine) -> None:
    gtfs = GtfsIndex.load(EVAL / "gtfs")
    parsed = read_feed(RT / "rome-trip-updates" / "rome_trip_updates_20241121.excerpt.textproto")
    SnapshotStore(engine, tz="Europe/Rome", gtfs=gtfs).store(parsed, datetime(2024, 11, 21, 22, 20, tzinfo=UTC))
    names = RouteNames(gtfs, {"MA": "248"})
    assert names.static_id("MA") == names.static_id("MEA") == names.static_id("A") == "248"
    day = service_summary(engine, gtfs, "MEA", date(2024, 11, 21), aliases={"MA": "248"})
    assert (day.route, day.label, day.seen, day.scheduled) == ("248", "metro A", 2, None)
    overview = {r.route: r.seen for r in ServiceReports(engine, gtfs, tz=TZ, aliases={"MA": "248"})
                .day_overview(date(2024, 11, 21))}
    assert overview["248"] == 2 and "MA" not in overview


def _static(tmp_path: Path) -> GtfsIndex:
    return GtfsIndex.load(write_static(tmp_path / "gtfs"))


def test_trips_outside_the_recorded_time_are_not_recorded_not_missed(engine: Engine, tmp_path: Path) -> None:
    gtfs = _static(tmp_path)
    SnapshotStore(engine, tz=TZ, gtfs=gtfs).store(feed(at("07:20")), at("07:20"))  # one snapshot only
    day = service_summary(engine, gtfs, "64", DAY, tz=TZ, now=at("23:00"))
    assert (day.not_seen, day.not_recorded, day.missed) == (0, 1, 1)  # T3 (06:30) fell before the recording
    assert (day.coverage.due, day.coverage.judged) == (6, 5)
    assert day.coverage.spans == [("07:20", "07:20")]
    assert "1 corsa cade in orari non registrati" in day.answer("it")
    assert "Data recorded only at 07:20" in day.answer("en")


def test_a_gap_in_the_recording_is_listed_and_its_trips_not_counted(engine: Engine, tmp_path: Path) -> None:
    gtfs = _static(tmp_path)
    record(engine, gtfs, since="05:50", until="06:20")
    record(engine, gtfs, since="07:10", until="07:20")  # the feed was down from 06:20 to 07:10
    day = service_summary(engine, gtfs, "64", DAY, tz=TZ, now=at("23:00"))
    assert [(t.trip_id, t.status) for t in day.trips if t.status.startswith("not")] == [("T3", "not_recorded")]
    assert day.coverage.gaps == [("06:20", "07:10")]
    assert day.coverage.time_share == pytest.approx(30 / 85)  # 06:00-06:20 and 07:10-07:20 of 06:00-07:25
    assert "Dati registrati per il" in day.answer("it")


def test_a_delay_of_an_hour_and_a_half_is_flagged_and_left_out(engine: Engine, tmp_path: Path) -> None:
    gtfs = _static(tmp_path)
    message = feed(at("07:20"))
    for entity in message.entity:
        if entity.trip_update.trip.trip_id == "T4":
            for stu in entity.trip_update.stop_time_update:
                stu.arrival.delay = 5400  # 1.5 h: a data error far more often than a real delay
    SnapshotStore(engine, tz=TZ, gtfs=gtfs).store(message, at("07:20"))
    day = service_summary(engine, gtfs, "64", DAY, tz=TZ, now=at("23:00"))
    assert day.implausible == 1
    assert [t.trip_id for t in day.trips if t.implausible] == ["T4"]
    assert day.max_delay_s == 400 and day.late_trips == 1  # T5 only
    assert day.mean_delay_s == pytest.approx((60 + 400 + 30 + 0) / 4)
    assert all(n == 3 for _, _, n in day.worst_stops[:1]) and day.worst_stops[0][1] < 3600
    [line] = ServiceReports(engine, gtfs, tz=TZ).day_overview(DAY)
    assert (line.implausible, line.max_delay_s, line.late_trips) == (1, 400, 1)
    assert "oltre 60 min sembrano errori" in day.answer("it")


def test_the_plausible_limit_is_a_setting(engine: Engine, tmp_path: Path) -> None:
    gtfs = _static(tmp_path)
    SnapshotStore(engine, tz=TZ, gtfs=gtfs).store(feed(at("07:20")), at("07:20"))
    day = service_summary(engine, gtfs, "64", DAY, tz=TZ, now=at("23:00"), plausible_s=300)
    assert {t.trip_id for t in day.trips if t.implausible} == {"T4", "T5"}


def test_a_day_with_no_data_says_so(engine: Engine, day64: GtfsIndex) -> None:
    tomorrow = date(2026, 11, 24)
    day = service_summary(engine, day64, "64", tomorrow, tz=TZ, now=datetime(2026, 11, 24, 22, tzinfo=UTC))
    assert not day.has_data
    assert (day.seen, day.run, day.missed, day.not_recorded) == (0, 0, 0, 6)
    assert "nessun dato registrato" in day.answer("it") and "0 corse" not in day.answer("it")
    assert "nothing recorded" in day.answer("en")


def test_a_static_feed_without_trips_explains_why_nothing_is_scheduled(engine: Engine) -> None:
    gtfs = GtfsIndex.load(EVAL / "gtfs")
    parsed = read_feed(RT / "rome-trip-updates" / "rome_trip_updates_20241121.excerpt.textproto")
    SnapshotStore(engine, tz="Europe/Rome", gtfs=gtfs).store(parsed, datetime(2024, 11, 21, 22, 20, tzinfo=UTC))
    day = service_summary(engine, gtfs, "64", date(2024, 11, 21))
    assert (day.schedule, day.scheduled, day.not_recorded) == (Schedule.NO_TRIPS, None, None)
    assert "il feed statico non contiene le corse" in day.answer("it")
    assert "the static feed has no trips" in day.answer("en")


def test_caltrain_trips_outside_one_snapshot_are_not_recorded(engine: Engine) -> None:
    gtfs = GtfsIndex.load(RT / "caltrain" / "ct.zip")
    SnapshotStore(engine, tz=TZ, gtfs=gtfs).store(read_feed(RT / "caltrain" / "ct-trip-updates.pb"),
                                                  datetime(2023, 11, 8, 1, 5, tzinfo=UTC))
    day = service_summary(engine, gtfs, "L1", date(2023, 11, 7))
    assert (day.scheduled, day.seen, day.run, day.cancelled) == (46, 6, 6, 0)
    judged = [t for t in day.trips if t.status in ("run", "cancelled", "not_seen")]
    assert day.not_recorded == 46 - len(judged) and day.not_recorded > 30  # not 40 "missed" from one snapshot
    assert day.not_seen == len(judged) - 6


def test_bart_trips_outside_one_snapshot_are_not_recorded(engine: Engine) -> None:
    gtfs = GtfsIndex.load(RT / "bart" / "bart-rt.zip")
    parsed = read_feed(RT / "bart" / "bart-trip-updates.pb")
    observed = datetime.fromtimestamp(parsed.header.timestamp, tz=UTC)
    SnapshotStore(engine, tz=TZ, gtfs=gtfs).store(parsed, observed)
    day = ServiceReports(engine, gtfs, tz=TZ).route_day("Yellow", _bart_day(engine))
    assert (day.route, day.scheduled, day.seen) == ("1", 178, 16)
    assert day.not_recorded > 140 and day.missed < 20  # was 162 of 178 "missed" from this one snapshot


def _bart_day(engine: Engine) -> date:
    from sqlalchemy import text
    with engine.connect() as conn:
        value = conn.execute(text("SELECT MIN(service_date) FROM trip_snapshots")).scalar_one()
    return date(int(value[:4]), int(value[4:6]), int(value[6:]))
