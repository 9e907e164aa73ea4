"""Retrying platform calls: exponential back-off with jitter, and waits the platform asks for."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

Sleep = Callable[[float], None]


@dataclass
class Backoff:
    """Delays of ``base * 2**attempt`` capped at ``cap``, each drawn in its upper half.

    Half of the delay is fixed and half random ("equal jitter"), so retries from many
    processes spread out but never hammer the platform at once.
    """

    base: float = 1.0
    cap: float = 60.0
    retries: int = 4
    rng: random.Random = field(default_factory=random.Random)

    def delay(self, attempt: int) -> float:
        """Seconds to wait before retry number ``attempt`` (0 for the first retry)."""
        ceiling = min(self.cap, self.base * (2**attempt))
        return ceiling / 2 + self.rng.uniform(0, ceiling / 2)


def default_sleep(seconds: float) -> None:
    """Sleep, ignoring non-positive waits."""
    if seconds > 0:
        time.sleep(seconds)
