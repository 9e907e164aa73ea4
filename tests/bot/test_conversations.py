"""A case's life on a fixed clock: acknowledgement once, hand-back after an agent, quiet close, reopen, /stato."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from bot.domain import CaseStatus, MessageState
from storage.cases import case_history, close_quiet_cases
from storage.models import Case
from tests.bot.conversation_service import Conversations
from tests.bot.insight.servers import smtp_sink
from tests.conftest import FixedClock

COMPLAINT = "autista maleducato sul 64, una vergogna"
STATUS = "il tram 8 funziona oggi?"


def _case(engine: Engine, case_id: int | None) -> Case:
    with Session(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def test_held_message_is_acknowledged_once_per_case_with_its_number(engine: Engine, clock: FixedClock) -> None:
    talk = Conversations(engine, clock)
    first = talk.say(COMPLAINT)
    row = talk.queue.get(first)
    assert row.state == MessageState.AWAITING_REVIEW
    [ack] = talk.replies(first, "ack")
    assert ack.status == "posted"
    assert f"/stato {row.case_id}" in ack.text
    assert "Non sappiamo ancora" in ack.text  # no history to estimate from: said honestly
    clock.advance(60)
    # (the learned reader takes "e non è la prima volta che succede sul 64!" for danger: a known false alarm,
    # see tests/bot/reading/test_learned_reader.py)
    second = talk.say("e ancora nessuno mi ha risposto, sul 64 succede sempre")
    assert talk.queue.get(second).state == MessageState.AWAITING_REVIEW
    assert talk.replies(second, "ack") == []


def test_acknowledgement_in_english_names_a_wait_range_once_agents_have_a_pace(engine: Engine, clock: FixedClock) -> None:
    talk = Conversations(engine, clock)
    for n in range(4):  # four earlier cases handled by a person in the last half hour
        message_id = talk.say(COMPLAINT, conversation=f"earlier-{n}")
        clock.advance(300)
        talk.agent_replies(message_id)
    message_id = talk.say("the driver of bus 64 was very rude to me", conversation="new")
    [ack] = talk.replies(message_id, "ack")
    assert "Expected wait: about" in ack.text and "minutes" in ack.text
    assert f"/status {talk.queue.get(message_id).case_id}" in ack.text


def test_acknowledgements_can_be_switched_off_for_a_channel(engine: Engine, clock: FixedClock) -> None:
    talk = Conversations(engine, clock, acknowledgements={"channels": ["telegram"]})
    message_id = talk.say(COMPLAINT)
    assert talk.queue.get(message_id).state == MessageState.AWAITING_REVIEW
    assert talk.replies(message_id) == []


def test_agent_replies_then_the_same_citizens_status_question_is_answered_alone(engine: Engine, clock: FixedClock) -> None:
    talk = Conversations(engine, clock, cases={"agent_hold_minutes": 5})
    complaint = talk.say(COMPLAINT)
    talk.agent_replies(complaint)
    assert talk.queue.get(complaint).state == MessageState.SENT
    clock.advance(6 * 60)  # past the hand-back time (and within the alerts' freshness)
    question = talk.say(STATUS)
    assert talk.queue.get(question).state == MessageState.AUTO_SENT
    [answer] = talk.replies(question, "answer")
    assert "8" in answer.text


def test_hand_back_time_is_respected_while_the_agent_holds_the_conversation(engine: Engine, clock: FixedClock) -> None:
    talk = Conversations(engine, clock, cases={"agent_hold_minutes": 30})
    complaint = talk.say(COMPLAINT)
    talk.agent_replies(complaint)
    clock.advance(4 * 60)
    question = talk.say(STATUS)
    assert talk.queue.get(question).state == MessageState.AWAITING_REVIEW
    assert talk.replies(question, "answer") == []
    assert talk.replies(question, "ack") == []  # the agent is on it: no "a person will answer" again


def test_a_case_closes_after_its_quiet_time_and_reopens_on_a_new_message(engine: Engine, clock: FixedClock) -> None:
    talk = Conversations(engine, clock, cases={"close_after_hours": 24})
    first = talk.say(STATUS)
    case_id = talk.queue.get(first).case_id
    assert _case(engine, case_id).status == CaseStatus.ANSWERED
    clock.advance(23 * 3600)
    assert close_quiet_cases(engine, clock(), after_hours=24) == 0
    clock.advance(2 * 3600)
    assert close_quiet_cases(engine, clock(), after_hours=24) == 1
    closed = _case(engine, case_id)
    assert closed.status == CaseStatus.CLOSED and closed.closed_at is not None
    again = talk.say(STATUS)
    assert talk.queue.get(again).case_id == case_id
    reopened = _case(engine, case_id)
    assert reopened.status != CaseStatus.CLOSED and reopened.closed_at is None
    moves = [(h.from_status, h.to_status, h.actor) for h in case_history(engine, case_id)]
    assert moves[:4] == [
        (None, "open", "channel:web"),
        ("open", "answered", "bot"),
        ("answered", "closed", "scheduler"),
        ("closed", "open", "channel:web"),
    ]


def test_a_waiting_case_does_not_close_by_itself(engine: Engine, clock: FixedClock) -> None:
    talk = Conversations(engine, clock)
    message_id = talk.say(COMPLAINT)
    clock.advance(72 * 3600)
    assert close_quiet_cases(engine, clock(), after_hours=24) == 0
    assert _case(engine, talk.queue.get(message_id).case_id).status == CaseStatus.WAITING


def test_stato_answers_its_owner_at_any_time_and_nobody_else(engine: Engine, clock: FixedClock) -> None:
    talk = Conversations(engine, clock)
    complaint = talk.say(COMPLAINT)
    case_id = talk.queue.get(complaint).case_id
    talk.agent_replies(complaint)
    clock.advance(60)  # the agent still holds the conversation
    own = talk.say(f"/stato {case_id}")
    assert talk.queue.get(own).state == MessageState.AUTO_SENT
    [answer] = talk.replies(own, "answer")
    assert answer.text == f"Segnalazione n. {case_id}: ha ricevuto risposta."
    other = talk.say(f"/stato {case_id}", conversation="someone-else")
    [refusal] = talk.replies(other, "answer")
    assert "Non trovo la segnalazione" in refusal.text


def test_the_operations_room_is_told_of_an_emergency_by_email(engine: Engine, clock: FixedClock) -> None:
    with smtp_sink() as (port, mails):
        talk = Conversations(
            engine, clock, emergency={"notify_email": "centrale@example.org"},
            reports={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_starttls": False},
        )
        message_id = talk.say("aiuto, un uomo è svenuto sul binario a Termini")
    [ops] = talk.replies(message_id, "ops")
    assert (ops.channel, ops.status) == ("ops:email", "posted")
    assert len(mails) == 1 and "svenuto sul binario" in mails[0] and "centrale@example.org" in mails[0]
    [safety] = talk.replies(message_id, "safety")
    assert safety.status == "posted" and "svenuto" not in safety.text
