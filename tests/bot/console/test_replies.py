"""Replies at hand: shipped canned replies with placeholders, and suggestions from past agent answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.console.shipped import PLACEHOLDERS, fill, first_name, shipped_replies, unfilled
from bot.console.suggest import suggest
from bot.domain import MessageState
from knowledge.domains import domain_named
from knowledge.domains.base import DomainError, Words
from storage.db import session_scope
from storage.models import Message, Reply
from storage.queue import MessageQueue
from tests.bot.console.conftest import Messages, token


@pytest.mark.parametrize("domain", ["transit", "water", "waste"])
def test_every_shipped_reply_exists_in_italian_and_english(domain: str) -> None:
    replies = shipped_replies([domain_named(domain)])
    keys = {r.key for r in replies}
    assert len(keys) >= 9
    for key in keys:
        assert {r.lang for r in replies if r.key == key} == {"it", "en"}
    assert all("{case}" in r.text for r in replies if r.key != "thanks")


def test_an_unknown_placeholder_in_a_domains_file_is_refused_naming_it(tmp_path: Path) -> None:
    words = (Path(__file__).resolve().parents[3] / "knowledge" / "domains" / "water" / "words.yaml").read_text("utf-8")
    bad = tmp_path / "words.yaml"
    bad.write_text(words.replace("(pratica {case}) e la\n        passiamo alla squadra", "(pratica {pratica}) e la\n"
                                 "        passiamo alla squadra"), encoding="utf-8")
    with pytest.raises(DomainError, match=r"words.yaml: canned_replies 'leak_report' \(it\) uses \{pratica\}"):
        Words.load(bad)


def test_placeholders_are_filled_where_known_and_left_where_not() -> None:
    text = fill("Linea {line}, pratica {case}. {agent_first_name}", {"case": "12", "agent_first_name": "Anna"})
    assert text == "Linea {line}, pratica 12. Anna"
    assert unfilled(text) == ["line"]
    assert unfilled("{nome} resta") == []
    assert set(PLACEHOLDERS) >= {"case", "line", "agent_first_name"}
    assert first_name("anna.rossi") == "Anna" and first_name("bruno") == "Bruno"


def test_canned_replies_come_filled_for_the_message_with_its_intent_first(
    anna: TestClient, messages: Messages, engine: Engine
) -> None:
    message_id = messages.add("l'autista del 64 è stato scortese", intent="complaint", routes=("64",))
    with session_scope(engine) as session:
        case_id = session.get(Message, message_id).case_id
    found = anna.get("/console/api/canned", params={"lang": "it", "message": message_id}).json()["replies"]
    assert found[0]["shipped"] and found[0]["lead"]
    delay = next(r for r in found if r["id"] == "shipped:delay_apology")
    assert f"linea 64" in delay["text"] and f"pratica {case_id}" in delay["text"] and delay["text"].endswith("Anna")
    assert all(r["lang"] == "it" for r in found)
    searched = anna.get("/console/api/canned", params={"lang": "en", "q": "lost", "message": message_id}).json()
    assert [r["id"] for r in searched["replies"]] == ["shipped:lost_property"]


def test_a_reply_with_a_placeholder_left_is_not_sent(anna: TestClient, messages: Messages, queue: MessageQueue) -> None:
    message_id = messages.add(routes=())
    response = anna.post(
        f"/console/messages/{message_id}/send", data={"csrf": token(anna), "text": "Ritardo sulla linea {line}."}
    )
    assert response.status_code == 303
    assert queue.get(message_id).state == MessageState.AWAITING_REVIEW
    assert "{line}" in anna.get(f"/console/messages/{message_id}").text


def _answered(messages: Messages, engine: Engine, clock: Any, text: str, answer: str, *, author: str = "agent:sara",
              lang: str = "it") -> int:
    message_id = messages.add(text, lang=lang, state=MessageState.AWAITING_REVIEW)
    with session_scope(engine) as session:
        row = session.get(Message, message_id)
        session.add(Reply(message_id=message_id, case_id=row.case_id, channel="web", text=answer, lang=lang,
                          author=author, status="posted", created_at=clock(), posted_at=clock()))
    return message_id


def test_suggestions_are_past_agent_answers_to_similar_messages(
    engine: Engine, clock: Any, messages: Messages
) -> None:
    source = _answered(messages, engine, clock, "l'aria condizionata del tram 8 è rotta, si soffoca",
                       "Grazie, abbiamo avvisato il deposito del tram 8. Chiami il 333 1234567 se serve.")
    _answered(messages, engine, clock, "l'aria condizionata del tram 8 non va", "Risposta del bot", author="bot")
    _answered(messages, engine, clock, "the tram 8 air conditioning is broken", "Thanks, we told the depot.", lang="en")
    _answered(messages, engine, clock, "quanto costa il biglietto integrato?", "Il biglietto costa 1,50 euro.")
    current = messages.add("aria condizionata rotta sul tram 8, si muore di caldo")
    [found] = suggest(engine, current)
    assert found.message_id == source and found.agent == "sara"
    assert found.text.startswith("Grazie, abbiamo avvisato il deposito") and "1234567" not in found.text


def test_the_case_view_lists_suggestions_over_http(
    anna: TestClient, engine: Engine, clock: Any, messages: Messages
) -> None:
    source = _answered(messages, engine, clock, "il 64 ha saltato la fermata di Largo Argentina",
                       "Ci dispiace, abbiamo segnalato la fermata saltata.")
    current = messages.add("il 64 ha saltato la fermata a Largo Argentina stamattina")
    data = anna.get("/console/api/suggest", params={"message": current}).json()
    assert [s["message_id"] for s in data["suggestions"]] == [source]
    assert data["suggestions"][0]["url"] == f"/console/messages/{source}"
    assert anna.get("/console/api/suggest").status_code == 422
