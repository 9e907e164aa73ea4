"""Property-based tests of the chat API: whatever arrives, the answer is a clear 2xx/4xx, never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.config import Settings
from bot.web.server import build_web_app
from storage.queue import MessageQueue
from tests.conftest import FixedClock
from tests.fuzzing import bounded, hostile_text, json_values

ANSWERS = {200, 201, 202, 400, 403, 404, 405, 413, 415, 422}
UNLIMITED = Settings(web={"chat_posts_per_minute": 1e9, "client_posts_per_minute": 1e9, "client_reads_per_minute": 1e9})


@pytest.fixture
def client(engine: Engine, clock: FixedClock) -> TestClient:
    app = build_web_app(UNLIMITED, engine, MessageQueue(engine, clock=clock), clock=clock)
    return TestClient(app, raise_server_exceptions=False)


def _encode(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=True).encode()  # ASCII escapes keep lone surrogates as \\ud800


@bounded(40)
@given(body=st.one_of(json_values.map(_encode), st.fixed_dictionaries({"text": json_values}).map(_encode),
                      st.fixed_dictionaries({"text": hostile_text}).map(_encode), st.binary(max_size=300)),
       kind=st.sampled_from(["application/json", "application/json; charset=utf-8", "text/plain", ""]))
def test_any_post_gets_a_clear_answer(client: TestClient, body: bytes, kind: str) -> None:
    response = client.post("/api/chat", content=body, headers={"content-type": kind} if kind else {})
    assert response.status_code in ANSWERS, response.text
    assert "error" in response.json() or response.status_code == 202


@bounded(30)
@given(conversation=hostile_text, token=hostile_text)
def test_any_read_gets_a_clear_answer(client: TestClient, conversation: str, token: str) -> None:
    from urllib.parse import quote

    path = "/api/chat/" + quote(conversation.encode("utf-8", "surrogatepass"), safe="")
    headers = {"authorization": "Bearer " + token.encode("ascii", "ignore").decode()}
    response = client.get(path, headers=headers)
    assert response.status_code in ANSWERS
