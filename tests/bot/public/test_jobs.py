"""The public site's job as the scheduler receives it, run against a real database."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine

from bot.config import Settings
from bot.public.jobs import schedule_public
from bot.public.rollup import LINE, kept_days
from knowledge.gtfs import GtfsIndex
from tests.bot.insight.generated_day import DAY, at, record, write_static


class Recorder:
    def __init__(self) -> None:
        self.jobs: dict[str, tuple[Callable[[], object], dict]] = {}

    def every(self, name: str, seconds: float, job: Callable[[], object], *, shared: bool) -> None:
        self.jobs[name] = (job, {"seconds": seconds, "shared": shared})


def test_the_rollup_runs_in_one_process_and_keeps_the_days_that_are_over(engine: Engine, db_url: str,
                                                                         tmp_path: Path) -> None:
    gtfs = GtfsIndex.load(write_static(tmp_path / "gtfs"))
    record(engine, gtfs, since="05:50", until="07:20")
    recorder = Recorder()
    schedule_public(recorder, Settings(storage={"url": db_url}), engine, clock=lambda: at("23:00") + timedelta(days=1),
                    gtfs=gtfs)
    job, how = recorder.jobs["public:rollup"]
    assert how == {"seconds": 900.0, "shared": True}
    assert job() == 2 * 29  # the network and line 64, the 29 days of the window that are over (not today)
    assert ("R64", DAY) in kept_days(engine, LINE, DAY, DAY)


def test_no_rollup_without_the_site(engine: Engine, db_url: str) -> None:
    recorder = Recorder()
    assert schedule_public(recorder, Settings(storage={"url": db_url}, public={"enabled": False}), engine,
                           clock=lambda: at("23:00"), gtfs=None) == []
    assert recorder.jobs == {}
