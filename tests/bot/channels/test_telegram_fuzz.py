"""Property-based tests of the Telegram webhook: any update-shaped JSON gets 200 or 400, never a 500."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.channels.base import ChannelContext
from bot.channels.telegram import TelegramChannel
from bot.web.server import build_web_app
from tests.bot.channels.conftest import FakeSleep, telegram_settings
from tests.bot.channels.fake_telegram import FakeTelegram
from tests.fuzzing import bounded, hostile_text, json_values

RIGHT = {"X-Telegram-Bot-Api-Secret-Token": "s3cret", "content-type": "application/json"}


@pytest.fixture
def client(
    telegram_context: ChannelContext, telegram_server: FakeTelegram, engine: Engine, sleeps: FakeSleep
) -> Iterator[TestClient]:
    settings = telegram_settings(
        telegram_server.base_url, engine.url.render_as_string(hide_password=False), mode="webhook",
        webhook_url="https://sportello.example/telegram/webhook", secret_token="s3cret",
        chat_updates_per_minute=1e9, webhook_per_minute=1e9,
    )
    channel = TelegramChannel(ChannelContext(settings, telegram_context.queue, engine, telegram_context.clock), sleep=sleeps)
    channel.start()
    app = build_web_app(settings, engine, telegram_context.queue, clock=telegram_context.clock,
                        extra_routes=channel.routes())
    try:
        yield TestClient(app, raise_server_exceptions=False)
    finally:
        channel.stop()


ids = st.one_of(st.integers(), hostile_text, st.none(), st.floats(allow_nan=False))
users = st.fixed_dictionaries(
    {"id": ids, "is_bot": st.one_of(st.booleans(), hostile_text), "first_name": hostile_text},
    optional={"username": hostile_text, "language_code": hostile_text, "last_name": hostile_text},
)
chats = st.fixed_dictionaries({"id": ids, "type": st.one_of(st.sampled_from(["private", "group", "supergroup"]), hostile_text)})
messages = st.fixed_dictionaries(
    {"message_id": ids, "date": st.one_of(st.integers(), hostile_text), "chat": st.one_of(chats, json_values)},
    optional={
        "from": st.one_of(users, json_values), "text": st.one_of(hostile_text, json_values),
        "caption": hostile_text, "entities": json_values, "sticker": json_values, "photo": json_values,
        "reply_to_message": json_values,
    },
)
updates = st.fixed_dictionaries(
    {"update_id": st.one_of(st.integers(min_value=-(2**63), max_value=2**63), hostile_text)},
    optional={"message": messages, "edited_message": messages, "callback_query": json_values,
              "channel_post": json_values, "my_chat_member": json_values},
)


@bounded(60)
@given(update=st.one_of(updates, json_values))
def test_any_update_gets_200_or_400(client: TestClient, update: object) -> None:
    body = json.dumps(update, ensure_ascii=True).encode()
    response = client.post("/telegram/webhook", content=body, headers=RIGHT)
    assert response.status_code in (200, 400), response.text
