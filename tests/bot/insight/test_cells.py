"""Splitting a report period into rolled-up months and days and raw edges."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.insight.cells import split
from bot.insight.period import Period, day_period

TZ = "Europe/Rome"


def test_nothing_rolled_up_reads_everything_raw() -> None:
    period = Period(datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
    cells = split(period, TZ, None)
    assert (cells.rolled, cells.raw) == (False, [period])


def test_edges_inside_a_local_day_are_raw_and_whole_days_rolled() -> None:
    since, until = day_period(date(2026, 11, 10), TZ).since + timedelta(hours=5), day_period(date(2026, 11, 13), TZ).since
    cells = split(Period(since, until), TZ, date(2026, 12, 1))
    assert cells.blocks() == [("d", date(2026, 11, 11), date(2026, 11, 13), 1)]
    assert cells.raw == [Period(since, day_period(date(2026, 11, 11), TZ).since)]


def test_a_month_nearly_inside_is_read_whole_less_the_days_outside() -> None:
    period = Period(day_period(date(2026, 9, 29), TZ).since, day_period(date(2026, 11, 28), TZ).since)
    cells = split(period, TZ, date(2026, 12, 5))
    assert cells.blocks() == [("d", date(2026, 9, 29), date(2026, 10, 1), 1),
                              ("m", date(2026, 10, 1), date(2026, 12, 1), 1),
                              ("d", date(2026, 11, 28), date(2026, 12, 1), -1)]
    assert cells.raw == []


def test_days_not_rolled_up_yet_are_raw() -> None:
    period = Period(day_period(date(2026, 11, 1), TZ).since, day_period(date(2026, 11, 20), TZ).since)
    cells = split(period, TZ, date(2026, 11, 5))
    assert cells.blocks() == [("d", date(2026, 11, 1), date(2026, 11, 5), 1)]
    assert cells.raw == [Period(day_period(date(2026, 11, 5), TZ).since, period.until)]
