"""Language detection: Italian or English, whatever the greeting."""

from __future__ import annotations

import pytest

from bot.reading.language import detect_language


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("il tram 2 passa stasera?", "it"),
        ("does the 913 stop at the hospital?", "en"),
        ("Ciao! Is the B line open this evening?", "en"),
        ("Hi, scusate, dove si compra l'abbonamento?", "it"),
        ("er 30 nun passa mai", "it"),
        ("thx, very kind", "en"),
    ],
)
def test_the_language_of_the_words_wins_over_the_greeting(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_a_message_with_no_words_is_answered_in_italian() -> None:
    assert detect_language("🚌❓") == "it"
