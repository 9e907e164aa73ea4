"""Each new and ended alert (and outage of a service with followed places) posted once to the operator's own X timeline, within a daily number of posts.

An event is marked ``posting`` before the call; after a crash it is looked for on the timeline
(the X adapter can be asked) before any retry, so a post is never made twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, update

from bot.channels.base import Channel
from bot.domain import OutboundReply
from bot.errors import ChannelAuthError
from bot.follow.events import EventKind, Topic
from bot.follow.quiet import QuietHours
from bot.follow.texts import NOTICE, OUTAGE_NOTICE
from storage.models import AlertEvent

log = logging.getLogger(__name__)

_EVENTS = AlertEvent.__table__  # type: ignore[attr-defined]
X_LIMIT = 280


def timeline_text(kind: EventKind, texts: dict[str, Any], lang: str = "it", topic: Topic = Topic.ALERT) -> str:
    """The public post for an event: the alert's (or outage's) header and what it touches, within one post."""
    told = texts.get(lang) or {}
    words = OUTAGE_NOTICE if topic == Topic.OUTAGE else NOTICE
    # An outage is named on X by its own area, not by the places its followers follow.
    what = (told.get("area") or told.get("what", "")) if topic == Topic.OUTAGE else told.get("what", "")
    text = words[lang][str(kind)].format(what=what, header=told.get("header", ""))
    return text if len(text) <= X_LIMIT else text[: X_LIMIT - 1].rstrip() + "…"


class TimelinePoster:
    """Posts pending alert events to the X timeline, one call at a time, within ``daily_posts``."""

    def __init__(
        self, engine: Engine, x: Channel, *, daily_posts: int, zone: str, lang: str, clock: Callable[[], datetime],
        within_cap: Callable[[], bool] = lambda: True,
    ) -> None:
        self.engine = engine
        self.x = x
        self.daily_posts = daily_posts
        self.day = QuietHours("", zone)
        self.lang = lang if lang in NOTICE else "it"
        self.clock = clock
        self.within_cap = within_cap

    def run_once(self) -> int:
        """Post what is due (oldest first) until the day's posts are used; how many were posted."""
        posted = 0
        while True:
            if not self.within_cap():  # channels.x.daily_call_cap: replies to citizens keep what is left
                log.info("follow: the X daily call cap is reached; alert events wait")
                return posted
            with self.engine.begin() as conn:
                row = conn.execute(
                    select(_EVENTS.c.id, _EVENTS.c.kind, _EVENTS.c.texts, _EVENTS.c.x_status, _EVENTS.c.topic)
                    .where(_EVENTS.c.x_status.in_(("pending", "posting")))
                    .order_by(_EVENTS.c.id).limit(1).with_for_update(skip_locked=True)
                ).first()
                if row is None:
                    return posted
                today = conn.execute(select(func.count()).where(
                    _EVENTS.c.x_status == "posted", _EVENTS.c.at >= self.day.day_start(self.clock())
                )).scalar_one()
                if row.x_status == "pending" and today >= self.daily_posts:
                    log.info("follow: %d X posts today, the most allowed; alert events wait for tomorrow", today)
                    return posted
                conn.execute(update(_EVENTS).where(_EVENTS.c.id == row.id).values(x_status="posting"))
            reply = OutboundReply(
                reply_id=row.id, channel=self.x.name, text=timeline_text(EventKind(row.kind), row.texts, self.lang, Topic(row.topic or Topic.ALERT)),
                lang=self.lang, thread_id=None, in_reply_to=None, author="",
            )
            try:
                found = self.x.find_posted(reply) if row.x_status == "posting" else None
                result = found or self.x.post(reply)
            except ChannelAuthError:
                raise
            except Exception as exc:  # noqa: BLE001 - one event's boundary: keep it for the next run
                log.warning("follow: alert event %s not posted on X: %s", row.id, exc)
                return posted
            with self.engine.begin() as conn:
                conn.execute(update(_EVENTS).where(_EVENTS.c.id == row.id).values(
                    x_status="posted", x_post_id=(result.external_ids or ("",))[0][:64]))
            posted += 1
