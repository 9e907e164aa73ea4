"""examples/waste runs as shipped: a suspended collection found by the town's ISTAT code, and a sorting question."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import Application
from bot.config import PACKAGE_ROOT, StorageSettings, load_settings
from bot.domain import Action, Intent

CONFIG = PACKAGE_ROOT / "examples" / "waste" / "config.yaml"
NOW = datetime.fromisoformat("2026-12-03T11:00:00+01:00")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Application]:
    settings = load_settings(CONFIG)
    settings = settings.model_copy(update={"storage": StorageSettings(url=f"sqlite:///{tmp_path / 'waste.db'}")})
    application = Application(settings, workers=0, web=False, clock=lambda: NOW)
    yield application
    application.engine.dispose()


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
