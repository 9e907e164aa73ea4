"""A live ``sportello run`` (workers, scheduler, web chat, console) with Telegram at the fake Bot API."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import uvicorn

from bot.app import Application
from bot.config import Settings
from tests.bot.channels import fake_telegram
from tests.bot.channels.fake_telegram import FakeTelegram
from tests.bot.console.live import free_port, wait_until


def within(seconds: float, check: Callable[[], Any]) -> Any:
    """``check()`` polled until it is truthy or ``seconds`` have passed; its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


class ChannelService:
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
        self.settings = Settings(**data)
        self.app = Application(self.settings)
        config = uvicorn.Config(self.app.web_app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="uvicorn", daemon=True)

    def start(self) -> ChannelService:
        self.app.start_background()
        self.thread.start()
        wait_until(lambda: self.server.started, timeout=20)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.app.stop()
