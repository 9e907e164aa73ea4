"""The console in a real browser (Debian's chromium through Playwright) against a real service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.console.users import create_user
from storage.db import session_scope
from tests.bot.console.live import CHROMIUM, LiveService, launched_chromium, say_in_chat, sign_in, wait_until

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

PASSWORD = "browser-password"
XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    db = tmp_path_factory.mktemp("console") / "sportello.db"
    live = LiveService(f"sqlite:///{db}").start()
    for name in ("anna", "bruno"):
        create_user(live.app.engine, name, PASSWORD, "agent", language="en")
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser(service: LiveService) -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


def _agent(browser: Any, service: LiveService, name: str) -> Any:
    return sign_in(browser, service.url, name, PASSWORD)


@pytest.fixture
def anna(browser: Any, service: LiveService) -> Iterator[Any]:
    page = _agent(browser, service, "anna")
    yield page
    page.context.close()


@pytest.fixture
def bruno(browser: Any, service: LiveService) -> Iterator[Any]:
    page = _agent(browser, service, "bruno")
    yield page
    page.context.close()



def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _citizen_sees(service: LiveService, token: str, role: str) -> list[str]:
    def replies() -> list[str]:
        log = httpx.get(f"{service.url}/api/chat", headers=_bearer(token)).json()["messages"]
        return [m["text"] for m in log if m["role"] == role]

    return wait_until(replies)


def test_wrong_password_keeps_the_agent_out(browser: Any, service: LiveService) -> None:
    page = browser.new_page()
    page.goto(f"{service.url}/console/")
    page.fill("input[name=username]", "anna")
    page.fill("input[name=password]", "not-the-password")
    page.click("button.primary")
    page.locator(".error").wait_for(state="visible")
    assert page.locator(".error").is_visible()
    assert page.locator("#queue").count() == 0
    page.close()


def test_a_message_typed_in_the_web_chat_appears_in_the_queue_without_reload(
    anna: Any, service: LiveService
) -> None:
    anna.evaluate("window.__sameDocument = true")
    _, message_id = say_in_chat(service, "autista maleducato sul 40, vergogna")
    item = anna.locator(f'#queue li.item[data-id="{message_id}"]')
    item.wait_for()
    assert "autista maleducato sul 40" in item.inner_text()
    assert anna.evaluate("window.__sameDocument") is True


def test_approving_the_draft_sends_it_to_the_citizen(anna: Any, service: LiveService) -> None:
    conversation, message_id = say_in_chat(service, "il bus 64 ha saltato la mia fermata, pessimo servizio")
    draft = service.app.queue.get(message_id).draft
    anna.goto(f"{service.url}/console/messages/{message_id}")
    anna.keyboard.press("a")
    anna.wait_for_url(f"{service.url}/console/")
    assert _citizen_sees(service, conversation, "agent") == [draft]


def test_an_edited_reply_reaches_the_citizen(anna: Any, service: LiveService) -> None:
    conversation, message_id = say_in_chat(service, "aria condizionata rotta sul tram 8, si soffoca")
    anna.goto(f"{service.url}/console/messages/{message_id}")
    anna.keyboard.press("e")
    anna.fill("#reply-text", "Grazie, abbiamo segnalato il guasto al deposito.")
    assert anna.locator("#approve-button").is_hidden()
    anna.click("#send-button")
    anna.wait_for_url(f"{service.url}/console/")
    assert _citizen_sees(service, conversation, "agent") == ["Grazie, abbiamo segnalato il guasto al deposito."]


def test_escalating_from_the_queue_with_the_keyboard(anna: Any, service: LiveService) -> None:
    _, message_id = say_in_chat(service, "voglio un rimborso per il biglietto, il controllore mi ha trattato male")
    anna.locator(f'#queue li.item[data-id="{message_id}"]').wait_for()
    for _ in range(50):
        if anna.locator(f'#queue li.item.selected[data-id="{message_id}"]').count():
            break
        anna.keyboard.press("j")
    anna.keyboard.press("x")
    wait_until(lambda: service.app.queue.get(message_id).state == "escalated")
    anna.locator(f'#queue li.item.u-escalated[data-id="{message_id}"]').wait_for()


def test_the_second_agent_sees_who_holds_the_message_and_cannot_act(
    anna: Any, bruno: Any, service: LiveService
) -> None:
    _, message_id = say_in_chat(service, "la metro B è sporchissima stamattina")
    anna.goto(f"{service.url}/console/messages/{message_id}")
    anna.locator("#held-notice").wait_for()
    bruno.locator(f'#queue li.item[data-id="{message_id}"] .claim').wait_for()
    assert "handled by anna" in bruno.locator(f'#queue li.item[data-id="{message_id}"]').inner_text()
    bruno.goto(f"{service.url}/console/messages/{message_id}")
    assert "anna is handling this message" in bruno.locator("#held-notice").inner_text()
    assert bruno.locator("#reply-text").count() == 0
    assert service.app.queue.get(message_id).claimed_by == "anna"


def test_citizen_markup_is_shown_as_text(anna: Any, service: LiveService) -> None:
    _, message_id = say_in_chat(service, f"il 40 non passa {XSS}")
    item = anna.locator(f'#queue li.item[data-id="{message_id}"]')
    item.wait_for()
    assert "<script>window.__xss = 1</script>" in item.locator("a.text").inner_text()
    assert item.locator("img").count() == 0
    anna.goto(f"{service.url}/console/messages/{message_id}")
    assert '<img src=x onerror="window.__xss = 2">' in anna.locator("#citizen-text").inner_text()
    assert anna.locator("main img").count() == 0
    assert anna.evaluate("window.__xss === undefined") is True


def test_a_post_without_the_csrf_token_is_refused(anna: Any, service: LiveService) -> None:
    _, message_id = say_in_chat(service, "autobus 70 mai arrivato, una vergogna")
    status = anna.evaluate(
        """async (url) => (await fetch(url, {method: 'POST', credentials: 'same-origin',
              headers: {'Content-Type': 'application/x-www-form-urlencoded'}, body: 'csrf=forged'})).status""",
        f"{service.url}/console/messages/{message_id}/approve",
    )
    assert status == 403
    assert service.app.queue.get(message_id).state == "awaiting_review"


def test_question_mark_opens_the_shortcuts(anna: Any) -> None:
    anna.wait_for_load_state("load")  # console.js has attached its key handler
    anna.keyboard.press("?")
    anna.locator("dialog#help").wait_for(state="visible")
    assert anna.locator("dialog#help").is_visible()


_NOTIFICATIONS = """
window.__notes = [];
window.__asked = 0;
window.Notification = class {
  constructor(title, options) { window.__notes.push({ title: title, body: (options || {}).body }); }
  static get permission() { return window.__asked ? "granted" : "default"; }
  static requestPermission() { window.__asked += 1; return Promise.resolve("granted"); }
};
"""


def test_an_emergency_raises_banner_sound_and_notification_for_a_signed_in_agent(
    browser: Any, service: LiveService
) -> None:
    context = browser.new_context()
    context.add_init_script(_NOTIFICATIONS)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(f"{service.url}/console/")
        page.fill("input[name=username]", "bruno")
        page.fill("input[name=password]", PASSWORD)
        page.click("button.primary")
        page.wait_for_selector("#queue", state="attached")
        page.wait_for_function("window.__asked > 0")  # the console's script runs after the queue is in the page
        assert page.evaluate("window.__asked") == 1  # asked for notifications once on sign-in
        _, message_id = say_in_chat(service, "aiuto, un uomo è svenuto sul binario a Termini")
        page.locator("#emergency-banner").wait_for(state="visible")
        page.wait_for_function("window.__notes.length > 0")
        notes = page.evaluate("window.__notes")
        assert "svenuto" in notes[0]["body"]
        assert int(page.evaluate("document.body.dataset.alarm")) >= 1
        item = page.locator(f'#queue li.item[data-id="{message_id}"]')
        assert "u-emergency" in (item.get_attribute("class") or "")
        assert "waiting for an agent" in item.inner_text()
    finally:
        context.close()


def test_possible_danger_is_marked_and_listed_in_its_own_section(anna: Any, service: LiveService) -> None:
    _, message_id = say_in_chat(service, "il tram 8 ha saltato la fermata di Trastevere, inaccettabile")
    queue = service.app.queue
    with session_scope(queue.engine) as session:  # as the reader's watch band leaves it
        row = queue.load(session, message_id, lock=True)
        row.decision = {**(row.decision or {}), "priority": "watch"}
    anna.reload()
    item = anna.locator(f'#queue li.item.watched[data-id="{message_id}"]')
    item.wait_for()
    assert item.locator(".badge.watch").inner_text().lower() == "possible danger"
    assert anna.locator(".section-heading.s-watch").count() == 1
