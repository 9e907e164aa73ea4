"""The web chat opened for one service of a desk of several (``/?service=water``): its messages carry it."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlmodel import Session
from starlette.testclient import TestClient

from bot.config import Settings
from bot.services import SERVICE_EXTRA
from bot.web.server import build_web_app
from storage.models import Message
from storage.queue import MessageQueue
from tests.conftest import FixedClock

CITY = Settings(services={"water": {"label": "Acqua", "knowledge": {"domain": "water"}},
                          "waste": {"knowledge": {"domain": "waste"}}})


def _client(engine: Engine, clock: FixedClock, settings: Settings = CITY) -> TestClient:
    return TestClient(build_web_app(settings, engine, MessageQueue(engine, clock=clock), clock=clock))


def _extras(engine: Engine) -> list[dict]:
    with Session(engine) as session:
        return [m.extras for m in session.scalars(select(Message).order_by(Message.id))]


def test_the_page_opened_for_a_service_names_it_and_keeps_it_in_the_language_link(
    engine: Engine, clock: FixedClock
) -> None:
    page = _client(engine, clock).get("/?service=water").text
    assert 'data-service="water"' in page and "· Acqua</h1>" in page
    assert 'href="/?lang=en&amp;service=water"' in page


def test_a_page_for_an_unknown_service_is_not_found(engine: Engine, clock: FixedClock) -> None:
    response = _client(engine, clock).get("/?service=gas")
    assert response.status_code == 404 and "known services: water, waste" in response.json()["error"]


def test_a_message_written_for_a_service_is_stored_with_it(engine: Engine, clock: FixedClock) -> None:
    client = _client(engine, clock)
    assert client.post("/api/chat", json={"text": "il 64 è in ritardo?", "service": "water"}).status_code == 202
    assert client.post("/api/chat", json={"text": "ciao"}).status_code == 202
    assert _extras(engine) == [{SERVICE_EXTRA: "water"}, {}]


def test_an_unknown_service_is_refused_and_nothing_stored(engine: Engine, clock: FixedClock) -> None:
    for settings, body in ((CITY, {"text": "ciao", "service": "gas"}), (CITY, {"text": "ciao", "service": 3}),
                           (Settings(), {"text": "ciao", "service": "transit"})):
        response = _client(engine, clock, settings).post("/api/chat", json=body)
        assert response.status_code == 422 and "unknown service" in response.json()["error"]
    assert _extras(engine) == []
