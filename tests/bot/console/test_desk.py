"""Agents' actions on the real queue: claims, approve, edit, escalate, close, assign."""

from __future__ import annotations

import pytest

from bot.console.desk import NO_REPLY_NOTE, ClaimedByOther, Desk
from bot.domain import MessageState
from bot.errors import InvalidTransition
from storage.queue import MessageQueue
from tests.bot.console.conftest import Messages
from tests.conftest import FixedClock


@pytest.fixture
def desk(queue: MessageQueue) -> Desk:
    return Desk(queue, claim_minutes=15)


def test_opening_a_free_message_claims_it(desk: Desk, messages: Messages, queue: MessageQueue) -> None:
    message_id = messages.add()
    assert desk.claim(message_id, "anna") == "anna"
    assert queue.get(message_id).claimed_by == "anna"


def test_a_second_agent_sees_who_holds_the_message(desk: Desk, messages: Messages) -> None:
    message_id = messages.add()
    desk.claim(message_id, "anna")
    assert desk.claim(message_id, "bruno") == "anna"


def test_a_claim_runs_out_and_another_agent_can_take_it(
    desk: Desk, messages: Messages, clock: FixedClock
) -> None:
    message_id = messages.add()
    desk.claim(message_id, "anna")
    clock.advance(16 * 60)
    assert desk.claim(message_id, "bruno") == "bruno"


def test_approve_moves_to_approved_as_the_agent(desk: Desk, messages: Messages, queue: MessageQueue) -> None:
    message_id = messages.add()
    desk.approve(message_id, "anna")
    assert queue.get(message_id).state == MessageState.APPROVED
    last = queue.history(message_id)[-1]
    assert (last.to_state, last.actor) == ("approved", "agent:anna")


def test_send_replaces_the_draft_and_moves_to_edited(
    desk: Desk, messages: Messages, queue: MessageQueue
) -> None:
    message_id = messages.add()
    desk.send(message_id, "anna", "  Abbiamo segnalato l'autista.  ")
    row = queue.get(message_id)
    assert row.state == MessageState.EDITED
    assert row.draft == "Abbiamo segnalato l'autista."


def test_another_agent_cannot_act_on_a_claimed_message(
    desk: Desk, messages: Messages, queue: MessageQueue
) -> None:
    message_id = messages.add()
    desk.claim(message_id, "anna")
    with pytest.raises(ClaimedByOther) as refused:
        desk.approve(message_id, "bruno")
    assert refused.value.holder == "anna"
    assert queue.get(message_id).state == MessageState.AWAITING_REVIEW


def test_escalating_lets_go_of_the_claim(desk: Desk, messages: Messages, queue: MessageQueue) -> None:
    message_id = messages.add()
    desk.escalate(message_id, "anna", "insulti pesanti")
    row = queue.get(message_id)
    assert row.state == MessageState.ESCALATED
    assert row.claimed_by is None
    assert queue.history(message_id)[-1].note == "insulti pesanti"


def test_no_reply_needed_closes_with_a_note(desk: Desk, messages: Messages, queue: MessageQueue) -> None:
    message_id = messages.add()
    desk.close(message_id, "anna", NO_REPLY_NOTE)
    assert queue.get(message_id).state == MessageState.CLOSED
    assert queue.history(message_id)[-1].note == NO_REPLY_NOTE


def test_an_answered_message_cannot_be_approved_again(desk: Desk, messages: Messages) -> None:
    message_id = messages.add()
    desk.approve(message_id, "anna")
    with pytest.raises(InvalidTransition):
        desk.approve(message_id, "anna")


def test_taking_over_an_automatic_answer_brings_it_back_for_review(
    desk: Desk, messages: Messages, queue: MessageQueue
) -> None:
    message_id = messages.add(state=MessageState.AUTO_SENT, intent="status")
    desk.take_over(message_id, "anna")
    row = queue.get(message_id)
    assert row.state == MessageState.AWAITING_REVIEW
    assert row.claimed_by == "anna"


def test_supervisor_assigns_a_message_held_by_someone_else(
    desk: Desk, messages: Messages, queue: MessageQueue, users: dict[str, str]
) -> None:
    message_id = messages.add()
    desk.claim(message_id, "anna")
    desk.assign(message_id, "sara", "bruno")
    assert queue.get(message_id).claimed_by == "bruno"
    assert queue.history(message_id)[-1].note == "assigned to bruno"
