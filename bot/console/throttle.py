"""Sign-in throttling: failures counted per account and per address, and a cap on password checks.

Failures are kept in this process (several processes each count their own). A paused account
stays paused even for the right password, until the window has passed. Password checks run
at most ``concurrent`` at a time; one more is refused at once instead of queueing (each
argon2id check holds 64 MiB).
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.config import ConsoleSettings

#: The most accounts or addresses remembered; the least recently failed are forgotten first.
MAX_KEYS = 20_000


class _Failures:
    def __init__(self, allowed: int, window: timedelta) -> None:
        self.allowed = allowed
        self.window = window
        self._seen: OrderedDict[str, deque[datetime]] = OrderedDict()

    def wait(self, key: str, now: datetime) -> timedelta:
        times = self._seen.get(key)
        if not times:
            return timedelta(0)
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.allowed:
            return timedelta(0)
        return times[-self.allowed] + self.window - now

    def add(self, key: str, now: datetime) -> None:
        times = self._seen.pop(key, None) or deque(maxlen=self.allowed)
        times.append(now)
        self._seen[key] = times
        while len(self._seen) > MAX_KEYS:
            self._seen.popitem(last=False)

    def clear(self, key: str) -> None:
        self._seen.pop(key, None)


@dataclass
class LoginThrottle:
    """Who may try a password now, and room for the password checks themselves."""

    per_account: _Failures
    per_address: _Failures
    gate: threading.BoundedSemaphore
    lock: threading.Lock

    @classmethod
    def from_settings(cls, console: ConsoleSettings) -> LoginThrottle:
        window = timedelta(minutes=console.login_pause_minutes)
        return cls(
            _Failures(console.login_failures_per_account, window),
            _Failures(console.login_failures_per_address, window),
            threading.BoundedSemaphore(console.concurrent_logins),
            threading.Lock(),
        )

    def paused_for(self, username: str, address: str, now: datetime) -> timedelta:
        """How long sign-in stays paused for this account or address (zero: go ahead)."""
        with self.lock:
            return max(self.per_account.wait(_account(username), now), self.per_address.wait(address, now))

    def failed(self, username: str, address: str, now: datetime) -> None:
        """Count a wrong password (or unknown user) against both."""
        with self.lock:
            self.per_account.add(_account(username), now)
            self.per_address.add(address, now)

    def succeeded(self, username: str) -> None:
        """The right password: the account's count starts again."""
        with self.lock:
            self.per_account.clear(_account(username))

    def try_enter(self) -> bool:
        """Take a password-check slot without waiting; False when all are busy."""
        return self.gate.acquire(blocking=False)

    def leave(self) -> None:
        """Give the slot back."""
        self.gate.release()


def _account(username: str) -> str:
    return username.strip().lower()[:64]
