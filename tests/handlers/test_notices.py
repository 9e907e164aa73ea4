"""The safety reply and the acknowledgement: language, honesty about the wait, no echo."""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Engine
from sqlmodel import Session

from bot.config import Settings
from bot.domain import Action, DangerCause, Decision, InboundMessage, Intent, Priority
from bot.notices import NoticeDesk, notice_language
from handlers.notices import EmergencyVoice, ack_text, safety_text
from knowledge.domains import domain_named
from storage.models import Message, Reply
from storage.queue import MessageQueue
from storage.waits import WaitEstimate
from tests.conftest import FixedClock


def _row(extras: dict | None = None) -> Message:
    return Message(channel="telegram", external_id="1", author="1", text="Hilfe!", received_at=datetime.now(timezone.utc),
                   extras=extras or {}, updated_at=datetime.now(timezone.utc))


def test_safety_reply_in_italian_names_the_number_and_the_staff() -> None:
    text = safety_text("it", emergency_number="112")
    assert "chiama subito il 112" in text and "conducente" in text


def test_safety_reply_in_english() -> None:
    assert safety_text("en", emergency_number="112").startswith("If anyone is in danger, call 112 now.")


def test_safety_reply_for_another_language_is_short_italian_and_english() -> None:
    text = safety_text("other", emergency_number="112")
    assert "chiama subito il 112" in text and "call 112 now" in text


def test_a_telegram_user_in_german_gets_notices_in_both_languages() -> None:
    decision = Decision(lang="it", intent=Intent.EMERGENCY)
    assert notice_language(_row({"lang": "de"}), decision) == "other"
    assert notice_language(_row({"lang": "it"}), decision) == "it"
    assert notice_language(_row(), Decision(lang="en", intent=Intent.EMERGENCY)) == "en"


def test_an_emergency_written_in_another_language_gets_notices_in_both_languages() -> None:
    spanish = Decision(lang="en", intent=Intent.EMERGENCY, written_lang="es")
    assert notice_language(_row(), spanish) == "other"
    assert notice_language(_row(), Decision(lang="it", intent=Intent.EMERGENCY, written_lang="it")) == "it"


def test_a_message_in_a_script_the_reader_cannot_read_gets_the_safety_reply_in_both_languages() -> None:
    decision = Decision(lang="en", intent=Intent.EMERGENCY, written_lang="am", danger_cause=DangerCause.UNREAD_SCRIPT)
    lang = notice_language(_row(), decision)
    assert lang == "other"
    text = safety_text(lang, emergency_number="112")
    assert "chiama subito il 112" in text and "call 112 now" in text


def test_acknowledgement_without_history_says_so_honestly() -> None:
    text = ack_text("it", case_id=41, estimate=None)
    assert "Non sappiamo ancora" in text and "/stato 41" in text


def test_acknowledgement_gives_a_range() -> None:
    text = ack_text("en", case_id=7, estimate=WaitEstimate(3, 10, backlog=4, handled=12))
    assert "about 3 to 10 minutes" in text and "/status 7" in text


def test_water_safety_reply_names_no_driver_and_gives_the_breakdown_line_when_set() -> None:
    water = domain_named("water")
    with_line = safety_text("it", emergency_number="112", domain=water, line="800 000 002")
    assert "chiama subito il 112" in with_line and "pronto intervento al 800 000 002" in with_line
    assert "conducente" not in with_line
    assert "pronto intervento" not in safety_text("it", emergency_number="112", domain=water)


def test_waste_safety_reply_in_english_names_the_fire_brigade() -> None:
    text = safety_text("en", emergency_number="112", domain=domain_named("waste"))
    assert text.startswith("If anyone is in danger, call 112 now.") and "call 115" in text and "driver" not in text


def test_a_desk_answers_an_emergency_in_the_words_of_the_service_it_was_routed_to() -> None:
    settings = Settings()
    voices = {"transit": EmergencyVoice(domain_named("transit"), "112"),
              "water": EmergencyVoice(domain_named("water"), "112", "800 000 002")}
    desk = NoticeDesk(settings, clock=lambda: datetime.now(timezone.utc), voices=voices, main="transit")
    assert desk.voice(Decision(lang="it", intent=Intent.EMERGENCY, service="water")).domain.name == "water"
    assert desk.voice(Decision(lang="it", intent=Intent.EMERGENCY, service="undecided")).domain.name == "transit"
    assert NoticeDesk(settings, clock=lambda: datetime.now(timezone.utc)).voice(Decision(lang="it", intent=Intent.EMERGENCY)).domain.name == "transit"


def test_a_watched_messages_acknowledgement_adds_one_calm_line_with_the_emergency_number() -> None:
    plain = ack_text("it", case_id=5, estimate=None)
    watched = ack_text("it", case_id=5, estimate=None, emergency_number="112")
    assert watched == f"{plain} Se qualcuno è in pericolo in questo momento, chiama subito il 112."
    english = ack_text("en", case_id=5, estimate=None, emergency_number="112")
    assert english.endswith("If someone is in danger right now, call 112 straight away.")
    both = ack_text("other", case_id=5, estimate=None, emergency_number="112")
    assert "chiama subito il 112" in both and "call 112 straight away" in both


def _planned(engine: Engine, clock: FixedClock, decision: Decision) -> list[str]:
    queue = MessageQueue(engine, clock=clock)
    message_id = queue.enqueue(InboundMessage(channel="web", external_id="w1", author="web:c1", text="ho le mani che "
                                              "formicolano, è normale?", received_at=clock(), thread_id="c1"))
    assert message_id is not None
    row = queue.get(message_id)
    desk = NoticeDesk(Settings(), clock=clock)
    with engine.begin() as conn:
        ids = desk.plan(conn, row, decision, Action.REVIEW, worker="w", lease_seconds=30)
    with Session(engine) as session:
        return [session.get(Reply, i).text for i in ids]  # type: ignore[union-attr]


def test_a_watched_message_held_for_a_person_is_acknowledged_with_the_emergency_number(
    engine: Engine, clock: FixedClock
) -> None:
    [ack] = _planned(engine, clock, Decision(lang="it", intent=Intent.OTHER, priority=Priority.WATCH))
    assert ack.endswith("chiama subito il 112.") and "/stato" in ack


def test_an_ordinary_message_held_for_a_person_gets_the_plain_acknowledgement(engine: Engine, clock: FixedClock) -> None:
    [ack] = _planned(engine, clock, Decision(lang="it", intent=Intent.OTHER))
    assert "112" not in ack
