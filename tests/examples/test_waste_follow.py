"""examples/waste: a citizen follows their town and a collection point in the web chat; the strike suspending
collection in Triggiano (a CAP alert naming the municipality's ISTAT code) is told to the town's follower only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import Application
from bot.domain import InboundMessage
from storage.models import Reply
from tests.examples.desks import NOW, example_app


@pytest.fixture
def app(tmp_path: Path) -> Iterator[Application]:
    yield from example_app("waste", tmp_path, workers=1)


def _say(app: Application, thread: str, text: str) -> str:
    stored = app.queue.enqueue(InboundMessage("web", f"{thread}-1", f"web:{thread}", text, NOW, thread_id=thread))
    assert stored is not None and app.workers[0].run_once()
    with app.engine.connect() as conn:
        return conn.execute(select(Reply.text).where(Reply.message_id == stored)).scalars().one()


def test_the_strike_in_triggiano_is_told_to_the_towns_follower_only(app: Application) -> None:
    town = _say(app, "web-" + "t" * 32, "avvisami per il comune di Triggiano")
    assert "comune di Triggiano" in town
    point = _say(app, "web-" + "p" * 32, "notify me about the recycling centre in via Fanelli, Bari")
    assert "Centro di raccolta di via Fanelli, Bari" in point
    assert app.follow is not None
    [looked] = app.follow.watch_outages()
    assert looked.notices == 1
    assert app.follow.sender.run_once() == 1
    with app.engine.connect() as conn:
        [told] = conn.execute(select(Reply.text).where(Reply.kind == "follow")).scalars().all()
    assert told.startswith("⚠️ Disservizio per comune di Triggiano: Triggiano: raccolta porta a porta sospesa per sciopero")


def test_the_line_command_on_the_waste_desk_says_what_it_can_do(app: Application) -> None:
    stored = app.queue.enqueue(InboundMessage("telegram", "7003:1", "7003", "/linea 64", NOW, thread_id="7003",
                                              extras={"chat_id": 7003, "lang": "it"}))
    assert stored is not None
    _decision, draft = app.pipeline.decide(app.queue.get(stored))
    assert draft.text.startswith("Qui rispondiamo per la raccolta dei rifiuti: non ci sono linee né fermate.")
    assert "/segui via Roma a Triggiano" in draft.text
