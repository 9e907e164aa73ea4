"""Send pacing: a global rate and a per-chat rate, shared by every thread that posts."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Hashable

from bot.channels.backoff import Sleep, default_sleep


class SendPacer:
    """Hands out send slots so no more than the allowed rates leave, overall and per chat.

    ``wait(chat)`` books the earliest slot that respects both the global spacing and the
    chat's own spacing, then sleeps until it. Booking happens under a lock, sleeping
    outside it, so threads posting to different chats do not wait on each other longer
    than the global rate requires.
    """

    def __init__(
        self,
        *,
        global_per_second: float,
        chat_per_second: float,
        group_per_minute: float | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = default_sleep,
    ) -> None:
        self.global_gap = 1.0 / global_per_second
        self.chat_gap = 1.0 / chat_per_second
        self.group_gap = 60.0 / group_per_minute if group_per_minute else self.chat_gap
        self.monotonic = monotonic
        self.sleep = sleep
        self._lock = threading.Lock()
        self._next_global = 0.0
        self._next_chat: dict[Hashable, float] = {}

    def book(self, chat: Hashable, *, group: bool = False) -> float:
        """Reserve the next slot for ``chat``; return how many seconds from now it is."""
        with self._lock:
            now = self.monotonic()
            slot = max(now, self._next_global, self._next_chat.get(chat, 0.0))
            self._next_global = slot + self.global_gap
            self._next_chat[chat] = slot + (self.group_gap if group else self.chat_gap)
            if len(self._next_chat) > 10_000:
                self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}
            return slot - now

    def wait(self, chat: Hashable, *, group: bool = False) -> None:
        """Block until a send to ``chat`` is allowed."""
        self.sleep(self.book(chat, group=group))

    def hold(self, seconds: float) -> None:
        """Push every slot back by ``seconds`` (the platform asked us to slow down)."""
        with self._lock:
            until = self.monotonic() + seconds
            self._next_global = max(self._next_global, until)
