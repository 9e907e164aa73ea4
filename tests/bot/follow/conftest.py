"""Fixtures for following: the fake Telegram server and fake sleep of the channel tests, alerts built in code."""

from __future__ import annotations

from datetime import datetime, timedelta

from knowledge.alerts import Alert, EntitySelector, Period
from tests.bot.channels.conftest import FakeSleep, queue, sleeps, telegram_server, x_context, x_server  # noqa: F401  (fixtures)


def alert(alert_id: str, *, routes: tuple[str, ...] = (), stops: tuple[str, ...] = (), header: str = "Deviazione",
          start: datetime | None = None, end: datetime | None = None, route_type: int | None = None) -> Alert:
    """An alert on ``routes`` and ``stops`` (or a whole route type), in force from ``start`` to ``end``."""
    informed = tuple(EntitySelector(route_id=r) for r in routes) + tuple(EntitySelector(stop_id=s) for s in stops)
    if route_type is not None:
        informed += (EntitySelector(route_type=route_type),)
    periods = (Period(start, end),) if start or end else ()
    return Alert(alert_id, periods, informed, "CONSTRUCTION", "DETOUR",
                 {"it": header, "en": f"{header} (en)"}, {"it": f"{header}: dettagli", "en": "details"})


def hours(n: float) -> timedelta:
    return timedelta(hours=n)


__all__ = ["FakeSleep", "alert", "hours", "queue", "sleeps", "telegram_server", "x_context", "x_server"]
