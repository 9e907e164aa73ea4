"""Storage of followers on SQLite and PostgreSQL: follow once, the per-person limit, unfollow, a blocked chat."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, insert, select

from storage.followers import Chat, FollowOutcome, drop_chat, follow, follower_count, followed_by, unfollow
from storage.models import AlertEvent, Follower, FollowNotice

GIULIA = Chat("telegram", "5001")


def test_following_twice_keeps_one_row_and_the_newest_language(engine: Engine, clock) -> None:  # noqa: ANN001
    assert follow(engine, GIULIA, "line", "64", lang="it", now=clock(), limit=5) == FollowOutcome.ADDED
    assert follow(engine, GIULIA, "line", "64", lang="en", now=clock(), limit=5) == FollowOutcome.ALREADY
    assert follower_count(engine, "line", "64") == 1
    with engine.connect() as conn:
        assert conn.execute(select(Follower.lang)).scalars().all() == ["en"]


def test_a_person_follows_no_more_than_the_limit(engine: Engine, clock) -> None:  # noqa: ANN001
    for line in ("64", "40"):
        assert follow(engine, GIULIA, "line", line, lang="it", now=clock(), limit=2) == FollowOutcome.ADDED
    assert follow(engine, GIULIA, "line", "8", lang="it", now=clock(), limit=2) == FollowOutcome.FULL
    assert follow(engine, Chat("telegram", "6002"), "line", "8", lang="it", now=clock(), limit=2) == FollowOutcome.ADDED


def test_unfollow_one_or_everything_and_only_ones_own(engine: Engine, clock) -> None:  # noqa: ANN001
    other = Chat("web", "web-" + "0" * 32)
    for who in (GIULIA, other):
        follow(engine, who, "line", "64", lang="it", now=clock(), limit=5)
        follow(engine, who, "stop", "10005", lang="it", now=clock(), limit=5)
    assert unfollow(engine, GIULIA, "line", "64") == 1
    assert unfollow(engine, GIULIA, "line", "64") == 0
    assert [f.target for f in followed_by(engine, GIULIA)] == ["10005"]
    assert unfollow(engine, GIULIA) == 1
    assert followed_by(engine, GIULIA) == []
    assert [(f.kind, f.target) for f in followed_by(engine, other)] == [("line", "64"), ("stop", "10005")]


def test_a_blocked_chat_loses_its_follows_and_its_pending_notices(engine: Engine, clock) -> None:  # noqa: ANN001
    follow(engine, GIULIA, "line", "64", lang="it", now=clock(), limit=5)
    follow(engine, Chat("telegram", "6002"), "line", "64", lang="it", now=clock(), limit=5)
    now: datetime = clock()
    with engine.begin() as conn:
        event = conn.execute(insert(AlertEvent.__table__).values(  # type: ignore[attr-defined]
            alert_id="a1", kind="start", at=now, texts={}, followers=2).returning(AlertEvent.__table__.c.id)).scalar_one()  # type: ignore[attr-defined]
        for chat in ("5001", "6002"):
            conn.execute(insert(FollowNotice.__table__).values(  # type: ignore[attr-defined]
                event_id=event, alert_id="a1", channel="telegram", chat=chat, lang="it", status="pending",
                attempts=0, created_at=now))
    with engine.begin() as conn:
        assert drop_chat(conn, GIULIA) == 1
    with engine.connect() as conn:
        statuses = dict(conn.execute(select(FollowNotice.chat, FollowNotice.status)).all())
    assert statuses == {"5001": "blocked", "6002": "pending"}
    assert follower_count(engine, "line", "64") == 1
