"""The console's desk tools in a real browser: search, filters, assign-to-self, notes, folded texts."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from bot.console.users import create_user
from storage.models import Case, Message
from tests.bot.console.live import CHROMIUM, LiveService, launched_chromium, say_in_chat, sign_in, wait_until

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect

PASSWORD = "browser-password"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    db = tmp_path_factory.mktemp("desk") / "sportello.db"
    live = LiveService(f"sqlite:///{db}").start()
    create_user(live.app.engine, "carla", PASSWORD, "agent", language="en")
    create_user(live.app.engine, "dario", PASSWORD, "agent", language="it")
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser(service: LiveService) -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


def signed_in(browser: Any, service: LiveService, name: str) -> Any:
    return sign_in(browser, service.url, name, PASSWORD, viewport={"width": 1280, "height": 900})


@pytest.fixture
def carla(browser: Any, service: LiveService) -> Iterator[Any]:
    page = signed_in(browser, service, "carla")
    yield page
    page.context.close()



def test_search_finds_a_message_by_another_form_of_its_words_and_masks_personal_data(
    carla: Any, service: LiveService
) -> None:
    _, message_id = say_in_chat(service, "Ascensori rotti alla stazione Termini, richiamatemi al 333 765 4321")
    carla.click("nav >> text=Search")
    carla.fill("#search-q", "ascensore termini")
    carla.click("#filters-apply")
    hit = carla.locator(f'#search-hits li[data-id="{message_id}"]')
    expect(hit).to_be_visible()
    expect(hit.locator("a.text")).to_contain_text("Ascensori rotti")
    expect(hit.locator("a.text")).not_to_contain_text("765 4321")
    assert "q=ascensore+termini" in carla.url  # the link keeps the search
    carla.fill("#search-q", "7654321")
    carla.click("#filters-apply")
    expect(carla.locator("#search-count")).to_contain_text("0 messages")


def test_filters_narrow_the_live_queue_and_stay_in_the_link(carla: Any, service: LiveService) -> None:
    _, italian = say_in_chat(service, "Il tram 8 oggi non passa? Aspetto da venti minuti a Trastevere")
    _, english = say_in_chat(service, "Is tram 8 running today? We have been waiting at Piazza Venezia for ages")
    expect(carla.locator(f'#queue li.item[data-id="{italian}"]')).to_be_visible()
    carla.select_option("select[name=lang]", "en")
    carla.click("#filters-apply")
    expect(carla.locator(f'#queue li.item[data-id="{english}"]')).to_be_visible()
    expect(carla.locator(f'#queue li.item[data-id="{italian}"]')).to_have_count(0)
    assert "lang=en" in carla.url
    carla.reload()  # the link alone brings the same view back
    expect(carla.locator(f'#queue li.item[data-id="{english}"]')).to_be_visible()
    expect(carla.locator("select[name=lang]")).to_have_value("en")
    expect(carla.locator(f'#queue li.item[data-id="{italian}"]')).to_have_count(0)


def test_assign_to_self_and_the_assigned_to_me_filter(carla: Any, service: LiveService) -> None:
    _, message_id = say_in_chat(service, "Il controllore mi ha multato ingiustamente sul 75, voglio fare ricorso")
    carla.goto(f"{service.url}/console/messages/{message_id}")
    carla.click("#mine-button")
    expect(carla.locator(".flash")).to_contain_text("assigned to you")
    with Session(service.app.engine) as session:
        case_id = session.get(Message, message_id).case_id
        assert session.get(Case, case_id).assigned_to == "carla"
    carla.goto(f"{service.url}/console/")
    carla.click("#filter-mine")
    expect(carla.locator(f'#queue li.item[data-id="{message_id}"]')).to_be_visible()
    assert "agent=carla" in carla.url


def test_an_internal_note_is_shown_to_agents_and_never_to_the_citizen(
    carla: Any, browser: Any, service: LiveService
) -> None:
    conversation, message_id = say_in_chat(service, "Bus 913 soppresso ancora una volta, è il terzo giorno")
    carla.goto(f"{service.url}/console/messages/{message_id}")
    carla.fill("#note-text", "Chiesto al deposito di Tor Sapienza, risposta attesa domani")
    carla.click("#note-button")
    note = carla.locator("#note-list li", has_text="Tor Sapienza")
    expect(note).to_be_visible()
    expect(note).to_contain_text("carla")
    dario = signed_in(browser, service, "dario")
    try:
        dario.goto(f"{service.url}/console/messages/{message_id}")
        expect(dario.locator("#note-list")).to_contain_text("Tor Sapienza")
        dario.goto(f"{service.url}/console/search?q=sapienza")
        expect(dario.locator("#note-hits")).to_contain_text("Tor Sapienza")
    finally:
        dario.context.close()
    log = httpx.get(f"{service.url}/api/chat", headers={"Authorization": f"Bearer {conversation}"}).json()
    assert all("Sapienza" not in m["text"] for m in log["messages"])


def test_a_long_message_is_folded_in_the_queue_until_more_is_pressed(carla: Any, service: LiveService) -> None:
    _, short = say_in_chat(service, "Il 64 salta la fermata di Largo Argentina")
    _, long = say_in_chat(service, ("Il 64 ha saltato la mia fermata e l'autista non ha aperto le porte. " * 60)[:4000])
    short_selector, long_selector = (f'#queue li.item[data-id="{short}"]', f'#queue li.item[data-id="{long}"]')
    short_item, long_item = carla.locator(short_selector), carla.locator(long_selector)
    expect(long_item.locator("button.more")).to_be_visible()
    expect(short_item).to_be_visible()
    folded, short_height = _heights(carla, long_selector, short_selector)
    assert folded < 2.5 * short_height
    long_item.locator("button.more").click()
    expect(long_item.locator("a.text")).to_have_class("text fold open")
    [unfolded] = _heights(carla, long_selector)
    assert unfolded > 3 * folded


def _heights(page: Any, *selectors: str) -> list[float]:
    """The rendered heights of the queue items ``selectors`` name, read in one step in the page: the queue is
    redrawn every poll, and an element measured across two protocol calls can be replaced in between (it was, once,
    under load: ``bounding_box`` gave None)."""
    return page.evaluate("sels => sels.map(s => document.querySelector(s).getBoundingClientRect().height)",
                         list(selectors))


def test_a_shipped_canned_reply_is_found_filled_and_inserted_into_the_draft(carla: Any, service: LiveService) -> None:
    _, message_id = say_in_chat(service, "Ho perso lo zaino sul tram 8 ieri sera, come posso recuperarlo?")
    with Session(service.app.engine) as session:
        case_id = session.get(Message, message_id).case_id
    carla.goto(f"{service.url}/console/messages/{message_id}")
    carla.fill("#canned-search", "smarriti")
    choice = carla.locator('#canned-results li[data-canned="shipped:lost_property"]')
    expect(choice).to_be_visible()
    choice.locator("button.insert").click()
    expect(carla.locator("#reply-text")).to_have_value(re.compile(rf"pratica {case_id}\).*Carla$"))
    expect(carla.locator("#approve-button")).to_be_hidden()  # the draft changed: only "send" is offered


def test_a_colleagues_past_answer_is_suggested_with_its_case(carla: Any, browser: Any, service: LiveService) -> None:
    conversation, first = say_in_chat(service, "La scala mobile della stazione Flaminio è ferma da una settimana")
    carla.goto(f"{service.url}/console/messages/{first}")
    carla.fill("#reply-text", "Grazie, abbiamo chiesto alla manutenzione di intervenire sulla scala mobile.")
    carla.click("#send-button")
    wait_until(lambda: service.app.queue.get(first).state == "sent")
    _, second = say_in_chat(service, "la scala mobile alla stazione Flaminio è ferma da giorni")
    carla.goto(f"{service.url}/console/messages/{second}")
    suggestion = carla.locator("#suggest-results li.suggestion").first
    expect(suggestion).to_contain_text("chiesto alla manutenzione")
    expect(suggestion.locator("a.source")).to_have_attribute("href", f"/console/messages/{first}")
    suggestion.locator("button.insert").click()
    expect(carla.locator("#reply-text")).to_have_value(re.compile("chiesto alla manutenzione"))


def test_the_team_page_shows_lanes_breaches_and_workload(browser: Any, service: LiveService) -> None:
    create_user(service.app.engine, "sofia", PASSWORD, "supervisor", language="en")
    say_in_chat(service, "Il bus 170 non è mai arrivato, aspetto da un'ora")
    page = signed_in(browser, service, "sofia")
    try:
        page.click("nav >> text=Team today")
        expect(page.locator("#lanes [data-lane=review]")).to_be_visible()
        expect(page.locator("#workload")).to_be_visible()
        expect(page.locator("h2", has_text="Past the target now")).to_be_visible()
    finally:
        page.context.close()


def test_the_italian_console_names_states_in_italian_and_switches_to_english(browser: Any, service: LiveService) -> None:
    _, message_id = say_in_chat(service, "Il 40 è passato pieno e non si è fermato a Piazza Venezia")
    page = signed_in(browser, service, "dario")
    try:
        page.goto(f"{service.url}/console/messages/{message_id}")
        expect(page.locator("#state-badge")).to_have_text("da rivedere")
        page.locator("header.topbar button[name=lang]").click()
        expect(page.locator("#state-badge")).to_have_text("to review")
        page.locator("header.topbar button[name=lang]").click()
        expect(page.locator("#state-badge")).to_have_text("da rivedere")
    finally:
        page.context.close()


def test_report_pages_are_inside_the_console_in_the_supervisors_language(browser: Any, service: LiveService) -> None:
    create_user(service.app.engine, "rita", PASSWORD, "supervisor", language="it")
    page = signed_in(browser, service, "rita")
    try:
        page.click("nav >> text=Report")
        expect(page.locator("h1")).to_have_text("Dove il servizio non funziona")
        expect(page.locator("header.topbar nav a[aria-current=page]")).to_have_text("Report")
        chart = page.locator("img.chart[alt='Segnalazioni per linea']")
        expect(chart).to_have_attribute("src", re.compile(r"lines\.png\?.*lang=it"))
        page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
        page.click("main nav >> text=Tempi di risposta")
        expect(page.locator("h2", has_text="Arretrato adesso")).to_be_visible()
        page.click("main nav >> text=Promesso e realizzato")
        expect(page.locator("#service-empty")).to_be_visible()  # no trip updates here: it says why
    finally:
        page.context.close()
