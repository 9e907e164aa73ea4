"""The web chat API: post a message, read the conversation, clear 4xx errors."""

from __future__ import annotations

from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.config import Settings
from bot.domain import MessageState
from bot.web.server import build_web_app
from storage.queue import MessageQueue
from tests.conftest import FixedClock


def _client(engine: Engine, clock: FixedClock) -> tuple[TestClient, MessageQueue]:
    queue = MessageQueue(engine, clock=clock)
    app = build_web_app(Settings(), engine, queue, clock=clock)
    return TestClient(app), queue


def test_posting_a_message_queues_it(engine: Engine, clock: FixedClock) -> None:
    client, queue = _client(engine, clock)
    response = client.post("/api/chat", json={"conversation": "abc", "text": "il 64 passa?"})
    assert response.status_code == 202
    message = queue.get(response.json()["message_id"])
    assert (message.channel, message.thread_id, message.text, message.state) == (
        "web",
        "abc",
        "il 64 passa?",
        MessageState.RECEIVED,
    )


def test_conversation_lists_messages_and_posted_replies_oldest_first(engine: Engine, clock: FixedClock) -> None:
    from bot.delivery import Deliverer
    from bot.channels.web import WebChannel
    from bot.channels.base import ChannelContext
    from storage.db import session_scope

    client, queue = _client(engine, clock)
    message_id = client.post("/api/chat", json={"conversation": "c", "text": "ciao"}).json()["message_id"]
    queue.transition(message_id, MessageState.ROUTED, actor="bot")
    with session_scope(engine) as session:
        row = queue.load(session, message_id)
        row.draft = "Ciao! Come possiamo aiutarti?"
        session.add(row)
    clock.advance(3)
    claim = queue.claim("w", 30)
    assert claim is not None
    Deliverer(queue).deliver(claim, WebChannel(ChannelContext(Settings(), queue, engine, clock)))
    body = client.get("/api/chat/c").json()
    assert [(m["role"], m["text"]) for m in body["messages"]] == [
        ("citizen", "ciao"),
        ("bot", "Ciao! Come possiamo aiutarti?"),
    ]
    assert body["messages"][0]["at"] < body["messages"][1]["at"]


def test_an_unknown_conversation_is_empty(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock)
    assert client.get("/api/chat/nobody").json()["messages"] == []


def test_bad_json_is_a_400_with_a_json_error(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock)
    response = client.post("/api/chat", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_empty_text_is_refused(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock)
    response = client.post("/api/chat", json={"conversation": "c", "text": "   "})
    assert response.status_code == 422
    assert response.json()["error"].startswith("text:")


def test_text_over_4000_characters_is_refused(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock)
    response = client.post("/api/chat", json={"conversation": "c", "text": "a" * 4001})
    assert response.status_code == 413
    assert "4000" in response.json()["error"]


def test_missing_conversation_is_refused(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock)
    response = client.post("/api/chat", json={"text": "ciao"})
    assert response.status_code == 422
    assert response.json()["error"].startswith("conversation:")


def test_a_json_array_is_refused(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock)
    assert client.post("/api/chat", json=["ciao"]).status_code == 400


def test_the_chat_page_is_served(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock)
    page = client.get("/")
    assert page.status_code == 200
    assert "<textarea" in page.text and "/static/chat.js" in page.text
