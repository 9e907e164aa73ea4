"""On a desk of several services, places two gazetteers name alike: the message's service decides, else the name
said more fully, else the service the words name, else the citizen is asked, each named with its service."""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine

from bot.config import SubscriptionSettings
from bot.follow.desk import FollowDesk
from bot.follow.places import PlaceFinder
from bot.services.choice import SERVICE_EXTRA
from knowledge.domains.base import DOMAINS
from knowledge.gazetteer import Gazetteer
from knowledge.gtfs import GtfsIndex
from knowledge.places import Places, service_point
from storage.followers import Chat, followed_by
from storage.models import Message
from tests.bot.follow.test_places import WASTE, WATER

NOW = datetime.fromisoformat("2026-12-03T09:00:00+01:00")


def _office(ident: str) -> Gazetteer:
    row = {"id": ident, "kind": "office", "name": "Sportello clienti di via Argiro", "municipality_code": "072006",
           "municipality": "Bari"}
    return Gazetteer((), Places((), (service_point(row, (41.1221, 16.8711), ident),)))


def _city(water: Gazetteer, waste: Gazetteer) -> PlaceFinder:
    """The city desk's water and waste services (their domains' words, their labels)."""
    def service(domain: str, gazetteer: Gazetteer) -> SimpleNamespace:
        import knowledge.domains.waste  # noqa: F401  (registers the domains)
        import knowledge.domains.water  # noqa: F401

        return SimpleNamespace(domain=DOMAINS[domain], outages=SimpleNamespace(gazetteer=gazetteer))
    return PlaceFinder.of_services({"water": ("Acqua", service("water", water)),
                                    "waste": ("Rifiuti", service("waste", waste))})


@pytest.fixture(scope="module")
def offices() -> PlaceFinder:
    return _city(_office("ACQ-SPORTELLO-ARGIRO"), _office("RIF-SPORTELLO-ARGIRO"))


def test_two_services_places_named_alike_are_not_given_to_the_first(offices: PlaceFinder) -> None:
    look = offices.look("sportello clienti di via Argiro a Bari")
    assert look.target is None
    assert [(name, label, s.id) for name, label, s in look.tied] == [
        ("water", "Acqua", "ACQ-SPORTELLO-ARGIRO"), ("waste", "Rifiuti", "RIF-SPORTELLO-ARGIRO")]


@pytest.mark.parametrize(("text", "service", "ident"), [
    ("sportello clienti di via Argiro a Bari", "waste", "RIF-SPORTELLO-ARGIRO"),  # the message's service
    ("sportello clienti di via Argiro a Bari", "water", "ACQ-SPORTELLO-ARGIRO"),
    ("sportello clienti dei rifiuti di via Argiro", None, "RIF-SPORTELLO-ARGIRO"),  # a word naming the service
    ("sportello clienti dell'acquedotto in via Argiro", None, "ACQ-SPORTELLO-ARGIRO"),
    ("sportello clienti di via Argiro a Bari (Rifiuti)", None, "RIF-SPORTELLO-ARGIRO"),  # its label, as the ask says
])
def test_the_messages_service_or_its_words_choose_between_tied_places(
    offices: PlaceFinder, text: str, service: str | None, ident: str,
) -> None:
    found = offices.find(text, service)
    assert found is not None and found.id == ident


def test_the_place_whose_name_is_said_in_full_wins_and_one_area_in_two_files_is_one_place() -> None:
    finder = _city(Gazetteer.load([WATER / "stradario.csv", WATER / "luoghi.geojson"]),
                   Gazetteer.load([WASTE / "stradario.csv", WASTE / "luoghi.geojson", WASTE / "punti-raccolta.csv"]))
    mezzi = finder.look("deposito mezzi di via Modugno a Bari")  # water's "Deposito di via Modugno" fits too
    assert mezzi.target is not None and mezzi.target.id == "DEP-BA-AUTOPARCO"
    murat = finder.look("quartiere Murat a Bari")  # both services' files hold district BA-MURAT: no question
    assert murat.target is not None and murat.target.id == "BA-MURAT" and not murat.tied


def _message(text: str, extras: dict[str, object] | None = None) -> Message:
    return Message(channel="telegram", external_id=f"1:{abs(hash(text))}", author="5001", text=text, received_at=NOW,
                   thread_id="5001", extras=extras or {})


def test_a_tie_is_asked_with_each_place_and_its_service_and_the_page_decides(engine: Engine, offices: PlaceFinder) -> None:
    desk = FollowDesk(GtfsIndex.empty(), engine, SubscriptionSettings(), clock=lambda: NOW, places=offices)
    command = {"name": "follow", "argument": "sportello clienti di via Argiro a Bari", "lang": "it"}
    _decision, asked = desk.answer(command, _message("/segui sportello clienti di via Argiro a Bari"))
    assert asked.text == (
        "Con questo nome conosco più luoghi: Sportello clienti di via Argiro, Bari (Acqua) oppure Sportello clienti "
        "di via Argiro, Bari (Rifiuti). Quale vuoi seguire? Scrivilo con il servizio, ad esempio "
        "/segui Sportello clienti di via Argiro a Bari (Rifiuti).")
    assert followed_by(engine, Chat("telegram", "5001")) == []
    again = {**command, "argument": "Sportello clienti di via Argiro a Bari (Rifiuti)"}
    _decision, added = desk.answer(again, _message("/segui again"))
    assert "Sportello clienti di via Argiro, Bari" in added.text
    desk.answer(command, _message("/segui on the water page", {SERVICE_EXTRA: "water"}))
    assert sorted(f.target for f in followed_by(engine, Chat("telegram", "5001"))) == [
        "ACQ-SPORTELLO-ARGIRO", "RIF-SPORTELLO-ARGIRO"]
