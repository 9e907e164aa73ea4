"""Districts, zones and service points: loaded from the operator's GeoJSON and CSV files, found in messages in
Italian and English, and matched to the outages covering them."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from bot.config import PACKAGE_ROOT
from bot.subjects import SubjectKind
from knowledge.cap import parse_cap
from knowledge.gazetteer import Gazetteer, GazetteerError
from knowledge.outage_csv import parse_outage_csv
from knowledge.outage_lookup import Finding, find_outage
from knowledge.outages import Outage, OutageArea, OutageIndex, Polygon, resolve
from knowledge.places import WORDS, distinct_words

WATER = PACKAGE_ROOT / "examples" / "water"
WASTE = PACKAGE_ROOT / "examples" / "waste"
NOON = datetime.fromisoformat("2026-12-03T12:00:00+01:00")


@pytest.fixture(scope="module")
def water() -> Gazetteer:
    return Gazetteer.load([WATER / "stradario.csv", WATER / "luoghi.geojson"])


@pytest.fixture(scope="module")
def waste() -> Gazetteer:
    return Gazetteer.load([WASTE / "stradario.csv", WASTE / "luoghi.geojson", WASTE / "punti-raccolta.csv"])


@pytest.fixture(scope="module")
def water_outages() -> OutageIndex:
    messages = parse_cap((WATER / "avvisi-cap.xml").read_bytes())
    return OutageIndex(resolve(messages).values())


def _one(gazetteer: Gazetteer, text: str) -> tuple[str, str]:
    (subject,) = gazetteer.subjects(text)
    return str(subject.kind), subject.id


# -- loading ----------------------------------------------------------------------------------------------
def test_the_example_files_load_areas_and_service_points(water: Gazetteer, waste: Gazetteer) -> None:
    assert {a.kind for a in water.places.areas} == {SubjectKind.DISTRICT, SubjectKind.ZONE}
    assert {p.kind for p in water.places.points} == {"fountain", "depot"}
    assert {p.kind for p in waste.places.points} == {"collection_point", "depot"}
    assert len(water) == len(water.streets) + len(water.places.areas) + len(water.places.points)


def test_a_multipolygon_keeps_each_outer_ring(water: Gazetteer) -> None:
    (madonnella,) = [a for a in water.places.areas if a.id == "BA-MADONNELLA"]
    assert len(madonnella.polygons) == 2


def test_a_service_point_without_an_id_is_named_by_town_and_name(tmp_path: Path) -> None:
    path = tmp_path / "punti.csv"
    path.write_text("kind,name,municipality_code,municipality,lat,lon\n"
                    "fountain,Fontana di piazza Roma,072006,Bari,41.1,16.8\n", encoding="utf-8")
    (point,) = Gazetteer.load([path]).places.points
    assert (point.id, point.street) == ("072006:fontana di piazza roma", "piazza roma")


def test_an_unknown_service_point_kind_is_refused_naming_the_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "punti.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kind": "statue", "name": "Statua"},
         "geometry": {"type": "Point", "coordinates": [16.8, 41.1]}}]}), encoding="utf-8")
    with pytest.raises(GazetteerError, match="statue.*known kinds: fountain, collection_point"):
        Gazetteer.load([path])


def test_an_unknown_area_kind_is_refused_naming_the_known_ones(tmp_path: Path) -> None:
    path = tmp_path / "aree.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"kind": "county", "name": "X"},
         "geometry": {"type": "Polygon", "coordinates": [[[16.8, 41.1], [16.9, 41.1], [16.9, 41.2], [16.8, 41.1]]]}}]}),
        encoding="utf-8")
    with pytest.raises(GazetteerError, match="county.*known kinds: district, zone"):
        Gazetteer.load([path])


def test_a_csv_with_neither_streets_nor_service_points_names_both_column_sets(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("name,lat,lon\nX,1,2\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match="for service points: kind, name, lat, lon"):
        Gazetteer.load([path])


def test_every_kind_has_words_in_both_languages_and_none_is_shared() -> None:
    seen: dict[str, str] = {}
    for kind, phrases in {**WORDS.service_points, **WORDS.areas}.items():
        assert phrases, kind
        for phrase in phrases:
            assert seen.setdefault(phrase, kind) == kind, f"{phrase!r} names {seen[phrase]} and {kind}"


def test_the_kind_words_are_not_what_tells_one_point_from_another() -> None:
    assert distinct_words("fountain", "fontanella di piazza umberto i") == frozenset({"umberto"})


# -- service points -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "ident"), [
    ("la fontanella di piazza Umberto I non funziona", "FONT-BA-UMBERTO"),
    ("The drinking fountain in piazza Garibaldi is broken", "FONT-BA-GARIBALDI"),
    ("fontanella piazza del Popolo Modugno rotta", "FONT-MOD-POPOLO"),
    ("la fontanella di piazza Umbreto I non va", "FONT-BA-UMBERTO"),  # misspelt: found by its street
    ("il deposito di via Modugno è aperto il sabato?", "DEP-BA-MODUGNO"),
])
def test_a_water_service_point_is_found(water: Gazetteer, text: str, ident: str) -> None:
    assert _one(water, text) == ("service_point", ident)


@pytest.mark.parametrize(("text", "ident"), [
    ("l'isola ecologica di via Carroccio è chiusa", "ISOLA-TRI-CARROCCIO"),
    ("The recycling centre in via Fanelli is closed today", "CDR-BA-FANELLI"),
    ("centro di raccolta di via Fanelli: che orari fa?", "CDR-BA-FANELLI"),
    ("isola ecologica via Argiro piena da giorni", "CDR-BA-ARGIRO"),
])
def test_a_waste_service_point_is_found(waste: Gazetteer, text: str, ident: str) -> None:
    assert _one(waste, text) == ("service_point", ident)


def test_a_street_without_a_kind_word_stays_a_street(waste: Gazetteer) -> None:
    assert _one(waste, "via Argiro a Bari non è passato il camion") == ("street", "072006:via argiro")


def test_a_fountain_in_another_town_is_not_taken(water: Gazetteer) -> None:
    assert water.find_point("la fontanella di piazza Garibaldi a Modugno") is None


def test_a_kind_word_alone_names_no_point(water: Gazetteer) -> None:
    assert water.find_point("le fontanelle sono tutte rotte") is None


# -- districts and zones -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "kind", "ident"), [
    ("quartiere Murat senza acqua", "district", "BA-MURAT"),
    ("no water in the Poggiofranco district since 7am", "district", "BA-POGGIOFRANCO"),
    ("a Madonnella manca l'acqua", "district", "BA-MADONNELLA"),
    ("zona alta di Modugno: acqua bassa", "zone", "MOD-ZONA-ALTA"),
    ("low pressure in the Zona alta area of Modugno", "zone", "MOD-ZONA-ALTA"),
])
def test_a_water_area_is_found(water: Gazetteer, text: str, kind: str, ident: str) -> None:
    assert _one(water, text) == (kind, ident)


@pytest.mark.parametrize(("text", "kind", "ident"), [
    ("quartiere San Pasquale: non è passato il camion", "district", "BA-SAN-PASQUALE"),
    ("Zona nord di Triggiano, rifiuti non ritirati", "zone", "TRI-ZONA-NORD"),
    ("bins not emptied in the San Pasquale neighbourhood", "district", "BA-SAN-PASQUALE"),
])
def test_a_waste_area_is_found(waste: Gazetteer, text: str, kind: str, ident: str) -> None:
    assert _one(waste, text) == (kind, ident)


def test_a_street_named_after_a_district_is_not_the_district(water: Gazetteer) -> None:
    assert water.find_area("via Murat a Bari senza acqua") is None


def test_a_named_street_wins_over_its_district(water: Gazetteer) -> None:
    assert _one(water, "via Sparano, quartiere Murat, senza acqua") == ("street", "072006:via sparano da bari")


# -- outages ------------------------------------------------------------------------------------------------
def test_a_district_overlapping_a_cap_polygon_is_covered(water: Gazetteer, water_outages: OutageIndex) -> None:
    found = find_outage(water, water_outages, "quartiere Murat senza acqua", NOON)
    assert found.finding is Finding.COVERED and found.subject is not None and found.subject.id == "BA-MURAT"


def test_a_district_outside_every_area_finds_none(water: Gazetteer, water_outages: OutageIndex) -> None:
    found = find_outage(water, water_outages, "no water in the Poggiofranco district", NOON)
    assert (found.finding, found.outages) == (Finding.NONE_KNOWN, ())
    assert found.subject is not None and found.subject.label == "Poggiofranco, Bari"


def test_a_zone_holding_a_cap_circle_is_covered(water: Gazetteer, water_outages: OutageIndex) -> None:
    found = find_outage(water, water_outages, "zona alta di Modugno acqua bassa", NOON)
    assert [o.id for o in found.outages] == ["it.acquedotto-esempio.2026.1203.0004"]


def test_a_fountain_inside_a_cap_polygon_is_covered(water: Gazetteer, water_outages: OutageIndex) -> None:
    found = find_outage(water, water_outages, "the fountain in piazza Umberto I has no water", NOON)
    assert found.finding is Finding.COVERED and found.subject is not None and found.subject.id == "FONT-BA-UMBERTO"


def test_a_fountain_outside_every_area_finds_none(water: Gazetteer, water_outages: OutageIndex) -> None:
    found = find_outage(water, water_outages, "la fontanella di piazza Garibaldi non funziona", NOON)
    assert found.finding is Finding.NONE_KNOWN and found.subject is not None


def test_a_collection_point_in_a_town_suspended_by_istat_code_is_covered(waste: Gazetteer) -> None:
    outages = OutageIndex(resolve(parse_cap((WASTE / "avvisi-cap.xml").read_bytes())).values())
    found = find_outage(waste, outages, "l'isola ecologica di via Carroccio è chiusa", NOON)
    assert found.finding is Finding.COVERED


def _zone_alert(value_name: str, value: str) -> bytes:
    return f"""<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>Z1</identifier>
      <sender>s</sender><sent>2026-12-03T08:00:00+01:00</sent><status>Actual</status><msgType>Alert</msgType>
      <scope>Public</scope><info><language>it-IT</language><category>Infra</category><event>x</event>
      <urgency>Immediate</urgency><severity>Minor</severity><certainty>Observed</certainty><headline>Zona</headline>
      <area><areaDesc>zona</areaDesc><geocode><valueName>{value_name}</valueName><value>{value}</value></geocode>
      </area></info></alert>""".encode()


def test_a_cap_geocode_naming_a_district_covers_it_and_its_streets(water: Gazetteer) -> None:
    [outage] = parse_cap(_zone_alert("district", "BA-MURAT"))
    assert outage.areas[0].areas == frozenset({"BA-MURAT"})
    index = OutageIndex([outage])
    assert find_outage(water, index, "quartiere Murat senza acqua", NOON).finding is Finding.COVERED
    assert find_outage(water, index, "via Argiro a Bari senza acqua", NOON).finding is Finding.COVERED
    assert find_outage(water, index, "viale Papa Giovanni XXIII a Bari", NOON).finding is Finding.NONE_KNOWN


def test_a_planned_interruption_row_may_name_a_zone(water: Gazetteer) -> None:
    table = ("id,municipality_code,street,start,end,description_it,description_en,area\n"
             "P1,072027,,2026-12-03T09:00,2026-12-03T18:00,Lavori,Works,MOD-ZONA-ALTA\n").encode()
    index = OutageIndex(parse_outage_csv(table))
    assert find_outage(water, index, "zona alta di Modugno senza acqua", NOON).finding is Finding.COVERED
    assert find_outage(water, index, "via Bari a Modugno senza acqua", NOON).finding is Finding.NONE_KNOWN


def test_an_outage_inside_a_district_without_touching_its_corners_covers_it(water: Gazetteer) -> None:
    small = Polygon(((41.105, 16.865), (41.105, 16.866), (41.106, 16.866), (41.106, 16.865), (41.105, 16.865)))
    index = OutageIndex([Outage("small", NOON, (OutageArea("piccola", polygons=(small,)),))])
    assert find_outage(water, index, "quartiere Poggiofranco senza acqua", NOON).finding is Finding.COVERED


@pytest.mark.parametrize(("text", "ident"), [
    ("lo sportello clienti di via Argiro è chiuso?", "OFF-ARGIRO"),
    ("is the customer office in via Argiro open on Saturday?", "OFF-ARGIRO"),
    ("il serbatoio di Modugno perde acqua", "TANK-MODUGNO"),
    ("the water tank of Modugno is leaking", "TANK-MODUGNO"),
])
def test_offices_and_tanks_are_found_in_both_languages(tmp_path: Path, text: str, ident: str) -> None:
    path = tmp_path / "punti.csv"
    path.write_text("id,kind,name,municipality_code,municipality,lat,lon\n"
                    "OFF-ARGIRO,office,Sportello clienti di via Argiro,072006,Bari,41.1221,16.8711\n"
                    "TANK-MODUGNO,tank,Serbatoio Modugno,072027,Modugno,41.0850,16.7800\n", encoding="utf-8")
    gazetteer = Gazetteer.load([WATER / "stradario.csv", path])
    assert _one(gazetteer, text) == ("service_point", ident)
