"""examples/waste runs as shipped: a suspended collection found by the town's ISTAT code, and a sorting question."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import Application
from bot.domain import Action, InboundMessage, Intent
from tests.examples.desks import example_app
from tests.examples.safety import safety_reply


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Application]:
    yield from example_app("waste", tmp_path)


def test_a_street_of_a_town_on_strike_gets_the_suspension(app: Application) -> None:
    _decision, draft = app.pipeline.decide_text("in via Roma a Triggiano non hanno ritirato la spazzatura")
    assert "sciopero" in draft.text and draft.action is Action.AUTO


def test_a_street_of_another_town_goes_to_a_person(app: Application) -> None:
    _decision, draft = app.pipeline.decide_text("via Sparano a Bari, non è passato il camion stamattina")
    assert draft.action is not Action.AUTO and "sciopero" not in draft.text


def test_a_sorting_question_gets_the_faq_answer(app: Application) -> None:
    decision, draft = app.pipeline.decide_text("Dove butto il vetro?")
    assert (decision.intent, decision.faq_id) == (Intent.FAQ, "sorting.glass")
    assert "contenitore verde" in draft.text


def test_a_bin_on_fire_gets_the_waste_safety_reply_with_the_fire_brigade(app: Application) -> None:
    text = safety_reply(app, "aiuto, un cassonetto sta andando a fuoco in via Roma a Triggiano, ci sono bambini vicino")
    assert "chiama subito il 112" in text and "115" in text and "vigili del fuoco" in text
    assert "conducente" not in text and "stazione" not in text
    assert "pronto intervento" not in text  # no breakdown_number in this example's config


def test_an_english_emergency_gets_the_waste_safety_reply_in_english(app: Application) -> None:
    text = safety_reply(app, "help, a bin is on fire in via Roma, Triggiano, and the smoke is everywhere")
    assert "call 112 now" in text and "call 115 (fire brigade)" in text
    assert "driver" not in text and "station" not in text


def test_thanks_get_no_wish_for_a_good_trip(app: Application) -> None:
    for words, lang in (("grazie mille, siete stati gentilissimi", "it"), ("thank you so much, very kind", "en")):
        decision, draft = app.pipeline.decide_text(words, channel="web")
        assert (decision.intent, draft.lang) == (Intent.FEEDBACK, lang)
        assert "viaggio" not in draft.text and "trip" not in draft.text


def test_the_help_command_speaks_of_places_of_the_service_not_lines_or_fountains(app: Application) -> None:
    for lang, number in (("it", 1), ("en", 2)):
        stored = app.queue.enqueue(InboundMessage(
            "web", f"help-{lang}", f"web:{lang}", "/aiuto", app.clock(), thread_id=lang,
            extras={"command": {"name": "help", "argument": "", "lang": lang}},
        ))
        assert stored is not None
        app._worker(number).run_once()  # noqa: SLF001 (the application's own worker)
        [reply] = app.queue.replies_for(stored)
        assert "Sparano" in reply.text and "/linea" not in reply.text and "/line " not in reply.text
        assert "fontanella" not in reply.text and "fountain" not in reply.text
