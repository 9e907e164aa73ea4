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


@pytest.mark.parametrize("example", __import__("bot.reading.language", fromlist=["WORDS"]).WORDS.examples,
                         ids=lambda e: e["text"][:40])
def test_every_example_of_the_word_lists_is_read_as_written_there(example: dict) -> None:
    from bot.reading.language import _CLEAR, WORDS, detect_language
    from knowledge.text import normalise

    _, _, own_italian, own_english = WORDS.evidence(normalise(example["text"]))
    assert detect_language(example["text"]) == example["reply"]
    assert (max(own_italian, own_english) >= _CLEAR) == example["clear"]


@pytest.mark.parametrize(("text", "written"), [
    ("la línea 64 funciona hoy? tengo que ir a la estación Termini", "es"),
    ("le bus 64 a une heure de retard, je suis à la station", "fr"),
    ("quanto custa o passe mensal? posso usar no metro?", "pt"),
])
def test_words_other_languages_write_alike_do_not_outweigh_the_readers_guess(text: str, written: str) -> None:
    from bot.reading.language import read_language

    guessed = read_language(text, identify=lambda: (written, 0.9))
    assert (guessed.written, guessed.reply, guessed.served) == (written, "en", False)


def test_clear_italian_is_not_taken_for_the_language_the_reader_guesses() -> None:
    from bot.reading.language import read_language

    guessed = read_language("oggi il 64 non passa, che succede alla fermata?", identify=lambda: ("es", 0.9))
    assert (guessed.written, guessed.reply, guessed.served) == ("it", "it", True)


def test_a_word_list_missing_from_the_file_is_an_error_naming_it(tmp_path) -> None:
    from bot.errors import ConfigError
    from bot.reading.language import LANGUAGE_WORDS_FILE, LanguageWords

    broken = tmp_path / "languagewords.yaml"
    broken.write_text(LANGUAGE_WORDS_FILE.read_text(encoding="utf-8").replace("\nshared:", "\nshered:"),
                      encoding="utf-8")
    with pytest.raises(ConfigError, match="shared"):
        LanguageWords.load(broken)


@pytest.mark.parametrize(("text", "guess", "written"), [
    ("今天地铁B线正常运行吗？", ("zh", 0.94), "zh"),  # eleven letters: short, but no Italian
    ("трамвай 8 їде до Casaletto сьогодні?", ("uk", 0.30), "uk"),  # the reader unsure which language: still not Italian
    ("метро A сегодня работает?", ("it", 0.40), "und"),  # a guess of Italian or English in another script: not told
])
def test_a_message_mostly_in_another_script_is_neither_italian_nor_english(text: str, guess: tuple[str, float],
                                                                             written: str) -> None:
    from bot.reading.language import read_language

    reading = read_language(text, identify=lambda: guess)
    assert (reading.written, reading.reply, reading.served) == (written, "en", False)


@pytest.mark.parametrize(("text", "guess", "written"), [
    ("tramvaiul 8 merge pana la Casaletto azi?", ("ro", 0.44), "ro"),  # no word only Italian spells
    ("Bus 64 Verspätung gerade? @InfoAtac", ("de", 0.36), "de"),
    ("il 64 oggi passa?", ("ro", 0.44), "it"),  # Italian words enough to be clear: an unsure guess is not believed
    ("Colosseo Termini Venezia??", ("es", 0.3), "it"),  # no such word, but a guess too unsure
    # a word English spells too («centre»), or one Italian does («metro»), does not make the language clear
    ("Comment aller à l'aéroport de Fiumicino depuis le centre ?", ("fr", 0.498), "fr"),
    ("Rijdt metro C vandaag normaal?", ("nl", 0.40), "nl"),
])
def test_an_unsure_guess_of_another_language_counts_where_the_words_do_not_make_italian_or_english_clear(
        text: str, guess: tuple[str, float], written: str) -> None:
    from bot.reading.language import read_language

    assert read_language(text, identify=lambda: guess).written == written
