"""Follower notices whose delivery is unknown, for a supervisor: how many, which alert, since when, and their decision.

A notice is ``unknown`` when its sender died between marking it ``sending`` and recording the
platform's answer, or the call timed out after reaching the platform: it may have arrived, and
Telegram cannot be asked, so the sender never sends it again on its own. A supervisor sees them
on the team page and decides each one: ``resend`` (the follower may get it twice) puts it back
to ``pending`` for the sender; ``leave`` keeps it as it is. Either way the decision, who made it
and when are kept on the notice, and it leaves the list. A resent notice that ends unknown again
is listed again (its earlier decision and who took it stay beside it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Engine, func, select, update

from bot.domain import as_utc
from bot.errors import SportelloError
from bot.follow.events import EventKind, Topic
from storage.models import AlertEvent, FollowNotice

log = logging.getLogger(__name__)

_NOTICES = FollowNotice.__table__  # type: ignore[attr-defined]
_EVENTS = AlertEvent.__table__  # type: ignore[attr-defined]
#: The notices awaiting a decision (``storage.models.UNCHECKED_NOTICES_SQL``, their partial index).
_UNCHECKED = (_NOTICES.c.status == "unknown") & _NOTICES.c.checked_at.is_(None)
#: How many notices the team page lists (the count is always whole).
LISTED = 50


class Decision(StrEnum):
    """A supervisor's decision on a notice of unknown delivery."""

    RESEND = "resend"
    LEAVE = "leave"


class NoticeCheckError(SportelloError):
    """A decision that cannot be taken: no such notice, or it is not unknown and undecided any more."""


@dataclass(frozen=True)
class UnknownNotice:
    """One follower notice that may or may not have arrived."""

    id: int
    channel: str
    chat_end: str  # the last characters of the chat id: enough to tell two apart, not to contact anyone
    alert_id: str
    kind: EventKind
    what: str  # the lines and stops the alert touches, or the followed places an outage covers, in Italian
    header: str
    event_at: datetime
    since: datetime
    error: str | None
    resent_by: str | None  # who resent it once already, when it is unknown again
    topic: Topic = Topic.ALERT  # a transit alert, or a service's outage told to the followers of places


@dataclass(frozen=True)
class UnknownNotices:
    """The notices awaiting a decision: how many in all, by channel, the oldest, and the first ``LISTED``."""

    count: int
    by_channel: dict[str, int]
    oldest: datetime | None
    listed: list[UnknownNotice]


def count_unknown(engine: Engine) -> tuple[dict[str, int], datetime | None]:
    """Notices of unknown delivery awaiting a decision, by channel, and since when the oldest waits."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(_NOTICES.c.channel, func.count(), func.min(_NOTICES.c.unknown_at))
            .where(_UNCHECKED).group_by(_NOTICES.c.channel)
        ).all()
    oldest = min((as_utc(at) for _channel, _count, at in rows if at is not None), default=None)
    return {channel: int(count) for channel, count, _at in rows}, oldest


def unknown_by_topic(engine: Engine) -> dict[tuple[str, Topic], int]:
    """Notices of unknown delivery awaiting a decision, by channel and topic (a line's alert, a place's outage)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(_NOTICES.c.channel, _EVENTS.c.topic, func.count())
            .join(_EVENTS, _EVENTS.c.id == _NOTICES.c.event_id).where(_UNCHECKED)
            .group_by(_NOTICES.c.channel, _EVENTS.c.topic)
        ).all()
    return {(channel, Topic(topic or Topic.ALERT)): int(count) for channel, topic, count in rows}


def unknown_notices(engine: Engine, limit: int = LISTED) -> UnknownNotices:
    """The notices awaiting a decision, oldest first."""
    by_channel, oldest = count_unknown(engine)
    with engine.connect() as conn:
        rows = conn.execute(
            select(_NOTICES.c.id, _NOTICES.c.channel, _NOTICES.c.chat, _NOTICES.c.alert_id, _NOTICES.c.unknown_at,
                   _NOTICES.c.created_at, _NOTICES.c.error, _NOTICES.c.decision, _NOTICES.c.checked_by,
                   _EVENTS.c.kind, _EVENTS.c.at, _EVENTS.c.texts, _EVENTS.c.topic)
            .join(_EVENTS, _EVENTS.c.id == _NOTICES.c.event_id)
            .where(_UNCHECKED)
            .order_by(_NOTICES.c.unknown_at, _NOTICES.c.id)
            .limit(limit)
        ).all()
    listed = []
    for row in rows:
        told = (row.texts or {}).get("it") or {}
        listed.append(UnknownNotice(
            id=row.id, channel=row.channel, chat_end=row.chat[-4:], alert_id=row.alert_id, kind=EventKind(row.kind),
            what=str(told.get("what") or ""), header=str(told.get("header") or ""), event_at=as_utc(row.at),
            since=as_utc(row.unknown_at or row.created_at), error=row.error,
            resent_by=row.checked_by if row.decision == str(Decision.RESEND) else None,
            topic=Topic(row.topic or Topic.ALERT),
        ))
    return UnknownNotices(count=sum(by_channel.values()), by_channel=by_channel, oldest=oldest, listed=listed)


def decide(engine: Engine, notice_id: int, decision: Decision, *, by: str, now: datetime) -> None:
    """Record ``by``'s decision on an unknown notice; ``resend`` gives it back to the sender."""
    values: dict[str, object] = {"decision": str(decision), "checked_by": by, "checked_at": now}
    if decision == Decision.RESEND:
        values.update(status="pending", lease_owner=None, lease_until=None, error=None)
    with engine.begin() as conn:
        done = conn.execute(update(_NOTICES).where(_NOTICES.c.id == notice_id, _UNCHECKED).values(**values)).rowcount
    if done != 1:
        msg = f"notice {notice_id}: not a notice of unknown delivery awaiting a decision"
        raise NoticeCheckError(msg)
    log.info("follow: notice %s of unknown delivery: %s decided by %s", notice_id, decision, by)
