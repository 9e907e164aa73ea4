"""The insight's scheduled jobs: store trip updates, keep response facts, write the daily digest."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import Engine

from bot.config import Settings
from bot.insight.digest import DigestJob
from bot.insight.refresh import refresh_insight
from bot.insight.snapshots import SnapshotJob, SnapshotStore
from knowledge.gtfs import GtfsIndex

FACTS_SECONDS = 300.0


class Schedules(Protocol):
    """What :class:`bot.scheduler.Scheduler` offers."""

    def every(self, name: str, seconds: float, job: Callable[[], object], *, shared: bool) -> None: ...

    def daily(self, name: str, hour: int, job: Callable[[], object], *, timezone: str) -> None: ...


def schedule_insight(scheduler: Schedules, settings: Settings, engine: Engine, *,
                     clock: Callable[[], datetime], gtfs: GtfsIndex | None = None) -> list[str]:
    """Register the jobs (each runs in one process at a time); returns their names."""
    names: list[str] = []
    reports = settings.reports
    if settings.knowledge.trip_updates.source and reports.snapshot_seconds > 0:
        store = SnapshotStore(engine, tz=settings.operator.timezone, gtfs=gtfs,
                              gap=timedelta(seconds=reports.recording_gap_seconds))
        scheduler.every("insight:snapshots", reports.snapshot_seconds, SnapshotJob(store, clock=clock), shared=True)
        names.append("insight:snapshots")
    scheduler.every("insight:facts", FACTS_SECONDS, lambda: refresh_insight(engine, settings, now=clock()), shared=True)
    names.append("insight:facts")
    digest = DigestJob(engine, settings, clock=clock, gtfs=gtfs)
    scheduler.daily("insight:digest", reports.digest_hour, digest, timezone=settings.operator.timezone)
    names.append("insight:digest")
    return names
