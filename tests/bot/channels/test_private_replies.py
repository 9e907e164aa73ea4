"""Safety replies go to the citizen alone where the platform allows, and never echo their words in public."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.channels.base import ChannelContext
from bot.channels.telegram import TelegramChannel
from bot.channels.x import XChannel
from bot.domain import OutboundReply
from tests.bot.channels.conftest import FakeSleep
from tests.bot.channels.fake_telegram import FakeTelegram
from tests.bot.channels.fake_x import FakeX

SAFETY = "Se qualcuno è in pericolo chiama subito il 112. Avvisa il conducente o il personale di stazione."
GROUP = -100200300


@pytest.fixture
def x(x_context: ChannelContext, sleeps: FakeSleep) -> XChannel:
    channel = XChannel(x_context, sleep=sleeps)
    channel.start()
    return channel


@pytest.fixture
def tg(telegram_context: ChannelContext, sleeps: FakeSleep) -> Iterator[TelegramChannel]:
    channel = TelegramChannel(telegram_context, sleep=sleeps)
    channel.start()
    yield channel
    channel.stop()


def _to_mention(tweet: str) -> OutboundReply:
    return OutboundReply(1, "x", SAFETY, "it", tweet, tweet, "2001", {"x_kind": "mention"}, private=True)


def _to_group() -> OutboundReply:
    extras = {"chat_id": GROUP, "message_id": 9, "chat_type": "supergroup"}
    return OutboundReply(1, "telegram", SAFETY, "it", f"{GROUP}:6002", f"{GROUP}:9", "6002", extras, private=True)


def test_a_safety_reply_to_a_public_mention_goes_by_dm(x: XChannel, x_server: FakeX) -> None:
    tweet = x_server.mention("@sportello_tpl aiuto, un uomo è svenuto sul 64")
    result = x.post(_to_mention(tweet))
    assert x_server.posted() == []
    [dm] = x_server.sent_dms()
    assert dm["text"] == SAFETY and "2001" in dm["dm_conversation_id"]
    assert result.external_ids == (f"dm:{dm['id']}",)


def test_when_x_refuses_the_dm_the_safety_reply_is_public_and_does_not_echo(x: XChannel, x_server: FakeX) -> None:
    tweet = x_server.mention("@sportello_tpl aiuto, un uomo è svenuto sul 64")
    x_server.fail("POST", "/2/dm_conversations", 403, body={"title": "Forbidden", "detail": "You cannot send messages to this user.", "status": 403})
    x.post(_to_mention(tweet))
    [public] = x_server.posted()
    assert public["referenced_tweets"] == [{"type": "replied_to", "id": tweet}]
    assert "svenuto" not in public["text"] and "112" in public["text"]
    assert not x.stopped


def test_a_safety_reply_to_a_telegram_group_goes_to_the_citizens_private_chat(tg: TelegramChannel, telegram_server: FakeTelegram) -> None:
    tg.post(_to_group())
    [sent] = telegram_server.sent
    assert sent["chat_id"] == 6002 and "reply_parameters" not in sent


def test_when_the_citizen_never_started_the_bot_the_safety_reply_goes_to_the_group_unquoted(
    tg: TelegramChannel, telegram_server: FakeTelegram
) -> None:
    telegram_server.fail("sendMessage", 403, description="Forbidden: bot can't initiate conversation with a user")
    tg.post(_to_group())
    [sent] = telegram_server.sent
    assert sent["chat_id"] == GROUP and "reply_parameters" not in sent
