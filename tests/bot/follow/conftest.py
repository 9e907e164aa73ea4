"""Fixtures for following: the fake Telegram server and fake sleep of the channel tests, alerts built in code."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine, insert

from knowledge.alerts import Alert, EntitySelector, Period
from storage.models import AlertEvent, FollowNotice
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


__all__ = ["FakeSleep", "alert", "hours", "queue", "sleeps", "telegram_server", "unknown_notice", "x_context", "x_server"]


def unknown_notice(engine: Engine, at: datetime, *, chat: str = "5001", alert_id: str = "a1", what: str = "bus 64",
                   header: str = "Deviazione", kind: str = "start", topic: str = "alert") -> int:
    """A follower notice whose delivery is unknown since ``at`` (what a sender killed mid-call leaves), with its event."""
    with engine.begin() as conn:
        event = conn.execute(insert(AlertEvent).values(
            alert_id=alert_id, kind=kind, at=at, followers=1, topic=topic,
            texts={"it": {"header": header, "what": what, "description": ""}, "en": {"header": header, "what": what}},
        ).returning(AlertEvent.id)).scalar_one()
        return int(conn.execute(insert(FollowNotice).values(
            event_id=event, alert_id=alert_id, channel="telegram", chat=chat, lang="it", status="unknown", attempts=1,
            created_at=at, unknown_at=at, error="OutcomeUnknown: telegram: sendMessage timed out",
        ).returning(FollowNotice.id)).scalar_one())
