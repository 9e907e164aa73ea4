"""The chat page in a real browser under the CSP: the cookie keeps the conversation, nothing is blocked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.bot.console.live import CHROMIUM, CHROMIUM_ARGS, LiveService

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    live = LiveService(f"sqlite:///{tmp_path_factory.mktemp('chat') / 'sportello.db'}", auto_answers=True).start()
    yield live
    live.stop()


@pytest.fixture
def page(service: LiveService) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = chromium.new_context()
        context.set_default_timeout(15_000)
        yield context.new_page()
        chromium.close()


def test_a_citizen_writes_reads_the_answer_and_keeps_the_conversation(page: Any, service: LiveService) -> None:
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(service.url + "/")
    page.fill("#text", "quanto costa il biglietto?")
    page.click("button[type=submit]")
    page.locator("#log li.citizen").first.wait_for()
    page.locator("#log li.bot").first.wait_for()
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["sportello_chat"]["httpOnly"] is True
    assert page.evaluate("document.cookie") == ""  # the token is out of the script's reach
    page.reload()
    page.locator("#log li.citizen").first.wait_for()
    assert "quanto costa il biglietto?" in page.locator("#log").inner_text()
    assert not [p for p in problems if "Content Security Policy" in p]


@pytest.fixture
def english_page(service: LiveService) -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = chromium.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en-GB,en;q=0.9"})
        context.set_default_timeout(15_000)
        yield context.new_page()
        chromium.close()


def test_an_english_writer_gets_the_page_in_english_and_the_limit_before_it_bites(
    english_page: Any, service: LiveService
) -> None:
    expect = sync_api.expect
    page = english_page
    page.goto(service.url + "/")
    expect(page.locator("#send-button")).to_have_text("Send")
    expect(page.locator("#counter")).to_have_text("0 / 4000 characters")
    page.fill("#text", "x" * 4100)  # a long paste is kept whole, and the page says what to do
    expect(page.locator("#counter")).to_have_text("Too long: at most 4000 characters, remove 100.")
    expect(page.locator("#send-button")).to_be_disabled()
    assert page.evaluate("document.getElementById('text').value.length") == 4100
    page.fill("#text", "Is tram 8 running today?")
    expect(page.locator("#send-button")).to_be_enabled()
    page.click("#send-button")
    expect(page.locator("#log li.citizen small").first).to_contain_text("You")
    page.click("#lang-switch")
    expect(page.locator("#send-button")).to_have_text("Invia")
