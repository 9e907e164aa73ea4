"""Failed platform calls, counted per channel and kind by the adapters that make them (for ``/metrics``).

Each failed attempt counts once, retries included: a call that fails twice then succeeds
counts two. The counts are this process's own (Prometheus sums them across processes).
"""

from __future__ import annotations

import threading
from collections import Counter
from enum import StrEnum


class CallFailure(StrEnum):
    """How a platform call failed."""

    AUTH = "auth"  # credentials refused
    RATE_LIMITED = "rate_limited"  # the platform asked us to wait
    TIMEOUT = "timeout"  # no answer in time (the outcome of a post may be unknown)
    UNAVAILABLE = "unavailable"  # the platform failed (5xx) or could not be reached
    REFUSED = "refused"  # the platform refused this request (bad request, not allowed, blocked)
    FAILED = "failed"  # any other failure


class CallErrors:
    """A thread-safe count of failed calls by ``(channel, kind)``."""

    def __init__(self) -> None:
        self._counts: Counter[tuple[str, CallFailure]] = Counter()
        self._lock = threading.Lock()

    def record(self, channel: str, kind: CallFailure) -> None:
        """Count one failed call."""
        with self._lock:
            self._counts[(channel, kind)] += 1

    def counts(self) -> dict[tuple[str, CallFailure], int]:
        """Every count so far."""
        with self._lock:
            return dict(self._counts)


#: The process's count, written by the channel adapters and read by ``/metrics``.
CALL_ERRORS = CallErrors()


def record_call_error(channel: str, kind: CallFailure) -> None:
    """Count one failed call of ``channel`` in this process."""
    CALL_ERRORS.record(channel, kind)
