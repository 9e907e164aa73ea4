"""Danger told inside a longer message: the sentences read alone, and the message watched when one reads as danger."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pytest

from bot.reading.danger import DangerThresholds
from bot.reading.sentences import DangerSentence, read_with_sentences, sentences


@pytest.mark.parametrize(("text", "expected"), [
    ("Il 64 è in ritardo. Ora sul bus c'è fumo nero!", ["Il 64 è in ritardo.", "Ora sul bus c'è fumo nero!"]),
    ("first line of it\nsecond line of it", ["first line of it", "second line of it"]),
    ("Aspetto da mezz'ora… qualcuno è caduto sui binari; aiutate", ["Aspetto da mezz'ora…",
                                                                    "qualcuno è caduto sui binari;"]),
    ("is the 64 late? the driver is shouting at a woman", ["is the 64 late?", "the driver is shouting at a woman"]),
])
def test_a_message_splits_after_a_sentence_end_or_at_a_line_break(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize("text", [
    "il 64 è in ritardo da venti minuti, come sempre",  # one sentence: it was read whole already
    "Grazie. Il 64 passa?",  # "Grazie." and "Il 64 passa?" are under three words: nothing to read alone
    "Metro A: chiusa? Sì.",
    "",
])
def test_a_message_of_one_sentence_worth_reading_has_none_to_read_again(text: str) -> None:
    assert sentences(text) == []


def test_a_decimal_or_a_time_does_not_split_a_sentence() -> None:
    assert sentences("Il biglietto costa 1.50 euro alle 8.30 di mattina. Qualcuno sa dove comprarlo?") == [
        "Il biglietto costa 1.50 euro alle 8.30 di mattina.", "Qualcuno sa dove comprarlo?"]


@dataclass(frozen=True)
class _Alone:
    danger: float
    language: str | None = "it"
    language_probability: float = 0.99
    in_danger: bool = False
    watched: bool = False


class _Model:
    """Reads each sentence as the danger score it is given; counts the sentences it was asked to read."""

    danger_thresholds = DangerThresholds(0.13, {"it": 0.13, "en": 0.15})

    def __init__(self, scores: dict[str, _Alone]) -> None:
        self.scores = scores
        self.asked: list[str] = []

    def read_many(self, texts: Sequence[str]) -> list[_Alone]:
        self.asked += texts
        return [self.scores[text] for text in texts]


CALM = "Volevo lamentarmi del ritardo di stamattina."
SMOKE = "Adesso esce fumo da sotto i sedili del tram."
THANKS = "Per il resto grazie del servizio."
MESSAGE = f"{CALM} {SMOKE} {THANKS}"


def _found(model: _Model, whole: _Alone, text: str = MESSAGE) -> DangerSentence | None:
    """What the step finds in ``text``, read whole as ``whole``."""
    model.scores[text] = whole
    ((reading, found),) = read_with_sentences(model, [text])
    assert reading == whole  # the message's own reading is the model's, untouched
    return found


def test_the_first_sentence_at_its_languages_threshold_is_the_one_found() -> None:
    model = _Model({CALM: _Alone(0.01), SMOKE: _Alone(0.13), THANKS: _Alone(0.9)})
    assert _found(model, _Alone(0.02)) == DangerSentence(SMOKE, 0.13)


def test_a_message_whose_sentences_all_read_calm_has_none() -> None:
    model = _Model({CALM: _Alone(0.01), SMOKE: _Alone(0.129), THANKS: _Alone(0.0)})
    assert _found(model, _Alone(0.02)) is None
    assert model.asked == [MESSAGE, CALM, SMOKE, THANKS]


def test_each_sentence_is_held_to_the_threshold_of_the_language_it_is_read_in() -> None:
    english = _Model({CALM: _Alone(0.0), SMOKE: _Alone(0.14, "en"), THANKS: _Alone(0.0)})
    italian = _Model({CALM: _Alone(0.0), SMOKE: _Alone(0.14, "it"), THANKS: _Alone(0.0)})
    assert _found(english, _Alone(0.02)) is None  # under English's 0.15
    assert _found(italian, _Alone(0.02)) == DangerSentence(SMOKE, 0.14)


@pytest.mark.parametrize("whole", [_Alone(0.5, in_danger=True), _Alone(0.05, watched=True)])
def test_a_message_already_in_danger_or_watched_finds_no_sentence(whole: _Alone) -> None:
    model = _Model({CALM: _Alone(0.0), SMOKE: _Alone(0.9), THANKS: _Alone(0.0)})
    assert _found(model, whole) is None  # its lane or its watch stands as the model read it


def test_a_message_of_one_sentence_is_read_whole_only() -> None:
    model = _Model({})
    assert _found(model, _Alone(0.02), SMOKE) is None
    assert model.asked == [SMOKE]


def test_messages_and_their_sentences_are_read_in_one_call() -> None:
    calls: list[list[str]] = []

    class _Once(_Model):
        def read_many(self, texts: Sequence[str]) -> list[_Alone]:
            calls.append(list(texts))
            return super().read_many(texts)

    alarmed = f"{CALM} {THANKS} {SMOKE}"
    model = _Once({MESSAGE: _Alone(0.02), SMOKE: _Alone(0.9), alarmed: _Alone(0.5, in_danger=True),
                   CALM: _Alone(0.0), THANKS: _Alone(0.0)})
    read = read_with_sentences(model, [MESSAGE, SMOKE, alarmed])
    assert calls == [[MESSAGE, SMOKE, alarmed, CALM, SMOKE, THANKS, CALM, THANKS, SMOKE]]
    assert [found for _, found in read] == [DangerSentence(SMOKE, 0.9), None, None]  # one sentence; in danger already
    assert [reading for reading, _ in read] == [_Alone(0.02), _Alone(0.9), _Alone(0.5, in_danger=True)]


# --- the router, with the model in service ---------------------------------------------------------------------------

from bot.config import Settings  # noqa: E402
from bot.domain import Action, Intent, Priority  # noqa: E402
from bot.reading.router import Router  # noqa: E402
from tests.bot.eval_knowledge import eval_knowledge  # noqa: E402
from tests.conftest import EVAL_NOW  # noqa: E402

#: written for this test: a delay complaint, then a person who fainted now; the whole reads far under the lane
FAINTED = ("Scrivo per lamentarmi del 64 che stamattina è passato con 25 minuti di ritardo, sono arrivata tardi al "
           "lavoro. Adesso alla fermata un ragazzo è svenuto e non si sveglia.")
COLLAPSED = ("Hi, quick question about the airport train tickets, can I buy them on the app? Also the man next to me "
             "on metro A just collapsed and isn't breathing properly.")
CALM_LONG = "Buongiorno. Vorrei sapere gli orari della metro C la domenica. Grazie mille per la risposta."


def _router(on: bool) -> Router:
    return Router(eval_knowledge(), settings=Settings(reader={"watch_sentences": on}))


@pytest.mark.parametrize("text", [FAINTED, COLLAPSED])
def test_danger_told_after_something_else_is_watched_when_the_setting_is_on(text: str) -> None:
    router = _router(True)
    assert not router.model.read(text).in_danger  # read whole, it is calm for the lane
    decision = router.route(text, now=EVAL_NOW)
    assert (decision.priority, decision.action) == (Priority.WATCH, Action.REVIEW)
    assert decision.intent != Intent.EMERGENCY  # watched, never escalated: the lane is the model's
    sentence = text.split(". ")[-1] if text == FAINTED else text.split("? ")[-1]
    assert any("read alone" in reason and sentence in reason for reason in decision.reasons)  # the agent sees it


@pytest.mark.parametrize("text", [FAINTED, COLLAPSED])
def test_with_the_setting_off_the_message_is_read_whole_only(text: str) -> None:
    assert _router(False).route(text, now=EVAL_NOW).priority is None


def test_a_calm_message_of_several_sentences_is_decided_as_with_the_setting_off() -> None:
    decision = _router(True).route(CALM_LONG, now=EVAL_NOW)
    assert decision.priority is None
    assert decision == _router(False).route(CALM_LONG, now=EVAL_NOW)


def test_a_batch_gets_the_decisions_one_at_a_time_gives() -> None:
    router = _router(True)
    texts = [FAINTED, CALM_LONG, COLLAPSED, "il 64 è in ritardo?"]
    assert router.route_many(texts, now=EVAL_NOW) == [router.route(text, now=EVAL_NOW) for text in texts]
