"""Console fixtures: routed messages in the real queue, users, a signed-in test client."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.routing import Mount
from starlette.testclient import TestClient

from bot.config import Settings
from bot.console import build_console
from bot.console.users import hash_password
from bot.domain import InboundMessage, MessageState
from bot.web.server import build_web_app
from storage.db import session_scope
from storage.models import User
from storage.queue import MessageQueue
from tests.conftest import FixedClock

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"|name="csrf" value="([^"]+)"')


class Messages:
    """Puts citizen messages in the queue as the worker would leave them after routing."""

    def __init__(self, queue: MessageQueue, clock: FixedClock) -> None:
        self.queue = queue
        self.clock = clock
        self.count = 0

    def add(
        self,
        text: str = "autista maleducato sul 64",
        *,
        state: MessageState = MessageState.AWAITING_REVIEW,
        intent: str = "complaint",
        lang: str = "it",
        draft: str | None = "Ci scusiamo per il disagio.",
        alert_ids: tuple[str, ...] = (),
        faq_id: str | None = None,
        routes: tuple[str, ...] = ("64",),
        author: str | None = None,
        channel: str = "web",
        ago_seconds: float = 0,
        extras: dict[str, Any] | None = None,
        subjects: tuple[dict[str, str], ...] = (),
    ) -> int:
        self.count += 1
        n = self.count
        message_id = self.queue.enqueue(
            InboundMessage(
                channel=channel,
                external_id=f"ext-{n}",
                author=author or f"web:citizen-{n}",
                text=text,
                received_at=self.clock() - timedelta(seconds=ago_seconds),
                thread_id=(author or f"citizen-{n}").removeprefix("web:"),
                extras=extras or {},
            )
        )
        assert message_id is not None
        with session_scope(self.queue.engine) as session:
            row = self.queue.load(session, message_id, lock=True)
            row.lang, row.intent, row.draft, row.faq_id = lang, intent, draft, faq_id
            row.confidence = 0.9
            row.action = "auto" if state == MessageState.AUTO_SENT else "review"
            row.decision = {
                "lang": lang, "intent": intent, "routes": list(routes), "stops": [],
                "faq_id": faq_id, "alert_ids": list(alert_ids), "category": None,
                "action": row.action, "confidence": 0.9, **({"subjects": list(subjects)} if subjects else {}),
            }
            self.queue.move(session, row, MessageState.ROUTED)
            if state != MessageState.ROUTED:
                self.queue.move(session, row, state)
        return message_id


@pytest.fixture
def queue(engine: Engine, clock: FixedClock) -> MessageQueue:
    return MessageQueue(engine, clock=clock)


@pytest.fixture
def messages(queue: MessageQueue, clock: FixedClock) -> Messages:
    return Messages(queue, clock)


@pytest.fixture
def settings() -> Settings:
    return Settings(web={"secret_key": "test-secret"}, console={"response_target_minutes": 5})


@pytest.fixture
def web(settings: Settings, engine: Engine, queue: MessageQueue, clock: FixedClock) -> Any:
    console = build_console(settings, engine, queue, clock=clock, faq_ids=("tickets.price",))
    return build_web_app(settings, engine, queue, clock=clock, extra_routes=[Mount("/console", app=console)])


@functools.cache
def _password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def users(engine: Engine, clock: FixedClock) -> dict[str, str]:
    """An agent, a second agent, a supervisor and an admin, all with :data:`PASSWORD`.

    The argon2 hash is computed once per run: hashing is deliberately slow.
    """
    made = {"anna": "agent", "bruno": "agent", "sara": "supervisor", "adele": "admin"}
    with session_scope(engine) as session:
        for name, role in made.items():
            language = "en" if name == "bruno" else "it"
            session.add(
                User(username=name, password_hash=_password_hash(), role=role, language=language, created_at=clock())
            )
    return made


def csrf_of(html: str) -> str:
    """The CSRF token printed in a console page."""
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1) or found.group(2)


def signed_in(app: Any, username: str) -> TestClient:
    """A client whose session belongs to ``username``."""
    client = TestClient(app, base_url="http://testserver", follow_redirects=False)
    page = client.get("/console/login")
    response = client.post(
        "/console/login",
        data={"username": username, "password": PASSWORD, "csrf": csrf_of(page.text), "next": "/console/"},
    )
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def anna(web: Any, users: dict[str, str]) -> Iterator[TestClient]:
    with signed_in(web, "anna") as client:
        yield client


@pytest.fixture
def bruno(web: Any, users: dict[str, str]) -> Iterator[TestClient]:
    with signed_in(web, "bruno") as client:
        yield client


def token(client: TestClient) -> str:
    """The CSRF token of ``client``'s session."""
    return csrf_of(client.get("/console/").text)
