"""A channel's durable bookkeeping: read cursors, health status and daily API usage."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.db import session_scope
from storage.models import ApiUsage, ChannelStatus, Cursor

log = logging.getLogger(__name__)

#: channel_status.state values.
RUNNING = "running"
STOPPED = "stopped"
CAPPED = "capped"
DEGRADED = "degraded"


class ChannelLedger:
    """Cursors, status and usage rows of one channel, each change in its own transaction."""

    def __init__(self, engine: Engine, channel: str, clock: Callable[[], datetime]) -> None:
        self.engine = engine
        self.channel = channel
        self.clock = clock

    # -- cursors ------------------------------------------------------------------------
    def cursor(self, name: str) -> str | None:
        """The stored value of cursor ``name``, or None before the first read."""
        with Session(self.engine) as session:
            row = session.get(Cursor, (self.channel, name))
            return row.value if row else None

    def set_cursor(self, name: str, value: str) -> None:
        """Store cursor ``name``; call only once what it covers is in the queue."""
        now = self.clock()
        with session_scope(self.engine) as session:
            row = session.get(Cursor, (self.channel, name), with_for_update=True)
            if row is None:
                session.add(Cursor(channel=self.channel, name=name, value=value, updated_at=now))
            else:
                row.value = value
                row.updated_at = now
                session.add(row)

    # -- status -------------------------------------------------------------------------
    def status(self) -> tuple[str, str | None] | None:
        """The last recorded (state, detail), or None."""
        with Session(self.engine) as session:
            row = session.get(ChannelStatus, self.channel)
            return (row.state, row.detail) if row else None

    def set_status(self, state: str, detail: str | None = None) -> None:
        """Record the channel's health for the console."""
        now = self.clock()
        with session_scope(self.engine) as session:
            row = session.get(ChannelStatus, self.channel, with_for_update=True)
            if row is None:
                session.add(
                    ChannelStatus(channel=self.channel, state=state, detail=detail, updated_at=now)
                )
            else:
                row.state = state
                row.detail = detail
                row.updated_at = now
                session.add(row)

    # -- usage --------------------------------------------------------------------------
    def day(self) -> str:
        """Today's usage key (UTC date)."""
        return self.clock().date().isoformat()

    def count(self, *, calls: int = 0, posts: int = 0) -> None:
        """Add API calls and posts to today's row."""
        if not calls and not posts:
            return
        day = self.day()
        for _ in range(3):
            try:
                with session_scope(self.engine) as session:
                    done = session.execute(
                        update(ApiUsage)
                        .where(ApiUsage.channel == self.channel, ApiUsage.day == day)
                        .values(calls=ApiUsage.calls + calls, posts=ApiUsage.posts + posts)
                    )
                    if done.rowcount == 0:  # type: ignore[attr-defined]
                        session.add(ApiUsage(channel=self.channel, day=day, calls=calls, posts=posts))
                return
            except IntegrityError:
                continue  # another process created today's row first: add to it
        log.warning("%s: could not record API usage for %s", self.channel, day)

    def usage(self, day: str | None = None) -> tuple[int, int]:
        """(calls, posts) recorded on ``day`` (today by default)."""
        with Session(self.engine) as session:
            row = session.execute(
                select(ApiUsage).where(
                    ApiUsage.channel == self.channel, ApiUsage.day == (day or self.day())
                )
            ).scalars().first()
            return (row.calls, row.posts) if row else (0, 0)
