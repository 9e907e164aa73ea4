"""The emergency lane through ``sportello run``: a safety reply at once on the web chat and Telegram, the ops room told."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.bot.channels.fake_telegram import FakeTelegram
from tests.bot.live_channels import ChannelService, within

#: How long the tests wait for the safety reply before calling it missing. The promise itself (there within
#: two seconds) is a speed figure, measured by bench/emergency_bench.py, not asserted here: a test that fails
#: when the machine is busy says nothing about the code.
SAFETY_DEADLINE = 30.0
OPS_CHAT = "-100777"


@pytest.fixture
def telegram() -> Iterator[FakeTelegram]:
    server = FakeTelegram().start()
    yield server
    server.stop()


@pytest.fixture
def service(db_url: str, telegram: FakeTelegram) -> Iterator[ChannelService]:
    live = ChannelService(db_url, telegram=telegram, emergency={"notify_telegram_chat": OPS_CHAT}).start()
    yield live
    live.stop()


def _first_poll(telegram: FakeTelegram) -> None:
    assert within(20, lambda: telegram.called("getUpdates")), "the Telegram channel never polled"


def test_emergency_safety_reply_reaches_the_web_chat_at_once(service: ChannelService) -> None:
    with httpx.Client(base_url=service.url) as http:
        sent = http.post("/api/chat", json={"text": "aiuto, un uomo è svenuto sul binario a Termini"})
        assert sent.status_code == 202

        def safety() -> list[dict[str, Any]]:
            messages = http.get("/api/chat").json()["messages"]
            return [m for m in messages if m["role"] == "bot"]

        said = within(SAFETY_DEADLINE, safety)
    assert said, "no safety reply in the web chat"
    assert "112" in said[0]["text"] and "personale di stazione" in said[0]["text"]
    assert "svenuto" not in said[0]["text"]


def test_emergency_safety_reply_reaches_telegram_in_english_and_the_ops_room(
    service: ChannelService, telegram: FakeTelegram
) -> None:
    _first_poll(telegram)
    telegram.push("message", telegram.message("Someone fainted on the train at Termini, please help!", chat_id=6001, user_id=6001, lang="en"))

    def to_citizen() -> list[dict[str, Any]]:
        return [s for s in telegram.sent if s["chat_id"] == 6001]

    said = within(SAFETY_DEADLINE, to_citizen)
    assert said, "no safety reply on Telegram"
    assert "call 112" in said[0]["text"] and "fainted" not in said[0]["text"]
    ops = within(SAFETY_DEADLINE, lambda: [s for s in telegram.sent if str(s["chat_id"]) == OPS_CHAT])
    assert ops and "fainted" in ops[0]["text"]
    assert len(to_citizen()) == 1


def test_emergency_in_a_telegram_group_is_answered_in_private_without_echo(
    service: ChannelService, telegram: FakeTelegram
) -> None:
    _first_poll(telegram)
    telegram.push(
        "message",
        telegram.message(
            "@sportello_bot c'è un incendio alla fermata, aiuto!", chat_id=-100500, user_id=6002,
            chat_type="supergroup",
            entities=[{"type": "mention", "offset": 0, "length": 14}],
        ),
    )
    said = within(SAFETY_DEADLINE, lambda: [s for s in telegram.sent if s["chat_id"] in (6002, -100500)])
    assert said, "no safety reply for the group message"
    assert said[0]["chat_id"] == 6002
    assert "112" in said[0]["text"] and "incendio" not in said[0]["text"]
