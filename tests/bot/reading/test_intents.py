"""Intent and complaint category from cues: the traps a care agent knows."""

from __future__ import annotations

import pytest

from bot.domain import Category, Intent
from bot.reading.intents import read_intent


def test_sarcastic_thanks_are_a_complaint() -> None:
    reading = read_intent("grazie davvero per l'ennesima corsa saltata del 62 👏", has_subject=True, has_route=True)
    assert reading.intent == Intent.COMPLAINT


def test_sincere_thanks_are_feedback() -> None:
    assert read_intent("grazie all'autista del 44, gentilissimo e puntuale").intent == Intent.FEEDBACK


def test_a_delay_asked_about_is_a_status_question() -> None:
    reading = read_intent("il 62 è in ritardo stamattina?", has_subject=True, has_route=True)
    assert reading.intent == Intent.STATUS


def test_a_delay_reported_with_anger_is_a_complaint_about_delay() -> None:
    reading = read_intent("il 62 non passa da 40 minuti, è una vergogna", has_subject=True, has_route=True)
    assert (reading.intent, reading.category) == (Intent.COMPLAINT, Category.DELAY)


@pytest.mark.parametrize(
    "text",
    [
        "aiuto un ragazzo è svenuto sul tram 2, non risponde",
        "there's a fight on the 44 right now, someone has a knife",
        "esce fumo dalla galleria della metro a Barberini, la gente scappa",
        "my daughter got off at Lodi and I'm still on the train, she's 6, help",
        "mio figlio di 7 anni è rimasto sulla banchina a Lodi, il treno è partito!!",
    ],
)
def test_danger_to_people_now_is_an_emergency(text: str) -> None:
    assert read_intent(text).intent == Intent.EMERGENCY


def test_the_word_emergency_as_a_figure_of_speech_is_not_one() -> None:
    reading = read_intent("ormai i ritardi del 913 sono un'emergenza, vergogna", has_subject=True, has_route=True)
    assert reading.intent == Intent.COMPLAINT


def test_danger_told_as_a_past_event_is_a_safety_complaint() -> None:
    reading = read_intent("ieri sera sul 44 c'era una rissa e nessun controllo", has_subject=True, has_route=True)
    assert (reading.intent, reading.category) == (Intent.COMPLAINT, Category.SAFETY)


def test_a_how_to_question_is_a_faq_question() -> None:
    assert read_intent("come si rinnova l'abbonamento mensile?", faq_score=0.7).intent == Intent.FAQ


def test_a_personal_case_goes_to_a_person() -> None:
    text = "la mia pratica numero 44123 è ferma da due mesi, mi chiamo Paolo Neri, chiamatemi"
    assert read_intent(text, faq_score=0.3).intent == Intent.OTHER
