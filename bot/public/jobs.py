"""The public site's shared job: keep the figures of days that are over (``public:rollup``)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from bot.config import Settings
from bot.insight.service import local_today
from bot.public.figures import PublicFigures
from bot.public.rollup import ROLLUP_SECONDS

log = logging.getLogger(__name__)


class Schedules(Protocol):
    """What the job needs of the scheduler."""

    def every(self, name: str, seconds: float, job: Callable[[], object], *, shared: bool) -> None: ...


def schedule_public(scheduler: Schedules, settings: Settings, engine: Engine, *, clock: Callable[[], datetime],
                    gtfs: Any) -> list[str]:
    """Register ``public:rollup`` (at start, then every ``ROLLUP_SECONDS``, in one process at a time)."""
    if not settings.public.enabled:
        return []
    figures = PublicFigures.for_settings(engine, gtfs, settings, alerts=lambda: None)

    def run() -> int:
        now = clock()
        kept = figures.fill(today=local_today(now, settings.operator.timezone), now=now)
        if kept:
            log.info("public: kept the figures of %d line days that are over", kept)
        return kept

    scheduler.every("public:rollup", ROLLUP_SECONDS, run, shared=True)
    return ["public:rollup"]
