"""What the queue shows and in which order: emergencies first, then possible danger (the watch band), then oldest
first."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from bot.console.desk import Desk
from bot.console.queueview import QueueView
from bot.domain import MessageState, Priority
from storage.db import session_scope
from storage.queue import MessageQueue
from tests.bot.console.conftest import Messages
from tests.conftest import FixedClock

VIEW = QueueView(target_minutes=10, claim_minutes=15, recent_hours=2)


def test_emergencies_come_first_then_escalations_then_oldest_first(
    engine: Engine, messages: Messages, clock: FixedClock
) -> None:
    newer = messages.add("review, newer", ago_seconds=60)
    older = messages.add("review, older", ago_seconds=600)
    escalated = messages.add("escalated", state=MessageState.ESCALATED, ago_seconds=30)
    emergency = messages.add("emergency", state=MessageState.ESCALATED, intent="emergency", ago_seconds=5)
    order = [item.id for item in VIEW.load(engine, clock())]
    assert order == [emergency, escalated, older, newer]


def test_followers_give_no_priority(engine: Engine, messages: Messages, clock: FixedClock) -> None:
    first = messages.add("nobody", ago_seconds=300, extras={"followers_count": 0})
    famous = messages.add("famous", ago_seconds=60, extras={"followers_count": 2_000_000, "verified": True})
    assert [item.id for item in VIEW.load(engine, clock())] == [first, famous]


def test_newest_first_keeps_emergencies_on_top(engine: Engine, messages: Messages, clock: FixedClock) -> None:
    emergency = messages.add("sos", state=MessageState.ESCALATED, intent="emergency", ago_seconds=900)
    older = messages.add("older", ago_seconds=600)
    newer = messages.add("newer", ago_seconds=60)
    assert [i.id for i in VIEW.load(engine, clock(), order="newest")] == [emergency, newer, older]


def test_waiting_time_is_coloured_against_the_target(
    engine: Engine, messages: Messages, clock: FixedClock
) -> None:
    messages.add("fresh", ago_seconds=60)
    messages.add("near", ago_seconds=7 * 60)
    messages.add("late", ago_seconds=11 * 60)
    levels = {item.text: item.wait_level for item in VIEW.load(engine, clock())}
    assert levels == {"fresh": "ok", "near": "near", "late": "late"}


def test_recent_automatic_answers_are_shown_old_ones_are_not(
    engine: Engine, messages: Messages, clock: FixedClock
) -> None:
    old = messages.add("old answer", state=MessageState.AUTO_SENT, intent="status")
    clock.advance(3 * 3600)
    recent = messages.add("recent answer", state=MessageState.AUTO_SENT, intent="status")
    shown = {item.id: item.urgency for item in VIEW.load(engine, clock())}
    assert shown == {recent: "answered"}
    assert old not in shown


def test_an_expired_claim_is_not_shown_as_held(engine: Engine, messages: Messages, clock: FixedClock) -> None:
    message_id = messages.add()
    Desk(MessageQueue(engine, clock=clock), claim_minutes=15).claim(message_id, "anna")
    assert VIEW.load(engine, clock())[0].claimed_by == "anna"
    clock.now += timedelta(minutes=16)
    assert VIEW.load(engine, clock())[0].claimed_by is None


def test_an_emergency_turns_red_after_its_own_one_minute_target(engine: Engine, messages: Messages, clock: FixedClock) -> None:
    emergency = messages.add("sos", state=MessageState.ESCALATED, intent="emergency", ago_seconds=90)
    review = messages.add("complaint", ago_seconds=90)
    levels = {item.id: item.wait_level for item in VIEW.load(engine, clock())}
    assert levels == {emergency: "late", review: "ok"}


def test_each_line_shows_its_case_state(engine: Engine, messages: Messages, clock: FixedClock) -> None:
    waiting = messages.add("complaint")
    [item] = VIEW.load(engine, clock())
    assert (item.id, item.case_status) == (waiting, "waiting")


def _watch(queue: MessageQueue, message_id: int) -> None:
    """Mark a routed message as the reader's watch band leaves it: possible danger, held for a person."""
    with session_scope(queue.engine) as session:
        row = queue.load(session, message_id, lock=True)
        row.decision = {**(row.decision or {}), "priority": str(Priority.WATCH)}


def test_possible_danger_comes_right_after_the_emergencies(
    engine: Engine, messages: Messages, queue: MessageQueue, clock: FixedClock
) -> None:
    older = messages.add("review, older", ago_seconds=600)
    escalated = messages.add("escalated", state=MessageState.ESCALATED, ago_seconds=300)
    watched = messages.add("le labbra di mia figlia sono blu, è normale?", ago_seconds=30)
    _watch(queue, watched)
    emergency = messages.add("emergency", state=MessageState.ESCALATED, intent="emergency", ago_seconds=5)
    for order in ("urgency", "newest"):
        items = VIEW.load(engine, clock(), order=order)
        assert [i.id for i in items][:2] == [emergency, watched]
        assert {i.id: i.watched for i in items} == {emergency: False, watched: True, escalated: False, older: False}


def test_a_watched_message_no_longer_waiting_is_not_first(
    engine: Engine, messages: Messages, queue: MessageQueue, clock: FixedClock
) -> None:
    waiting = messages.add("review", ago_seconds=600)
    answered = messages.add("answered", state=MessageState.AUTO_SENT, intent="status")
    _watch(queue, answered)
    assert [(i.id, i.watched) for i in VIEW.load(engine, clock())] == [(waiting, False), (answered, False)]


def test_possible_danger_turns_red_after_the_emergencies_one_minute_target(
    engine: Engine, messages: Messages, queue: MessageQueue, clock: FixedClock
) -> None:
    watched = messages.add("ho le mani che formicolano, è normale?", ago_seconds=90)
    _watch(queue, watched)
    review = messages.add("complaint", ago_seconds=90)
    assert {item.id: item.wait_level for item in VIEW.load(engine, clock())} == {watched: "late", review: "ok"}
