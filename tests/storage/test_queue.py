"""The durable queue on SQLite and PostgreSQL: dedupe, cases, leases, transitions."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bot.domain import InboundMessage, MessageState, as_utc
from bot.errors import InvalidTransition
from storage.db import session_scope
from storage.queue import LeaseLost, MessageQueue
from tests.conftest import FixedClock


def _message(external_id: str = "1", *, thread: str = "t1", text: str = "il 64 è in ritardo?") -> InboundMessage:
    return InboundMessage(
        channel="web",
        external_id=external_id,
        author="citizen-1",
        text=text,
        received_at=FixedClock()(),
        thread_id=thread,
    )


def test_enqueue_stores_a_message_once(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    first = queue.enqueue(_message("m1"))
    again = queue.enqueue(_message("m1"))
    assert first is not None
    assert again is None
    assert queue.get(first).state == MessageState.RECEIVED


def test_messages_in_one_thread_share_a_case(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    a = queue.get(queue.enqueue(_message("a", thread="conv")) or 0)
    b = queue.get(queue.enqueue(_message("b", thread="conv")) or 0)
    c = queue.get(queue.enqueue(_message("c", thread="other")) or 0)
    assert a.case_id == b.case_id
    assert c.case_id != a.case_id


def test_claim_gives_each_message_to_one_worker(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    queue.enqueue(_message("only"))
    first = queue.claim("w1", 30)
    second = queue.claim("w2", 30)
    assert first is not None
    assert second is None


def test_expired_lease_lets_another_worker_take_the_message(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    queue.enqueue(_message("m"))
    first = queue.claim("w1", 30)
    clock.advance(31)
    second = queue.claim("w2", 30)
    assert first is not None and second is not None
    assert second.message_id == first.message_id
    with pytest.raises(LeaseLost):
        with session_scope(engine) as session:
            queue.held(session, first)


def test_claims_take_oldest_first(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    ids = [queue.enqueue(_message(str(i))) for i in range(3)]
    claimed = [queue.claim(f"w{i}", 30) for i in range(3)]
    assert [c.message_id for c in claimed if c] == ids


def test_claim_can_be_limited_to_channels(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    queue.enqueue(_message("web-1"))
    assert queue.claim("w1", 30, channels=["telegram"]) is None
    assert queue.claim("w1", 30, channels=["web"]) is not None


def test_every_transition_is_recorded_with_actor(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    message_id = queue.enqueue(_message("m")) or 0
    queue.transition(message_id, MessageState.ROUTED, actor="bot")
    clock.advance(5)
    queue.transition(message_id, MessageState.AWAITING_REVIEW, actor="bot")
    queue.transition(message_id, MessageState.APPROVED, actor="agent:giulia")
    history = queue.history(message_id)
    assert [(h.from_state, h.to_state, h.actor) for h in history] == [
        (None, "received", "channel:web"),
        ("received", "routed", "bot"),
        ("routed", "awaiting_review", "bot"),
        ("awaiting_review", "approved", "agent:giulia"),
    ]
    assert as_utc(history[-1].at) == clock.now


def test_a_forbidden_transition_is_refused(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    message_id = queue.enqueue(_message("m")) or 0
    with pytest.raises(InvalidTransition):
        queue.transition(message_id, MessageState.SENT, actor="bot")
    assert queue.get(message_id).state == MessageState.RECEIVED


def test_extend_renews_a_held_lease(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    queue.enqueue(_message("m"))
    claim = queue.claim("w1", 30)
    assert claim is not None
    clock.advance(20)
    renewed = queue.extend(claim, 30)
    clock.advance(20)
    assert queue.claim("w2", 30) is None
    assert renewed.lease_until > claim.lease_until


def test_release_returns_the_message_to_the_queue(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    queue.enqueue(_message("m"))
    claim = queue.claim("w1", 30)
    assert claim is not None
    queue.release(claim, error="boom")
    again = queue.claim("w2", 30)
    assert again is not None and again.message_id == claim.message_id
    assert queue.get(claim.message_id).last_error == "boom"


def test_release_with_retry_in_keeps_the_message_back_until_then(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    queue.enqueue(_message("m"))
    claim = queue.claim("w1", 30)
    assert claim is not None
    queue.release(claim, error="channel down", retry_in=10)
    assert queue.claim("w2", 30) is None
    clock.advance(11)
    assert queue.claim("w2", 30) is not None
