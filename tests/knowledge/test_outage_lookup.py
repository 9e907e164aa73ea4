"""A message about a street finds the outage covering it, or says honestly that none is known."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from bot.config import PACKAGE_ROOT
from knowledge.cap import parse_cap
from knowledge.gazetteer import Gazetteer
from knowledge.outage_csv import parse_outage_csv
from knowledge.outage_lookup import Finding, find_outage
from knowledge.outages import OutageIndex, resolve

FIXTURES = Path(__file__).parent / "fixtures" / "outages"
NOON = datetime.fromisoformat("2026-12-03T12:00:00+01:00")
NIGHT = datetime.fromisoformat("2026-12-03T23:30:00+01:00")


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load([PACKAGE_ROOT / "examples" / "water" / "stradario.csv"])


@pytest.fixture(scope="module")
def outages() -> OutageIndex:
    messages = parse_cap((FIXTURES / "atom-puglia.xml").read_bytes())
    messages += parse_outage_csv((FIXTURES / "interruzioni-programmate.csv").read_bytes())
    return OutageIndex(resolve(messages).values())


def test_a_street_inside_a_cap_polygon_finds_the_outage(gazetteer: Gazetteer, outages: OutageIndex) -> None:
    found = find_outage(gazetteer, outages, "via Sparano a Bari senza acqua da stamattina", NOON)
    assert found.finding is Finding.COVERED
    assert [o.id for o in found.outages] == ["it.acquedotto-esempio.2026.1203.0001"]


def test_a_street_outside_every_area_finds_none(gazetteer: Gazetteer, outages: OutageIndex) -> None:
    found = find_outage(gazetteer, outages, "viale Papa Giovanni XXIII a Bari senza acqua", NOON)
    assert (found.finding, found.outages) == (Finding.NONE_KNOWN, ())
    assert found.street is not None and found.street.name == "Viale Papa Giovanni XXIII"


def test_a_planned_interruption_of_one_street_is_found(gazetteer: Gazetteer, outages: OutageIndex) -> None:
    found = find_outage(gazetteer, outages, "via Petroni Bari niente acqua", datetime.fromisoformat(
        "2026-12-03T10:00:00+01:00"))
    assert [o.id for o in found.outages] == ["PRG-2026-0412"]


def test_an_istat_area_covers_every_street_of_the_town(gazetteer: Gazetteer, outages: OutageIndex) -> None:
    found = find_outage(gazetteer, outages, "via Roma a Triggiano senza acqua", NIGHT)
    assert [o.id for o in found.outages] == ["it.acquedotto-esempio.2026.1203.0005"]


def test_an_expired_outage_covers_nothing(gazetteer: Gazetteer, outages: OutageIndex) -> None:
    found = find_outage(gazetteer, outages, "via Sparano a Bari senza acqua", NIGHT)
    assert found.finding is Finding.NONE_KNOWN


def test_a_circle_covers_a_street_near_its_centre(gazetteer: Gazetteer, outages: OutageIndex) -> None:
    found = find_outage(gazetteer, outages, "piazza del Popolo Modugno acqua bassa", NOON)
    assert [o.id for o in found.outages] == ["it.acquedotto-esempio.2026.1203.0004"]


def test_an_ambiguous_street_is_left_for_a_person(gazetteer: Gazetteer, outages: OutageIndex) -> None:
    found = find_outage(gazetteer, outages, "via Roma senza acqua", NOON)
    assert found.finding is Finding.AMBIGUOUS and len(found.candidates) == 2


def test_a_message_without_a_street_finds_none(gazetteer: Gazetteer, outages: OutageIndex) -> None:
    assert find_outage(gazetteer, outages, "quanto costa la bolletta?", NOON).finding is Finding.NO_STREET


def test_a_shape_wider_than_the_grid_still_covers() -> None:
    from knowledge.outages import Outage, OutageArea, Place, Polygon

    italy = Polygon(((36.0, 6.0), (36.0, 19.0), (47.5, 19.0), (47.5, 6.0), (36.0, 6.0)))
    index = OutageIndex([Outage("national", NOON, (OutageArea("Italia", polygons=(italy,)),))])
    assert [o.id for o in index.covering(Place(points=((41.12, 16.87),)), NOON)] == ["national"]
