"""The web chat API: conversations owned by their token, limits, clear 4xx errors."""

from __future__ import annotations

import asyncio
import sqlite3

import httpx
import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.config import Settings
from bot.domain import MessageState
from bot.web import conversations
from bot.web.server import build_web_app
from storage.queue import MessageQueue
from tests.conftest import FixedClock


def _client(engine: Engine, clock: FixedClock, settings: Settings | None = None) -> tuple[TestClient, MessageQueue]:
    queue = MessageQueue(engine, clock=clock)
    app = build_web_app(settings or Settings(), engine, queue, clock=clock)
    return TestClient(app), queue


def _stored(engine: Engine) -> int:
    from sqlalchemy import func, select
    from sqlmodel import Session

    from storage.models import Message

    with Session(engine) as session:
        return int(session.execute(select(func.count()).select_from(Message)).scalar_one())


def test_a_first_message_opens_a_conversation_bound_by_an_httponly_cookie(engine: Engine, clock: FixedClock) -> None:
    client, queue = _client(engine, clock)
    response = client.post("/api/chat", json={"text": "il 64 passa?"})
    assert response.status_code == 202
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/api/chat" in cookie
    conversation = response.json()["conversation"]
    message = queue.get(response.json()["message_id"])
    assert (message.channel, message.thread_id, message.text, message.state) == (
        "web", conversation, "il 64 passa?", MessageState.RECEIVED,
    )
    token = client.cookies[conversations.COOKIE]
    assert token not in conversation and len(token) == 43


def test_the_same_browser_keeps_writing_in_its_conversation(engine: Engine, clock: FixedClock) -> None:
    client, queue = _client(engine, clock)
    first = client.post("/api/chat", json={"text": "ciao"}).json()
    second = client.post("/api/chat", json={"text": "ci sei?"}).json()
    assert first["conversation"] == second["conversation"]
    assert [m["text"] for m in client.get("/api/chat").json()["messages"]] == ["ciao", "ci sei?"]


def test_knowing_a_conversation_id_opens_nothing(engine: Engine, clock: FixedClock) -> None:
    owner, _ = _client(engine, clock)
    conversation = owner.post("/api/chat", json={"text": "mi chiamo Mario Rossi"}).json()["conversation"]
    stranger, queue = _client(engine, clock)
    assert stranger.get(f"/api/chat/{conversation}").status_code == 404
    assert stranger.get("/api/chat").json() == {"conversation": None, "messages": []}
    refused = stranger.post("/api/chat", json={"conversation": conversation, "text": "scrivo al posto tuo"})
    assert refused.status_code == 403
    assert [m["text"] for m in owner.get(f"/api/chat/{conversation}").json()["messages"]] == ["mi chiamo Mario Rossi"]


def test_a_bearer_token_opens_a_conversation_for_other_clients(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock)
    opened = client.post("/api/chat/conversations")
    assert opened.status_code == 201
    auth = {"Authorization": f"Bearer {opened.json()['token']}"}
    posted = client.post("/api/chat", json={"text": "quanto costa il biglietto?"}, headers=auth)
    assert posted.json()["conversation"] == opened.json()["conversation"]
    assert "set-cookie" not in posted.headers
    read = client.get(f"/api/chat/{opened.json()['conversation']}", headers=auth).json()
    assert [m["text"] for m in read["messages"]] == ["quanto costa il biglietto?"]


def test_conversation_lists_messages_and_posted_replies_oldest_first(engine: Engine, clock: FixedClock) -> None:
    from bot.channels.base import ChannelContext
    from bot.channels.web import WebChannel
    from bot.delivery import Deliverer
    from storage.db import session_scope

    client, queue = _client(engine, clock)
    message_id = client.post("/api/chat", json={"text": "ciao"}).json()["message_id"]
    queue.transition(message_id, MessageState.ROUTED, actor="bot")
    with session_scope(engine) as session:
        row = queue.load(session, message_id)
        row.draft = "Ciao! Come possiamo aiutarti?"
        session.add(row)
    clock.advance(3)
    claim = queue.claim("w", 30)
    assert claim is not None
    Deliverer(queue).deliver(claim, WebChannel(ChannelContext(Settings(), queue, engine, clock)))
    body = client.get("/api/chat").json()
    assert [(m["role"], m["text"]) for m in body["messages"]] == [
        ("citizen", "ciao"),
        ("bot", "Ciao! Come possiamo aiutarti?"),
    ]
    assert body["messages"][0]["at"] < body["messages"][1]["at"]


def test_bad_json_is_a_400_with_a_json_error(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock)
    response = client.post("/api/chat", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]


def test_empty_text_is_refused(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock)
    response = client.post("/api/chat", json={"text": "   "})
    assert response.status_code == 422
    assert response.json()["error"].startswith("text:")


def test_text_over_4000_characters_is_refused(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock)
    response = client.post("/api/chat", json={"text": "a" * 4001})
    assert response.status_code == 413
    assert "4000" in response.json()["error"]


def test_a_json_array_is_refused(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock)
    assert client.post("/api/chat", json=["ciao"]).status_code == 400


@pytest.mark.parametrize("kind", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data", None])
def test_a_cross_site_simple_request_cannot_post(engine: Engine, clock: FixedClock, kind: str | None) -> None:
    client, _ = _client(engine, clock)
    headers = {"content-type": kind} if kind else {}
    response = client.post("/api/chat", content=b'{"text": "spam"}', headers=headers)
    assert response.status_code == 415


@pytest.mark.parametrize(
    "body",
    [
        b'{"text": "\\ud800"}',  # a lone surrogate
        b'{"text": "ciao\\u0000"}',  # NUL, refused by PostgreSQL
        b"[" * 100_000 + b"]" * 100_000,  # nested 100k deep
        b'{"text": ' + b"[" * 40 + b"]" * 40 + b"}",
        b'{"text": "\xff\xfe"}',  # not UTF-8
    ],
    ids=["surrogate", "nul", "deep", "deep-value", "not-utf8"],
)
def test_unstorable_input_is_a_400_and_stores_nothing(engine: Engine, clock: FixedClock, body: bytes) -> None:
    client, queue = _client(engine, clock)
    response = client.post("/api/chat", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert _stored(engine) == 0


def test_a_body_over_the_cap_is_refused_before_it_is_read(engine: Engine, clock: FixedClock) -> None:
    client, queue = _client(engine, clock)
    big = b'{"text": "' + b"a" * 300_000 + b'"}'
    assert client.post("/api/chat", content=big, headers={"content-type": "application/json"}).status_code == 413

    def chunks():  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"a" * 10_000

    response = client.post("/api/chat", content=chunks(), headers={"content-type": "application/json"})
    assert response.status_code == 413


def test_a_flood_from_one_conversation_gets_429_with_retry_after(engine: Engine, clock: FixedClock) -> None:
    client, queue = _client(engine, clock, Settings(web={"chat_posts_per_minute": 3}))
    codes = [client.post("/api/chat", json={"text": f"messaggio {i}"}).status_code for i in range(5)]
    assert codes == [202, 202, 202, 429, 429]
    limited = client.post("/api/chat", json={"text": "ancora"})
    assert int(limited.headers["retry-after"]) >= 1
    assert len(client.get("/api/chat").json()["messages"]) == 3


def test_a_flood_from_one_address_gets_429_across_conversations(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock, Settings(web={"client_posts_per_minute": 4}))
    codes = []
    for i in range(6):
        client.cookies.clear()  # a new conversation each time
        codes.append(client.post("/api/chat", json={"text": f"spam {i}"}).status_code)
    assert codes == [202, 202, 202, 202, 429, 429]


def test_health_tells_the_public_each_part_and_no_detail(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    app = build_web_app(
        Settings(), engine, queue, clock=clock, health_status=lambda: {"channels": ["telegram"], "secret": 1}
    )
    assert TestClient(app).get("/health").json() == {
        "ok": True, "status": "ok", "components": {"database": "ok", "workers": "off"}
    }


def test_every_page_carries_the_security_headers(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock)
    for path in ("/", "/health", "/static/chat.js", "/api/chat"):
        headers = client.get(path).headers
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "'unsafe-inline'" not in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


def test_the_chat_page_is_served_without_inline_script(engine: Engine, clock: FixedClock) -> None:
    client, _ = _client(engine, clock)
    page = client.get("/")
    assert page.status_code == 200
    assert "<textarea" in page.text and '<script src="/static/chat.js"></script>' in page.text
    assert page.text.count("<script") == 1 and "<style" not in page.text and "style=" not in page.text


def test_health_answers_while_the_database_is_locked(tmp_path, clock: FixedClock) -> None:
    from storage.db import open_database

    path = tmp_path / "locked.db"
    engine = open_database(f"sqlite:///{path}")
    queue = MessageQueue(engine, clock=clock)
    app = build_web_app(Settings(), engine, queue, clock=clock)
    locker = sqlite3.connect(path, isolation_level=None)
    locker.execute("BEGIN EXCLUSIVE")

    async def scenario() -> tuple[int, bool, int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            posting = asyncio.create_task(http.post("/api/chat", json={"text": "il 64?"}))
            await asyncio.sleep(0.2)  # let the post reach the locked database
            health = await asyncio.wait_for(http.get("/health"), timeout=5)
            still_waiting = not posting.done()
            locker.execute("COMMIT")
            posted = await asyncio.wait_for(posting, timeout=30)
            return health.status_code, still_waiting, posted.status_code

    try:
        assert asyncio.run(scenario()) == (200, True, 202)
    finally:
        locker.close()
        engine.dispose()


def test_a_posted_message_is_stored_off_the_event_loop(engine: Engine, clock: FixedClock) -> None:
    client, queue = _client(engine, clock)
    stored_on_loop: list[bool] = []
    store = queue.enqueue

    def watched(message: object) -> int | None:
        try:
            asyncio.get_running_loop()
            stored_on_loop.append(True)  # a write here would hold every other request
        except RuntimeError:
            stored_on_loop.append(False)
        return store(message)  # type: ignore[arg-type]

    queue.enqueue = watched  # type: ignore[method-assign]
    assert client.post("/api/chat", json={"text": "il 64 passa?"}).status_code == 202
    assert stored_on_loop == [False]
