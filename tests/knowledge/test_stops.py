"""knowledge/stops.py beyond finding stops (which test_lines.py checks with the lines): what a stop is."""

from __future__ import annotations

import pytest

from knowledge.gtfs import GtfsIndex
from knowledge.stops import is_metro_station
from tests.conftest import EVAL


@pytest.fixture(scope="module")
def rome() -> GtfsIndex:
    return GtfsIndex.load(EVAL / "gtfs")


@pytest.mark.parametrize(("name", "metro"), [
    ("BOLOGNA (MB)", True),  # tagged as a station of line B
    ("TERMINI (MA-MB-FS)", True),
    ("MILANO", False),  # a street stop on via Milano
    ("P.ZA VENEZIA", False),
])
def test_a_metro_station_is_told_from_a_street_stop_by_its_tag(rome: GtfsIndex, name: str, metro: bool) -> None:
    assert is_metro_station(rome, name) is metro
