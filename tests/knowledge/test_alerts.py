"""Tests for knowledge.alerts: parsing GTFS-RT alerts, their state, texts and the matching rules."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from knowledge.alerts import Alert, AlertIndex, EntitySelector, Period, alerts_from_feed, parse_feed, read_feed
from knowledge.errors import FeedError
from knowledge.gtfs import GtfsIndex

SHARED = Path(os.environ.get("SPORTELLO_SHARED", Path(__file__).resolve().parents[3] / "shared"))
EVAL = SHARED / "eval"
REAL_WORLD = SHARED / "fixtures" / "gtfsrt" / "real-world-alerts"
ROME_TZ = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 27, 8, 30, tzinfo=ROME_TZ)
SUNDAY = (datetime(2026, 11, 29, tzinfo=ROME_TZ), datetime(2026, 11, 30, tzinfo=ROME_TZ))
STRIKE_DAY = (datetime(2026, 12, 5, tzinfo=ROME_TZ), datetime(2026, 12, 6, tzinfo=ROME_TZ))


@pytest.fixture(scope="module")
def rome() -> GtfsIndex:
    return GtfsIndex.load(EVAL / "gtfs")


@pytest.fixture(scope="module")
def index(rome: GtfsIndex) -> AlertIndex:
    return AlertIndex.from_feed(read_feed(EVAL / "alerts.pb"), rome)


@pytest.fixture(scope="module")
def real_world() -> dict[str, Alert]:
    return {a.id: a for a in alerts_from_feed(read_feed(REAL_WORLD / "real_world_alerts_feed.pb"))}


def ids(alerts: list[Alert]) -> set[str]:
    return {a.id for a in alerts}


def stop_ids(rome: GtfsIndex, name: str) -> list[str]:
    return [s.stop_id for s in rome.stops_named(name)]


# ---- parsing and state ----------------------------------------------------------------------
def test_binary_and_text_format_parse_to_the_same_feed() -> None:
    assert read_feed(EVAL / "alerts.pb") == read_feed(EVAL / "alerts.textproto")


def test_corrupt_bytes_raise_feed_error() -> None:
    with pytest.raises(FeedError):
        parse_feed(b"\xff\xfe not a protobuf at all")


def test_alert_carries_cause_effect_and_selectors(index: AlertIndex) -> None:
    alert = index.get("colosseo-elevator")
    assert (alert.cause, alert.effect, alert.informed[0]) == (
        "TECHNICAL_PROBLEM", "ACCESSIBILITY_ISSUE", EntitySelector(route_id="249", stop_id="70340"))


def test_state_at_evaluation_clock(index: AlertIndex) -> None:
    states = {a.id: a.state(NOW) for a in index.alerts}
    assert (states["bus64-delays"], states["strike-2026-12-05"], states["bus40-detour-ended"]) == (
        "active", "upcoming", "expired")


def test_alert_without_period_is_always_active(real_world: dict[str, Alert]) -> None:
    assert real_world["1"].state(datetime(1990, 1, 1, tzinfo=timezone.utc)) == "active"


def test_open_ended_period_stays_active() -> None:
    alert = Alert("x", (Period(datetime(2026, 1, 1, tzinfo=timezone.utc), None),), (), "", "", {}, {})
    assert alert.state(datetime(2099, 1, 1, tzinfo=timezone.utc)) == "active"


def test_period_end_is_exclusive(index: AlertIndex) -> None:
    end = datetime(2026, 11, 27, 10, 30, tzinfo=ROME_TZ)
    assert index.get("bus64-delays").state(end) == "expired"


def test_gap_between_two_periods_is_upcoming(index: AlertIndex) -> None:
    assert index.get("strike-2026-12-05").state(datetime(2026, 12, 5, 18, tzinfo=ROME_TZ)) == "upcoming"


def test_naive_datetime_is_refused(index: AlertIndex) -> None:
    with pytest.raises(ValueError, match="aware"):
        index.get("bus64-delays").state(datetime(2026, 11, 27, 8, 30))


# ---- texts ---------------------------------------------------------------------------------------
def test_text_in_requested_language(index: AlertIndex) -> None:
    assert index.get("bus64-delays").text("en")[0] == "Line 64: delays of up to 20 minutes"


def test_text_prefers_plain_english_over_html_variant(real_world: dict[str, Alert]) -> None:
    assert "<" not in real_world["lmm:planned_work:21840"].text("en")[1]


def test_text_falls_back_to_untagged_translation(real_world: dict[str, Alert]) -> None:
    assert real_world["RUT:SituationNumber:732042"].text("it")[0] == "Buss for T-bane mellom Borgen og Majorstuen"


def test_text_falls_back_to_italian_when_language_missing(index: AlertIndex) -> None:
    assert index.get("bus64-delays").text("de")[0] == "Linea 64: ritardi fino a 20 minuti"


def test_text_falls_back_to_any_language(real_world: dict[str, Alert]) -> None:
    assert real_world["24950"].text("en")[0].startswith("Desviament")


def test_html_description_is_stripped_to_text(real_world: dict[str, Alert]) -> None:
    description = real_world["143607"].text("en")[1]
    assert "<" not in description and "Hidden Creek Drive" in description


def test_trip_selector_keeps_trip_route_and_direction(real_world: dict[str, Alert]) -> None:
    selector = real_world["634445"].informed[0]
    assert (selector.route_id, selector.route_type, selector.direction_id) == ("CR-Haverhill", 2, 0)


# ---- matching rules --------------------------------------------------------------------------
def test_route_question_gets_the_route_alert(index: AlertIndex) -> None:
    assert ids(index.applicable(NOW, routes=["64"])) == {"bus64-delays"}


def test_route_question_ignores_route_and_stop_pairs(index: AlertIndex) -> None:
    assert ids(index.applicable(NOW, routes=["249"])) == set()


def test_stop_alone_gets_route_and_stop_pair_naming_it(index: AlertIndex, rome: GtfsIndex) -> None:
    assert ids(index.applicable(NOW, stops=stop_ids(rome, "COLOSSEO (MB)"))) == {"colosseo-elevator"}


def test_stop_alone_does_not_get_alerts_of_routes_serving_it(index: AlertIndex, rome: GtfsIndex) -> None:
    assert ids(index.applicable(NOW, stops=stop_ids(rome, "SPAGNA (MA)"))) == set()


def test_stop_named_by_an_alert_gets_it(index: AlertIndex, rome: GtfsIndex) -> None:
    assert ids(index.applicable(NOW, stops=stop_ids(rome, "LEPANTO (MA)"))) == {"metro-a-flaminio-ottaviano"}


def test_pair_with_other_route_asked_does_not_apply(index: AlertIndex, rome: GtfsIndex) -> None:
    assert ids(index.applicable(NOW, routes=["64"], stops=stop_ids(rome, "COLOSSEO (MB)"))) == {"bus64-delays"}


def test_expired_alert_never_counts(index: AlertIndex) -> None:
    assert ids(index.applicable(NOW, routes=["40"])) == set()


def test_network_question_gets_every_alert_in_force_except_pairs(index: AlertIndex) -> None:
    assert ids(index.network(NOW)) == {
        "metro-a-flaminio-ottaviano", "tram8-casaletto-trastevere", "bus64-delays", "metro-c-frequency"}


def test_window_question_gets_alerts_in_force_during_it(index: AlertIndex) -> None:
    assert ids(index.applicable(SUNDAY[0], routes=["2"], until=SUNDAY[1])) == {"olympic-stadium-sunday"}


def test_agency_wide_alert_applies_to_its_routes_on_the_day(index: AlertIndex) -> None:
    assert ids(index.applicable(STRIKE_DAY[0], routes=["70"], until=STRIKE_DAY[1])) == {"strike-2026-12-05"}


def test_agency_wide_alert_skips_other_agencies_routes(index: AlertIndex, rome: GtfsIndex) -> None:
    other = next(r.route_id for r in rome.routes.values() if r.agency_id == "OP2")
    assert ids(index.applicable(STRIKE_DAY[0], routes=[other], until=STRIKE_DAY[1])) == set()


def test_upcoming_strike_answers_a_network_strike_question(index: AlertIndex) -> None:
    assert ids(index.upcoming(NOW, causes=["STRIKE"])) == {"strike-2026-12-05"}


def test_upcoming_for_a_route_includes_its_agency_strike(index: AlertIndex) -> None:
    assert ids(index.upcoming(NOW, routes=["3"])) == {"strike-2026-12-05"}


def test_trip_question_gets_alert_naming_the_trip(real_world: dict[str, Alert]) -> None:
    index = AlertIndex(real_world.values())
    found = index.matching(trips=["SPRING2025V2-728425-1231-HaverhillBradfordVan"])
    assert ids(found) == {"634445"}


def test_route_selector_with_agency_matches_when_no_static_feed_is_known(real_world: dict[str, Alert]) -> None:
    index = AlertIndex(real_world.values())
    assert ids(index.matching(routes=["13"])) == {"1"}
