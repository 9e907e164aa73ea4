"""The web chat page speaks the citizen's language: Accept-Language, or the page's switch."""

from __future__ import annotations

from sqlalchemy import Engine
from starlette.testclient import TestClient

from bot.config import Settings
from bot.web.chat_language import COOKIE, WORDS, accepted
from bot.web.server import build_web_app
from storage.queue import MessageQueue
from tests.conftest import FixedClock


def _client(engine: Engine, clock: FixedClock) -> TestClient:
    return TestClient(build_web_app(Settings(), engine, MessageQueue(engine, clock=clock), clock=clock))


def test_accept_language_picks_the_preferred_of_italian_and_english() -> None:
    assert accepted("en-GB,en;q=0.9") == "en"
    assert accepted("de-DE,de;q=0.9,en;q=0.8,it;q=0.7") == "en"
    assert accepted("fr, it;q=0.5, en;q=0.4") == "it"
    assert accepted("en;q=0.3, it;q=0.8") == "it"
    assert accepted("de, fr") == "it" and accepted("") == "it" and accepted("en;q=abc") == "it"


def test_an_english_browser_gets_the_english_page(engine: Engine, clock: FixedClock) -> None:
    page = _client(engine, clock).get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in page.text
    assert '>Send</button>' in page.text and 'data-you="You"' in page.text
    assert 'data-waiting="Waiting for a reply…"' in page.text and "Invia" not in page.text


def test_the_switch_changes_the_language_and_is_remembered(engine: Engine, clock: FixedClock) -> None:
    client = _client(engine, clock)
    switched = client.get("/?lang=en", headers={"Accept-Language": "it"})
    assert '<html lang="en">' in switched.text and client.cookies.get(COOKIE) == "en"
    again = client.get("/", headers={"Accept-Language": "it"})
    assert '<html lang="en">' in again.text and 'href="/?lang=it"' in again.text


def test_the_page_says_its_length_limit_and_does_not_cut_a_paste(engine: Engine, clock: FixedClock) -> None:
    page = _client(engine, clock).get("/")
    assert "maxlength" not in page.text  # a longer paste is kept, and the counter says what to remove
    assert 'id="counter"' in page.text and "0 / 4000 caratteri" in page.text
    assert set(WORDS["it"]) == set(WORDS["en"])
