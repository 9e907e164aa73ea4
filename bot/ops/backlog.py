"""What waits in the queue, lane by lane: how many messages and how long the oldest has waited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Engine, case, func, select

from bot.domain import Intent, MessageState, as_utc
from storage.db import reading
from storage.models import Message


class Lane(StrEnum):
    """Where a waiting message waits: for a worker, or for a person (emergencies apart)."""

    ROUTING = "routing"  # received or routed: a worker has to read it
    SENDING = "sending"  # approved or edited by an agent: a worker has to post it
    REVIEW = "review"  # a person has to look at the draft
    ESCALATED = "escalated"  # handed to a person
    EMERGENCY = "emergency"  # an emergency waiting for a person


#: The lane of each waiting state (emergencies waiting for a person are moved to their own lane).
STATE_LANES: dict[MessageState, Lane] = {
    MessageState.RECEIVED: Lane.ROUTING,
    MessageState.ROUTED: Lane.ROUTING,
    MessageState.APPROVED: Lane.SENDING,
    MessageState.EDITED: Lane.SENDING,
    MessageState.AWAITING_REVIEW: Lane.REVIEW,
    MessageState.ESCALATED: Lane.ESCALATED,
}
_PERSON_LANES = (Lane.REVIEW, Lane.ESCALATED)


@dataclass(frozen=True)
class LaneBacklog:
    """One lane now: messages in it and the wait of the oldest, in seconds (0 when empty)."""

    lane: Lane
    depth: int
    oldest_seconds: float


def lane_backlog(engine: Engine, now: datetime) -> list[LaneBacklog]:
    """Every lane, empty ones included, read from the database in one statement."""
    emergency = case((Message.intent == str(Intent.EMERGENCY), 1), else_=0).label("emergency")
    query = (
        select(Message.state, emergency, func.count(), func.min(Message.received_at))
        .where(Message.state.in_([str(s) for s in STATE_LANES]))
        .group_by(Message.state, emergency)
    )
    depth = {lane: 0 for lane in Lane}
    oldest: dict[Lane, datetime] = {}
    with reading(engine).connect() as conn:
        rows = conn.execute(query).all()
    for state, is_emergency, count, first in rows:
        lane = STATE_LANES[MessageState(state)]
        if is_emergency and lane in _PERSON_LANES:
            lane = Lane.EMERGENCY
        depth[lane] += int(count)
        if first is not None:
            first = as_utc(first)
            oldest[lane] = min(oldest.get(lane, first), first)
    now = as_utc(now)
    return [
        LaneBacklog(lane, depth[lane], max(0.0, (now - oldest[lane]).total_seconds()) if lane in oldest else 0.0)
        for lane in Lane
    ]
