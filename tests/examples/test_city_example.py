"""examples/city, a desk of three services: the reply to an emergency comes from the service it was routed to."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.app import Application
from bot.domain import Action, Intent
from tests.examples.desks import example_app
from tests.examples.safety import safety_reply


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Application]:
    yield from example_app("city", tmp_path)


def test_a_water_emergency_gets_the_water_services_reply_and_its_breakdown_line(app: Application) -> None:
    text = safety_reply(app, "aiuto, un tubo dell'acqua è esploso e l'acqua allaga la cantina vicino ai cavi elettrici")
    assert "chiama subito il 112" in text and "pronto intervento al 800 000 002" in text
    assert "conducente" not in text


def test_a_burning_bin_gets_the_waste_services_reply_in_english(app: Application) -> None:
    text = safety_reply(app, "help, the rubbish bin is on fire next to the waste collection point, smoke everywhere")
    assert "call 115 (fire brigade)" in text and "driver" not in text


def test_an_emergency_on_a_bus_gets_the_transit_reply(app: Application) -> None:
    text = safety_reply(app, "aiuto, un uomo è svenuto sul bus 64")
    assert "Avvisa il conducente" in text


def test_an_emergency_no_service_claims_gets_the_transit_reply(app: Application) -> None:
    text = safety_reply(app, "aiuto, c'è un uomo a terra che non respira, venite subito")
    assert "Avvisa il conducente" in text


def test_a_leak_a_service_acknowledges_goes_out_alone_on_the_city_desk(app: Application) -> None:
    decision, draft = app.pipeline.decide_text("perdita d'acqua in via Sparano a Bari da tre giorni, nessuno è venuto "
                                               "a ripararla", channel="web")
    assert (decision.intent, str(decision.category), draft.action) == (Intent.COMPLAINT, "leak", Action.AUTO)
    assert draft.text.startswith("Grazie per la segnalazione della perdita d'acqua in Via Sparano da Bari")


@pytest.mark.parametrize("text", ["autista maleducato sul 40", "il 64 non passa da 40 minuti. vergogna"])
def test_a_transit_complaint_still_waits_for_a_person_on_the_city_desk(app: Application, text: str) -> None:
    decision, draft = app.pipeline.decide_text(text, channel="web")
    assert (decision.intent, draft.action) == (Intent.COMPLAINT, Action.REVIEW)
