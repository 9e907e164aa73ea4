"""Answering many: grouping by alert or FAQ entry, one answer per language to each message."""

from __future__ import annotations

from sqlalchemy import Engine

from bot.console.bulk import answer_many, bulk_groups
from bot.console.desk import Desk
from bot.console.queueview import QueueView
from bot.domain import MessageState, Priority
from storage.db import session_scope
from storage.queue import MessageQueue
from tests.bot.console.conftest import Messages
from tests.conftest import FixedClock

VIEW = QueueView(target_minutes=5, claim_minutes=15, recent_hours=2)


def test_messages_about_the_same_alert_form_a_group(
    engine: Engine, messages: Messages, clock: FixedClock
) -> None:
    a = messages.add("metro A chiusa?", alert_ids=("metro-a-closed",))
    b = messages.add("Is metro A closed?", alert_ids=("metro-a-closed",), lang="en")
    messages.add("unrelated", alert_ids=("tram-8",))
    groups = bulk_groups(VIEW, engine, clock(), agent="anna")
    assert [(g.key, [i.id for i in g.items]) for g in groups] == [("alert:metro-a-closed", [a, b])]
    assert groups[0].languages == ["en", "it"]


def test_faq_groups_leave_out_emergencies_and_others_claims(
    engine: Engine, messages: Messages, clock: FixedClock, queue: MessageQueue
) -> None:
    kept = [messages.add("quanto costa?", faq_id="tickets.price") for _ in range(2)]
    messages.add("sos", faq_id="tickets.price", intent="emergency", state=MessageState.ESCALATED)
    held = messages.add("prezzo?", faq_id="tickets.price")
    Desk(queue, claim_minutes=15).claim(held, "bruno")
    groups = bulk_groups(VIEW, engine, clock(), agent="anna")
    assert [i.id for i in groups[0].items] == kept


def test_one_answer_goes_to_each_message_in_its_language(
    messages: Messages, queue: MessageQueue
) -> None:
    it = messages.add("metro A chiusa?", alert_ids=("x",))
    en = messages.add("Is metro A closed?", alert_ids=("x",), lang="en")
    outcome = answer_many(
        Desk(queue, claim_minutes=15), "anna", [it, en],
        {"it": "La metro A è chiusa fino alle 10.", "en": "Metro A is closed until 10."},
        languages={it: "it", en: "en"},
    )
    assert outcome.sent == [it, en]
    assert queue.get(it).draft == "La metro A è chiusa fino alle 10."
    assert queue.get(en).draft == "Metro A is closed until 10."
    assert {queue.get(i).state for i in (it, en)} == {MessageState.EDITED}


def test_a_language_without_text_is_skipped_unless_drafts_are_allowed(
    messages: Messages, queue: MessageQueue
) -> None:
    it = messages.add("metro A chiusa?", alert_ids=("x",))
    en = messages.add("Is metro A closed?", alert_ids=("x",), lang="en", draft="Metro A: see alert.")
    desk = Desk(queue, claim_minutes=15)
    texts = {"it": "La metro A è chiusa."}
    first = answer_many(desk, "anna", [it, en], texts, languages={it: "it", en: "en"})
    assert first.sent == [it] and list(first.skipped) == [en]
    second = answer_many(desk, "anna", [en], texts, languages={en: "en"}, use_drafts=True)
    assert second.sent == [en]
    assert queue.get(en).state == MessageState.APPROVED


def test_a_message_claimed_by_another_agent_is_skipped(messages: Messages, queue: MessageQueue) -> None:
    mine = messages.add("a", alert_ids=("x",))
    theirs = messages.add("b", alert_ids=("x",))
    desk = Desk(queue, claim_minutes=15)
    desk.claim(theirs, "bruno")
    outcome = answer_many(desk, "anna", [mine, theirs], {"it": "ok"}, languages={})
    assert outcome.sent == [mine]
    assert "bruno" in outcome.skipped[theirs]


def test_possible_danger_is_never_answered_in_bulk(
    engine: Engine, messages: Messages, clock: FixedClock, queue: MessageQueue
) -> None:
    kept = [messages.add("quanto costa?", faq_id="tickets.price") for _ in range(2)]
    watched = messages.add("quanto costa il biglietto? mia figlia ha le labbra blu", faq_id="tickets.price")
    with session_scope(queue.engine) as session:
        row = queue.load(session, watched, lock=True)
        row.decision = {**(row.decision or {}), "priority": str(Priority.WATCH)}
    assert [i.id for i in bulk_groups(VIEW, engine, clock(), agent="anna")[0].items] == kept
