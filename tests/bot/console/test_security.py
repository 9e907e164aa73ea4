"""The console under attack: health details for staff only, sessions that end, throttled sign-in, holes closed."""

from __future__ import annotations

from typing import Any

from starlette.routing import Mount
from starlette.testclient import TestClient

from bot.config import Settings
from bot.console import build_console
from bot.web.server import build_web_app
from storage.queue import MessageQueue
from tests.bot.console.conftest import signed_in


def test_health_details_are_for_signed_in_staff_only(
    settings: Settings, engine: Any, queue: MessageQueue, clock: Any, users: dict[str, str]
) -> None:
    details = {"channels": ["telegram"], "workers": 2}
    console = build_console(settings, engine, queue, clock=clock, health=lambda: details)
    app = build_web_app(settings, engine, queue, clock=clock, extra_routes=[Mount("/console", app=console)])
    assert TestClient(app).get("/console/api/health").status_code == 401
    assert TestClient(app).get("/health").json() == {"ok": True, "status": "up"}
    with signed_in(app, "anna") as anna:
        assert anna.get("/console/api/health").json() == {"ok": True, **details}
