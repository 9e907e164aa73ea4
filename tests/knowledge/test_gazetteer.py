"""The gazetteer finds the street a message names, with abbreviations, accents and typos, or says none."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.config import PACKAGE_ROOT
from knowledge.gazetteer import Gazetteer, GazetteerError
from knowledge.streetnames import street_key

STRADARIO = PACKAGE_ROOT / "examples" / "water" / "stradario.csv"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load([STRADARIO])


@pytest.mark.parametrize(("name", "key"), [
    ("V.le Papa Giovanni XXIII", "viale papa giovanni xxiii"),
    ("C.so Vittorio Emanuele II", "corso vittorio emanuele ii"),
    ("Via Dell'Università", "via dell universita"),
    ("P.zza  Umberto I", "piazza umberto i"),
])
def test_street_names_reduce_to_one_key(name: str, key: str) -> None:
    assert street_key(name) == key


def test_a_street_and_its_town_are_found(gazetteer: Gazetteer) -> None:
    match = gazetteer.find("via Sparano da Bari senza acqua da stamattina")
    assert match is not None and match.street is not None
    assert (match.street.code, match.street.name) == ("072006", "Via Sparano da Bari")


def test_a_typo_is_forgiven(gazetteer: Gazetteer) -> None:
    match = gazetteer.find("in via Argrio a Bari non esce acqua")
    assert match is not None and match.street is not None and match.street.name == "Via Argiro"


def test_an_abbreviation_and_accents_are_forgiven(gazetteer: Gazetteer) -> None:
    match = gazetteer.find("V.LE PAPA GIOVANNI XXIII, BARI: niente acqua")
    assert match is not None and match.street is not None and match.street.name == "Viale Papa Giovanni XXIII"


def test_the_town_picks_between_streets_of_the_same_name(gazetteer: Gazetteer) -> None:
    match = gazetteer.find("via Roma a Triggiano senza acqua")
    assert match is not None and match.street is not None and match.street.code == "072046"


def test_a_street_named_after_a_town_is_not_the_town(gazetteer: Gazetteer) -> None:
    match = gazetteer.find("via Bari a Modugno senza acqua")
    assert match is not None and match.street is not None
    assert (match.street.code, match.street.name) == ("072027", "Via Bari")


def test_a_street_in_two_towns_without_a_town_is_left_open(gazetteer: Gazetteer) -> None:
    match = gazetteer.find("via Roma senza acqua")
    assert match is not None and match.street is None
    assert {s.code for s in match.candidates} == {"072027", "072046"}


def test_an_unknown_street_is_none(gazetteer: Gazetteer) -> None:
    assert gazetteer.find("via Inesistente dei Mille a Bari senza acqua") is None
    assert gazetteer.find("quanto costa la bolletta?") is None


def test_geojson_lines_and_points_load(tmp_path: Path) -> None:
    path = tmp_path / "strade.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"municipality_code": "072006", "municipality": "Bari",
                                           "street": "Via Argiro"},
         "geometry": {"type": "LineString", "coordinates": [[16.8710, 41.1220], [16.8720, 41.1240]]}},
    ]}), encoding="utf-8")
    [street] = Gazetteer.load([path]).streets
    assert (street.points[0], street.points[-1]) == ((41.1220, 16.8710), (41.1240, 16.8720))


def test_a_line_crossing_an_area_between_its_vertices_is_covered(tmp_path: Path) -> None:
    from knowledge.outages import OutageArea, Polygon, _area_covers

    path = tmp_path / "strade.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"municipality_code": "072006", "street": "Via Lunga"},
         "geometry": {"type": "LineString", "coordinates": [[16.80, 41.10], [16.90, 41.10]]}},
    ]}), encoding="utf-8")
    [street] = Gazetteer.load([path]).streets
    middle = Polygon(((41.09, 16.849), (41.09, 16.851), (41.11, 16.851), (41.11, 16.849), (41.09, 16.849)))
    assert _area_covers(OutageArea(polygons=(middle,)), street.place)


def test_a_missing_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "strade.csv"
    path.write_text("municipality,street,lat,lon\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="municipality_code"):
        Gazetteer.load([path])


def test_a_named_street_is_the_message_subject(gazetteer: Gazetteer) -> None:
    (street,) = gazetteer.subjects("via Sparano da Bari senza acqua da stamattina")
    assert (street.kind, street.id, street.label) == ("street", "072006:via sparano da bari", "Via Sparano da Bari, Bari")


def test_a_municipality_without_a_street_is_the_subject(gazetteer: Gazetteer) -> None:
    (town,) = gazetteer.subjects("non c'è più l'acqua a Bari")
    assert (town.kind, town.id, town.label) == ("municipality", "072006", "Bari")


def test_a_message_naming_no_place_has_no_subject(gazetteer: Gazetteer) -> None:
    assert gazetteer.subjects("come pago la bolletta?") == ()


def test_an_outage_reaches_the_municipalities_of_the_places_inside_it() -> None:
    from datetime import UTC, datetime

    from knowledge.outages import Circle, Outage, OutageArea, Polygon, street_area

    water = PACKAGE_ROOT / "examples" / "water"
    gazetteer = Gazetteer.load([water / "stradario.csv", water / "luoghi.geojson"])
    at = datetime(2026, 12, 3, tzinfo=UTC)

    def reached(*areas: OutageArea) -> frozenset[str]:
        return gazetteer.municipalities_touched(Outage("o", at, areas))

    assert reached(street_area("072006", "Via Giulio Petroni")) == {"072006"}  # a planned outage in one street
    assert reached(OutageArea(areas=frozenset({"MOD-ZONA-ALTA"}))) == {"072027"}  # a zone of Modugno
    assert reached(OutageArea(codes=frozenset({"072046"}))) == {"072046"}  # a whole town
    murat = Polygon(((41.12, 16.862), (41.12, 16.876), (41.129, 16.876), (41.129, 16.862), (41.12, 16.862)))
    assert reached(OutageArea(polygons=(murat,))) == {"072006"}
    assert reached(OutageArea(circles=(Circle(41.0838, 16.7816, 0.6),))) == {"072027"}  # Modugno's centre
    assert reached(OutageArea(circles=(Circle(45.46, 9.19, 5.0),))) == frozenset()  # Milan: no known place there
