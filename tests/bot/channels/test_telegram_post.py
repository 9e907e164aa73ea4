"""A plain-text staff message through the Telegram adapter, against the fake Bot API."""

from __future__ import annotations

import pytest

from bot.channels.telegram_post import fit, post_text
from bot.channels.telegram_text import utf16_length
from bot.config import TelegramChannelSettings
from bot.errors import ChannelAuthError, ChannelError
from bot.ops.call_errors import CALL_ERRORS, CallFailure
from tests.bot.channels.fake_telegram import TOKEN, FakeTelegram


def _settings(server: FakeTelegram, token: str = TOKEN) -> TelegramChannelSettings:
    return TelegramChannelSettings(base_url=server.base_url, token=token)


def test_the_text_is_posted_plain_to_the_chat(telegram_server: FakeTelegram) -> None:
    post_text(_settings(telegram_server), "-100123", "Oltre l'obiettivo: <3 messaggi>")
    assert str(telegram_server.sent[0]["chat_id"]) == "-100123"
    assert telegram_server.sent[0]["text"] == "Oltre l'obiettivo: <3 messaggi>"
    assert "parse_mode" not in telegram_server.sent[0]


def test_a_refusal_is_a_channel_error_and_counted(telegram_server: FakeTelegram) -> None:
    before = CALL_ERRORS.counts().get(("telegram", CallFailure.REFUSED), 0)
    telegram_server.fail("sendMessage", 400, description="Bad Request: chat not found")
    with pytest.raises(ChannelError, match="chat not found"):
        post_text(_settings(telegram_server), "-1", "ciao")
    assert CALL_ERRORS.counts()[("telegram", CallFailure.REFUSED)] == before + 1


def test_a_rejected_token_is_an_auth_error(telegram_server: FakeTelegram) -> None:
    with pytest.raises(ChannelAuthError):
        post_text(_settings(telegram_server, token="999:wrong"), "-1", "ciao")


def test_a_long_text_is_cut_to_telegrams_limit_counting_utf16() -> None:
    cut = fit("🚇" * 3000)
    assert utf16_length(cut) <= 4096 and cut.endswith("…")
    assert fit("breve") == "breve"
