"""Failed platform calls, counted per channel and kind by the adapters that make them (for ``/metrics``).

Each failed attempt counts once, retries included: a call that fails twice then succeeds
counts two. The counts are this process's own (Prometheus sums them across processes); a
worker process copies its counts into a shared array its parent reads (``SLOTS``).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping, MutableSequence, Sequence
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


Counts = Mapping[tuple[str, CallFailure], int]

#: The channels whose adapters call a platform, as the shared array of a worker process holds them.
PLATFORM_CHANNELS = ("telegram", "x")
#: The place of each ``(channel, kind)`` in a worker process's shared array of counts.
SLOTS: tuple[tuple[str, CallFailure], ...] = tuple((c, k) for c in PLATFORM_CHANNELS for k in CallFailure)


def copy_counts(counts: Counts, shared: MutableSequence[int]) -> None:
    """Write ``counts`` into ``shared`` (``len(SLOTS)`` long) for a parent process to read."""
    for index, key in enumerate(SLOTS):
        shared[index] = counts.get(key, 0)


def shared_counts(shared: Sequence[int]) -> dict[tuple[str, CallFailure], int]:
    """The counts a worker process copied into ``shared``."""
    return {key: int(shared[index]) for index, key in enumerate(SLOTS) if shared[index]}


def summed(parts: Iterable[Counts]) -> dict[tuple[str, CallFailure], int]:
    """The counts of several processes added up."""
    total: Counter[tuple[str, CallFailure]] = Counter()
    for part in parts:
        total.update(part)
    return dict(total)


#: The process's count, written by the channel adapters and read by ``/metrics``.
CALL_ERRORS = CallErrors()


def record_call_error(channel: str, kind: CallFailure) -> None:
    """Count one failed call of ``channel`` in this process."""
    CALL_ERRORS.record(channel, kind)
