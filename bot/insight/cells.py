"""Splits a report period into whole local months and days (read from rollups) and raw edges."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.insight.period import Period, day_period, local_day

DAY, MONTH = "d", "m"


@dataclass(frozen=True)
class Cells:
    """``months`` and ``days`` are half-open ranges of local dates read from a rollup, less the
    ``minus`` days (a month nearly inside the period is read whole, less the days outside it);
    ``raw`` are the instants left at the edges, read from the rows themselves."""

    months: list[tuple[date, date]] = field(default_factory=list)
    days: list[tuple[date, date]] = field(default_factory=list)
    minus: list[tuple[date, date]] = field(default_factory=list)
    raw: list[Period] = field(default_factory=list)

    @property
    def rolled(self) -> bool:
        """Whether any of the period comes from a rollup."""
        return bool(self.months or self.days)

    def blocks(self) -> list[tuple[str, date, date, int]]:
        """``(grain, first, after last, sign)`` for each range of rollup rows to add (+1) or
        subtract (-1): each one primary-key range of the rollup tables, read on its own."""
        return ([(DAY, low, high, 1) for low, high in self.days]
                + [(MONTH, low, high, 1) for low, high in self.months]
                + [(DAY, low, high, -1) for low, high in self.minus])


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _add(ranges: list[tuple[date, date]], low: date, high: date) -> None:
    if low >= high:
        return
    if ranges and ranges[-1][1] == low:
        ranges[-1] = (ranges[-1][0], high)
    else:
        ranges.append((low, high))


def split(period: Period, tz: str, covered: date | None) -> Cells:
    """The cells of ``period``: whole local days before ``covered`` (None: nothing is rolled up),
    read by month where fewer days are read that way, and the rest as raw instants."""
    if covered is None:
        return Cells(raw=[period])
    first = local_day(period.since, tz)
    if day_period(first, tz).since < period.since:
        first += timedelta(days=1)
    end = min(local_day(period.until, tz), covered)
    if first >= end:
        return Cells(raw=[period])
    start, stop = day_period(first, tz).since, day_period(end, tz).since
    cells = Cells(raw=[Period(a, b) for a, b in ((period.since, start), (stop, period.until)) if a < b])
    month = first.replace(day=1)
    while month < end:
        after = _next_month(month)
        low, high = max(first, month), min(end, after)
        outside = (after - month).days - (high - low).days
        if outside < (high - low).days:
            _add(cells.months, month, after)
            _add(cells.minus, month, low)
            _add(cells.minus, high, after)
        else:
            _add(cells.days, low, high)
        month = after
    return cells


def month_of(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_span(month: date) -> tuple[date, date]:
    """``[first day, first day of the next month)``."""
    return month, _next_month(month)


def as_period(low: date, high: date, tz: str) -> Period:
    """Local days ``[low, high)`` as UTC instants."""
    return Period(day_period(low, tz).since, day_period(high, tz).since)
