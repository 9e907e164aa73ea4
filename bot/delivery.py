"""Posting a reply exactly once: an outbox row before the call, reconciliation after a crash."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy import select
from sqlmodel import Session

from bot.channels.base import Channel
from bot.domain import BOT_ACTOR, MessageState, OutboundReply, ReplyKind
from storage.db import session_scope
from storage.hotpath import record_posted
from storage.models import Message, Reply
from storage.queue import Claim, MessageQueue

log = logging.getLogger(__name__)

#: The state a message reaches once its reply is out, by the state it was sent from.
SENT_STATE = {
    MessageState.ROUTED: MessageState.AUTO_SENT,
    MessageState.APPROVED: MessageState.SENT,
    MessageState.EDITED: MessageState.SENT,
}


def outbound(row: Message, reply: Reply) -> OutboundReply:
    """The adapter's view of a reply to ``row``."""
    assert reply.id is not None
    return OutboundReply(
        reply_id=reply.id,
        channel=row.channel,
        text=reply.text,
        lang=reply.lang,
        thread_id=row.thread_id,
        in_reply_to=row.external_id,
        author=row.author,
        extras=dict(row.extras or {}),
    )


class Deliverer:
    """Posts the draft of a claimed message through its channel, never twice."""

    def __init__(
        self,
        queue: MessageQueue,
        *,
        pause_before_finalize: float = 0.0,
        on_pause: Callable[[str], None] | None = None,
    ) -> None:
        self.queue = queue
        self.pause_before_finalize = pause_before_finalize
        self.on_pause = on_pause

    def deliver(self, claim: Claim, channel: Channel) -> None:
        """Post the message's reply and move it to its sent state."""
        with session_scope(self.queue.engine) as session:
            row = self.queue.held(session, claim)
            state = MessageState(row.state)
            reply = self._open_reply(session, row)
            earlier_attempt = reply.attempts > 0
            reply.attempts += 1
            session.add(reply)
            session.flush()
            message = outbound(row, reply)
        if earlier_attempt:
            try:
                found = channel.find_posted(message)
            except NotImplementedError:
                self._hand_to_person(claim, message.reply_id)
                return
            if found is not None:
                log.info("message %s: reply %s was already posted", claim.message_id, reply.id)
                self._finalize(claim, message.reply_id, found.external_ids, state)
                return
        self.post_new(claim, channel, message, state)

    def post_new(self, claim: Claim, channel: Channel, message: OutboundReply, state: MessageState) -> None:
        """Post a reply whose outbox row is written and never tried before, then record it."""
        result = channel.post(message)
        self.paused(claim)
        self._finalize(claim, message.reply_id, result.external_ids, state)

    def _open_reply(self, session: Session, row: Message) -> Reply:
        pending = session.execute(
            select(Reply).where(
                Reply.message_id == row.id,
                Reply.kind == str(ReplyKind.ANSWER),
                Reply.status.in_(("pending", "unknown")),  # type: ignore[attr-defined]
            )
        ).scalars().first()
        if pending is not None:
            return pending
        assert row.id is not None
        reply = Reply(
            message_id=row.id,
            case_id=row.case_id,
            channel=row.channel,
            text=row.draft or "",
            lang=row.lang or "it",
            author=row.claimed_by and f"agent:{row.claimed_by}" or BOT_ACTOR,
            status="pending",
            created_at=self.queue.clock(),
        )
        session.add(reply)
        session.flush()
        return reply

    def paused(self, claim: Claim) -> None:
        """The debugging pause between posting and recording it (crash tests kill the worker here)."""
        if self.pause_before_finalize:
            if self.on_pause:
                self.on_pause(f"posted message {claim.message_id}")
            time.sleep(self.pause_before_finalize)

    def _finalize(
        self, claim: Claim, reply_id: int, external_ids: tuple[str, ...], start: MessageState
    ) -> None:
        record_posted(
            self.queue.engine, claim, self.queue.clock(),
            reply_id=reply_id, external_ids=external_ids, start=start, to=SENT_STATE[start],
        )

    def _hand_to_person(self, claim: Claim, reply_id: int) -> None:
        with session_scope(self.queue.engine) as session:
            row = self.queue.held(session, claim)
            reply = session.get(Reply, reply_id)
            assert reply is not None
            reply.status = "unknown"
            session.add(reply)
            self.queue.move(
                session,
                row,
                MessageState.AWAITING_REVIEW,
                note="posting outcome unknown and the channel cannot be asked; check before resending",
            )
