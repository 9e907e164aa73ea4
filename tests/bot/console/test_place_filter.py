"""The queue's and the search's line filter also takes a place: a street, area or service point by words of
its name or by its id (a water or waste desk has no lines)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.console.queueview import names_place
from tests.bot.console.conftest import Messages
from tests.bot.console.test_search import _find, _ids

ARGIRO = {"kind": "street", "id": "072006:via argiro", "label": "Via Argiro, Bari", "service": "water"}
LIBERTA = {"kind": "district", "id": "BA-LIBERTA", "label": "Libertà, Bari", "service": "water"}


def test_a_place_is_found_by_words_of_its_label_or_its_id(engine: Engine, clock: Any, messages: Messages) -> None:
    argiro = messages.add("via Argiro senza acqua", routes=(), subjects=(ARGIRO,))
    messages.add("quartiere Libertà senza acqua", routes=(), subjects=(LIBERTA,))
    messages.add("il 64 non passa", routes=("64",))
    assert _ids(_find(engine, clock, route="argiro")) == [argiro]
    assert _ids(_find(engine, clock, route="Via Argiro")) == [argiro]
    assert _ids(_find(engine, clock, route="072006:via argiro")) == [argiro]


def test_a_line_is_still_matched_whole(engine: Engine, clock: Any, messages: Messages) -> None:
    line = messages.add("il 64 non passa", routes=("64",))
    messages.add("il 640 non passa", routes=("640",))
    assert _ids(_find(engine, clock, route="64")) == [line]


def test_accents_and_case_do_not_matter() -> None:
    assert names_place("liberta", (), ("BA-LIBERTA", "Libertà, Bari"))
    assert names_place("LIBERTÀ", (), ("Libertà, Bari",))
    assert not names_place("carrassi", ("64",), ("Libertà, Bari",))


def test_the_queue_shows_the_messages_naming_the_place(anna: TestClient, messages: Messages) -> None:
    argiro = messages.add("via Argiro senza acqua", routes=(), subjects=(ARGIRO,))
    messages.add("il 64 non passa", routes=("64",))
    data = anna.get("/console/api/queue?route=argiro").json()
    assert [i["id"] for i in data["items"]] == [argiro]
    assert 'placeholder="Line or place"' in anna.get("/console/").text or 'placeholder="Linea o luogo"' in anna.get(
        "/console/").text


def test_the_queue_and_the_message_page_name_the_places(anna: TestClient, messages: Messages) -> None:
    argiro = messages.add("via Argiro senza acqua", routes=(), subjects=(ARGIRO, LIBERTA))
    (item,) = [i for i in anna.get("/console/api/queue").json()["items"] if i["id"] == argiro]
    assert item["place_names"] == ["Via Argiro, Bari", "Libertà, Bari"]
    page = anna.get(f"/console/messages/{argiro}")
    assert 'id="places">Via Argiro, Bari; Libertà, Bari</dd>' in page.text
