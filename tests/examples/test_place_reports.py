"""examples/water and examples/waste: a report of a leak in a street, or of a street not swept, read as a complaint
is recorded against that street with the service's category and acknowledged alone in the citizen's language,
through the shipped config and a worker; a word of risk, or no place the gazetteer knows, keeps it for a person;
a report the reader reads as danger stays in the emergency lane (a person looks first)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.domain import Action, InboundMessage, Intent
from bot.reading.model import Reading
from storage.models import Message, ProblemRecord, Reply
from tests.examples.desks import NOW, example_app


@pytest.fixture
def water(tmp_path: Path) -> Iterator[Application]:
    yield from example_app("water", tmp_path, workers=1)


@pytest.fixture
def waste(tmp_path: Path) -> Iterator[Application]:
    yield from example_app("waste", tmp_path, workers=1)


def _report(app: Application, text: str) -> tuple[str, str, list[tuple[str | None, str | None, str | None]]]:
    """The message's state, the reply the citizen got (or its draft), and its problem records."""
    stored = app.queue.enqueue(InboundMessage("web", "e-1", "web:ada", text, NOW, thread_id="web-" + "a" * 32))
    assert stored is not None and app.workers[0].run_once()
    with app.engine.connect() as conn:
        state = conn.execute(select(Message.state).where(Message.id == stored)).scalar_one()
        reply = conn.execute(select(Reply.text).where(Reply.message_id == stored, Reply.kind == "answer")
                             ).scalars().first() or conn.execute(select(Message.draft).where(Message.id == stored)
                                                                 ).scalar_one()
        problems = conn.execute(select(ProblemRecord.category, ProblemRecord.subject_kind, ProblemRecord.subject_id)
                                .where(ProblemRecord.message_id == stored)).all()
    return str(state), str(reply), [tuple(p) for p in problems]


def test_a_leak_in_a_street_is_a_leak_complaint_acknowledged_alone(water: Application) -> None:
    state, reply, problems = _report(water, "perdita d'acqua in via Sparano a Bari da tre giorni, "
                                            "nessuno è venuto a ripararla")
    assert state == "auto_sent"
    assert reply.startswith("Grazie per la segnalazione della perdita d'acqua in Via Sparano da Bari, Bari: "
                            "l'abbiamo registrata con il numero di pratica #")
    assert "pronto intervento" in reply and "800 000 002" in reply
    assert problems == [("leak", "street", "072006:via sparano da bari")]


def test_a_leak_reported_in_english_is_acknowledged_in_english(water: Application) -> None:
    decision, draft = water.pipeline.decide_text("water leak in via Argiro, Bari for days, nobody has come",
                                                 channel="web")
    assert (decision.intent, str(decision.category), draft.action, draft.lang) == (
        Intent.COMPLAINT, "leak", Action.AUTO, "en")
    assert draft.text.startswith("Thank you for reporting the water leak in Via Argiro, Bari")


def test_a_leak_the_reader_reads_as_danger_stays_in_the_emergency_lane(water: Application) -> None:
    """No word of risk does not make a danger reading safe: the reader is unsure, so a person looks first."""
    text = "C'è una perdita d'acqua in via Sparano a Bari"
    danger = Reading(Intent.EMERGENCY, {i: (0.6 if i == Intent.EMERGENCY else 0.08) for i in Intent}, 0.6, True, None)
    read = water.pipeline.inner.router.read(text, now=NOW, reading=danger).decision
    decision = water.pipeline.inner.writer.with_domain(read, text, NOW)
    draft = water.pipeline.inner.writer.draft(decision, text, now=NOW)
    assert (decision.intent, draft.action) == (Intent.EMERGENCY, Action.ESCALATE)
    assert "112" in draft.text and "Grazie per la segnalazione" not in draft.text
    assert "street:072006:via sparano da bari" in {s.key for s in decision.subjects}


def test_a_leak_with_someone_at_risk_stays_an_emergency(water: Application) -> None:
    decision, draft = water.pipeline.decide_text("perdita d'acqua in via Sparano a Bari, c'è un bambino caduto",
                                                 channel="web")
    assert (decision.intent, draft.action) == (Intent.EMERGENCY, Action.ESCALATE)


def test_a_leak_in_no_known_place_goes_to_a_person(water: Application) -> None:
    decision, draft = water.pipeline.decide_text("perdita d'acqua in strada", channel="web")
    assert (decision.intent, str(decision.category), draft.action) == (Intent.COMPLAINT, "leak", Action.REVIEW)


def test_a_complaint_the_service_does_not_acknowledge_goes_to_a_person(water: Application) -> None:
    decision, draft = water.pipeline.decide_text("la bolletta dell'acqua di via Sparano a Bari è sbagliata, "
                                                 "mi avete addebitato troppo", channel="web")
    assert draft.action is Action.REVIEW and "Grazie per la segnalazione" not in draft.text


def test_a_street_not_swept_for_a_month_is_a_street_cleaning_complaint_acknowledged_alone(waste: Application) -> None:
    state, reply, problems = _report(waste, "via Roma a Triggiano non viene spazzata da un mese")
    assert state == "auto_sent"
    assert reply.startswith("Grazie per la segnalazione sulla pulizia di Via Roma, Triggiano: l'abbiamo registrata")
    assert problems == [("street_cleaning", "street", "072046:via roma")]


def test_a_street_not_swept_reported_in_english_is_acknowledged_in_english(waste: Application) -> None:
    decision, draft = waste.pipeline.decide_text("the street via Roma in Triggiano has not been swept for a month",
                                                 channel="web")
    assert (str(decision.category), draft.action, draft.lang) == ("street_cleaning", Action.AUTO, "en")
    assert draft.text.startswith("Thank you for telling us about the street cleaning in Via Roma, Triggiano")


def test_a_dirty_street_with_syringes_goes_to_a_person(waste: Application) -> None:
    _decision, draft = waste.pipeline.decide_text("via Roma a Triggiano non viene spazzata, ci sono siringhe",
                                                  channel="web")
    assert draft.action is Action.REVIEW
