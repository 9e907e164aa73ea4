"""The console's problems page narrowed to a service and a subject, with the errors of the terminal's flags."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import Mount, Route
from starlette.testclient import TestClient

from bot.config import PACKAGE_ROOT, Settings
from bot.console.context import Console
from bot.console.users import create_user
from bot.insight.pages import insight_routes
from storage.queue import MessageQueue
from tests.bot.insight.scenario import NOW
from tests.bot.insight.test_pages import _as
from tests.bot.insight.test_problems import water_day
from tests.bot.insight.test_response_by_subject import water_care_day

WATER = PACKAGE_ROOT / "examples" / "water"
PERIOD = {"since": "2026-11-23", "until": "2026-11-23"}


@pytest.fixture
def client(engine: Engine, db_url: str, tmp_path: Path) -> TestClient:
    settings = Settings(storage={"url": db_url}, services={
        "transit": {"knowledge": {"domain": "transit", "gtfs": None}},
        "water": {"knowledge": {"domain": "water", "gazetteer": [str(WATER / "stradario.csv")]}},
    })
    service = SimpleNamespace(settings=settings, engine=engine, clock=lambda: NOW, knowledge=None)
    console = Starlette(
        routes=[*insight_routes(service), Route("/test-sign-in/{name}", _as)],
        middleware=[Middleware(SessionMiddleware, secret_key="k" * 32, session_cookie="sportello_console")],
    )
    console.state.console = Console.build(settings, engine, MessageQueue(engine, clock=lambda: NOW), lambda: NOW)
    create_user(engine, "sara", "a-long-password-1", "supervisor", language="en")
    client = TestClient(Starlette(routes=[Mount("/console", app=console)]))
    client.get("/console/test-sign-in/sara")
    return client


def test_the_service_filter_lists_the_desks_services(client: TestClient) -> None:
    page = client.get("/console/insight", params={**PERIOD, "service": "water"})
    assert page.status_code == 200
    assert '<option value="water" selected>water</option>' in page.text and "Service: water" in page.text


def test_a_service_narrows_the_report_and_drops_the_line_charts(engine: Engine, client: TestClient) -> None:
    water_day(engine)
    page = client.get("/console/insight", params={**PERIOD, "service": "water"})
    assert "Via Sparano" in page.text and "Bus 64" not in page.text and "charts/lines.png" not in page.text


def test_a_subject_narrows_the_report(engine: Engine, client: TestClient) -> None:
    water_day(engine)
    page = client.get("/console/insight", params={**PERIOD, "subject": "service_point:fontanella-12"})
    assert page.status_code == 200
    assert "Reports naming Fontanella di piazza Mazzini (service_point:fontanella-12)" in page.text


def test_an_unknown_subject_is_a_400_naming_known_ones(engine: Engine, client: TestClient) -> None:
    water_day(engine)
    page = client.get("/console/insight", params={**PERIOD, "subject": "street:nowhere"})
    assert page.status_code == 400 and "no report names it and no gazetteer has it" in page.text
    assert "street:bari:via-sparano (Via Sparano)" in page.text


def test_an_unknown_service_is_a_400_naming_the_known_ones(client: TestClient) -> None:
    page = client.get("/console/insight", params={**PERIOD, "service": "gas"})
    assert page.status_code == 400 and "known services: transit, water" in page.text


def test_the_reports_links_keep_the_service(client: TestClient) -> None:
    page = client.get("/console/insight", params={**PERIOD, "service": "water"})
    assert 'href="/console/insight?service=water"' in page.text


def test_the_service_page_of_a_desk_without_lines_is_a_400(engine: Engine, db_url: str) -> None:
    settings = Settings(storage={"url": db_url}, knowledge={"domain": "water"})
    service = SimpleNamespace(settings=settings, engine=engine, clock=lambda: NOW, knowledge=None)
    console = Starlette(
        routes=[*insight_routes(service), Route("/test-sign-in/{name}", _as)],
        middleware=[Middleware(SessionMiddleware, secret_key="k" * 32, session_cookie="sportello_console")],
    )
    console.state.console = Console.build(settings, engine, MessageQueue(engine, clock=lambda: NOW), lambda: NOW)
    create_user(engine, "sara", "a-long-password-1", "supervisor", language="en")
    client = TestClient(Starlette(routes=[Mount("/console", app=console)]))
    client.get("/console/test-sign-in/sara")
    page = client.get("/console/insight/service", params={"date": "2026-11-23"})
    assert page.status_code == 400 and "no service here runs lines" in page.text


def test_the_response_page_narrows_by_service_and_subject(engine: Engine, client: TestClient) -> None:
    water_care_day(engine)
    page = client.get("/console/insight/response", params={**PERIOD, "service": "water",
                                                             "subject": "street:bari:via-sparano"})
    assert page.status_code == 200
    assert "Service: water" in page.text and "Messages naming Via Sparano (street:bari:via-sparano)" in page.text
    assert "By service" in page.text and 'name="subject"' in page.text


def test_the_response_page_refuses_an_unknown_subject(engine: Engine, client: TestClient) -> None:
    water_care_day(engine)
    page = client.get("/console/insight/response", params={**PERIOD, "subject": "street:nowhere"})
    assert page.status_code == 400 and "street:bari:via-sparano" in page.text
