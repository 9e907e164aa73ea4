"""Promised versus delivered on a generated day with known answers and on the real feeds."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.insight.errors import InsightError
from bot.insight.service import RouteNames, ServiceReports, service_summary
from bot.insight.snapshots import SnapshotStore
from knowledge.alerts import read_feed
from knowledge.gtfs import GtfsIndex
from tests.bot.insight.generated_day import DAY, TZ, at, feed, write_static
from tests.conftest import EVAL, FIXTURES

RT = FIXTURES / "gtfsrt"
UTC = timezone.utc


@pytest.fixture
def day64(engine: Engine, tmp_path: Path) -> GtfsIndex:
    gtfs = GtfsIndex.load(write_static(tmp_path / "gtfs"))
    SnapshotStore(engine, tz=TZ, gtfs=gtfs).store(feed(at("07:20")), at("07:20"))
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


def test_caltrain_promised_against_delivered(engine: Engine) -> None:
    gtfs = GtfsIndex.load(RT / "caltrain" / "ct.zip")
    SnapshotStore(engine, tz=TZ, gtfs=gtfs).store(read_feed(RT / "caltrain" / "ct-trip-updates.pb"),
                                                  datetime(2023, 11, 8, 1, 5, tzinfo=UTC))
    day = service_summary(engine, gtfs, "L1", date(2023, 11, 7))
    assert (day.scheduled, day.seen, day.run, day.cancelled, day.not_seen) == (46, 6, 6, 0, 40)
