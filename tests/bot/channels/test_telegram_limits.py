"""Telegram intake under abuse: floods, huge texts, hostile JSON; nothing stored half-way, no 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session
from starlette.testclient import TestClient

from bot.channels.base import ChannelContext
from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_intake import MAX_TEXT_CHARS
from bot.domain import MessageState
from bot.web.server import build_web_app
from storage.models import Message
from tests.bot.channels.conftest import FakeSleep, telegram_settings
from tests.bot.channels.fake_telegram import FakeTelegram
from tests.bot.channels.test_commands import _send, desk  # noqa: F401 - the worker fixture

RIGHT = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}


@pytest.fixture
def hook(
    telegram_context: ChannelContext, telegram_server: FakeTelegram, engine: Engine, sleeps: FakeSleep
) -> Iterator[tuple[TelegramChannel, TestClient]]:
    settings = telegram_settings(
        telegram_server.base_url, engine.url.render_as_string(hide_password=False), mode="webhook",
        webhook_url="https://sportello.example/telegram/webhook", secret_token="s3cret", chat_updates_per_minute=3,
    )
    channel = TelegramChannel(ChannelContext(settings, telegram_context.queue, engine, telegram_context.clock), sleep=sleeps)
    channel.start()
    app = build_web_app(settings, engine, telegram_context.queue, clock=telegram_context.clock,
                        extra_routes=channel.routes())
    try:
        yield channel, TestClient(app)
    finally:
        channel.stop()


def _texts(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [m.text for m in session.execute(select(Message).order_by(Message.id)).scalars()]


def test_a_flood_from_one_chat_gets_429_and_other_chats_still_get_in(
    hook: tuple[TelegramChannel, TestClient], telegram_server: FakeTelegram, engine: Engine
) -> None:
    _, client = hook
    codes = []
    for n in range(5):
        update = {"update_id": n + 1, "message": telegram_server.message(f"spam {n}", chat_id=77, user_id=77)}
        codes.append(client.post("/telegram/webhook", json=update, headers=RIGHT))
    assert [r.status_code for r in codes] == [200, 200, 200, 429, 429]
    assert int(codes[-1].headers["retry-after"]) >= 1
    other = {"update_id": 99, "message": telegram_server.message("metro A?", chat_id=5001)}
    assert client.post("/telegram/webhook", json=other, headers=RIGHT).status_code == 200
    assert _texts(engine) == ["spam 0", "spam 1", "spam 2", "metro A?"]


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,
        b'{"update_id": 1, "message": ' + b"{" * 50 + b"}" * 50 + b"}",
        b'{"update_id": "1"}',
        b"\xff",
        b'{"update_id": 5, "message": {"message_id": "x", "chat": 3}}',
    ],
    ids=["deep", "deep-message", "id-not-int", "not-utf8", "wrong-types"],
)
def test_hostile_webhook_bodies_get_a_400_and_store_nothing(
    hook: tuple[TelegramChannel, TestClient], engine: Engine, body: bytes
) -> None:
    _, client = hook
    response = client.post("/telegram/webhook", content=body, headers={**RIGHT, "content-type": "application/json"})
    assert response.status_code == 400
    assert _texts(engine) == []


def test_a_five_megabyte_webhook_body_is_refused_before_it_is_read(
    hook: tuple[TelegramChannel, TestClient], telegram_server: FakeTelegram, engine: Engine
) -> None:
    _, client = hook
    update = {"update_id": 1, "message": telegram_server.message("x" * 5_000_000)}
    assert client.post("/telegram/webhook", json=update, headers=RIGHT).status_code == 413
    assert _texts(engine) == []


def test_nul_and_lone_surrogates_from_telegram_are_stored_cleaned(
    hook: tuple[TelegramChannel, TestClient], telegram_server: FakeTelegram, engine: Engine
) -> None:
    _, client = hook
    body = (
        b'{"update_id": 7, "message": {"message_id": 3, "date": 1795700000, "text": "metro\\u0000 A \\ud800?",'
        b' "chat": {"id": 5001, "type": "private"}, "from": {"id": 5001, "is_bot": false, "first_name": "G\\ud800"}}}'
    )
    response = client.post("/telegram/webhook", content=body, headers={**RIGHT, "content-type": "application/json"})
    assert response.status_code == 200
    assert _texts(engine) == ["metro A ??"]


def test_a_five_megabyte_text_by_polling_is_cut_and_the_citizen_is_told(
    telegram_context: ChannelContext, telegram_server: FakeTelegram, engine: Engine, sleeps: FakeSleep
) -> None:
    channel = TelegramChannel(telegram_context, sleep=sleeps)
    channel.start()
    try:
        telegram_server.push("message", telegram_server.message("a" * 5_000_000))
        assert channel.poll() == 1
    finally:
        channel.stop()
    with Session(engine) as session:
        [row] = session.execute(select(Message)).scalars().all()
    assert len(row.text) == MAX_TEXT_CHARS and row.extras["too_long"] == 5_000_000


def test_a_cut_message_is_answered_with_a_request_to_write_shorter(desk) -> None:  # noqa: F811
    worker, queue, channel = desk
    message_id = _send(queue, ("il 64 non passa mai " * 300)[:MAX_TEXT_CHARS], 1, too_long=5_000_000)
    worker.run_once()
    assert queue.get(message_id).state == MessageState.AUTO_SENT
    assert "troppo lungo" in channel.posted[0].text and "5000000" in channel.posted[0].text


def test_a_cut_message_that_cries_for_help_still_escalates(desk) -> None:  # noqa: F811
    worker, queue, channel = desk
    text = ("aiuto, un uomo ha un coltello sul bus 64! " + "a" * 5000)[:MAX_TEXT_CHARS]
    message_id = _send(queue, text, 1, too_long=5_000_000)
    worker.run_once()
    assert queue.get(message_id).state == MessageState.ESCALATED and channel.posted == []


def test_x_mentions_and_dms_are_cut_at_x_limit() -> None:
    from bot.channels.x_intake import MAX_TEXT_CHARS as X_MAX
    from bot.channels.x_intake import dm_events, mentions
    from tests.conftest import EVAL_NOW

    page = {"data": [{"id": "9", "text": "@sportello_tpl " + "b" * 20_000 + "\x00", "author_id": "5"}],
            "includes": {"users": [{"id": "5", "username": "c"}]}}
    [message], _ = mentions(page, "1000", EVAL_NOW)
    assert len(message.text) <= X_MAX and message.extras["too_long"] == 20_016 and "\x00" not in message.text
    dms = {"data": [{"id": "3", "event_type": "MessageCreate", "sender_id": "5", "text": "c\ud800" * 6000}]}
    [dm], _ = dm_events(dms, "1000", EVAL_NOW)
    assert len(dm.text) == X_MAX and dm.extras["too_long"] == 12_000 and dm.text.startswith("c?")
