"""The supervisors' pages inside a console app with real sessions and users."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from bot.config import Settings
from bot.console.auth import sign_in
from bot.console.context import Console
from bot.console.users import create_user, find_user
from bot.insight.pages import insight_routes
from storage.queue import MessageQueue
from tests.bot.insight.generated_day import DAY, TZ, at, feed, write_static
from tests.bot.insight.scenario import NOW, care_day


async def _as(request: Request) -> PlainTextResponse:
    console = request.app.state.console
    sign_in(request, find_user(console.engine, request.path_params["name"]))
    return PlainTextResponse("signed in")


@pytest.fixture
def client(engine: Engine, db_url: str, tmp_path: Path) -> TestClient:
    settings = Settings(storage={"url": db_url}, knowledge={"gtfs": str(write_static(tmp_path / "gtfs"))})
    from knowledge.gtfs import GtfsIndex

    service = SimpleNamespace(settings=settings, engine=engine, clock=lambda: NOW,
                              knowledge=SimpleNamespace(gtfs=GtfsIndex.load(settings.knowledge.gtfs)))
    console = Starlette(
        routes=[*insight_routes(service), Route("/test-sign-in/{name}", _as)],
        middleware=[Middleware(SessionMiddleware, secret_key="k" * 32, session_cookie="sportello_console")],
    )
    console.state.console = Console.build(settings, engine, MessageQueue(engine, clock=lambda: NOW), lambda: NOW)
    create_user(engine, "sara", "a-long-password-1", "supervisor", language="en")
    create_user(engine, "silvia", "a-long-password-3", "supervisor", language="it")
    create_user(engine, "aldo", "a-long-password-2", "agent")
    return TestClient(Starlette(routes=[Mount("/console", app=console)]))


def test_supervisor_sees_problems_with_both_charts(engine: Engine, client: TestClient) -> None:
    care_day(engine)
    client.get("/console/test-sign-in/sara")
    page = client.get("/console/insight", params={"since": "2026-11-23", "until": "2026-11-23"})
    assert page.status_code == 200
    assert "By kind of problem" in page.text and "/console/insight/charts/heatmap.png?since=2026-11-23" in page.text
    chart = client.get("/console/insight/charts/lines.png", params={"since": "2026-11-23"})
    assert chart.headers["content-type"] == "image/png" and chart.content[:4] == b"\x89PNG"


def test_agent_is_refused(client: TestClient) -> None:
    client.get("/console/test-sign-in/aldo")
    assert client.get("/console/insight").status_code == 403


def test_stranger_is_sent_to_sign_in(client: TestClient) -> None:
    page = client.get("/console/insight/response", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/console/login")


def test_response_page_shows_the_reference(engine: Engine, client: TestClient) -> None:
    care_day(engine)
    client.get("/console/test-sign-in/sara")
    page = client.get("/console/insight/response", params={"since": "2026-11-23", "until": "2026-11-23"})
    assert page.status_code == 200 and "reference: large operator, mean" in page.text


def test_service_page_for_a_route(engine: Engine, client: TestClient, tmp_path: Path) -> None:
    from bot.insight.snapshots import SnapshotStore
    from knowledge.gtfs import GtfsIndex

    SnapshotStore(engine, tz=TZ, gtfs=GtfsIndex.load(tmp_path / "gtfs")).store(feed(at("07:20")), at("07:20"))
    client.get("/console/test-sign-in/sara")
    page = client.get("/console/insight/service", params={"date": DAY.isoformat(), "route": "64"})
    assert page.status_code == 200 and "Gaps and recovery" in page.text and "bus 64" in page.text


def test_bad_period_is_shown_not_crashed(client: TestClient) -> None:
    client.get("/console/test-sign-in/sara")
    page = client.get("/console/insight", params={"since": "last tuesday"})
    assert page.status_code == 400 and "expected a date" in page.text


def test_the_pages_are_drawn_by_the_console_in_the_supervisors_language(engine: Engine, client: TestClient) -> None:
    care_day(engine)
    client.get("/console/test-sign-in/silvia")
    page = client.get("/console/insight", params={"since": "2026-11-23", "until": "2026-11-23"})
    assert page.status_code == 200
    assert '<html lang="it">' in page.text and "/console/static/console.css" in page.text
    assert "Per tipo di problema" in page.text and "By kind of problem" not in page.text
    assert '<header class="topbar">' in page.text  # inside the console's navigation
    response = client.get("/console/insight/response", params={"since": "2026-11-23", "until": "2026-11-23"})
    assert "riferimento: grande operatore, media" in response.text


def test_names_figures_charts_and_errors_follow_the_supervisors_language(engine: Engine, client: TestClient) -> None:
    care_day(engine)
    client.get("/console/test-sign-in/silvia")
    page = client.get("/console/insight", params={"since": "2026-11-23", "until": "2026-11-23"})
    assert "<td>ritardo</td>" in page.text and "<td>affollamento</td>" in page.text  # categories
    assert "lines.png?since=2026-11-23&amp;until=2026-11-23&amp;lang=it" in page.text
    response = client.get("/console/insight/response", params={"since": "7d"})
    assert "<td>reclamo</td>" in response.text and "<td>da rivedere</td>" in response.text  # intents, states
    assert "almeno " in response.text and "at least" not in response.text and " da 22.0 h" in response.text
    wrong = client.get("/console/insight", params={"since": "bad"})
    assert wrong.status_code == 400 and "serve una data" in wrong.text
    italian = client.get("/console/insight/charts/lines.png", params={"since": "2026-11-23", "lang": "it"}).content
    client.get("/console/test-sign-in/sara")
    english = client.get("/console/insight/charts/lines.png", params={"since": "2026-11-23", "lang": "en"}).content
    assert italian[:4] == english[:4] == b"\x89PNG" and italian != english  # same figures, other words


def test_an_empty_service_page_says_why(client: TestClient) -> None:
    client.get("/console/test-sign-in/sara")
    page = client.get("/console/insight/service", params={"date": DAY.isoformat()})
    assert page.status_code == 200 and 'id="service-empty"' in page.text and "knowledge.trip_updates" in page.text
