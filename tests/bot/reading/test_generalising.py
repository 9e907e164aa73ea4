"""Failure modes of reading real messages, each with sentences written for this test (not from any eval set)."""

from __future__ import annotations

import pytest

from bot.domain import Action, Asked, Intent
from bot.reading.router import Router
from tests.bot.eval_knowledge import eval_knowledge
from tests.conftest import EVAL_NOW


def _route(text: str):  # noqa: ANN202 - a Decision
    return Router(eval_knowledge()).route(text, now=EVAL_NOW)


@pytest.mark.parametrize(
    "text",
    [
        "una signora anziana si è accasciata alla fermata del 19, è pallida",
        "c'è un uomo per terra sul 490 che non reagisce",
        "mio marito ha le convulsioni sulla banchina di Lepanto",
        "a guy just passed out on the 116, what should we do",
        "someone collapsed at the top of the escalator at Barberini",
        "a woman is bleeding from her head on tram 3",
        "ho perso di vista mia figlia di 4 anni a Termini, ha un giubbotto blu",
        "non trovo più il mio bambino, era con me sul tram 14",
        "we can't find our little boy, he was on the platform at Cipro a minute ago",
        "my daughter wandered off at Flaminio station, she's 5",
        "un tizio sta minacciando l'autista del 70 con un coltello",
        "someone is following me on the metro and won't leave me alone, I'm scared",
        "odore di bruciato fortissimo nella galleria della metro B",
        "c'è un ragazzo sulle rotaie a Piramide",
        "la signora accanto a me sta male e trema, aiuto",
    ],
)
def test_danger_to_people_now_is_escalated_in_every_wording(text: str) -> None:
    decision = _route(text)
    assert (decision.intent, decision.action) == (Intent.EMERGENCY, Action.ESCALATE)


@pytest.mark.parametrize(
    "text",
    [
        "mia figlia ha perso l'abbonamento, come lo rifaccio?",
        "mio figlio di 12 anni può viaggiare da solo in metro?",
        "my son lost his travel card, how do we block it?",
        "il bus non si muove da 20 minuti, che succede?",
        "il numero verde non risponde mai",
        "I fell asleep and missed my stop, lol",
    ],
)
def test_words_that_only_sound_alarming_are_not_emergencies(text: str) -> None:
    assert _route(text).intent != Intent.EMERGENCY


def test_a_sign_of_distress_alone_is_not_an_emergency() -> None:
    assert _route("il tram trema tutto sulle curve").intent != Intent.EMERGENCY


def test_danger_told_as_past_with_thanks_is_not_escalated() -> None:
    text = "la settimana scorsa un ragazzo è svenuto sul 62 e l'autista ha chiamato subito i soccorsi, grazie"
    assert _route(text).intent != Intent.EMERGENCY


@pytest.mark.parametrize(
    "text",
    [
        "mi passate una persona vera per favore? il bot non capisce",
        "can I speak to a real person please",
        "vorrei parlare con qualcuno del servizio clienti, non con un risponditore",
    ],
)
def test_a_request_for_a_person_goes_to_a_person(text: str) -> None:
    decision = _route(text)
    assert decision.action != Action.AUTO
    assert decision.intent == Intent.OTHER


@pytest.mark.parametrize(
    "text",
    [
        "where can I get a good carbonara near Termini?",
        "consigli per una gelateria vicino al Pantheon?",
    ],
)
def test_food_and_sights_are_out_of_scope(text: str) -> None:
    decision = _route(text)
    assert (decision.intent, decision.action) == (Intent.OTHER, Action.REVIEW)


@pytest.mark.parametrize(
    "text", ["where can I get a good carbonara near Termini?", "consigli per una gelateria vicino al Pantheon?"]
)
def test_food_and_sights_are_never_answered_alone(text: str) -> None:
    assert _route(text).action != Action.AUTO


def test_a_personal_refund_with_a_reference_goes_to_a_person() -> None:
    decision = _route("rimborsatemi i 35 euro dell'abbonamento, ordine n. 55A-901, vi ho già scritto due volte")
    assert decision.intent == Intent.OTHER
    assert decision.action == Action.REVIEW


def test_a_lost_item_with_contact_details_goes_to_a_person() -> None:
    text = "dimenticato ombrello verde sul 492 stamattina, qualcuno può controllare? il mio numero è 347 1234567"
    assert _route(text).action == Action.REVIEW


@pytest.mark.parametrize(
    "text",
    [
        "buona serata e buone feste a tutti voi dello sportello",
        "thanks a lot, problem solved",
    ],
)
def test_greetings_and_thanks_are_feedback(text: str) -> None:
    assert _route(text).intent == Intent.FEEDBACK


def test_a_question_announced_but_not_asked_goes_to_a_person() -> None:
    assert _route("salve, avrei una domanda").intent == Intent.OTHER


@pytest.mark.parametrize(
    "text",
    [
        "ma vi sembra normale che il 30 stamattina sia passato dopo 40 minuti?",
        "ma perché il 492 salta sempre la corsa delle 7?",
        "la metro A chiusa a Ottaviano e nessuno che lo dice. Potevate scriverlo, no?",
    ],
)
def test_a_reproach_phrased_as_a_question_is_never_posted_alone(text: str) -> None:
    assert _route(text).action != Action.AUTO


@pytest.mark.parametrize(
    ("text", "faq_id"),
    [
        ("come posso contestare un verbale che ritengo sbagliato?", "fines.appeal"),
        ("can my puppy come on the bus with me?", "pets"),
        ("si può portare la valigia grande in metro?", "luggage"),
        ("posso salire sul tram col passeggino aperto?", "strollers"),
    ],
)
def test_faq_questions_in_other_words_find_their_entry(text: str, faq_id: str) -> None:
    decision = _route(text)
    assert (decision.intent, decision.faq_id) == (Intent.FAQ, faq_id)


def test_a_strike_question_naming_a_station_cites_the_network_strike() -> None:
    decision = _route("is there a strike on Saturday the 5th? I need to get to Cipro")
    assert "strike-2026-12-05" in decision.alert_ids


def test_a_station_opening_the_message_is_found() -> None:
    assert _route("spagna chiusa oggi?").stops == ("SPAGNA (MA)",)


def test_a_bus_line_at_a_shared_name_means_the_street_stop() -> None:
    assert _route("il 280 passa a piazzale flaminio?").stops == ("P.LE FLAMINIO",)
    assert _route("metro A a piazzale Flaminio?").stops == ("P.LE FLAMINIO (MA)",)


@pytest.mark.parametrize("text", ["quante corse del 70 sono saltate oggi?", "how many trips of the 70 were cancelled?"])
def test_a_question_about_trips_run_is_a_service_count_status_question(text: str) -> None:
    decision = _route(text)
    assert decision.intent == Intent.STATUS
    assert decision.routes == ("70",)
    assert decision.asked == Asked.SERVICE_COUNTS


def test_how_a_line_usually_runs_is_a_timetable_question() -> None:
    # misread as a status question from model 202612042202 to 202612060909; read right since 202612061230
    decision = _route("how often does the 913 run on Sundays?")
    assert (decision.intent, decision.faq_id) == (Intent.FAQ, "timetables")


def test_how_often_a_line_runs_now_is_a_status_question() -> None:
    assert _route("how often is the 913 running right now?").intent == Intent.STATUS
