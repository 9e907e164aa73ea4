"""examples/water: a citizen follows a street and a fountain in the web chat and is told of the Murat outage
covering them, once, in the conversation where they asked; a street outside it is told nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.config import StorageSettings, load_settings
from bot.domain import InboundMessage
from storage.followers import Chat, followed_by
from storage.models import Message, Reply
from tests.examples.desks import NOW, example_app, example_config

CONFIG = example_config("water")


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Application]:
    yield from example_app("water", tmp_path, workers=1)


def _say(app: Application, thread: str, text: str, number: int) -> str:
    stored = app.queue.enqueue(InboundMessage("web", f"{thread}-{number}", f"web:{thread}", text, NOW, thread_id=thread))
    assert stored is not None and app.workers[0].run_once()
    with app.engine.connect() as conn:
        return conn.execute(select(Reply.text).where(Reply.message_id == stored)).scalars().one()


def _told(app: Application) -> list[str]:
    """The follower notices shown in web-chat conversations."""
    with app.engine.connect() as conn:
        return list(conn.execute(select(Reply.text).where(Reply.kind == "follow").order_by(Reply.id)).scalars())


def test_a_street_and_a_fountain_followed_in_words_hear_of_the_outage_once(app: Application) -> None:
    ada, bruno = "web-" + "a" * 32, "web-" + "b" * 32
    added = _say(app, ada, "avvisami per via Sparano a Bari", 1)
    assert "ti avviserò quando un disservizio riguarda Via Sparano da Bari, Bari" in added
    assert "«non avvisarmi più per Via Sparano da Bari a Bari»" in added
    english = _say(app, bruno, "notify me about outages at viale Papa Giovanni XXIII in Bari", 2)
    assert "I will tell you when an outage touches Viale Papa Giovanni XXIII, Bari" in english
    listed = _say(app, ada, "segui la fontanella di piazza Umberto I", 3)
    assert "Fontanella di piazza Umberto I, Bari" in listed
    assert app.follow is not None
    [looked] = app.follow.watch_outages()
    assert looked.notices == 1  # Ada once (her street and her fountain lie in the Murat polygon); Bruno's street is outside
    assert app.follow.watch_outages()[0].events == ()
    assert app.follow.sender.run_once() == 1
    [told] = _told(app)
    assert told.startswith("⚠️ Disservizio per ")
    assert "Bari, quartiere Murat: acqua sospesa per guasto alla condotta" in told
    assert [f.kind for f in followed_by(app.engine, Chat("web", ada))] == ["street", "service_point"]


def test_a_place_is_listed_and_unfollowed_in_the_citizens_language(app: Application) -> None:
    thread = "web-" + "c" * 32
    _say(app, thread, "notify me about Murat district in Bari", 1)
    listed = _say(app, thread, "avvisami per il quartiere Poggiofranco", 2)
    assert "quartiere Poggiofranco, Bari" in listed
    removed = _say(app, thread, "stop notifying me about Murat district in Bari", 3)
    assert "no more alerts for Murat district, Bari" in removed
    assert [f.target for f in followed_by(app.engine, Chat("web", thread))] == ["BA-POGGIOFRANCO"]
    unknown = _say(app, thread, "avvisami per via Garibaldi a Bari", 4)  # not in the gazetteer: not taken for Bari
    assert "Non trovo «via garibaldi a bari» tra le vie" in unknown and "«avvisami per via Sparano a Bari»" in unknown
    assert len(followed_by(app.engine, Chat("web", thread))) == 1


def test_help_on_the_water_desk_shows_how_to_follow_a_street(app: Application) -> None:
    stored = app.queue.enqueue(InboundMessage("telegram", "7001:1", "7001", "/help", NOW, thread_id="7001",
                                              extras={"chat_id": 7001, "lang": "en"}))
    assert stored is not None
    decision, draft = app.pipeline.decide(app.queue.get(stored))
    assert "/follow via Sparano in Bari" in draft.text and "/line 64" not in draft.text


@pytest.mark.parametrize(("command", "lang", "said"), [
    ("/linea 64", "it", "Qui rispondiamo per il servizio idrico: non ci sono linee né fermate."),
    ("/fermata 70340", "it", "/segui via Sparano a Bari"),
    ("/line", "en", "This desk answers for the water service: there are no lines or stops."),
    ("/stop 70340", "en", "/follow via Sparano in Bari"),
])
def test_line_and_stop_commands_on_the_water_desk_say_what_it_can_do(
    app: Application, command: str, lang: str, said: str,
) -> None:
    stored = app.queue.enqueue(InboundMessage("telegram", f"7002:{command}", "7002", command, NOW, thread_id="7002",
                                              extras={"chat_id": 7002, "lang": lang}))
    assert stored is not None
    decision, draft = app.pipeline.decide(app.queue.get(stored))
    assert said in draft.text and draft.lang == lang
    assert "Non trovo la linea" not in draft.text and "cannot find" not in draft.text



def test_a_follower_at_the_limit_is_told_of_places_not_lines_or_stops(tmp_path: Path) -> None:
    settings = load_settings(CONFIG)
    settings = settings.model_copy(update={
        "storage": StorageSettings(url=f"sqlite:///{tmp_path / 'limit.db'}"),
        "subscriptions": settings.subscriptions.model_copy(update={"max_per_person": 2}),
    })
    app = Application(settings, workers=1, web=False, clock=lambda: NOW)
    try:
        ada = "web-" + "c" * 32
        _say(app, ada, "avvisami per via Sparano a Bari", 1)
        _say(app, ada, "avvisami per quartiere Murat", 2)
        full = _say(app, ada, "segui la fontanella di piazza Umberto I", 3)
        english = _say(app, ada, "notify me about outages at viale Papa Giovanni XXIII in Bari", 4)
    finally:
        app.engine.dispose()
    assert full.startswith("Segui già 2 luoghi, il massimo.") and "linee" not in full
    assert english.startswith("You already follow 2 places, the most allowed.") and "lines" not in english


def test_a_bare_request_for_an_unknown_street_is_answered_not_escalated(app: Application) -> None:
    thread = "web-" + "d" * 32
    said = _say(app, thread, "avvisami per via Cavour a Bari", 1)  # the reader alone took it for danger
    assert said.startswith("Non trovo «via cavour a bari» tra le vie")
    with app.engine.connect() as conn:
        states = list(conn.execute(select(Message.state).where(Message.thread_id == thread)).scalars())
    assert states != ["escalated"]
    danger = _say(app, thread, "avvisami per via Cavour a Bari: c'è fumo dal tombino!", 2)
    assert "Non trovo" not in danger  # a name word that carries news keeps the reader's reading
