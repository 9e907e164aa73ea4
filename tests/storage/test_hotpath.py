"""The queue's fast path: one-statement claims, short intake writes, read-only sessions, true duplicates."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from bot.domain import WORK_STATES, InboundMessage, MessageState
from storage.db import optimize, read_session
from storage.hotpath import record_posted, record_route
from storage.models import WORK_STATES_SQL, Message
from storage.queue import LeaseLost, MessageNotStored, MessageQueue
from tests.conftest import FixedClock


def _message(external_id: str, *, thread: str = "t1") -> InboundMessage:
    return InboundMessage("web", external_id, "citizen-1", "il 64 è in ritardo?", FixedClock()(), thread_id=thread)


def test_the_partial_index_condition_names_every_work_state() -> None:
    named = WORK_STATES_SQL.split("(", 1)[1].rstrip(")").replace("'", "").split(", ")
    assert sorted(named) == sorted(str(s) for s in WORK_STATES)


def test_claim_many_takes_the_oldest_messages_with_their_rows(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    ids = [queue.enqueue(_message(f"m{i}", thread=f"t{i}")) for i in range(5)]
    claims = queue.claim_many("w1", 30, limit=3)
    assert [c.message_id for c in claims] == ids[:3]
    assert claims[0].message is not None and claims[0].message.text == "il 64 è in ritardo?"
    assert claims[0].message.attempts == 1
    rest = queue.claim_many("w2", 30, limit=10)
    assert [c.message_id for c in rest] == ids[3:]


def test_storing_a_message_wakes_the_workers(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    assert not queue.wait_for_work(0)
    queue.enqueue(_message("m1"))
    assert queue.wait_for_work(0)


def test_a_routed_message_is_written_with_its_outbox_row_at_once(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    message_id = queue.enqueue(_message("m1"))
    claim = queue.claim("w1", 30)
    assert claim is not None
    reply = {
        "message_id": message_id, "case_id": claim.message.case_id if claim.message else None, "channel": "web",
        "text": "ok", "lang": "it", "author": "bot", "status": "pending", "external_ids": [], "attempts": 1,
        "created_at": clock(),
    }
    reply_id = record_route(
        engine, claim, clock(), values={"intent": "status", "action": "auto"},
        path=[MessageState.ROUTED], problems=[], reply=reply,
    )
    assert [r.status for r in queue.replies_for(message_id or 0)] == ["pending"]
    record_posted(
        engine, claim, clock(), reply_id=reply_id or 0, external_ids=["x1"],
        start=MessageState.ROUTED, to=MessageState.AUTO_SENT,
    )
    row = queue.get(message_id or 0)
    assert row.state == MessageState.AUTO_SENT and row.lease_owner is None
    assert [t.to_state for t in queue.history(message_id or 0)] == ["received", "routed", "auto_sent"]
    assert [(r.status, r.external_ids) for r in queue.replies_for(message_id or 0)] == [("posted", ["x1"])]


def test_a_write_after_the_lease_ran_out_changes_nothing(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    message_id = queue.enqueue(_message("m1"))
    claim = queue.claim("w1", 30)
    assert claim is not None
    clock.advance(31)
    assert queue.claim("w2", 30) is not None
    with pytest.raises(LeaseLost):
        record_route(engine, claim, clock(), values={}, path=[MessageState.ROUTED], problems=[], reply=None)
    assert queue.get(message_id or 0).state == MessageState.RECEIVED
    assert [t.to_state for t in queue.history(message_id or 0)] == ["received"]


def test_reading_does_not_wait_for_a_writer_on_sqlite(engine: Engine, clock: FixedClock) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the write lock is SQLite's")
    queue = MessageQueue(engine, clock=clock)
    message_id = queue.enqueue(_message("m1")) or 0
    writer = sqlite3.connect(make_url(str(engine.url)).database or "", isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    try:
        got: list[str] = []
        reader = threading.Thread(target=lambda: got.append(queue.get(message_id).state))
        reader.start()
        reader.join(timeout=5)
        assert got == ["received"]
        with read_session(engine) as session:
            assert session.get(Message, message_id) is not None
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def test_a_duplicate_is_only_the_same_channel_and_external_id(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    assert queue.enqueue(_message("m1")) is not None
    assert queue.enqueue(_message("m1")) is None
    assert queue.enqueue(InboundMessage("x", "m1", "a", "ciao", clock(), thread_id="t1")) is not None


def test_a_message_refused_for_another_reason_is_an_error_not_a_duplicate(
    engine: Engine, clock: FixedClock
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("needs a sequence that can fall behind")
    queue = MessageQueue(engine, clock=clock)
    for i in range(3):
        queue.enqueue(_message(f"m{i}"))
    with engine.begin() as conn:  # as after a restore or a bulk load
        conn.execute(text("SELECT setval(pg_get_serial_sequence('messages', 'id'), 1)"))
    with pytest.raises(MessageNotStored, match="web/new"):
        queue.enqueue(_message("new"))
    with engine.begin() as conn:
        conn.execute(text("SELECT setval(pg_get_serial_sequence('messages', 'id'), (SELECT max(id) FROM messages))"))
    assert queue.enqueue(_message("new")) is not None  # nothing was half stored


def test_statistics_can_be_refreshed(engine: Engine) -> None:
    optimize(engine)
    optimize(engine)
