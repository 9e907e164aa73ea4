"""Posting notices (safety replies, acknowledgements, ops-room alerts) exactly once, under a lease.

The routing worker posts the notices it wrote at once; a notice whose worker died is taken
again by any worker once its lease runs out, and asked for on the platform before a retry
(a platform that cannot be asked leaves it ``unknown`` for a person, never sent twice).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Engine, or_, select

from bot.channels.base import Channel
from bot.config import Settings
from bot.delivery import outbound
from bot.domain import PostResult, ReplyKind, as_utc
from bot.errors import SportelloError
from bot.insight.digest import mail_text, telegram_text
from bot.notices import OPS_EMAIL, OPS_TELEGRAM
from storage.db import session_scope
from storage.models import Message, Reply

log = logging.getLogger(__name__)

NOTICE_KINDS = (str(ReplyKind.SAFETY), str(ReplyKind.ACK), str(ReplyKind.OPS))


class NoticePoster:
    """Posts notice rows of the outbox through their channel or to the operations room."""

    def __init__(
        self,
        engine: Engine,
        channels: Mapping[str, Channel],
        settings: Settings,
        *,
        clock: Callable[[], datetime],
        lease_seconds: float = 60.0,
        max_attempts: int = 5,
        pause_before_finalize: float = 0.0,
        announce: Callable[[str], None] | None = None,
    ) -> None:
        self.engine = engine
        self.channels = channels
        self.settings = settings
        self.clock = clock
        self.lease_seconds = lease_seconds
        self.max_attempts = max_attempts
        self.pause_before_finalize = pause_before_finalize
        self.announce = announce

    def sweep(self, worker: str) -> bool:
        """Take one notice that is due (its worker died, or it failed before) and post it."""
        now = self.clock()
        wanted = [*self.channels, OPS_TELEGRAM, OPS_EMAIL]
        with session_scope(self.engine) as session:
            reply = session.execute(
                select(Reply)
                .where(
                    Reply.kind.in_(NOTICE_KINDS),  # type: ignore[attr-defined]
                    Reply.status == "pending",
                    Reply.channel.in_(wanted),  # type: ignore[attr-defined]
                    or_(Reply.lease_until.is_(None), Reply.lease_until < now),  # type: ignore[union-attr]
                )
                .order_by(Reply.id)  # type: ignore[arg-type]
                .limit(1)
                .with_for_update(skip_locked=True)
            ).scalars().first()
            if reply is None:
                return False
            reply.lease_owner = worker
            reply.lease_until = now + timedelta(seconds=self.lease_seconds)
            session.add(reply)
            reply_id = reply.id
        assert reply_id is not None
        self.post(reply_id, worker)
        return True

    def post(self, reply_id: int, worker: str) -> None:
        """Post notice ``reply_id`` held by ``worker``; failures are kept for a later retry."""
        try:
            self._post(reply_id, worker)
        except Exception as exc:  # a loop boundary for one notice: keep it, retry later
            log.warning("notice %s: posting failed: %s", reply_id, exc)
            self._failed(reply_id, worker, exc)

    def _post(self, reply_id: int, worker: str) -> None:
        with session_scope(self.engine) as session:
            reply = session.execute(select(Reply).where(Reply.id == reply_id).with_for_update()).scalars().first()
            if reply is None or not self._holds(reply, worker):
                return
            earlier = reply.attempts > 0
            reply.attempts += 1
            session.add(reply)
            row = session.get(Message, reply.message_id)
            assert row is not None
            kind, channel_name, text = ReplyKind(reply.kind), reply.channel, reply.text
            message = outbound(row, reply)
        if kind == ReplyKind.OPS:
            if earlier:  # an e-mail server or a chat cannot be asked whether it arrived
                self._mark(reply_id, "unknown")
                return
            self._tell_ops(channel_name, text)
            self._finalize(reply_id, ())
            return
        channel = self.channels[channel_name]
        private = replace(message, private=kind == ReplyKind.SAFETY)
        if earlier:
            try:
                found = channel.find_posted(private)
            except NotImplementedError:
                log.warning("notice %s: outcome unknown and %s cannot be asked; left for a person", reply_id, channel_name)
                self._mark(reply_id, "unknown")
                return
            if found is not None:
                self._finalize(reply_id, found.external_ids)
                return
        result: PostResult = channel.post(private)
        if self.pause_before_finalize:
            if self.announce:
                self.announce(f"posted notice {reply_id} of message {message.in_reply_to}")
            time.sleep(self.pause_before_finalize)
        self._finalize(reply_id, result.external_ids)

    def _holds(self, reply: Reply, worker: str) -> bool:
        until = as_utc(reply.lease_until) if reply.lease_until else None
        return reply.status == "pending" and reply.lease_owner == worker and until is not None and until >= self.clock()

    def _tell_ops(self, channel: str, text: str) -> None:
        settings = self.settings
        subject = f"{settings.operator.name}: EMERGENZA / EMERGENCY"
        if channel == OPS_TELEGRAM and settings.emergency.notify_telegram_chat:
            telegram_text(settings, settings.emergency.notify_telegram_chat, text)
        elif channel == OPS_EMAIL and settings.emergency.notify_email:
            mail_text(settings, settings.emergency.notify_email, subject, text)
        else:
            msg = f"{channel}: the operations room is not configured for it"
            raise SportelloError(msg)

    def _finalize(self, reply_id: int, external_ids: tuple[str, ...]) -> None:
        with session_scope(self.engine) as session:
            reply = session.get(Reply, reply_id)
            assert reply is not None
            reply.status = "posted"
            reply.external_ids = list(external_ids)
            reply.posted_at = self.clock()
            reply.lease_owner = None
            reply.lease_until = None
            reply.error = None
            session.add(reply)

    def _mark(self, reply_id: int, status: str) -> None:
        with session_scope(self.engine) as session:
            reply = session.get(Reply, reply_id)
            assert reply is not None
            reply.status = status
            reply.lease_owner = None
            reply.lease_until = None
            session.add(reply)

    def _failed(self, reply_id: int, worker: str, exc: Exception) -> None:
        with session_scope(self.engine) as session:
            reply = session.get(Reply, reply_id)
            if reply is None or reply.lease_owner != worker:
                return
            reply.error = f"{type(exc).__name__}: {exc}"[:4000]
            reply.lease_owner = None
            if reply.attempts >= self.max_attempts:
                reply.status = "failed"
                reply.lease_until = None
            else:
                delay = min(300.0, 2.0 ** max(1, reply.attempts)) * random.uniform(0.8, 1.2)
                reply.lease_until = self.clock() + timedelta(seconds=delay)
            session.add(reply)

