"""Places to follow: found in words by the gazetteers' finders, named back, and found again from that name."""

from __future__ import annotations

from functools import lru_cache

import pytest

from bot.follow.places import PlaceFinder
from bot.follow.words import read_words
from bot.subjects import SubjectKind
from knowledge.gazetteer import Gazetteer
from knowledge.gtfs import GtfsIndex
from knowledge.lines import RouteFinder
from bot.config import PACKAGE_ROOT

WATER, WASTE = PACKAGE_ROOT / "examples" / "water", PACKAGE_ROOT / "examples" / "waste"


@lru_cache(maxsize=1)
def _finder() -> PlaceFinder:
    """The city desk's places: the water and the waste gazetteers."""
    return PlaceFinder([Gazetteer.load([WATER / "stradario.csv", WATER / "luoghi.geojson"]),
                        Gazetteer.load([WASTE / "stradario.csv", WASTE / "luoghi.geojson", WASTE / "punti-raccolta.csv"])])


@pytest.mark.parametrize(("words", "kind", "ident"), [
    ("via Sparano a Bari", SubjectKind.STREET, "072006:via sparano da bari"),
    ("fountain in piazza Umberto I", SubjectKind.SERVICE_POINT, "FONT-BA-UMBERTO"),
    ("Murat district", SubjectKind.DISTRICT, "BA-MURAT"),
    ("Zona nord a Triggiano", SubjectKind.ZONE, "TRI-ZONA-NORD"),  # only waste's gazetteer has it: not the town
    ("comune di Triggiano", SubjectKind.MUNICIPALITY, "072046"),
])
def test_the_most_precise_place_any_services_gazetteer_knows_is_found(words: str, kind: SubjectKind, ident: str) -> None:
    found = _finder().find(words)
    assert found is not None and (found.kind, found.id) == (kind, ident)


def test_a_street_the_gazetteers_lack_is_not_taken_for_its_town() -> None:
    assert _finder().find("via Garibaldi a Bari") is None


def test_every_place_is_named_back_in_words_that_find_it_again() -> None:
    for gazetteer in _finder().gazetteers:  # each service's desk (on a city's, two depots of via Modugno tie)
        finder = PlaceFinder([gazetteer])
        places = [s.subject for s in gazetteer.streets] + [a.subject for a in gazetteer.places.areas]
        places += [p.subject for p in gazetteer.places.points] + list(gazetteer.municipalities())
        for subject in places:
            for lang in ("it", "en"):
                again = finder.find(finder.argument(subject.kind, subject.id, lang))
                assert again is not None and (again.kind, again.id) == (subject.kind, subject.id), subject


def test_places_are_named_in_the_citizens_language() -> None:
    finder = _finder()
    assert finder.label("district", "BA-MURAT", "it") == "quartiere Murat, Bari"
    assert finder.label("district", "BA-MURAT", "en") == "Murat district, Bari"
    assert finder.label("municipality", "072046", "en") == "the municipality of Triggiano"
    assert finder.label("zone", "TRI-ZONA-NORD", "it") == "Zona nord, Triggiano"


@pytest.mark.parametrize(("text", "name", "argument", "lang"), [
    ("avvisami per via Sparano a Bari", "follow", "via sparano a bari", "it"),
    ("segui la fontanella di piazza Umberto I", "follow", "fontanella di piazza umberto i", "it"),
    ("notify me about outages in Murat district", "follow", "murat district", "en"),
    ("non avvisarmi più per via Sparano a Bari", "unfollow", "via sparano a bari", "it"),
    ("avvisami per via Garibaldi a Bari", "follow", "via garibaldi a bari", "it"),  # said back as not found
])
def test_a_follow_request_in_words_carries_the_place(text: str, name: str, argument: str, lang: str) -> None:
    command = read_words(text, RouteFinder(GtfsIndex.empty()), _finder())
    assert command is not None and (command.name, command.argument, command.lang) == (name, argument, lang)
