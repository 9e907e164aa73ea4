"""Send pacing: a global rate and a per-chat rate, shared by every thread that posts."""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Hashable

from bot.channels.backoff import Sleep, default_sleep


class SendPacer:
    """Hands out send slots so no more than the allowed rates leave, overall and per chat.

    ``wait(chat)`` books the earliest instant that keeps the chat's own spacing and leaves
    fewer than ``global_per_second`` sends in any one-second window, then sleeps until it.
    Booking happens under a lock, sleeping outside it, so a busy chat never holds up others.
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
        self.global_per_second = max(1, int(global_per_second))
        self.chat_gap = 1.0 / chat_per_second
        self.group_gap = 60.0 / group_per_minute if group_per_minute else self.chat_gap
        self.monotonic = monotonic
        self.sleep = sleep
        self._lock = threading.Lock()
        self._booked: list[float] = []
        self._next_chat: dict[Hashable, float] = {}
        self._held_until = 0.0

    def book(self, chat: Hashable, *, group: bool = False) -> float:
        """Reserve the next slot for ``chat``; return how many seconds from now it is."""
        with self._lock:
            now = self.monotonic()
            del self._booked[: bisect.bisect_left(self._booked, now - 1.0)]
            slot = max(now, self._held_until, self._next_chat.get(chat, 0.0))
            while True:
                window = self._booked[bisect.bisect_right(self._booked, slot - 1.0) : bisect.bisect_right(self._booked, slot)]
                if len(window) < self.global_per_second:
                    break
                slot = window[0] + 1.0 + 1e-6
            bisect.insort(self._booked, slot)
            self._next_chat[chat] = slot + (self.group_gap if group else self.chat_gap)
            if len(self._next_chat) > 10_000:
                self._next_chat = {k: v for k, v in self._next_chat.items() if v > now}
            return slot - now

    def wait(self, chat: Hashable, *, group: bool = False) -> None:
        """Block until a send to ``chat`` is allowed."""
        self.sleep(self.book(chat, group=group))

    def hold(self, seconds: float) -> None:
        """Book nothing for ``seconds`` (the platform asked us to slow down)."""
        with self._lock:
            self._held_until = max(self._held_until, self.monotonic() + seconds)
