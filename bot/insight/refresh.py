"""Brings the response facts and both rollups up to date, in the order they depend on each other."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine

from bot.config import Settings
from bot.insight.facts import refresh_facts
from bot.insight.problem_rollup import refresh_problem_rollup
from bot.insight.response_rollup import refresh_response_rollup


def refresh_insight(engine: Engine, settings: Settings, *, now: datetime) -> None:
    """Refresh the facts, then the response rollup built on them, then the problem rollup."""
    tz = settings.operator.timezone
    refresh_facts(engine, now=now)
    refresh_response_rollup(engine, now=now, tz=tz, target_s=settings.console.response_target_minutes * 60.0)
    refresh_problem_rollup(engine, now=now, tz=tz)
