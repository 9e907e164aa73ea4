"""Who follows which line, stop or place, on which channel: adding, removing, listing, dropping a blocked chat."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Connection, Engine, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from storage.models import Follower, FollowNotice

_FOLLOWERS = Follower.__table__  # type: ignore[attr-defined]
_NOTICES = FollowNotice.__table__  # type: ignore[attr-defined]


class FollowOutcome(StrEnum):
    """What asking to follow did."""

    ADDED = "added"
    ALREADY = "already"
    FULL = "full"


@dataclass(frozen=True)
class Followed:
    """One line or stop a chat follows."""

    kind: str
    target: str


@dataclass(frozen=True)
class Chat:
    """Where one person's alerts go."""

    channel: str
    chat: str


def follow(
    engine: Engine, who: Chat, kind: str, target: str, *, lang: str, now: datetime, limit: int,
    message_id: int | None = None,
) -> FollowOutcome:
    """Make ``who`` follow ``target``; the language (and web-chat message) of a repeat are brought up to date."""
    where = (_FOLLOWERS.c.channel == who.channel, _FOLLOWERS.c.chat == who.chat)
    with engine.begin() as conn:
        existing = conn.execute(
            select(_FOLLOWERS.c.id).where(*where, _FOLLOWERS.c.kind == kind, _FOLLOWERS.c.target == target)
        ).scalar()
        if existing is not None:
            values: dict[str, object] = {"lang": lang}
            if message_id is not None:
                values["message_id"] = message_id
            conn.execute(update(_FOLLOWERS).where(_FOLLOWERS.c.id == existing).values(**values))
            return FollowOutcome.ALREADY
        if conn.execute(select(func.count()).where(*where)).scalar_one() >= limit:
            return FollowOutcome.FULL
    try:
        with engine.begin() as conn:
            conn.execute(_FOLLOWERS.insert().values(
                channel=who.channel, chat=who.chat, kind=kind, target=target, lang=lang,
                message_id=message_id, created_at=now,
            ))
    except IntegrityError:  # the same request, handled twice at once
        return FollowOutcome.ALREADY
    return FollowOutcome.ADDED


def unfollow(engine: Engine, who: Chat, kind: str | None = None, target: str | None = None) -> int:
    """Stop ``who`` following ``target`` (everything when ``kind`` is None); how many were removed."""
    statement = delete(_FOLLOWERS).where(_FOLLOWERS.c.channel == who.channel, _FOLLOWERS.c.chat == who.chat)
    if kind is not None:
        statement = statement.where(_FOLLOWERS.c.kind == kind, _FOLLOWERS.c.target == target)
    with engine.begin() as conn:
        return int(conn.execute(statement).rowcount or 0)


def followed_by(engine: Engine, who: Chat) -> list[Followed]:
    """What ``who`` follows, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(_FOLLOWERS.c.kind, _FOLLOWERS.c.target)
            .where(_FOLLOWERS.c.channel == who.channel, _FOLLOWERS.c.chat == who.chat)
            .order_by(_FOLLOWERS.c.id)
        ).all()
    return [Followed(kind, target) for kind, target in rows]


def drop_chat(conn: Connection, who: Chat) -> int:
    """Forget every follow of a chat that blocked the bot, and its notices still to send; follows removed."""
    conn.execute(
        update(_NOTICES)
        .where(_NOTICES.c.channel == who.channel, _NOTICES.c.chat == who.chat, _NOTICES.c.status == "pending")
        .values(status="blocked", lease_owner=None, lease_until=None)
    )
    done = conn.execute(delete(_FOLLOWERS).where(_FOLLOWERS.c.channel == who.channel, _FOLLOWERS.c.chat == who.chat))
    return int(done.rowcount or 0)


def follower_count(engine: Engine, kind: str, target: str) -> int:
    """How many chats follow ``target``."""
    with engine.connect() as conn:
        return int(conn.execute(
            select(func.count()).where(_FOLLOWERS.c.kind == kind, _FOLLOWERS.c.target == target)
        ).scalar_one())


def followers_by_kind(engine: Engine) -> dict[str, int]:
    """How many follows are stored, by kind (``line``, ``stop``, ``street``, ``district``, ...)."""
    with engine.connect() as conn:
        rows = conn.execute(select(_FOLLOWERS.c.kind, func.count()).group_by(_FOLLOWERS.c.kind)).all()
    return {str(kind): int(count) for kind, count in rows}
