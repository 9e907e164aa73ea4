"""The service a desk routes a message to is stored with the message and its case (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.config import PACKAGE_ROOT, StorageSettings, load_settings
from bot.domain import InboundMessage
from bot.services import SERVICE_EXTRA
from storage.db import session_scope
from storage.models import Case, Message
from storage.services import set_case_service

CITY = PACKAGE_ROOT / "examples" / "city" / "config.yaml"
NOW = datetime.fromisoformat("2026-12-03T11:00:00+01:00")


@pytest.fixture
def app(db_url: str) -> Iterator[Application]:
    settings = load_settings(CITY).model_copy(update={"storage": StorageSettings(url=db_url)})
    application = Application(settings, workers=1, web=False, clock=lambda: NOW)
    yield application
    application.engine.dispose()


def _send(app: Application, text: str, thread: str, seconds: int = 0) -> int:
    message = InboundMessage("web", f"{thread}-{seconds}", f"web:{thread}", text, NOW + timedelta(seconds=seconds),
                             thread_id=thread)
    message_id = app.queue.enqueue(message)
    assert message_id is not None
    return message_id


def _route_all(app: Application) -> None:
    while app.workers[0].run_once():
        pass


def _services(app: Application) -> tuple[dict[int, str], dict[int, str]]:
    with session_scope(app.engine) as session:
        messages = {m.id: m.service for m in session.scalars(select(Message))}
        cases = {c.id: c.service for c in session.scalars(select(Case))}
    return messages, cases


def test_each_message_and_its_case_keep_the_service_it_was_routed_to(app: Application) -> None:
    water = _send(app, "l'acqua del rubinetto è potabile?", "a")
    waste = _send(app, "Dove butto il vetro?", "b")
    bus = _send(app, "il 64 è in ritardo?", "c")
    _route_all(app)
    messages, cases = _services(app)
    assert (messages[water], messages[waste], messages[bus]) == ("water", "waste", "transit")
    assert sorted(cases.values()) == ["transit", "waste", "water"]


def test_an_undecided_message_leaves_a_decided_case_with_its_service(app: Application) -> None:
    first = _send(app, "il contatore perde", "d")
    _route_all(app)
    thanks = _send(app, "ok, grazie", "d", seconds=60)
    _route_all(app)
    messages, cases = _services(app)
    assert (messages[first], messages[thanks], list(cases.values())) == ("water", "undecided", ["water"])


def test_a_case_that_opens_undecided_is_undecided(app: Application) -> None:
    _send(app, "buongiorno, ho un problema", "e")
    _route_all(app)
    assert list(_services(app)[1].values()) == ["undecided"]


def test_a_case_follows_its_latest_decided_message_to_another_service(app: Application) -> None:
    water = _send(app, "il contatore perde", "f")
    _route_all(app)
    bus = _send(app, "il 64 è in ritardo?", "f", seconds=60)
    _route_all(app)
    messages, cases = _services(app)
    assert (messages[water], messages[bus], list(cases.values())) == ("water", "transit", ["transit"])


def test_a_case_comes_back_to_a_service_it_left(app: Application) -> None:
    _send(app, "il 64 è in ritardo?", "g")
    _route_all(app)
    _send(app, "il contatore perde", "g", seconds=60)
    _route_all(app)
    _send(app, "il 64 è in ritardo?", "g", seconds=120)
    _route_all(app)
    assert list(_services(app)[1].values()) == ["transit"]


def test_a_message_routed_late_does_not_take_the_case_from_a_later_decided_one(app: Application) -> None:
    water = _send(app, "il contatore perde", "h")
    _send(app, "il 64 è in ritardo?", "h", seconds=60)
    _route_all(app)
    case_id = next(iter(_services(app)[1]))
    with app.engine.begin() as conn:  # the earlier message's routing committing last (two workers)
        set_case_service(conn, case_id, water, "water")
    assert list(_services(app)[1].values()) == ["transit"]


def _send_from_page(app: Application, text: str, thread: str, service: str) -> int:
    message = InboundMessage("web", f"{thread}-page", f"web:{thread}", text, NOW, thread_id=thread,
                             extras={SERVICE_EXTRA: service})
    message_id = app.queue.enqueue(message)
    assert message_id is not None
    return message_id


def test_a_message_from_a_page_opened_for_a_service_goes_to_it_unread(app: Application) -> None:
    water = _send_from_page(app, "il 64 è in ritardo?", "i", "water")
    unknown = _send_from_page(app, "il 64 è in ritardo?", "j", "gas")
    _route_all(app)
    messages, _ = _services(app)
    assert (messages[water], messages[unknown]) == ("water", "transit")
    with session_scope(app.engine) as session:
        row = session.get(Message, water)
        assert row is not None and "service water: the page it was written on" in row.decision["reasons"]
