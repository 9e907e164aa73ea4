"""Canned replies come from the service of the message: a water case gets the water service's replies (its place
and its own phone filled in), never a transit one; the canned page of a desk of several shows each service's."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.config import Settings
from bot.services import UNDECIDED
from tests.bot.console.conftest import Messages
from tests.bot.console.test_service_filter import _routed_to

STREET = {"kind": "street", "id": "072006:via argiro", "label": "Via Argiro, Bari"}


@pytest.fixture
def settings() -> Settings:
    return Settings(
        web={"secret_key": "test-secret"}, console={"response_target_minutes": 5},
        operator={"customer_phone": "800 000 000"},
        services={"water": {"label": "Acqua", "customer_phone": "800 000 001", "knowledge": {"domain": "water"}},
                  "waste": {"label": "Rifiuti", "knowledge": {"domain": "waste"}}},
    )


def _canned(client: TestClient, message_id: int, lang: str = "it") -> list[dict[str, object]]:
    return client.get("/console/api/canned", params={"lang": lang, "message": message_id}).json()["replies"]


def test_a_water_case_gets_the_water_services_replies_with_its_place_and_phone(
    anna: TestClient, messages: Messages, engine: Engine,
) -> None:
    leak = _routed_to(engine, messages.add("perdita in via Argiro", routes=(), subjects=(STREET,)), "water")
    found = _canned(anna, leak)
    ids = [r["id"] for r in found]
    assert "shipped:leak_report" in ids and "shipped:delay_apology" not in ids and "shipped:missed_collection" not in ids
    assert found[0]["lead"]  # a complaint: the replies for complaints first
    report = next(r for r in found if r["id"] == "shipped:leak_report")
    assert "perdita in Via Argiro, Bari" in str(report["text"]) and "chiami il 800 000 001" in str(report["text"])
    assert not any("linea" in str(r["text"]) or "{line}" in str(r["text"]) for r in found)


def test_a_waste_case_gets_the_waste_services_and_an_undecided_one_every_services(
    anna: TestClient, messages: Messages, engine: Engine,
) -> None:
    bin_full = _routed_to(engine, messages.add("cassonetto pieno", routes=()), "waste")
    ids = {r["id"] for r in _canned(anna, bin_full, "en")}
    assert {"shipped:missed_collection", "shipped:bulky_items"} <= ids and "shipped:leak_report" not in ids
    undecided = _routed_to(engine, messages.add("ho un problema", routes=()), UNDECIDED)
    ids = {r["id"] for r in _canned(anna, undecided)}
    assert {"shipped:leak_report", "shipped:missed_collection"} <= ids


def test_the_canned_page_of_a_desk_of_several_names_each_replys_service(anna: TestClient) -> None:
    page = anna.get("/console/canned", params={"lang": "it"}).text
    assert "Perdita d&#39;acqua" in page and "Raccolta non effettuata" in page
    assert page.count('<span class="badge">Acqua</span>') == 9 and page.count('<span class="badge">Rifiuti</span>') == 9
    assert "Ritardo sulla linea" not in page
