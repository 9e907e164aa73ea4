"""The public transparency site over real HTTP: no sign-in, Italian and English, honest figures."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.testclient import TestClient

from bot.config import Settings
from bot.insight.facts import refresh_facts
from bot.insight.snapshots import Observation, SnapshotStore
from bot.public.pages import PublicSite, site_routes
from bot.web.headers import SecurityHeaders
from knowledge.alerts import AlertIndex, read_feed
from knowledge.gtfs import GtfsIndex
from tests.bot.insight.generated_day import DAY, TZ, at, record, write_static
from tests.bot.insight.scenario import Writer, s
from tests.conftest import EVAL, FIXTURES

SECRET = "TESTO-PRIVATO-7"
NOW = at("23:00")


def _client(engine: Engine, gtfs: GtfsIndex | None, now: datetime, alerts: AlertIndex | None = None,
            **settings: object) -> TestClient:
    config = Settings(public={"cache_seconds": 0}, **settings)  # type: ignore[arg-type]
    site = PublicSite(config, engine, clock=lambda: now, gtfs=gtfs, alerts=lambda: alerts)
    return TestClient(Starlette(routes=site_routes(site), middleware=[Middleware(SecurityHeaders)]))


def _care(engine: Engine) -> None:
    """Five messages about line 64 on the day: three answered in time, one late (by an agent), one waiting."""
    w = Writer(engine)
    plan = [(1, "08:00", 30, "bot", "delay"), (2, "09:00", 600, "agent:anna", "crowding"),
            (3, "10:00", 120, "bot", "delay"), (4, "11:00", None, None, "delay"), (5, "12:00", 200, "bot", "delay")]
    for mid, clock, took, author, kind in plan:
        when = at(clock)
        w.case(mid, "telegram", when)
        state = "awaiting_review" if took is None else ("sent" if author != "bot" else "auto_sent")
        w.message(mid, mid, "telegram", when, state, intent="complaint",
                  updated=when + s(took or 2))
        if took is not None:
            w.reply(mid, mid, "telegram", author, when + s(took))
        w.problem(mid, "telegram", when, route="R64", category=kind)
    w.commit()
    from sqlalchemy import update

    from storage.models import Message
    with engine.begin() as conn:
        conn.execute(update(Message).where(Message.id == 2).values(text=f"il 64 è pieno {SECRET}"))
    refresh_facts(engine, now=NOW)


@pytest.fixture
def line64(engine: Engine, tmp_path: Path) -> GtfsIndex:
    gtfs = GtfsIndex.load(write_static(tmp_path / "gtfs"))
    record(engine, gtfs, since="05:50", until="07:20")
    _care(engine)
    return gtfs


def test_the_network_page_needs_no_sign_in_and_speaks_italian(engine: Engine, line64: GtfsIndex) -> None:
    page = _client(engine, line64, NOW).get("/trasparenza")
    assert page.status_code == 200 and '<html lang="it">' in page.text
    assert "La rete oggi: 23/11/2026" in page.text and "Dati sulle corse registrati oggi: 05:50–07:20" in page.text
    assert "/trasparenza/linea/64?lang=it" in page.text


def test_english_from_the_browser_and_the_switch_back(engine: Engine, line64: GtfsIndex) -> None:
    client = _client(engine, line64, NOW)
    page = client.get("/trasparenza", headers={"Accept-Language": "en-GB,en;q=0.9,it;q=0.5"})
    assert '<html lang="en">' in page.text and "The network today" in page.text
    assert 'href="/trasparenza?lang=it"' in page.text and ">Italiano<" in page.text
    back = client.get("/trasparenza?lang=it", headers={"Accept-Language": "en"})
    assert '<html lang="it">' in back.text


def test_lines_in_trouble_come_first(engine: Engine, line64: GtfsIndex) -> None:
    quiet = Observation(DAY.strftime("%Y%m%d"), "Q1", "900", "SCHEDULED", "06:00:00", {"S1": 10}, (), 10, None)
    SnapshotStore(engine, tz=TZ, gtfs=line64).store_observations([quiet], at("07:00"))
    rows = _client(engine, line64, NOW).get("/trasparenza/dati/rete.json").json()["data"]["lines"]
    assert [r["route"] for r in rows] == ["R64", "900"]  # line 64 lost a trip and ran late


def test_a_line_day_by_day_with_its_coverage(engine: Engine, line64: GtfsIndex) -> None:
    data = _client(engine, line64, NOW).get("/trasparenza/dati/linea/64.json").json()["data"]
    today, sunday, friday = data["days"][0], data["days"][1], data["days"][3]
    assert (today["day"], today["scheduled"], today["run"], today["cancelled"], today["missed"],
            today["not_recorded"]) == ("2026-11-23", 6, 5, 1, 1, 0)
    assert today["judged_share"] == 1.0 and today["gaps"] == []
    assert (sunday["day"], sunday["has_data"], sunday["scheduled"]) == ("2026-11-22", False, 0)
    assert (friday["day"], friday["has_data"], friday["scheduled"], friday["not_recorded"]) == (
        "2026-11-20", False, 6, 6)
    assert len(data["days"]) == 30


def test_the_line_page_draws_its_chart_and_says_no_data(engine: Engine, line64: GtfsIndex) -> None:
    page = _client(engine, line64, NOW).get("/trasparenza/linea/64")
    assert page.status_code == 200 and '<svg class="chart"' in page.text and 'role="img"' in page.text
    assert "nessun dato (6 programmate)" in page.text
    assert "0 corse rilevate" not in page.text


def test_reports_are_counts_by_kind_with_small_ones_hidden(engine: Engine, line64: GtfsIndex) -> None:
    client = _client(engine, line64, NOW)
    today = client.get("/trasparenza/dati/linea/64.json").json()["data"]["days"][0]
    assert today["reports"] == {"total": "≥ 5", "by_kind": {"delay": 4, "crowding": "< 3"}}
    page = client.get("/trasparenza/linea/64")
    assert "ritardo 4" in page.text and "affollamento &lt; 3" in page.text


def test_the_care_service_counts_the_waiting(engine: Engine, line64: GtfsIndex) -> None:
    today = _client(engine, line64, NOW).get("/trasparenza/dati/linea/64.json").json()["data"]["days"][0]
    care = today["care"]
    assert (care["messages"], care["due"], care["answered_in_time"], care["in_time_share"]) == (5, 5, 3, 0.6)
    assert (care["median_first_s"], care["median_is_bound"], care["waiting"]) == (200.0, False, "< 3")


def test_no_text_no_citizen_no_agent_anywhere(engine: Engine, line64: GtfsIndex) -> None:
    client = _client(engine, line64, NOW)
    for path in ("/trasparenza", "/trasparenza/linea/64", "/trasparenza/dati/rete.json", "/trasparenza/dati/rete.csv",
                 "/trasparenza/dati/linea/64.json", "/trasparenza/dati/linea/64.csv", "/trasparenza?lang=en"):
        body = client.get(path).text
        assert SECRET not in body and "anna" not in body and "a2" not in body.split(), path


def test_open_data_names_its_licence(engine: Engine, line64: GtfsIndex) -> None:
    client = _client(engine, line64, NOW)
    sheet = client.get("/trasparenza/dati/linea/64.csv")
    assert sheet.headers["content-type"].startswith("text/csv")
    assert sheet.headers["link"] == '<https://creativecommons.org/licenses/by/4.0/>; rel="license"'
    first, *rest = sheet.text.splitlines()
    assert first.startswith("# licence: CC BY 4.0")
    rows = list(csv.DictReader(io.StringIO("\n".join(rest))))
    assert (rows[0]["day"], rows[0]["run"], rows[0]["reports"], rows[0]["care_waiting"]) == (
        "2026-11-23", "5", "≥ 5", "< 3")
    assert client.get("/trasparenza/dati/rete.json").json()["licence"] == "CC BY 4.0"


def test_an_unknown_line_is_not_found(engine: Engine, line64: GtfsIndex) -> None:
    client = _client(engine, line64, NOW)
    assert client.get("/trasparenza/linea/999").status_code == 404
    assert client.get("/trasparenza/dati/linea/999.csv").status_code == 404
    found = client.get("/trasparenza/linea", params={"linea": "64"}, follow_redirects=False)
    assert found.status_code == 303 and found.headers["location"] == "/trasparenza/linea/64"


def test_pages_carry_the_csp_and_no_inline_script_or_style(engine: Engine, line64: GtfsIndex) -> None:
    client = _client(engine, line64, NOW)
    for path in ("/trasparenza", "/trasparenza/linea/64"):
        page = client.get(path)
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "<script" not in page.text and " style=" not in page.text
    css = client.get("/trasparenza/static/public.css")
    assert css.status_code == 200 and "@import" not in css.text and "url(" not in css.text  # no outside fonts


def test_an_implausible_delay_is_shown_apart(engine: Engine, tmp_path: Path) -> None:
    gtfs = GtfsIndex.load(write_static(tmp_path / "gtfs"))
    late = Observation(DAY.strftime("%Y%m%d"), "T1", "64", "SCHEDULED", None, {"S1": 5400}, (), 5400, None)
    SnapshotStore(engine, tz=TZ, gtfs=gtfs).store_observations([late], at("06:10"))
    today = _client(engine, gtfs, NOW).get("/trasparenza/dati/linea/64.json").json()["data"]["days"][0]
    assert (today["implausible"], today["mean_delay_s"], today["timed"]) == (1, None, 0)


def test_real_rome_trip_updates_with_a_static_feed_without_trips(engine: Engine) -> None:
    """Done when: the real Rome feed shows honest numbers with their coverage."""
    gtfs = GtfsIndex.load(EVAL / "gtfs")
    parsed = read_feed(FIXTURES / "gtfsrt" / "rome-trip-updates" / "rome_trip_updates_20241121.pb")
    observed = datetime.fromtimestamp(parsed.header.timestamp, tz=UTC)  # 22:19:59Z, 23:19 in Rome
    SnapshotStore(engine, tz=TZ, gtfs=gtfs).store(parsed, observed)
    client = _client(engine, gtfs, observed + timedelta(minutes=10), reports={"route_aliases": {"MA": "248"}})
    page = client.get("/trasparenza")
    assert "Dati sulle corse registrati oggi: solo alle 23:19." in page.text  # one snapshot: an instant
    assert "il feed statico non contiene le corse" in page.text
    network = client.get("/trasparenza/dati/rete.json").json()["data"]
    seen = {line["route"]: line["seen"] for line in network["lines"]}
    assert sum(seen.values()) == 541 and seen["248"] > 0  # 548 entities, 541 distinct trips; metro A as 248
    metro = client.get("/trasparenza/dati/linea/MEA.json").json()["data"]
    today = metro["days"][0]
    assert (metro["schedule"], today["scheduled"], today["missed"], today["not_recorded"]) == (
        "no_trips", None, None, None)
    assert today["run"] == seen["248"] and today["recorded"] == [["23:19", "23:19"]]
    assert "solo alle 23:19" in client.get("/trasparenza/linea/MEA").text  # one snapshot: no share of time
    later = _client(engine, gtfs, observed + timedelta(days=5), reports={"route_aliases": {"MA": "248"}})
    that_day = later.get("/trasparenza", params={"giorno": "2024-11-21"}).text
    assert "La rete il 21/11/2024" in that_day and "registrati quel giorno: solo alle 23:19." in that_day
    assert "La rete oggi" not in that_day
    assert "Quel giorno non è stato registrato" in later.get("/trasparenza", params={"giorno": "2024-11-20"}).text


def test_the_demo_data_says_no_data_and_shows_the_alerts(engine: Engine) -> None:
    from bot.config import SAMPLE_DIR

    gtfs = GtfsIndex.load(SAMPLE_DIR / "gtfs")
    alerts = AlertIndex.from_feed(read_feed(SAMPLE_DIR / "alerts.textproto"), gtfs)
    now = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)
    client = _client(engine, gtfs, now, alerts=alerts)
    page = client.get("/trasparenza")
    assert page.status_code == 200 and "Oggi non è stato registrato nessun dato sulle corse" in page.text
    rows = client.get("/trasparenza/dati/rete.json").json()["data"]["lines"]
    assert {r["route"] for r in rows if r["alerts"]} >= {"MA", "8"}
    # Nothing recorded today nor in the last days: no count is claimed, not even zero.
    assert all(r["seen"] is None and r["cancelled"] is None and r["month_seen"] is None for r in rows)
    assert "<td>–</td><td>–</td><td>–</td>" in page.text and "non vuol dire zero" in page.text
    line = client.get("/trasparenza/linea/MEA")
    assert line.status_code == 200 and "nessun dato" in line.text


def test_a_day_can_be_chosen_but_not_in_the_future(engine: Engine, line64: GtfsIndex) -> None:
    client = _client(engine, line64, NOW)
    data = client.get("/trasparenza/dati/rete.json", params={"giorno": "2026-11-20"}).json()["data"]
    assert data["day"] == "2026-11-20"
    ahead = client.get("/trasparenza/dati/rete.json", params={"giorno": "2027-01-01"}).json()["data"]
    assert ahead["day"] == DAY.isoformat() == date(2026, 11, 23).isoformat()
    assert json.dumps(ahead)  # plain data


def test_sportello_run_serves_the_site_without_sign_in(engine: Engine, db_url: str) -> None:
    from bot.app import Application

    app = Application(Settings(storage={"url": db_url}))
    try:
        client = TestClient(app.web_app())
        page = client.get("/trasparenza", follow_redirects=False)
        assert page.status_code == 200 and "Trasparenza del servizio" in page.text
        assert client.get("/trasparenza/static/public.css").status_code == 200
        assert client.get("/console/", follow_redirects=False).status_code in (302, 303)  # the console still asks
        off = Application(Settings(storage={"url": db_url}, public={"enabled": False}))
        assert TestClient(off.web_app()).get("/trasparenza").status_code == 404
        off.engine.dispose()
    finally:
        app.engine.dispose()


def _water_reports(engine: Engine) -> None:
    """A fountain named by three messages today, a street by one, an address by three (never published)."""
    from bot.subjects import Subject, SubjectKind

    fountain = Subject(SubjectKind.SERVICE_POINT, "fontanella-12", "Fontanella di piazza Mazzini", "water")
    street = Subject(SubjectKind.STREET, "via-sparano", "Via Sparano", "water")
    home = Subject(SubjectKind.ADDRESS, "via-sparano-10", "Via Sparano 10", "water")
    w = Writer(engine)
    for mid, subject in ((21, fountain), (22, fountain), (23, fountain), (24, street), (25, home), (26, home),
                         (27, home)):
        when = at("10:00") + s(mid)
        w.case(mid, "web", when)
        w.message(mid, mid, "web", when, "awaiting_review", intent="complaint")
        w.problem(mid, "web", when, subject=subject, category="other", service="water")
    w.commit()


def test_places_named_by_enough_reports_are_published_by_subject(engine: Engine, line64: GtfsIndex) -> None:
    _water_reports(engine)
    client = _client(engine, line64, NOW)
    places = client.get("/trasparenza/dati/rete.json").json()["data"]["places"]
    assert [(p["kind"], p["label"], p["today"], p["days"]) for p in places] == [
        ("service_point", "Fontanella di piazza Mazzini", 3, 3)]
    page = client.get("/trasparenza").text
    assert "Punto di servizio: Fontanella di piazza Mazzini" in page and "Via Sparano 10" not in page


def test_a_places_care_counts_the_messages_naming_it(engine: Engine, line64: GtfsIndex) -> None:
    _water_reports(engine)
    w = Writer(engine)
    for mid in (21, 22):  # two of the fountain's three answered in a minute, the third never (past the target)
        w.reply(mid, mid, "web", "agent:anna", at("10:00") + s(mid + 60))
        w.move(mid, "awaiting_review", "sent", "agent:anna", at("10:00") + s(mid + 60))
    w.commit()
    refresh_facts(engine, now=NOW, full=True)
    client = _client(engine, line64, NOW)
    (place,) = client.get("/trasparenza/dati/rete.json").json()["data"]["places"]
    assert (place["care"]["messages"], place["care"]["answered_in_time"], place["care"]["in_time_share"]) == (
        3, "< 3", 2 / 3)  # a count under public.min_count is hidden, as for lines
    page = client.get("/trasparenza").text
    assert "Risposte entro 5 min" in page and "<td>67%</td>" in page


def test_a_transit_network_shows_no_places(engine: Engine, line64: GtfsIndex) -> None:
    assert _client(engine, line64, NOW).get("/trasparenza/dati/rete.json").json()["data"]["places"] == []
    assert "Segnalazioni per luogo" not in _client(engine, line64, NOW).get("/trasparenza").text
