"""A citizen's follows are part of their data: exported, and erased with their alert notices."""

from __future__ import annotations

from sqlalchemy import Engine, func, insert, select

from bot.privacy.subject import Citizen, erase_citizen, export_citizen
from storage.followers import Chat, follow, followed_by
from storage.models import AlertEvent, FollowNotice
from tests.conftest import FixedClock


def test_follows_are_exported_and_erased(engine: Engine, clock: FixedClock) -> None:
    follow(engine, Chat("telegram", "5001"), "line", "64", lang="it", now=clock(), limit=5)
    follow(engine, Chat("telegram", "6002"), "line", "64", lang="it", now=clock(), limit=5)
    with engine.begin() as conn:
        event = conn.execute(insert(AlertEvent).values(alert_id="a1", kind="start", at=clock(), texts={}, followers=1)
                             .returning(AlertEvent.id)).scalar_one()
        conn.execute(insert(FollowNotice).values(event_id=event, alert_id="a1", channel="telegram", chat="5001", lang="it",
                                                 status="posted", attempts=1, created_at=clock()))
    giulia = Citizen("telegram", "5001")
    exported = export_citizen(engine, giulia, actor="admin", now=clock())
    assert [(s["kind"], s["target"]) for s in exported["subscriptions"]] == [("line", "64")]
    assert erase_citizen(engine, giulia, actor="admin", now=clock()).subscriptions == 1
    assert followed_by(engine, Chat("telegram", "5001")) == []
    assert len(followed_by(engine, Chat("telegram", "6002"))) == 1
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(FollowNotice)).scalar_one() == 0
