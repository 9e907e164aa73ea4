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


@pytest.mark.parametrize("text", [
    "viale Papa Giovanni XXIII a Bari senza acqua",
    "Corso Vittorio Emanuele II a Bari manca l'acqua",
    "cassonetto pieno in piazza Umberto I",
])
def test_an_italian_street_with_proper_names_and_numerals_is_not_a_foreign_language(text: str) -> None:
    from bot.reading.language import read_language

    guessed = read_language(text, identify=lambda: ("es", 0.93))  # what the reader's language head guessed
    assert (guessed.written, guessed.reply, guessed.served) == ("it", "it", True)


@pytest.mark.parametrize(("text", "written", "reply"), [
    ("no hay agua en la calle desde esta mañana", "es", "en"),  # Spanish is still heard as Spanish
    ("no water in viale Roma since this morning", "en", "en"),  # an English writer naming an Italian street
])
def test_other_languages_and_english_with_an_italian_street_are_read_as_before(text: str, written: str,
                                                                                reply: str) -> None:
    from bot.reading.language import read_language

    guessed = read_language(text, identify=lambda: ("es", 0.93) if written == "es" else ("en", 0.9))
    assert (guessed.written, guessed.reply) == (written, reply)
