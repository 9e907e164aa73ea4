"""Confidence as evidence, and the reading classes behind wrong auto-posts; every sentence is written for this test."""

from __future__ import annotations

import pytest

from bot.reading.confidence import answer_confidence, choose_action
from bot.domain import Action, Intent
from bot.reading.intents import IntentReading
from bot.reading.router import Router
from tests.bot.eval_knowledge import eval_knowledge
from tests.conftest import EVAL_NOW


def _route(text: str):  # a Decision
    return Router(eval_knowledge()).route(text, now=EVAL_NOW)


def _reading(intent: Intent, margin: float, *, question: bool = True) -> IntentReading:
    return IntentReading(intent, {intent: 3.0 + margin, Intent.OTHER: 3.0}, None, question, ())


@pytest.mark.parametrize("text", ["il 75 oggi passa regolarmente?", "is bus 87 running today?"])
def test_a_plain_status_question_about_a_line_is_posted_alone(text: str) -> None:
    decision = _route(text)
    assert (decision.intent, decision.action) == (Intent.STATUS, Action.AUTO)


@pytest.mark.parametrize("text", ["grazie per l'aiuto, gentilissimi", "many thanks for the update"])
def test_plain_thanks_are_posted_alone(text: str) -> None:
    decision = _route(text)
    assert (decision.intent, decision.action) == (Intent.FEEDBACK, Action.AUTO)


def test_a_status_reading_the_knowledge_base_answers_as_well_waits_for_a_person() -> None:
    close = answer_confidence(_reading(Intent.STATUS, 1.2), faq_score=0.8, stop_scores=[], has_subject=True,
                              network=False, topics=[], language_margin=3.0)
    clear = answer_confidence(_reading(Intent.STATUS, 1.2), faq_score=0.1, stop_scores=[], has_subject=True,
                              network=False, topics=[], language_margin=3.0)
    assert (choose_action(Intent.STATUS, close), choose_action(Intent.STATUS, clear)) == (Action.REVIEW, Action.AUTO)


@pytest.mark.parametrize(
    "text",
    ["ci sono disagi sulla rete domani mattina?", "any problems with public transport this afternoon?"],
)
def test_a_question_about_the_whole_network_is_a_status_question_citing_its_alerts(text: str) -> None:
    decision = _route(text)
    assert decision.intent == Intent.STATUS
    assert decision.alert_ids


def test_a_how_to_question_naming_the_network_is_not_taken_for_a_status_question() -> None:
    assert _route("come faccio a segnalare un problema sulla rete?").intent != Intent.STATUS


@pytest.mark.parametrize("text", ["c'è uno sciopero il 5 dicembre?", "is a strike planned for next week?"])
def test_a_strike_asked_about_on_a_day_cites_the_strike_alert(text: str) -> None:
    decision = _route(text)
    assert decision.intent == Intent.STATUS
    assert "strike-2026-12-05" in decision.alert_ids


@pytest.mark.parametrize(
    "text",
    [
        "il 30 in ritardo di 40 minuti pure oggi, ma chi vi dirige?",
        "line 19 late by 25 minutes yet again, are you kidding?",
    ],
)
def test_a_delay_told_with_its_measure_and_a_reproach_is_a_complaint(text: str) -> None:
    decision = _route(text)
    assert decision.intent == Intent.COMPLAINT
    assert decision.action != Action.AUTO


@pytest.mark.parametrize(
    "text",
    [
        "the tram 8 was filthy this morning, does anyone ever clean it?",
        "ascensore di Termini guasto da settimane, lo riparate?",
        "il 75 ieri sera non è passato, è normale?",
    ],
)
def test_a_problem_told_in_the_past_or_as_lasting_is_never_posted_alone(text: str) -> None:
    assert _route(text).action != Action.AUTO


@pytest.mark.parametrize("text", ["la metro B va?", "is tram 8 working normally?"])
def test_asking_whether_a_line_runs_is_a_status_question(text: str) -> None:
    assert _route(text).intent == Intent.STATUS


def test_a_question_about_a_station_reopening_cites_the_closure() -> None:
    assert "metro-a-flaminio-ottaviano" in _route("quando riapre Flaminio?").alert_ids


def test_a_station_asked_about_on_the_way_to_a_sight_is_a_status_question() -> None:
    assert _route("Lepanto è chiusa oggi? vado a vedere il museo").intent == Intent.STATUS


def test_a_member_of_staff_asking_about_work_is_out_of_scope() -> None:
    assert _route("sono un autista, come si chiede il cambio turno per Natale?").intent == Intent.OTHER


def test_praise_for_the_service_itself_is_feedback() -> None:
    assert _route("nice idea this chat, well done").intent == Intent.FEEDBACK
