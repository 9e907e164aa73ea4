"""A street and a house number make an address subject, tied to its street, in Italian and English forms; numbers
that count something, dates, times and lines are no doors."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.config import PACKAGE_ROOT
from bot.subjects import SubjectKind
from knowledge.addresses import WORDS, street_id
from knowledge.gazetteer import Gazetteer

WATER = PACKAGE_ROOT / "examples" / "water"
SPARANO = "072006:via sparano da bari"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.load([WATER / "stradario.csv"])


@pytest.mark.parametrize("text", [
    "via Sparano 12, Bari senza acqua",
    "Via Sparano da Bari 12 a Bari non esce acqua",
    "via Sparano, n. 12, Bari: niente acqua",
    "via Sparano numero 12 a Bari senza acqua da stamattina",
    "via Sparano civico 12 Bari acqua torbida",
    "No water at 12 Via Sparano, Bari since this morning",
    "12 via Sparano da Bari has no water",
    "via Sparano no. 12, Bari has no water",
])
def test_a_street_and_its_number_are_an_address_then_the_street(gazetteer: Gazetteer, text: str) -> None:
    address, street = gazetteer.subjects(text)
    assert (address.kind, address.id, address.label) == (SubjectKind.ADDRESS, f"{SPARANO}:12",
                                                         "Via Sparano da Bari 12, Bari")
    assert (street.kind, street.id) == (SubjectKind.STREET, SPARANO) and street_id(address) == street.id


def test_a_number_with_a_letter_is_kept(gazetteer: Gazetteer) -> None:
    assert gazetteer.subjects("via Argiro 7b, Bari senza acqua")[0].id == "072006:via argiro:7b"


@pytest.mark.parametrize("text", [
    "via Sparano a Bari senza acqua da 3 giorni",
    "via Sparano 3 giorni senza acqua a Bari",
    "via Sparano, Bari: no water for 2 days",
    "dal 12 via Sparano a Bari senza acqua",
    "bus 12 via Sparano a Bari",
    "via Sparano a Bari, senza acqua dalle 8",
])
def test_numbers_that_are_no_door_leave_the_street_alone(gazetteer: Gazetteer, text: str) -> None:
    found = gazetteer.subjects(text)
    assert [(s.kind, s.id) for s in found] == [(SubjectKind.STREET, SPARANO)]


def test_a_number_in_a_streets_name_is_its_name(tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "streets.csv"
    path.write_text("municipality_code,municipality,street,lat,lon\n072006,Bari,Via 25 Aprile,41.1,16.8\n",
                    encoding="utf-8")
    found = Gazetteer.load([path]).subjects("via 25 Aprile 3, Bari senza acqua")
    assert [s.id for s in found] == ["072006:via 25 aprile:3", "072006:via 25 aprile"]


def test_the_outage_lookup_finds_the_street_of_an_address(gazetteer: Gazetteer) -> None:
    match = gazetteer.find("via Sparano 12, Bari senza acqua")
    assert match is not None and match.street is not None and match.street.key == "via sparano da bari"
    assert match.number == "12"


def test_the_words_around_numbers_are_folded_and_apart() -> None:
    lists = (WORDS.before_number, WORDS.counts, WORDS.not_a_door_before)
    for words in lists:
        assert words and all(w == w.lower().strip() and " " not in w for w in words)
    assert not WORDS.before_number & WORDS.counts


def test_an_anonymised_decision_keeps_the_street_of_an_address(gazetteer: Gazetteer) -> None:
    from bot.privacy.scrub import PERSONAL_KINDS

    kept = [s for s in gazetteer.subjects("via Sparano 12, Bari senza acqua") if str(s.kind) not in PERSONAL_KINDS]
    assert [s.kind for s in kept] == [SubjectKind.STREET]
    assert datetime(2026, 1, 1, tzinfo=timezone.utc)  # the subjects do not depend on the clock
