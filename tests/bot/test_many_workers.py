"""Several ``sportello run`` processes on one database: every message answered exactly once."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from bot.domain import InboundMessage, MessageState, utcnow
from storage.models import Message, Reply
from storage.queue import MessageQueue
from tests.bot.test_crash_recovery import DEADLINE, running

QUESTIONS = ["il tram 8 funziona oggi?", "quanto costa il biglietto?", "grazie mille, gentilissimi!"]


def test_two_processes_share_the_queue_and_answer_each_message_once(db_url: str, engine: Engine) -> None:
    queue = MessageQueue(engine)
    total = 60
    for i in range(total):
        text = QUESTIONS[i % len(QUESTIONS)]
        queue.enqueue(InboundMessage("web", f"m{i}", f"web:c{i}", text, utcnow(), thread_id=f"c{i}"))
    with running(db_url, WORKERS__COUNT="2") as one, running(db_url, WORKERS__COUNT="2") as two:
        one.wait_for("running without web server")
        two.wait_for("running without web server")
        end = time.monotonic() + DEADLINE
        while time.monotonic() < end:
            with Session(engine) as session:
                left = session.execute(
                    select(func.count()).select_from(Message).where(Message.state.in_(["received", "routed"]))  # type: ignore[attr-defined]
                ).scalar_one()
            if left == 0:
                break
            time.sleep(0.2)
        else:
            pytest.fail(f"{left} messages still unanswered")
    with Session(engine) as session:
        per_message = session.execute(
            select(Reply.message_id, func.count()).group_by(Reply.message_id)
        ).all()
        held = session.execute(
            select(func.count()).select_from(Message).where(Message.lease_owner.is_not(None))  # type: ignore[union-attr]
        ).scalar_one()
    assert all(count == 1 for _, count in per_message)
    states = {queue.get(i + 1).state for i in range(total)}
    assert states <= {MessageState.AUTO_SENT, MessageState.AWAITING_REVIEW}
    assert held == 0  # every lease was released when its message left the work states
