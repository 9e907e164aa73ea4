"""A live ``sportello run`` (workers, scheduler, web chat, console) with Telegram at the fake Bot API."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


from bot.config import Settings
from tests.bot.channels import fake_telegram
from tests.bot.channels.fake_telegram import FakeTelegram
from tests.bot.console.live import ServedApplication, free_port


def within(seconds: float, check: Callable[[], Any]) -> Any:
    """``check()`` polled until it is truthy or ``seconds`` have passed; its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


class ChannelService(ServedApplication):
    """``sportello run`` in this process, with any settings sections overridden."""

    def __init__(self, db_url: str, *, telegram: FakeTelegram | None = None, **sections: Any) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        data: dict[str, Any] = {
            "storage": {"url": db_url},
            "web": {"host": "127.0.0.1", "port": self.port, "secret_key": "channel-test-secret"},
            "workers": {"count": 1, "idle_seconds": 0.02},
            "console": {"poll_seconds": 0.5},
            "channels": {"x": {"enabled": False}, "telegram": {"enabled": False}},
        }
        if telegram is not None:
            data["channels"]["telegram"] = {
                "enabled": True, "base_url": telegram.base_url, "token": fake_telegram.TOKEN,
                "long_poll_seconds": 0, "poll_seconds": 0.1, "timeout_seconds": 2.0,
            }
        for key, value in sections.items():
            data[key] = {**data.get(key, {}), **value}
        self._serve(Settings(**data))
