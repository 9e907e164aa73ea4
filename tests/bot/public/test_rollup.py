"""The kept figures of days that are over (``public_days``): kept by the job, read back as they were counted."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete

from bot.config import Settings
from bot.public.figures import PublicFigures
from bot.public.rollup import LINE, NETWORK, kept_days
from knowledge.gtfs import GtfsIndex
from storage.models import TripUpdateSnapshot
from tests.bot.insight.generated_day import DAY, at, record, write_static

LATER = at("23:00") + timedelta(days=2)  # the recorded day is over (it closes 30 hours after its origin)
LATER_DAY = DAY + timedelta(days=2)


def _figures(engine: Engine, gtfs: GtfsIndex) -> PublicFigures:
    """A fresh process's figures: nothing in memory."""
    return PublicFigures.for_settings(engine, gtfs, Settings(), alerts=lambda: None)


@pytest.fixture
def line64(engine: Engine, tmp_path: Path) -> GtfsIndex:
    gtfs = GtfsIndex.load(write_static(tmp_path / "gtfs"))
    record(engine, gtfs, since="05:50", until="07:20")
    return gtfs


def test_kept_days_read_back_as_they_were_counted(engine: Engine, line64: GtfsIndex) -> None:
    counted = _figures(engine, line64).line("64", today=LATER_DAY, now=LATER)
    network = _figures(engine, line64).network(today=LATER_DAY, now=LATER)
    assert _figures(engine, line64).fill(today=LATER_DAY, now=LATER) > 0
    with engine.begin() as conn:  # the kept days no longer need their trip updates
        conn.execute(delete(TripUpdateSnapshot))
    fresh = _figures(engine, line64)
    assert fresh.line("64", today=LATER_DAY, now=LATER).days == counted.days
    assert fresh.network(today=LATER_DAY, now=LATER).lines == network.lines
    recorded = next(d for d in counted.days if d.day == DAY)
    assert (recorded.scheduled, recorded.run, recorded.cancelled) == (6, 5, 1)


def test_the_job_keeps_each_day_once(engine: Engine, line64: GtfsIndex) -> None:
    figures = _figures(engine, line64)
    first = figures.fill(today=LATER_DAY, now=LATER)
    assert first > 0 and figures.fill(today=LATER_DAY, now=LATER) == 0
    assert (("R64", DAY) in kept_days(engine, LINE, DAY, DAY)) and (("", DAY) in kept_days(engine, NETWORK, DAY, DAY))


def test_a_day_not_over_is_never_kept(engine: Engine, line64: GtfsIndex) -> None:
    _figures(engine, line64).fill(today=DAY, now=at("23:00"))  # the day before is over, the day itself not
    assert ("R64", DAY - timedelta(days=1)) in kept_days(engine, LINE, DAY - timedelta(days=1), DAY)
    assert kept_days(engine, LINE, DAY, DAY) == set() and kept_days(engine, NETWORK, DAY, DAY) == set()


def test_a_site_made_ready_holds_the_month_in_memory(engine: Engine, line64: GtfsIndex) -> None:
    from bot.public.pages import PublicSite

    _figures(engine, line64).fill(today=LATER_DAY, now=LATER)
    site = PublicSite(Settings(), engine, clock=lambda: LATER, gtfs=line64, alerts=lambda: None, ready=True)
    assert site.figures.memo.peek((NETWORK, DAY)) is not None
    assert site.figures.memo.peek((LINE, "R64", DAY)) is not None


def test_a_site_made_ready_keeps_the_days_the_job_has_not_kept_yet(engine: Engine, line64: GtfsIndex) -> None:
    from bot.public.pages import PublicSite

    assert kept_days(engine, LINE, DAY, DAY) == set()  # the job never ran
    PublicSite(Settings(), engine, clock=lambda: LATER, gtfs=line64, alerts=lambda: None, ready=True)
    assert ("R64", DAY) in kept_days(engine, LINE, DAY, DAY) and ("", DAY) in kept_days(engine, NETWORK, DAY, DAY)
    assert _figures(engine, line64).fill(today=LATER_DAY, now=LATER) == 0  # nothing left for the job
