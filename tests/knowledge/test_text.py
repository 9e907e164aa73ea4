"""Tests of knowledge.text: normalisation, tokens, stop words and suffix folding."""

from __future__ import annotations


from knowledge.text import content_tokens, normalise, stem, terms, tokens


def test_normalise_lower_cases_and_strips_accents() -> None:
    assert normalise("Perché È già CHIUSA?") == "perche e gia chiusa"


def test_normalise_drops_mentions() -> None:
    assert normalise("@sportello_tpl il tram passa?") == "il tram passa"


def test_normalise_keeps_the_word_of_a_hashtag() -> None:
    assert normalise("sciopero #roma") == "sciopero roma"


def test_normalise_splits_camel_case_hashtags() -> None:
    assert normalise("#MetroA") == "metro a"


def test_normalise_drops_urls() -> None:
    assert normalise("orari su https://example.org/orari?x=1 e www.example.org") == "orari su e"


def test_normalise_drops_emoji() -> None:
    assert normalise("grazie 🙏🚇 mille") == "grazie mille"


def test_normalise_splits_elisions_with_straight_apostrophe() -> None:
    assert normalise("l'8 dell'autobus") == "l 8 dell autobus"


def test_normalise_splits_elisions_with_typographic_apostrophe() -> None:
    assert normalise("l’orario all’uscita") == "l orario all uscita"


def test_normalise_expands_italian_chat_shorthand() -> None:
    assert normalise("xké nn passa cmq qnd") == "perche non passa comunque quando"


def test_normalise_reads_standalone_x_as_per() -> None:
    assert normalise("biglietto x Fiumicino, xbox") == "biglietto per fiumicino xbox"


def test_normalise_reads_ke_as_che() -> None:
    assert normalise("ke linea prendo") == "che linea prendo"


def test_normalise_squeezes_repeated_letters() -> None:
    assert normalise("ciaooo graziee") == "ciao graziee"


def test_normalise_keeps_repeated_digits() -> None:
    assert normalise("ISEE 12000") == "isee 12000"


def test_normalise_turns_punctuation_into_spaces() -> None:
    assert normalise("1,50€ - ok?!") == "1 50 ok"


def test_tokens_are_the_normalised_words() -> None:
    assert tokens("Quanto costa il BIT?") == ["quanto", "costa", "il", "bit"]


def test_content_tokens_drop_italian_stop_words() -> None:
    assert content_tokens("il biglietto della metro", "it") == ["biglietto", "metro"]


def test_content_tokens_drop_english_stop_words() -> None:
    assert content_tokens("Is there a night bus?", "en") == ["night", "bus"]


def test_content_tokens_keep_question_words() -> None:
    assert content_tokens("dove e quando", "it") == ["dove", "quando"]


def test_stem_folds_italian_plural_and_singular() -> None:
    assert stem("biglietti") == stem("biglietto")


def test_stem_folds_english_plural() -> None:
    assert (stem("tickets"), stem("buses"), stem("passes")) == ("ticket", "bus", "pass")


def test_stem_keeps_short_words() -> None:
    assert stem("bus") == "bus"


def test_terms_are_stems_of_content_words() -> None:
    assert terms("Gli abbonamenti mensili") == [stem("abbonamento"), stem("mensile")]

