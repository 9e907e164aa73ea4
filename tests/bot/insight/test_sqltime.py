"""Local time in SQL across a daylight-saving change, on both databases."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import Engine

from bot.insight.period import Period, parse_period
from bot.insight.problems import ProblemLog
from bot.insight.sqltime import offset_changes
from tests.bot.insight.scenario import Writer

UTC = timezone.utc


def test_rome_changes_offset_twice_a_year() -> None:
    changes = offset_changes("Europe/Rome", datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC))
    assert changes == [(datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 120), (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 60)]


def test_local_hour_follows_the_spring_change(engine: Engine) -> None:
    w = Writer(engine)
    moments = [datetime(2026, 3, 29, 0, 30, tzinfo=UTC), datetime(2026, 3, 29, 1, 30, tzinfo=UTC),
               datetime(2026, 3, 29, 23, 30, tzinfo=UTC)]
    for i, at in enumerate(moments, start=1):
        w.case(i, "web", at)
        w.message(i, i, "web", at, "auto_sent")
        w.problem(i, "web", at, category="delay")
    w.commit()
    period = Period(datetime(2026, 3, 28, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC))
    hours = ProblemLog(engine, tz="Europe/Rome").counts_by("hour", period)
    assert {c.key: c.reports for c in hours if c.reports} == {"1": 2, "3": 1}


def test_dates_are_local_days_and_relative_periods_count_back() -> None:
    now = datetime(2026, 11, 27, 7, 30, tzinfo=UTC)
    day = parse_period("2026-11-26", "2026-11-26", tz="Europe/Rome", now=now)
    assert (day.since, day.until) == (datetime(2026, 11, 25, 23, tzinfo=UTC), datetime(2026, 11, 26, 23, tzinfo=UTC))
    week = parse_period("7d", None, tz="Europe/Rome", now=now)
    assert week.length == timedelta(days=7) and week.until == now
