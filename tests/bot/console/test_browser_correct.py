"""An agent corrects a water message's places and service in a real browser (chromium through Playwright): an
unknown street is refused with the known ones, then an address and its street in another service are saved and
shown in the case view."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import PACKAGE_ROOT, Settings
from bot.console.users import create_user
from storage.models import Message
from tests.bot.console.live import CHROMIUM, ServedApplication, free_port, launched_chromium, say_in_chat, sign_in

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

PASSWORD = "browser-password"
WATER = PACKAGE_ROOT / "examples" / "water"
WASTE = PACKAGE_ROOT / "examples" / "waste"


class DeskService(ServedApplication):
    """A desk of two services, water and waste, each with its gazetteer and FAQ, served in this process."""

    def __init__(self, db_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"

        def knowledge(domain: str, folder: Path, files: list[str]) -> dict[str, Any]:
            return {"knowledge": {"domain": domain, "gazetteer": [str(folder / f) for f in files],
                                  "faq": [str(folder / "faq.yaml")]}}

        self._serve(Settings(
            storage={"url": db_url},
            web={"host": "127.0.0.1", "port": self.port, "secret_key": "browser-test-secret"},
            workers={"count": 1, "idle_seconds": 0.05},
            policy={"auto_enabled": False},
            console={"poll_seconds": 0.5},
            services={"water": knowledge("water", WATER, ["stradario.csv", "luoghi.geojson"]),
                      "waste": knowledge("waste", WASTE, ["stradario.csv", "punti-raccolta.csv"])},
        ))


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DeskService]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    db = tmp_path_factory.mktemp("correct") / "sportello.db"
    live = DeskService(f"sqlite:///{db}").start()
    create_user(live.app.engine, "anna", PASSWORD, "agent", language="en")
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser(service: DeskService) -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


def test_an_agent_corrects_the_places_and_the_service(browser: Any, service: DeskService) -> None:
    _token, message_id = say_in_chat(service, "via Sparano 12 a Bari senza acqua da stamattina")
    page = sign_in(browser, service.url, "anna", PASSWORD)
    page.goto(f"{service.url}/console/messages/{message_id}")
    assert "Via Sparano da Bari 12, Bari" in page.locator("#places").inner_text()
    page.locator("details.correct summary").click()
    places = page.locator("#correct-places")
    assert places.input_value() == "address:072006:via sparano da bari:12; street:072006:via sparano da bari"

    places.fill("street:via inesistente")
    page.locator("details.correct button").click()
    page.locator(".flash").wait_for(state="visible")
    refusal = page.locator(".flash").inner_text()
    assert "the gazetteer of service water has no such street" in refusal and "Via Argiro, Bari" in refusal

    if not page.locator("#correct-places").is_visible():  # the page came back with the form folded
        page.locator("details.correct summary").click()
    page.locator("#correct-places").fill("address:072006:via argiro:7; street:Via Argiro, Bari")
    page.locator("#correct-service").select_option("waste")
    page.locator("details.correct select[name=category]").select_option("")  # water's category is not waste's
    page.locator("details.correct button").click()
    page.locator(".flash").wait_for(state="visible")
    assert "Correction saved" in page.locator(".flash").inner_text()
    assert page.locator("#places").inner_text() == "Via Argiro 7, Bari; Via Argiro, Bari"
    assert "Service: waste · Places: Via Argiro 7, Bari; Via Argiro, Bari" in page.locator(
        "p.correction").last.inner_text()
    with service.app.engine.connect() as conn:
        stored = conn.execute(Message.__table__.select().where(Message.__table__.c.id == message_id)).one()
    assert stored.service == "waste"
    page.context.close()
