"""The service-wide message counts: kept in the database, read back by a new process, a long history counted in steps."""

from __future__ import annotations

from sqlalchemy import Engine, select, update

from bot.domain import InboundMessage, MessageState
from bot.ops.tally import TransitionTally
from storage.db import reading
from storage.models import MetricTally
from storage.queue import MessageQueue
from tests.conftest import FixedClock


def _answer(queue: MessageQueue, clock: FixedClock, number: int, channel: str = "web") -> None:
    """One message read by a worker and answered by the bot a second later."""
    message = InboundMessage(channel, f"m{number}", f"{channel}:c{number}", "il tram 8 funziona oggi?", clock(),
                             thread_id=f"c{number}")
    message_id = queue.enqueue(message)
    assert message_id is not None
    queue.transition(message_id, MessageState.ROUTED, actor="worker")
    clock.advance(1)
    queue.transition(message_id, MessageState.AUTO_SENT, actor="worker")


def test_a_new_process_starts_from_the_stored_counts(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    for number in range(3):
        _answer(queue, clock, number)
    clock.advance(60)
    assert TransitionTally(engine, clock).read().messages_in == {("web", "none"): 3}
    counts = {**_stored(engine), "in": [["web", "none", 1000]]}
    with engine.begin() as conn:  # what is stored is what a new process reads, history or not
        conn.execute(update(MetricTally).values(counts=counts))
    _answer(queue, clock, 4)
    clock.advance(60)
    later = TransitionTally(engine, clock).read()
    assert later.messages_in == {("web", "none"): 1001}
    assert later.messages_out == {("web", "none", "bot"): 4}


def test_a_long_history_is_counted_in_steps_and_withheld_until_all_is_counted(
    engine: Engine, clock: FixedClock
) -> None:
    queue = MessageQueue(engine, clock=clock)
    for number in range(5):
        _answer(queue, clock, number, channel=("web", "telegram")[number % 2])
    clock.advance(60)
    whole = TransitionTally(engine, clock).read()
    with engine.begin() as conn:
        conn.execute(MetricTally.__table__.delete())
    stepped = TransitionTally(engine, clock, catch_up=4)
    readings = [stepped.read()]
    while not readings[-1].caught_up:
        readings.append(stepped.read())
    assert len(readings) > 2
    assert all(r.behind > 0 for r in readings[:-1])
    assert readings[-1].messages_in == whole.messages_in == {("web", "none"): 3, ("telegram", "none"): 2}
    assert readings[-1].messages_out == whole.messages_out
    assert {k: (h.buckets, h.total) for k, h in readings[-1].latency.items()} == {
        k: (h.buckets, h.total) for k, h in whole.latency.items()
    }
    assert whole.latency[("web", "bot")].total == 3.0


def test_counts_stored_with_other_buckets_are_counted_again(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    _answer(queue, clock, 1)
    clock.advance(60)
    TransitionTally(engine, clock).read()
    counts = {**_stored(engine), "edges": "1.0,5.0", "in": [["web", "x", 9]]}
    with engine.begin() as conn:
        conn.execute(update(MetricTally).values(counts=counts))
    assert TransitionTally(engine, clock).read().messages_in == {("web", "none"): 1}


def test_a_scrape_with_nothing_new_writes_nothing(engine: Engine, clock: FixedClock) -> None:
    queue = MessageQueue(engine, clock=clock)
    _answer(queue, clock, 1)
    clock.advance(60)
    TransitionTally(engine, clock).read()
    first = _updated(engine)
    clock.advance(60)
    TransitionTally(engine, clock).read()
    assert _updated(engine) == first


def _stored(engine: Engine) -> dict:
    with reading(engine).connect() as conn:
        return conn.execute(select(MetricTally.counts)).scalar_one()


def _updated(engine: Engine) -> object:
    with reading(engine).connect() as conn:
        return conn.execute(select(MetricTally.updated_at)).scalar_one()
