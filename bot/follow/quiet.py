"""Quiet hours and the local day, in the operator's time zone."""

from __future__ import annotations

from datetime import datetime, time, timezone
from zoneinfo import ZoneInfo


class QuietHours:
    """A daily span of local time ("23:00-07:00", across midnight or not) in which nothing is pushed."""

    def __init__(self, span: str, zone: str) -> None:
        self.zone = ZoneInfo(zone)
        self.span: tuple[time, time] | None = None
        if span:
            start, end = (time.fromisoformat(part) for part in span.split("-"))
            self.span = (start, end) if start != end else None

    def holds(self, now: datetime) -> bool:
        """Whether ``now`` falls in the quiet hours."""
        if self.span is None:
            return False
        local = now.astimezone(self.zone).time()
        start, end = self.span
        return start <= local < end if start < end else (local >= start or local < end)

    def day_start(self, now: datetime) -> datetime:
        """Local midnight of ``now``'s day, in UTC (the daily cap counts from there)."""
        local = now.astimezone(self.zone)
        return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(timezone.utc)
