"""The correction form names a message's places (streets, areas, service points, addresses) and its service: checked
against the service's gazetteer and desk, applied to the message, shown in the case view."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.config import PACKAGE_ROOT, Settings
from storage.db import session_scope
from storage.models import Message
from tests.bot.console.conftest import Messages, token

WATER = PACKAGE_ROOT / "examples" / "water"
WASTE = PACKAGE_ROOT / "examples" / "waste"
SPARANO = {"kind": "street", "id": "072006:via sparano da bari", "label": "Via Sparano da Bari, Bari",
           "service": "water"}


@pytest.fixture
def settings() -> Settings:
    return Settings(
        web={"secret_key": "test-secret"}, console={"response_target_minutes": 5},
        services={
            "water": {"knowledge": {"domain": "water", "gazetteer": [str(WATER / "stradario.csv"),
                                                                      str(WATER / "luoghi.geojson")]}},
            "waste": {"knowledge": {"domain": "waste", "gazetteer": [str(WASTE / "stradario.csv")]}},
        },
    )


def _water_message(messages: Messages, engine: Engine) -> int:
    message_id = messages.add("via Sparano senza acqua", routes=(), subjects=(SPARANO,))
    with session_scope(engine) as session:
        row = session.get(Message, message_id)
        assert row is not None
        row.service = "water"
    return message_id


def _correct(client: TestClient, message_id: int, **fields: str) -> tuple[int, str]:
    data = {"csrf": token(client), "lang": "it", "intent": "complaint", "routes": "", "stops": "", "faq_id": "",
            "alert_ids": "", "category": "", **fields}
    response = client.post(f"/console/messages/{message_id}/correct", data=data,
                           headers={"Accept": "application/json"})
    return response.status_code, response.json().get("error") or ""


def test_the_form_shows_the_places_and_the_services(anna: TestClient, messages: Messages, engine: Engine) -> None:
    page = anna.get(f"/console/messages/{_water_message(messages, engine)}").text
    assert 'name="places" id="correct-places" value="street:072006:via sparano da bari"' in page
    assert '<option value="waste">waste</option>' in page


def test_places_and_service_are_corrected(anna: TestClient, messages: Messages, engine: Engine) -> None:
    message_id = _water_message(messages, engine)
    status, _ = _correct(anna, message_id, places="address:072006:via argiro:7; street:Via Argiro, Bari",
                         service="waste")
    assert status == 200
    with session_scope(engine) as session:
        row = session.get(Message, message_id)
        assert row is not None and row.service == "waste"
        assert [(s["kind"], s["id"], s["service"]) for s in row.decision["subjects"]] == [
            ("address", "072006:via argiro:7", "waste"), ("street", "072006:via argiro", "waste")]
    page = anna.get(f"/console/messages/{message_id}").text
    assert "Servizio: waste · Luoghi: Via Argiro 7, Bari; Via Argiro, Bari" in page  # anna reads Italian
    assert 'id="places">Via Argiro 7, Bari; Via Argiro, Bari</dd>' in page


def test_the_places_it_already_names_can_stay(anna: TestClient, messages: Messages, engine: Engine) -> None:
    message_id = _water_message(messages, engine)
    assert _correct(anna, message_id, places="street:072006:via sparano da bari", category="leak")[0] == 200


def test_an_unknown_place_is_refused_naming_known_ones(anna: TestClient, messages: Messages, engine: Engine) -> None:
    message_id = _water_message(messages, engine)
    status, error = _correct(anna, message_id, places="street:via inesistente")
    assert status == 422 and "the gazetteer of service water has no such street" in error
    assert "street:072006:via argiro (Via Argiro, Bari)" in error
    status, error = _correct(anna, message_id, places="line:64")
    assert status == 422 and "kind among municipality, district, zone, street, address, service_point" in error


def test_a_place_is_checked_against_the_corrected_service(anna: TestClient, messages: Messages,
                                                          engine: Engine) -> None:
    message_id = _water_message(messages, engine)
    status, error = _correct(anna, message_id, places="district:BA-MURAT", service="waste")
    assert status == 422 and "the gazetteer of service waste has no such district" in error


def test_an_unknown_service_is_refused(anna: TestClient, messages: Messages, engine: Engine) -> None:
    status, error = _correct(anna, _water_message(messages, engine), service="gas")
    assert status == 422 and "known services: water, waste" in error
