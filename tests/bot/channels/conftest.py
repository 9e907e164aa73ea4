"""Fixtures for the channel adapters: fake platform servers, settings pointed at them, a fake sleep."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.channels.base import ChannelContext
from bot.config import Settings
from storage.queue import MessageQueue
from tests.bot.channels import fake_telegram, fake_x
from tests.bot.channels.fake_telegram import FakeTelegram
from tests.bot.channels.fake_x import FakeX
from tests.conftest import FixedClock


class FakeSleep:
    """Records every wait and moves the test clock instead of sleeping."""

    def __init__(self, clock: FixedClock) -> None:
        self.clock = clock
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
        if seconds > 0:
            self.clock.advance(seconds)


@pytest.fixture
def sleeps(clock: FixedClock) -> FakeSleep:
    return FakeSleep(clock)


@pytest.fixture
def x_server(clock: FixedClock) -> Iterator[FakeX]:
    server = FakeX(clock).start()
    yield server
    server.stop()


def x_settings(base_url: str, db_url: str = "sqlite://", **overrides: Any) -> Settings:
    """Settings with only the X channel on, signed with the fake server's keys."""
    x = {
        "enabled": True,
        "base_url": base_url,
        "bearer_token": "bearer-test",
        "consumer_key": fake_x.CONSUMER_KEY,
        "consumer_secret": fake_x.CONSUMER_SECRET,
        "access_token": fake_x.ACCESS_TOKEN,
        "access_token_secret": fake_x.ACCESS_TOKEN_SECRET,
        "timeout_seconds": 2.0,
        **overrides,
    }
    return Settings(
        storage={"url": db_url},
        channels={"web": {"enabled": False}, "x": x, "telegram": {"enabled": False}},
    )


@pytest.fixture
def queue(engine: Engine, clock: FixedClock) -> MessageQueue:
    return MessageQueue(engine, clock=clock)


@pytest.fixture
def x_context(engine: Engine, clock: FixedClock, queue: MessageQueue, x_server: FakeX, db_url: str) -> ChannelContext:
    return ChannelContext(x_settings(x_server.base_url, db_url), queue, engine, clock)


@pytest.fixture
def telegram_server() -> Iterator[FakeTelegram]:
    server = FakeTelegram().start()
    yield server
    server.stop()


def telegram_settings(base_url: str, db_url: str = "sqlite://", **overrides: Any) -> Settings:
    """Settings with only the Telegram channel on, pointed at the fake Bot API."""
    telegram = {
        "enabled": True,
        "base_url": base_url,
        "token": fake_telegram.TOKEN,
        "long_poll_seconds": 0,
        "timeout_seconds": 2.0,
        **overrides,
    }
    return Settings(
        storage={"url": db_url},
        channels={"web": {"enabled": False}, "x": {"enabled": False}, "telegram": telegram},
    )


@pytest.fixture
def telegram_context(
    engine: Engine, clock: FixedClock, queue: MessageQueue, telegram_server: FakeTelegram, db_url: str
) -> ChannelContext:
    return ChannelContext(telegram_settings(telegram_server.base_url, db_url), queue, engine, clock)
