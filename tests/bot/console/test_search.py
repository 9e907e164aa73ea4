"""Full-text search and filters on both databases: FTS5 on SQLite, tsvector on PostgreSQL."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select, update
from starlette.testclient import TestClient

from bot.console.filters import Filters
from bot.console.notes import add_note
from bot.console.queueview import QueueView
from bot.console.search import SearchResult, fts5_query, search, tsquery
from bot.domain import MessageState
from storage.db import session_scope
from storage.models import Case, Message, Reply
from storage.queue import MessageQueue
from tests.bot.console.conftest import Messages, token

ROME = ZoneInfo("Europe/Rome")
VIEW = QueueView(target_minutes=5, claim_minutes=15, recent_hours=6)


def _find(engine: Engine, clock: Any, **params: str) -> SearchResult:
    return search(engine, Filters.parse(params), VIEW, clock(), ROME)


def _ids(result: SearchResult) -> list[int]:
    return [item.id for item in result.messages]


def test_an_italian_word_finds_its_other_forms(engine: Engine, clock: Any, messages: Messages) -> None:
    late = messages.add("Il 64 è in ritardo da mezz'ora")
    messages.add("autista maleducato sul 40")
    assert _ids(_find(engine, clock, q="ritardi")) == [late]


def test_an_english_word_finds_its_other_forms(engine: Engine, clock: Any, messages: Messages) -> None:
    delayed = messages.add("The tram 8 is delayed again", lang="en")
    messages.add("Tram 8 is crowded", lang="en")
    assert _ids(_find(engine, clock, q="delays tram")) == [delayed]


def test_accents_do_not_matter_on_sqlite(engine: Engine, clock: Any, messages: Messages) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's italian and english configurations keep accents (no unaccent extension)")
    found = messages.add("La metro è più lenta del solito")
    assert _ids(_find(engine, clock, q="piu lenta")) == [found]


def test_search_syntax_in_the_query_is_only_words(engine: Engine, clock: Any, messages: Messages) -> None:
    found = messages.add("bus 64 NEAR fermata")
    assert _ids(_find(engine, clock, q='64 "NEAR" * ( -:')) == [found]
    assert fts5_query('a" OR b*') == '"a"* "or"* "b"*'
    assert tsquery("ritardo & !bus") == "ritardo:* & bus:*"


def test_the_index_follows_edits_and_erasures(engine: Engine, clock: Any, messages: Messages) -> None:
    message_id = messages.add("scala mobile guasta a Termini")
    with session_scope(engine) as session:
        session.execute(update(Message).where(Message.id == message_id).values(text="ascensore fermo"))
    assert _ids(_find(engine, clock, q="scala mobile")) == []
    assert _ids(_find(engine, clock, q="ascensore")) == [message_id]


def test_personal_data_is_masked_in_hits_and_not_searchable(engine: Engine, clock: Any, messages: Messages) -> None:
    message_id = messages.add("Il bus non è passato, richiamatemi al 333 123 4567 o mario.rossi@example.com")
    assert _find(engine, clock, q="3331234567").messages == []
    assert _find(engine, clock, q="mario.rossi").messages == []
    assert _find(engine, clock, q="example").messages == []
    [hit] = _find(engine, clock, q="bus passato").messages
    assert hit.id == message_id
    assert "4567" not in hit.text and "mario.rossi" not in hit.text


def test_filters_combine(engine: Engine, clock: Any, messages: Messages) -> None:
    wanted = messages.add("il 64 non passa", channel="telegram", intent="status", lang="it", routes=("64",))
    messages.add("il 640 non passa", channel="telegram", intent="status", routes=("640",))
    messages.add("il 64 non passa", channel="web", intent="status", routes=("64",))
    messages.add("il 64 non passa", channel="telegram", intent="complaint", routes=("64",))
    messages.add("64 is not coming", channel="telegram", intent="status", lang="en", routes=("64",))
    found = _find(engine, clock, q="passa", channel="telegram", intent="status", route="64", lang="it")
    assert _ids(found) == [wanted]
    assert set(_ids(_find(engine, clock, route="64", channel="telegram"))) == {wanted, wanted + 3, wanted + 4}


def test_state_agent_and_date_filters(engine: Engine, clock: Any, messages: Messages, queue: MessageQueue) -> None:
    old = messages.add("tram 8 sporco", ago_seconds=3 * 86400)
    new = messages.add("tram 8 sporco", state=MessageState.ESCALATED)
    with session_scope(engine) as session:
        session.execute(update(Message).where(Message.id == new).values(claimed_by="anna", claimed_at=clock()))
    today = clock().astimezone(ROME).date().isoformat()
    assert _ids(_find(engine, clock, q="tram", since=today)) == [new]
    assert _ids(_find(engine, clock, q="tram", until="2026-11-25")) == [old]
    assert _ids(_find(engine, clock, state="escalated")) == [new]
    assert _ids(_find(engine, clock, agent="anna")) == [new]
    assert _ids(_find(engine, clock, agent="bruno")) == []


def test_a_case_number_finds_the_case(engine: Engine, clock: Any, messages: Messages) -> None:
    first = messages.add("primo messaggio", author="web:piero")
    second = messages.add("secondo messaggio", author="web:piero")
    messages.add("altro cittadino")
    with session_scope(engine) as session:
        case_id = session.get(Message, first).case_id
    assert set(_ids(_find(engine, clock, q=f"#{case_id}"))) == {first, second}


def test_a_note_is_found_and_brings_its_case(engine: Engine, clock: Any, messages: Messages) -> None:
    message_id = messages.add("il tram 8 non passa")
    add_note(engine, message_id, "anna", "Richiamato il deposito di Porta Maggiore", at=clock())
    found = _find(engine, clock, q="deposito maggiore")
    assert [n.author for n in found.notes] == ["anna"]
    assert _ids(found) == [message_id]


def test_unknown_filter_values_are_dropped() -> None:
    filters = Filters.parse({"channel": "fax", "state": "nope", "since": "ieri", "lang": "en", "q": "x" * 500})
    assert (filters.channel, filters.state, filters.since, filters.lang) == ("", "", None, "en")
    assert len(filters.q) == 200
    assert Filters.parse({"route": "64", "intent": "status"}).query() == "route=64&intent=status"


# -- over HTTP ----------------------------------------------------------------------------------

def test_the_queue_shows_only_what_the_link_filters(anna: TestClient, messages: Messages) -> None:
    telegram = messages.add("tram 8 fermo", channel="telegram")
    messages.add("tram 8 fermo", channel="web")
    emergency = messages.add("aiuto", intent="emergency", state=MessageState.ESCALATED, channel="web")
    data = anna.get("/console/api/queue?channel=telegram").json()
    assert [i["id"] for i in data["items"]] == [telegram]
    assert data["emergencies"] == 1 and [i["id"] for i in data["emergency_items"]] == [emergency]
    page = anna.get("/console/?channel=telegram&intent=complaint")
    config = json.loads(re.search(r'id="console-config">(.*?)</script>', page.text).group(1))
    assert config["filters"] == "channel=telegram&intent=complaint"
    assert '<option value="telegram" selected>' in page.text


def test_the_search_page_lists_hits_masked(anna: TestClient, messages: Messages) -> None:
    messages.add("metro A chiusa, chiamatemi al 333 123 4567")
    page = anna.get("/console/search?q=metro+chiusa")
    assert page.status_code == 200
    assert "metro A chiusa" in page.text and "123 4567" not in page.text
    assert "333 123 4567" not in anna.get("/console/search?q=4567").text


def test_assign_to_self_takes_message_and_case(
    anna: TestClient, bruno: TestClient, messages: Messages, engine: Engine
) -> None:
    message_id = messages.add()
    response = anna.post(f"/console/messages/{message_id}/mine", data={"csrf": token(anna)})
    assert response.status_code == 303
    with session_scope(engine) as session:
        row = session.get(Message, message_id)
        assert row.claimed_by == "anna"
        assert session.get(Case, row.case_id).assigned_to == "anna"
    refused = bruno.post(f"/console/messages/{message_id}/mine", data={"csrf": token(bruno)})
    assert refused.status_code == 303 and refused.headers["location"].endswith(f"/messages/{message_id}")
    assert [i["id"] for i in anna.get("/console/api/queue?agent=anna").json()["items"]] == [message_id]
    assert anna.get("/console/api/queue?agent=bruno").json()["items"] == []


def test_a_note_is_kept_with_author_and_time_and_never_sent(
    anna: TestClient, messages: Messages, engine: Engine, clock: Any
) -> None:
    message_id = messages.add()
    response = anna.post(
        f"/console/messages/{message_id}/note", data={"csrf": token(anna), "text": "Cittadino già sentito ieri"}
    )
    assert response.status_code == 303
    page = anna.get(f"/console/messages/{message_id}").text
    assert "Cittadino già sentito ieri" in page and "anna" in page
    assert 'maxlength="2000"' in page and "(fino a 2000 caratteri)" in page  # the limit said before it bites
    with session_scope(engine) as session:
        replies = session.execute(select(Reply.text)).scalars().all()
        assert all("sentito ieri" not in text for text in replies)
        assert session.execute(select(Message.text)).scalars().all() == ["autista maleducato sul 64"]
    empty = anna.post(f"/console/messages/{message_id}/note", data={"csrf": token(anna), "text": "  "})
    assert empty.status_code == 303


def test_erasing_a_citizen_takes_their_notes_and_hits_away(engine: Engine, clock: Any, messages: Messages) -> None:
    from bot.privacy.subject import Citizen, erase_citizen

    message_id = messages.add("il 64 salta la fermata Piazzale Flaminio", author="web:lucia")
    add_note(engine, message_id, "anna", "Lucia abita a Piazzale Flaminio", at=clock())
    erase_citizen(engine, Citizen.parse("web:lucia"), actor="admin:adele", now=clock())
    found = _find(engine, clock, q="flaminio")
    assert found.messages == [] and found.notes == []


def test_the_subject_filter_keeps_one_faq_entry(engine: Engine, clock: Any, messages: Messages, anna: TestClient) -> None:
    price = messages.add("quanto costa il biglietto?", intent="faq", faq_id="tickets.price")
    messages.add("dove compro il biglietto?", intent="faq", faq_id="tickets.where")
    assert _ids(_find(engine, clock, q="biglietto", faq="tickets.price")) == [price]
    assert [i["id"] for i in anna.get("/console/api/queue?faq=tickets.price").json()["items"]] == [price]


def test_every_state_intent_and_category_has_a_name_in_both_languages() -> None:
    from bot.console.i18n import STRINGS
    from bot.console.users import ROLES
    from bot.domain import Category, Intent

    for lang in ("it", "en"):
        missing = [f"st_{s}" for s in MessageState if f"st_{s}" not in STRINGS[lang]]
        missing += [f"intent_{i}" for i in Intent if f"intent_{i}" not in STRINGS[lang]]
        missing += [f"cat_{c}" for c in Category if f"cat_{c}" not in STRINGS[lang]]
        missing += [f"role_{r}" for r in ROLES if f"role_{r}" not in STRINGS[lang]]
        assert missing == [], lang
    assert STRINGS["it"]["st_escalated"] != "escalated" and STRINGS["it"]["st_awaiting_review"] != "awaiting_review"
