"""The insight's jobs as the scheduler receives them, run against a real database."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, func, select

from bot.config import Settings
from bot.insight.jobs import schedule_insight
from storage.models import ResponseFact
from tests.bot.insight.scenario import NOW, care_day


class Recorder:
    def __init__(self) -> None:
        self.jobs: dict[str, tuple[Callable[[], object], dict]] = {}

    def every(self, name: str, seconds: float, job: Callable[[], object], *, shared: bool) -> None:
        self.jobs[name] = (job, {"seconds": seconds, "shared": shared})

    def daily(self, name: str, hour: int, job: Callable[[], object], *, timezone: str) -> None:
        self.jobs[name] = (job, {"hour": hour, "timezone": timezone})


def test_snapshots_only_when_trip_updates_are_configured(engine: Engine, db_url: str) -> None:
    recorder = Recorder()
    schedule_insight(recorder, Settings(storage={"url": db_url}), engine, clock=lambda: NOW)
    assert sorted(recorder.jobs) == ["insight:digest", "insight:facts"]
    with_feed = Settings(storage={"url": db_url}, knowledge={"trip_updates": {"source": "http://127.0.0.1:9/tu.pb"}})
    schedule_insight(recorder, with_feed, engine, clock=lambda: NOW)
    assert recorder.jobs["insight:snapshots"][1] == {"seconds": 60.0, "shared": True}


def test_scheduled_jobs_keep_facts_and_write_the_digest(engine: Engine, db_url: str, tmp_path: Path) -> None:
    care_day(engine)
    recorder = Recorder()
    config = Settings(storage={"url": db_url}, reports={"digest_dir": str(tmp_path), "digest_hour": 6})
    schedule_insight(recorder, config, engine, clock=lambda: NOW)
    recorder.jobs["insight:facts"][0]()
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(ResponseFact)).scalar() == 5
    digest, when = recorder.jobs["insight:digest"]
    assert when == {"hour": 6, "timezone": "Europe/Rome"}
    assert digest().name == "digest-2026-11-23.txt"
