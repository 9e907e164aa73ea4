"""The places an agent may give a message in a correction: subjects of its service's gazetteer, by key or label;
anything else is refused naming the known kinds or a few known places."""

from __future__ import annotations

import pytest

from bot.config import PACKAGE_ROOT, Settings
from bot.services.places import UnknownPlace, resolve_places
from bot.subjects import Subject, SubjectKind

WATER = PACKAGE_ROOT / "examples" / "water"
WASTE = PACKAGE_ROOT / "examples" / "waste"


@pytest.fixture(scope="module")
def desk() -> Settings:
    return Settings(services={
        "water": {"knowledge": {"domain": "water", "gazetteer": [str(WATER / "stradario.csv"),
                                                                  str(WATER / "luoghi.geojson")]}},
        "waste": {"knowledge": {"domain": "waste", "gazetteer": [str(WASTE / "stradario.csv"),
                                                                  str(WASTE / "punti-raccolta.csv")]}},
        "transit": {"knowledge": {"domain": "transit", "gtfs": None}},
    })


@pytest.mark.parametrize(("said", "key", "label"), [
    ("street:072006:via argiro", "street:072006:via argiro", "Via Argiro, Bari"),
    ("street:Via Argiro, Bari", "street:072006:via argiro", "Via Argiro, Bari"),
    ("street:via argiro", "street:072006:via argiro", "Via Argiro, Bari"),
    ("district:BA-MURAT", "district:BA-MURAT", None),
    ("zone:Zona alta", "zone:MOD-ZONA-ALTA", None),
    ("service_point:FONT-BA-UMBERTO", "service_point:FONT-BA-UMBERTO", None),
    ("municipality:072027", "municipality:072027", "Modugno"),
    ("address:072006:via argiro:7", "address:072006:via argiro:7", "Via Argiro 7, Bari"),
    ("address:Via Argiro, Bari:7B", "address:072006:via argiro:7b", "Via Argiro 7b, Bari"),
])
def test_a_place_is_named_by_key_or_label(desk: Settings, said: str, key: str, label: str | None) -> None:
    (place,) = resolve_places(desk, "water", [said])
    assert (place.key, place.service) == (key, "water")
    if label is not None:
        assert place.label == label


def test_a_street_of_another_service_is_not_this_ones(desk: Settings) -> None:
    with pytest.raises(UnknownPlace, match="the gazetteer of service waste has no such street; known street places"):
        resolve_places(desk, "waste", ["street:viale papa giovanni xxiii"])


def test_an_unknown_street_names_known_ones(desk: Settings) -> None:
    with pytest.raises(UnknownPlace) as refused:
        resolve_places(desk, "water", ["street:via inesistente"])
    assert "'street:via inesistente': the gazetteer of service water has no such street" in str(refused.value)
    assert "street:072006:via argiro (Via Argiro, Bari)" in str(refused.value)


@pytest.mark.parametrize("said", ["line:64", "fountain:12", "via argiro", "stop:TERMINI"])
def test_what_is_no_place_key_names_the_kinds(desk: Settings, said: str) -> None:
    with pytest.raises(UnknownPlace, match="kind among municipality, district, zone, street, address, service_point"):
        resolve_places(desk, "water", [said])


@pytest.mark.parametrize("said", ["address:072006:via argiro", "address:072006:via inesistente:7",
                                  "address:072006:via argiro:dodici"])
def test_an_address_needs_a_known_street_and_a_number(desk: Settings, said: str) -> None:
    with pytest.raises(UnknownPlace, match="no such address of service water; an address is a known street"):
        resolve_places(desk, "water", [said])


def test_a_service_without_a_gazetteer_names_no_places(desk: Settings) -> None:
    with pytest.raises(UnknownPlace, match="service transit has no gazetteer"):
        resolve_places(desk, "transit", ["street:via argiro"])


def test_a_place_the_message_already_names_stands(desk: Settings) -> None:
    old = Subject(SubjectKind.DISTRICT, "BA-LIBERTA", "Libertà, Bari", "water")
    (kept,) = resolve_places(desk, "transit", ["district:BA-LIBERTA"], kept={old.key: old})
    assert (kept.key, kept.label, kept.service) == ("district:BA-LIBERTA", "Libertà, Bari", "transit")


def test_no_places_is_no_places(desk: Settings) -> None:
    assert resolve_places(desk, "transit", []) == []
