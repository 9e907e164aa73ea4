"""Report periods: half-open UTC intervals read from ``--since``/``--until`` in local time."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain import as_utc
from bot.insight.errors import InsightError

_RELATIVE = re.compile(r"^(\d{1,9})([dhw])$")
#: Reports cover the years 2000-2199 (a day of margin for time zones); anything else is a typo or a probe.
EARLIEST = datetime(1999, 12, 31, tzinfo=UTC)
LATEST = datetime(2200, 1, 2, tzinfo=UTC)
_UNITS = {"d": timedelta(days=1), "h": timedelta(hours=1), "w": timedelta(weeks=1)}


@dataclass(frozen=True)
class Period:
    """The instants ``since <= t < until``, both aware UTC."""

    since: datetime
    until: datetime

    def __post_init__(self) -> None:
        if self.until <= self.since:
            msg = f"the period is empty: {self.since.isoformat()} is not before {self.until.isoformat()}"
            raise InsightError(msg)

    @property
    def length(self) -> timedelta:
        """How long the period is."""
        return self.until - self.since

    def before(self) -> Period:
        """The period of the same length just before this one."""
        try:
            return Period(self.since - self.length, self.since)
        except OverflowError as exc:
            msg = "the period is too long to compare with the one before it"
            raise InsightError(msg) from exc

    def label(self, tz: str) -> str:
        """``2026-11-20 00:00 → 2026-11-27 00:00`` in local time."""
        zone = ZoneInfo(tz)
        fmt = "%Y-%m-%d %H:%M"
        return f"{self.since.astimezone(zone).strftime(fmt)} → {self.until.astimezone(zone).strftime(fmt)}"


def day_period(day: date, tz: str) -> Period:
    """The local calendar day ``day`` as UTC instants (23 or 25 hours long on DST days)."""
    zone = ZoneInfo(tz)
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return Period(as_utc(start), as_utc(end))


def local_day(moment: datetime, tz: str) -> date:
    """The local date of an instant."""
    return as_utc(moment).astimezone(ZoneInfo(tz)).date()


def parse_moment(value: str, tz: str, now: datetime, *, end: bool) -> datetime:
    """An instant from ``2026-11-27`` (local midnight; the next one when ``end``), an ISO time
    (naive taken as local), ``today``/``yesterday``, or ``7d``/``12h``/``2w`` before ``now``;
    always between :data:`EARLIEST` and :data:`LATEST`."""
    try:
        moment = _parse_moment(value, tz, now, end=end)
    except (OverflowError, ValueError) as exc:
        moment = None
        cause: Exception | None = exc
    else:
        cause = None
    if moment is None or not EARLIEST <= moment <= LATEST:
        msg = f"{value[:40]!r}: expected a time between 2000 and 2199"
        raise InsightError(msg) from cause
    return moment


def _parse_moment(value: str, tz: str, now: datetime, *, end: bool) -> datetime:
    text = value.strip().lower()
    zone = ZoneInfo(tz)
    if text in ("now",):
        return as_utc(now)
    if text in ("today", "yesterday"):
        day = local_day(now, tz) - timedelta(days=1 if text == "yesterday" else 0)
        return day_period(day, tz).until if end else day_period(day, tz).since
    relative = _RELATIVE.match(text)
    if relative:
        return as_utc(now) - int(relative.group(1)) * _UNITS[relative.group(2)]
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            return day_period(day, tz).until if end else day_period(day, tz).since
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        msg = f"expected a date (2026-11-27), an ISO time, today, yesterday or 7d; got {value!r}"
        raise InsightError(msg) from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def parse_period(
    since: str | None, until: str | None, *, tz: str, now: datetime, default_days: int = 7
) -> Period:
    """The period named by ``--since``/``--until``; by default the ``default_days`` before ``now``."""
    end = parse_moment(until, tz, now, end=True) if until else as_utc(now)
    start = parse_moment(since, tz, now, end=False) if since else end - timedelta(days=default_days)
    return Period(start, end)
