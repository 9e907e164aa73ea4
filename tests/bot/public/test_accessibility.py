"""axe-core in Debian's chromium on every public page: no serious or critical WCAG 2.1 AA violation.

axe-core comes from the ``axe-playwright-python`` test dependency, which ships ``axe.min.js``;
it is evaluated in the page through the browser's debugging protocol (the pages' CSP forbids
injected script tags, and is left on).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware

from bot.config import Settings
from bot.public.pages import PublicSite, site_routes
from bot.web.headers import SecurityHeaders
from knowledge.gtfs import GtfsIndex
from tests.bot.console.live import CHROMIUM, CHROMIUM_ARGS, free_port, wait_until
from tests.bot.insight.generated_day import record, write_static
from tests.bot.public.test_site import NOW, _care

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")
axe_base = pytest.importorskip("axe_playwright_python.base")

PAGES = ("/trasparenza", "/trasparenza?lang=en", "/trasparenza/linea/64", "/trasparenza/linea/64?lang=en",
         "/trasparenza/linea/999")
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}


@pytest.fixture
def site(engine: Engine, tmp_path: Path) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    gtfs = GtfsIndex.load(write_static(tmp_path / "gtfs"))
    record(engine, gtfs, since="05:50", until="07:20")
    _care(engine)
    public = PublicSite(Settings(), engine, clock=lambda: NOW, gtfs=gtfs, alerts=lambda: None)
    app = Starlette(routes=site_routes(public), middleware=[Middleware(SecurityHeaders)])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_until(lambda: server.started, timeout=20)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def _violations(page: Any) -> list[dict]:
    page.evaluate(axe_base.AXE_SCRIPT)
    results = page.evaluate("options => axe.run(document, options)", WCAG)
    return results["violations"]


@pytest.mark.parametrize("viewport", [{"width": 375, "height": 740}, {"width": 1280, "height": 900}])
def test_no_serious_or_critical_violation_on_any_public_page(site: str, viewport: dict) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport=viewport)
            context.set_default_timeout(20_000)
            page = context.new_page()
            found: dict[str, list[str]] = {}
            for path in PAGES:
                page.goto(site + path)
                page.wait_for_selector("main h1")
                bad = [v for v in _violations(page) if v["impact"] in ("serious", "critical")]
                if bad:
                    found[path] = [f"{v['id']} ({v['impact']}): {len(v['nodes'])} nodes" for v in bad]
            assert found == {}
        finally:
            browser.close()


def test_axe_finds_a_planted_violation(site: str) -> None:
    """The check can fail: an image without a text alternative is a critical violation."""
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(site + "/trasparenza")
            page.wait_for_selector("main h1")
            page.evaluate("""() => { const i = document.createElement('img');
                i.src = '/trasparenza/static/public.css'; document.querySelector('main').appendChild(i); }""")
            ids = {v["id"] for v in _violations(page) if v["impact"] in ("serious", "critical")}
            assert "image-alt" in ids
        finally:
            browser.close()
