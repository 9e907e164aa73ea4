"""One desk, several services: each message decided with its service's knowledge; an undecided one held for a person."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from bot.app import Application
from bot.config import PACKAGE_ROOT, StorageSettings, load_settings
from bot.domain import Action, Intent
from bot.services import UNDECIDED
from storage.models import Message

CITY = PACKAGE_ROOT / "examples" / "city" / "config.yaml"
NOW = datetime.fromisoformat("2026-12-03T11:00:00+01:00")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Application]:
    settings = load_settings(CITY)
    url = f"sqlite:///{tmp_path_factory.mktemp('city') / 'city.db'}"
    application = Application(settings.model_copy(update={"storage": StorageSettings(url=url)}),
                              workers=0, web=False, clock=lambda: NOW)
    yield application
    application.engine.dispose()


def test_each_service_keeps_its_own_knowledge(app: Application) -> None:
    services = app.desk.services
    assert (bool(services["transit"].knowledge.gtfs.routes), services["water"].knowledge.gtfs.routes) == (True, {})
    assert services["water"].knowledge.faq is not services["waste"].knowledge.faq
    assert app.desk.labels() == {"transit": "Autobus, tram e metro", "water": "Acqua", "waste": "Rifiuti"}


def test_each_services_feeds_are_named_for_it(app: Application) -> None:
    names = {job.name for job in app.desk.jobs()}
    assert {"feed:transit:alerts", "feed:water:outages", "feed:water:planned_outages", "feed:waste:outages"} <= names


def test_a_water_outage_gets_the_water_outage_reply(app: Application) -> None:
    decision, draft = app.pipeline.decide_text("via Sparano a Bari senza acqua da stamattina", channel="web")
    assert decision.service == "water" and "Murat" in draft.text and draft.action is Action.AUTO


def test_a_waste_question_gets_the_waste_faq(app: Application) -> None:
    decision, draft = app.pipeline.decide_text("Dove butto il vetro?", channel="web")
    assert (decision.service, decision.faq_id) == ("waste", "sorting.glass") and "contenitore verde" in draft.text


def test_a_bus_question_is_read_against_the_network(app: Application) -> None:
    decision, _draft = app.pipeline.decide_text("il 64 è in ritardo?", channel="web")
    assert (decision.service, decision.intent, decision.routes) == ("transit", Intent.STATUS, ("64",))


def test_a_water_complaint_gets_waters_category_and_words(app: Application) -> None:
    decision, draft = app.pipeline.decide_text("la fontanella di piazza Garibaldi è rotta da una settimana", channel="web")
    assert (decision.service, str(decision.category)) == ("water", "fountain")
    assert "fontanella pubblica" in draft.text


def test_an_undecided_message_waits_for_a_person_with_a_neutral_draft(app: Application) -> None:
    decision, draft = app.pipeline.decide_text("come pago la bolletta?", channel="web")
    assert (decision.service, decision.faq_id, draft.action) == (UNDECIDED, None, Action.REVIEW)
    assert draft.text.startswith("Grazie per il messaggio") and "a person decides" in decision.reasons[-1]


def test_danger_in_an_undecided_message_still_escalates(app: Application) -> None:
    decision, draft = app.pipeline.decide_text("aiuto, c'è un uomo a terra che non respira", channel="web")
    assert (decision.intent, draft.action) == (Intent.EMERGENCY, Action.ESCALATE)


def test_a_batch_is_decided_as_one_by_one(app: Application) -> None:
    texts = ["Dove butto il vetro?", "il 64 è in ritardo?", "come pago la bolletta?", "l'acqua del rubinetto è potabile?"]
    messages = [Message(id=i, channel="web", external_id=str(i), author="a", text=t, received_at=NOW)
                for i, t in enumerate(texts)]
    batch = app.desk.decide_many(messages)
    alone = [app.desk.decide_text(t, channel="web") for t in texts]
    assert [(d.service, d.intent, d.faq_id, r.text) for d, r in batch] == [
        (d.service, d.intent, d.faq_id, r.text) for d, r in alone]


def test_health_watches_every_services_feeds(app: Application) -> None:
    names = [feed.name for feed in app.health_check().feeds]
    assert names == ["transit:alerts", "transit:trip_updates", "water:outages", "water:planned_outages", "waste:outages"]
    assert set(app.health()["services"]) == {"transit", "water", "waste"}


def test_a_services_replies_give_its_own_phone_number(app: Application) -> None:
    _decision, draft = app.pipeline.decide_text("viale Papa Giovanni XXIII a Bari senza acqua", channel="web")
    assert "800 000 002" in draft.text  # urgent faults: the water service's own breakdown line, not the desk's number
