"""A supervisor decides on a follower notice of unknown delivery in a real browser (chromium through Playwright)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.console.users import create_user
from storage.models import FollowNotice
from tests.bot.console.live import CHROMIUM, LiveService, launched_chromium, sign_in
from tests.bot.follow.conftest import unknown_notice

pytestmark = pytest.mark.browser
sync_api = pytest.importorskip("playwright.sync_api")

PASSWORD = "browser-password"


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveService]:
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    db = tmp_path_factory.mktemp("notices") / "sportello.db"
    live = LiveService(f"sqlite:///{db}").start()
    create_user(live.app.engine, "sara", PASSWORD, "supervisor", language="it")
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser(service: LiveService) -> Iterator[Any]:
    with launched_chromium() as chromium:
        yield chromium


def test_a_supervisor_resends_a_notice_of_unknown_delivery_from_the_team_page(browser: Any, service: LiveService) -> None:
    engine = service.app.engine
    at = datetime.now(timezone.utc) - timedelta(minutes=30)
    kept = unknown_notice(engine, at, chat="7001", alert_id="a1", what="bus 64", header="Deviazione via Nazionale")
    resent = unknown_notice(engine, at, chat="7002", alert_id="a2", what="tram 8", header="Lavori", kind="end")
    page = sign_in(browser, service.url, "sara", PASSWORD)
    page.goto(f"{service.url}/console/team")
    assert "2 in attesa di una decisione" in page.locator("#unknown-count").inner_text()
    row = page.locator(f'tr[data-notice="{resent}"]')
    assert "tram 8" in row.inner_text() and "fine" in row.inner_text()
    row.get_by_role("button", name=f"Reinvia {resent}").click()
    page.locator(".flash").wait_for(state="visible")
    assert f"Avviso {resent} rimesso in coda" in page.locator(".flash").inner_text()
    assert page.locator(f'tr[data-notice="{resent}"]').count() == 0
    assert page.locator(f'tr[data-notice="{kept}"]').count() == 1
    assert "1 in attesa di una decisione" in page.locator("#unknown-count").inner_text()
    with engine.connect() as conn:
        row_now = conn.execute(select(FollowNotice.status, FollowNotice.decision, FollowNotice.checked_by)
                               .where(FollowNotice.id == resent)).one()
    assert tuple(row_now) == ("pending", "resend", "sara")
    page.context.close()
