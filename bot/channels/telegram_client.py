"""python-telegram-bot's Bot on its own event loop thread, so sportello's threads can call it."""

from __future__ import annotations

import asyncio
import threading
import warnings
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from telegram import Bot
from telegram.error import RetryAfter
from telegram.request import HTTPXRequest
from telegram.warnings import PTBDeprecationWarning

from bot.config import TelegramChannelSettings

T = TypeVar("T")


class LoopThread:
    """An asyncio loop running in a daemon thread; ``run`` waits for a coroutine's result."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self.thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run ``coroutine`` on the loop and return its result (its exception is raised here)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        """Stop the loop and its thread."""
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(timeout=5)
        if not self.loop.is_running():
            self.loop.close()


def make_bot(settings: TelegramChannelSettings) -> Bot:
    """A Bot talking to ``settings.base_url`` with the configured timeouts."""
    timeout = settings.timeout_seconds
    request = HTTPXRequest(
        connection_pool_size=8, read_timeout=timeout, write_timeout=timeout, connect_timeout=timeout
    )
    updates = HTTPXRequest(
        connection_pool_size=1,
        read_timeout=settings.long_poll_seconds + timeout,
        write_timeout=timeout,
        connect_timeout=timeout,
    )
    assert settings.token is not None
    return Bot(settings.token, base_url=settings.base_url, request=request, get_updates_request=updates)


def retry_after_seconds(exc: RetryAfter) -> float:
    """The wait Telegram asked for, in seconds (PTB gives an int or a timedelta)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
