"""How long a citizen will wait for a person: the backlog now over the recent handling rate."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, func, select

from bot.domain import HUMAN_STATES
from storage.models import Message, Transition

#: Windows the handling rate is measured over, shortest first; the first with enough history wins.
WINDOWS = (timedelta(hours=2), timedelta(hours=24))
#: Fewer messages handled by people than this in a window is too little history to estimate from.
MIN_HANDLED = 3


@dataclass(frozen=True)
class WaitEstimate:
    """An honest range of minutes, from ``backlog`` messages and ``handled`` in the window."""

    low_minutes: int
    high_minutes: int
    backlog: int
    handled: int


def estimate_wait(conn: Connection, now: datetime) -> WaitEstimate | None:
    """The expected wait as a range, or None when there is no history to estimate it from."""
    waiting = [str(s) for s in HUMAN_STATES]
    backlog = conn.execute(
        select(func.count(Message.id)).where(Message.state.in_(waiting))  # type: ignore[arg-type, attr-defined]
    ).scalar_one()
    for window in WINDOWS:
        handled = conn.execute(
            select(func.count(Transition.id)).where(  # type: ignore[arg-type]
                Transition.from_state.in_(waiting),  # type: ignore[union-attr]
                Transition.actor.like("agent:%"),  # type: ignore[attr-defined]
                Transition.at >= now - window,  # type: ignore[operator]
            )
        ).scalar_one()
        if handled >= MIN_HANDLED:
            per_minute = handled / (window.total_seconds() / 60)
            expected = max(backlog, 1) / per_minute
            low = max(1, math.floor(expected * 0.5))
            high = max(low + 4, math.ceil(expected * 1.5))
            return WaitEstimate(low, _round_up(high), backlog, handled)
    return None


def _round_up(minutes: int) -> int:
    """Minutes rounded up to a figure people say: 5, 10, 15 … then whole hours."""
    if minutes <= 60:
        return int(math.ceil(minutes / 5) * 5)
    return int(math.ceil(minutes / 60) * 60)
