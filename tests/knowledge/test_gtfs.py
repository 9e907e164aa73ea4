"""Tests for knowledge.gtfs: loading static feeds, lookups, calendars and compact trips."""

from __future__ import annotations

import os
import shutil
from array import array
from datetime import date
from pathlib import Path

import pytest

from knowledge.errors import GtfsError, KnowledgeError
from knowledge.gtfs import GtfsIndex

SHARED = Path(os.environ.get("SPORTELLO_SHARED", Path(__file__).resolve().parents[3] / "shared"))
ROME = SHARED / "eval" / "gtfs"
CALTRAIN = SHARED / "fixtures" / "gtfsrt" / "caltrain" / "ct.zip"
BART = SHARED / "fixtures" / "gtfsrt" / "bart" / "bart-rt.zip"


@pytest.fixture(scope="module")
def rome() -> GtfsIndex:
    return GtfsIndex.load(ROME)


@pytest.fixture(scope="module")
def bart() -> GtfsIndex:
    return GtfsIndex.load(BART)


def test_rome_feed_loads_every_route_and_stop(rome: GtfsIndex) -> None:
    assert (len(rome.routes), len(rome.stops)) == (431, 8723)




def test_metro_route_is_labelled_by_its_letter(rome: GtfsIndex) -> None:
    metro_a = rome.route("248")
    assert (metro_a.label("it"), metro_a.label("en")) == ("metro A", "Metro A")


def test_tram_and_bus_are_labelled_by_kind_and_short_name(rome: GtfsIndex) -> None:
    assert (rome.route("8").label("it"), rome.route("64").label("it")) == ("tram 8", "bus 64")


def test_unknown_route_type_is_labelled_as_a_line(rome: GtfsIndex) -> None:
    route = rome.route("64")
    other = type(route)(route.route_id, route.agency_id, route.short_name, route.long_name, 715)
    assert (other.label("it"), other.label("en")) == ("linea 64", "Line 64")


def test_route_short_name_can_differ_from_route_id(rome: GtfsIndex) -> None:
    assert rome.route("10").short_name == "025"


def test_agency_of_route(rome: GtfsIndex) -> None:
    assert rome.agency_of("64").name == "Atac"


def test_stops_named_returns_every_stop_sharing_the_name(rome: GtfsIndex) -> None:
    assert sorted(s.stop_id for s in rome.stops_named("OTTAVIANO (MA)")) == ["72077", "82289", "82350"]


def test_stop_names_are_stripped_so_variants_with_trailing_spaces_merge(rome: GtfsIndex) -> None:
    assert len(rome.stops_named("STAZ.NE TRASTEVERE")) == 6


def test_stop_by_code(rome: GtfsIndex) -> None:
    assert rome.stop_by_code("70340").name == "COLOSSEO (MB)"


def test_unknown_ids_give_none(rome: GtfsIndex) -> None:
    assert (rome.route("nope"), rome.stop("nope"), rome.agency_of("nope")) == (None, None, None)


def test_feed_without_trips_reports_none(rome: GtfsIndex) -> None:
    assert not rome.has_trips() and rome.trips_for_route_on("64", date(2025, 4, 1)) == []


def test_service_follows_calendar_weekdays(bart: GtfsIndex) -> None:
    assert bart.service_active("WKDY", date(2019, 2, 19)) and not bart.service_active("WKDY", date(2019, 2, 23))


def test_calendar_dates_removal_overrides_calendar(bart: GtfsIndex) -> None:
    assert not bart.service_active("WKDY", date(2019, 2, 18))  # Presidents' Day, a Monday


def test_calendar_dates_addition_overrides_calendar(bart: GtfsIndex) -> None:
    assert bart.service_active("SAT", date(2019, 2, 18))


def test_service_outside_calendar_range_is_inactive(bart: GtfsIndex) -> None:
    assert not bart.service_active("WKDY", date(2021, 2, 16))


def test_trips_for_route_on_a_day_are_ordered_by_first_departure() -> None:
    caltrain = GtfsIndex.load(CALTRAIN)
    trips = caltrain.trips_for_route_on("L5", date(2023, 10, 2))
    departures = [t.first_departure for t in trips]
    assert trips and departures == sorted(departures) and trips[0].first_departure == 5 * 3600


def test_counting_a_day_s_trips_agrees_with_listing_them() -> None:
    caltrain = GtfsIndex.load(CALTRAIN)
    for day in (date(2023, 10, 2), date(2023, 10, 7)):
        for route in ("L1", "L5"):
            assert caltrain.trip_count_on(route, day) == len(caltrain.trips_for_route_on(route, day))
    assert caltrain.trip_count_on("no such line", date(2023, 10, 2)) == 0


def test_trip_keeps_its_stop_sequence_and_times() -> None:
    trip = GtfsIndex.load(CALTRAIN).trip("501")
    assert (len(trip.stop_ids), trip.stop_ids[0], trip.arrivals[1]) == (13, "70271", 5 * 3600 + 7 * 60)


def test_weekend_service_excludes_weekday_trips() -> None:
    caltrain = GtfsIndex.load(CALTRAIN)
    assert caltrain.trips_for_route_on("L5", date(2023, 10, 7)) == []


def test_stop_times_are_held_in_compact_arrays(bart: GtfsIndex) -> None:
    assert isinstance(bart._st_stop, array) and len(bart._st_arrival) == len(bart._st_stop) > 30_000


def test_load_is_memoised_in_process() -> None:
    assert GtfsIndex.load(ROME) is GtfsIndex.load(ROME)


def test_disk_cache_round_trips(tmp_path: Path) -> None:
    copy = tmp_path / "ct.zip"
    shutil.copy(CALTRAIN, copy)
    built = GtfsIndex.load(copy, cache_dir=tmp_path / "cache")
    for key in [k for k, v in GtfsIndex._memo.items() if v is built]:
        del GtfsIndex._memo[key]
    cached = GtfsIndex.load(copy, cache_dir=tmp_path / "cache")
    assert cached is not built and cached.trip("501") == built.trip("501")


def test_missing_feed_raises_a_knowledge_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError):
        GtfsIndex.load(tmp_path / "absent")


def test_folder_without_routes_raises_gtfs_error(tmp_path: Path) -> None:
    (tmp_path / "stops.txt").write_text("stop_id,stop_name\n1,A\n")
    with pytest.raises(GtfsError, match="routes.txt"):
        GtfsIndex.load(tmp_path)


# ---- stop names in other languages (translations.txt) ------------------------------------------------------------
SAMPLE = Path(__file__).resolve().parents[2] / "knowledge" / "sample" / "gtfs"
_HEADER = "table_name,field_name,language,translation,record_id,record_sub_id,field_value\n"


def _feed_with(tmp_path: Path, translations: str) -> Path:
    feed = tmp_path / "feed"
    shutil.copytree(SAMPLE, feed)
    (feed / "translations.txt").write_text(_HEADER + translations, encoding="utf-8")
    return feed


def test_a_feed_s_translations_name_its_stops_in_other_languages(tmp_path: Path) -> None:
    feed = _feed_with(tmp_path, "stops,stop_name,fr,Colisée,10012,,\n"
                                "stops,stop_name,ja,テルミニ,,,TERMINI (MA-MB-FS)\n"
                                "routes,route_long_name,fr,Ligne A,MA,,\n"
                                "stops,stop_desc,fr,Une gare,,,TERMINI (MA-MB-FS)\n")
    index = GtfsIndex.load(feed)
    assert index.stop_translations() == {"COLOSSEO (MB)": ("Colisée",), "TERMINI (MA-MB-FS)": ("テルミニ",)}


def test_a_translation_naming_no_stop_of_the_feed_is_skipped_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    feed = _feed_with(tmp_path, "stops,stop_name,fr,Colisée,99999,,\nstops,stop_name,fr,Nulle part,,,NOWHERE\n"
                                "stops,stop_name,es,Coliseo,,,COLOSSEO (MB)\n")
    index = GtfsIndex.load(feed)
    assert index.stop_translations() == {"COLOSSEO (MB)": ("Coliseo",)}
    assert "2 stop name translations name no stop of the feed" in caplog.text


def test_a_file_of_stop_names_adds_to_the_feed_s_own(tmp_path: Path) -> None:
    feed = _feed_with(tmp_path, "stops,stop_name,fr,Colisée,,,COLOSSEO (MB)\n")
    extra = tmp_path / "names.txt"
    extra.write_text(_HEADER + "stops,stop_name,es,Coliseo,,,COLOSSEO (MB)\nstops,stop_name,fr,Colisée,10012,,\n",
                     encoding="utf-8")
    assert GtfsIndex.load(feed, translations=extra).stop_translations() == {"COLOSSEO (MB)": ("Colisée", "Coliseo")}
    assert GtfsIndex.load(feed).stop_translations() == {"COLOSSEO (MB)": ("Colisée",)}  # not kept in the feed's memo


def test_a_missing_file_of_stop_names_is_refused_naming_it(tmp_path: Path) -> None:
    with pytest.raises(GtfsError, match="stop names file not found: .*nowhere.txt"):
        GtfsIndex.load(SAMPLE, translations=tmp_path / "nowhere.txt")


def test_the_shipped_rome_names_all_name_stops_of_the_evaluation_feed() -> None:
    names = Path(__file__).resolve().parents[2] / "examples" / "rome" / "stop_names.txt"
    index = GtfsIndex.load(ROME, translations=names)
    rows = {tuple(line.split(",")[i] for i in (3, 6)) for line in names.read_text(encoding="utf-8").splitlines()[1:]}
    assert {(t, name) for name, ts in index.stop_translations().items() for t in ts} == rows
