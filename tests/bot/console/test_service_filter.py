"""The console's service filter: on a desk of several services the queue narrows to one, saved in the link."""

from __future__ import annotations

import json
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.config import Settings
from bot.console.filters import Filters
from bot.console.queueview import QueueView
from bot.console.search import search
from bot.services import UNDECIDED
from storage.db import session_scope
from storage.models import Message
from storage.models import Case
from tests.bot.console.conftest import Messages, token

VIEW = QueueView(target_minutes=5, claim_minutes=15, recent_hours=6)


@pytest.fixture
def settings() -> Settings:
    return Settings(
        web={"secret_key": "test-secret"}, console={"response_target_minutes": 5},
        services={"water": {"knowledge": {"domain": "water"}}, "waste": {"knowledge": {"domain": "waste"}}},
    )


def _routed_to(engine: Engine, message_id: int, service: str) -> int:
    """Leave ``message_id`` as the desk leaves a message it routed to ``service``."""
    with session_scope(engine) as session:
        row = session.get(Message, message_id)
        assert row is not None
        row.decision = {**(row.decision or {}), "service": service}
        row.service = service
    return message_id


def test_the_filter_is_read_from_and_written_to_the_link() -> None:
    filters = Filters.parse({"service": "water", "channel": "web"})
    assert (filters.service, filters.query()) == ("water", "service=water&channel=web")


def test_the_queue_shows_only_the_services_messages(anna: TestClient, messages: Messages, engine: Engine) -> None:
    water = _routed_to(engine, messages.add("perdita in via Roma", routes=()), "water")
    _routed_to(engine, messages.add("cassonetto pieno", routes=()), "waste")
    undecided = _routed_to(engine, messages.add("ho un problema", routes=()), UNDECIDED)
    assert [i["id"] for i in anna.get("/console/api/queue?service=water").json()["items"]] == [water]
    assert [i["id"] for i in anna.get("/console/api/queue?service=undecided").json()["items"]] == [undecided]


def test_the_filter_bar_offers_each_service_and_undecided(anna: TestClient) -> None:
    page = anna.get("/console/?service=waste")
    config = json.loads(re.search(r'id="console-config">(.*?)</script>', page.text).group(1))
    assert config["filters"] == "service=waste"
    assert '<option value="waste" selected>' in page.text and '<option value="water" >' in page.text
    assert 'value="undecided"' in page.text


def test_the_search_keeps_the_services_messages(engine: Engine, clock: Any, messages: Messages) -> None:
    water = _routed_to(engine, messages.add("perdita in via Roma", routes=()), "water")
    _routed_to(engine, messages.add("perdita di tempo, cassonetto pieno", routes=()), "waste")
    found = search(engine, Filters.parse({"q": "perdita", "service": "water"}), VIEW, clock(), ZoneInfo("Europe/Rome"))
    assert [item.id for item in found.messages] == [water]


def test_an_agent_decides_the_service_of_an_undecided_message(anna: TestClient, messages: Messages, engine: Engine) -> None:
    message_id = _routed_to(engine, messages.add("ho un problema", routes=()), UNDECIDED)
    page = anna.get(f"/console/messages/{message_id}")
    assert 'id="service-form"' in page.text
    anna.post(f"/console/messages/{message_id}/service", data={"csrf": token(anna), "service": "waste"})
    with session_scope(engine) as session:
        row = session.get(Message, message_id)
        assert row is not None and (row.service, row.decision["service_by"]) == ("waste", "agent:anna")
        case = session.get(Case, row.case_id)
        assert case is not None and case.service == "waste"


def test_an_unknown_service_is_refused_naming_the_known_ones(anna: TestClient, messages: Messages, engine: Engine) -> None:
    message_id = _routed_to(engine, messages.add("ho un problema", routes=()), UNDECIDED)
    response = anna.post(f"/console/messages/{message_id}/service", data={"csrf": token(anna), "service": "gas"},
                         headers={"Accept": "application/json"})
    assert response.status_code == 422 and "known services: water, waste" in response.json()["error"]


def test_the_correction_form_offers_the_categories_of_the_messages_service(
    anna: TestClient, messages: Messages, engine: Engine
) -> None:
    message_id = _routed_to(engine, messages.add("perdita in via Roma", routes=()), "water")
    page = anna.get(f"/console/messages/{message_id}").text
    assert '<option value="leak" >la perdita d&#39;acqua</option>' in page
    assert 'value="delay"' not in page


def test_an_undecided_messages_form_offers_every_services_categories(
    anna: TestClient, messages: Messages, engine: Engine
) -> None:
    message_id = _routed_to(engine, messages.add("ho un problema", routes=()), UNDECIDED)
    page = anna.get(f"/console/messages/{message_id}").text
    assert 'value="leak"' in page and 'value="missed_collection"' in page


def test_a_water_message_is_corrected_with_a_water_category_only(
    anna: TestClient, messages: Messages, engine: Engine
) -> None:
    message_id = _routed_to(engine, messages.add("perdita in via Roma", routes=()), "water")

    def correct(category: str) -> tuple[int, str]:
        response = anna.post(
            f"/console/messages/{message_id}/correct", headers={"Accept": "application/json"},
            data={"csrf": token(anna), "lang": "it", "intent": "complaint", "routes": "", "stops": "",
                  "faq_id": "", "alert_ids": "", "category": category},
        )
        return response.status_code, response.json().get("error") or ""

    status, error = correct("delay")
    assert status == 409 and "unknown category 'delay'" in error and "leak" in error
    assert correct("leak")[0] == 200
    with session_scope(engine) as session:
        row = session.get(Message, message_id)
        assert row is not None and row.category == "leak"
