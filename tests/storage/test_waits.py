"""The expected wait: the backlog over the rate agents handled messages at, or nothing without history."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from bot.domain import InboundMessage, MessageState
from storage.queue import MessageQueue
from storage.waits import estimate_wait
from tests.conftest import FixedClock


def _waiting(queue: MessageQueue, n: int) -> int:
    message_id = queue.enqueue(InboundMessage("web", f"w{n}", f"web:{n}", "reclamo", queue.clock(), thread_id=str(n)))
    assert message_id is not None
    queue.transition(message_id, MessageState.ROUTED, actor="bot")
    queue.transition(message_id, MessageState.AWAITING_REVIEW, actor="bot")
    return message_id


def test_no_history_gives_no_estimate(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    _waiting(queue, 0)
    with engine.connect() as conn:
        assert estimate_wait(conn, clock()) is None


def test_six_handled_in_two_hours_and_two_waiting_make_a_range_around_forty_minutes(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    for n in range(6):
        message_id = _waiting(queue, n)
        clock.advance(600)
        queue.transition(message_id, MessageState.CLOSED, actor="agent:anna")
    _waiting(queue, 10)
    _waiting(queue, 11)
    with engine.connect() as conn:
        estimate = estimate_wait(conn, clock() + timedelta(seconds=1))
    assert estimate is not None
    # 6 handled in 120 minutes = one per 20 minutes; 2 waiting: 40 minutes expected, said as 20–60.
    assert (estimate.low_minutes, estimate.high_minutes, estimate.backlog, estimate.handled) == (20, 60, 2, 6)
