"""What a citizen could misread: figures from a single snapshot flagged on every row they appear in, days before
the installation recorded messages shown as not recorded (never 0 reports), and a day recorded after it was
first counted with nothing (an old feed replayed) counted again; on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.config import Settings
from bot.insight.snapshots import SnapshotStore
from bot.public.figures import PublicFigures
from bot.public.pages import PublicSite, site_routes
from knowledge.gtfs import GtfsIndex
from tests.bot.insight.generated_day import DAY, TZ, at, feed, record, write_static
from tests.bot.insight.scenario import Writer

NOW = at("23:00")
LATER = NOW + timedelta(days=2)


def _client(engine: Engine, gtfs: GtfsIndex, now: datetime) -> TestClient:
    site = PublicSite(Settings(public={"cache_seconds": 0}), engine, clock=lambda: now, gtfs=gtfs, alerts=lambda: None)
    return TestClient(Starlette(routes=site_routes(site)))


@pytest.fixture
def gtfs(tmp_path: Path) -> GtfsIndex:
    return GtfsIndex.load(write_static(tmp_path / "gtfs"))


def _one_snapshot(engine: Engine, gtfs: GtfsIndex, clock: str = "07:05") -> None:
    moment = at(clock)
    observed = feed(moment)
    observed.header.timestamp = int(moment.timestamp())
    SnapshotStore(engine, tz=TZ, gtfs=gtfs).store(observed, moment)


def _row(page: str, start: str) -> str:
    return page.split(start, 1)[1].split("</tr>", 1)[0]


def test_late_and_punctual_figures_from_one_snapshot_are_flagged_on_each_row(engine: Engine, gtfs: GtfsIndex) -> None:
    _one_snapshot(engine, gtfs)
    client = _client(engine, gtfs, NOW)
    network = client.get("/trasparenza").text
    line_row = _row(network, "/trasparenza/linea/64")
    assert line_row.count("(da una sola rilevazione)") == 2  # today's late trips, and the days' punctuality
    day_row = _row(client.get("/trasparenza/linea/64").text, "<th scope=\"row\">23/11/2026</th>")
    assert "solo alle 07:05" in day_row and day_row.count("(da una sola rilevazione)") == 2  # punctuality, mean delay
    data = client.get("/trasparenza/dati/linea/64.json").json()["data"]["days"][0]
    assert data["day"] == "2026-11-23"
    rows = client.get("/trasparenza/dati/rete.json").json()["data"]["lines"]
    assert rows[0]["snapshot_only"] is True and rows[0]["month_snapshot_days"] == 1
    csv_head, csv_row = client.get("/trasparenza/dati/linea/64.csv").text.splitlines()[1:3]
    assert dict(zip(csv_head.split(","), csv_row.split(","), strict=True))["snapshot_only"] == "True"


def test_a_day_recorded_all_morning_is_not_flagged(engine: Engine, gtfs: GtfsIndex) -> None:
    record(engine, gtfs, since="05:50", until="07:20")
    client = _client(engine, gtfs, NOW)
    assert "una sola rilevazione" not in client.get("/trasparenza").text
    assert "una sola rilevazione" not in client.get("/trasparenza/linea/64").text


def test_days_before_the_installation_recorded_messages_are_not_zero_reports(engine: Engine, gtfs: GtfsIndex) -> None:
    record(engine, gtfs, since="05:50", until="07:20")
    w = Writer(engine)
    first = at("08:00") - timedelta(days=3)  # the first message this installation ever recorded
    w.case(1, "telegram", first)
    w.message(1, 1, "telegram", first, "auto_sent", intent="complaint")
    w.commit()
    client = _client(engine, gtfs, NOW)
    page = client.get("/trasparenza/linea/64").text
    assert "non registrato" in _row(page, "<th scope=\"row\">19/11/2026</th>\n      <td>")
    assert "non registrato" not in _row(page, "<th scope=\"row\">20/11/2026</th>\n      <td>")
    assert "dal 20/11/2026" in page
    days = {d["day"]: d for d in client.get("/trasparenza/dati/linea/64.json").json()["data"]["days"]}
    assert days["2026-11-19"]["reports"]["total"] is None and days["2026-11-19"]["care"] is None
    assert days["2026-11-20"]["reports"]["total"] == 0
    assert "Segnalazioni e risposte registrate dal 20/11/2026" in client.get("/trasparenza").text


def test_the_first_day_recorded_is_kept_once_and_stays(engine: Engine, gtfs: GtfsIndex) -> None:
    figures = PublicFigures.for_settings(engine, gtfs, Settings(), alerts=lambda: None)
    figures.fill(today=DAY, now=NOW)  # the job's first run: nothing recorded yet, so today
    w = Writer(engine)
    w.case(1, "telegram", at("08:00") - timedelta(days=9))  # an imported older case does not move it
    w.message(1, 1, "telegram", at("08:00") - timedelta(days=9), "auto_sent", intent="complaint")
    w.commit()
    fresh = PublicFigures.for_settings(engine, gtfs, Settings(), alerts=lambda: None)
    assert fresh.reports_since(DAY + timedelta(days=1)) == DAY


def test_a_day_counted_with_nothing_then_recorded_is_counted_again(engine: Engine, gtfs: GtfsIndex) -> None:
    client = _client(engine, gtfs, LATER)
    asked = f"?giorno={DAY.isoformat()}"
    assert "Quel giorno non è stato registrato nessun dato" in client.get(f"/trasparenza{asked}").text
    client.get(f"/trasparenza/linea/64{asked}")
    _one_snapshot(engine, gtfs)  # an old day's feed replayed: it arrives after the day was counted empty
    network = client.get(f"/trasparenza/dati/rete.json{asked}").json()["data"]
    assert network["lines"][0]["days_with_data"] == 1
    line = client.get(f"/trasparenza/dati/linea/64.json{asked}").json()["data"]["days"][0]
    assert line["has_data"] is True and line["run"] > 0
