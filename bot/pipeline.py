"""From a stored message to a decision and a drafted reply: router, then handler and policy."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from bot.domain import Decision, DraftReply, utcnow
from bot.reading.router import Router
from handlers import ReplyWriter
from storage.models import Message


class RoutingPipeline:
    """Routes a message and writes its reply; the decision carries the policy's final action."""

    def __init__(self, router: Router, writer: ReplyWriter, *, clock: Callable[[], datetime] = utcnow) -> None:
        self.router = router
        self.writer = writer
        self.clock = clock

    def decide_text(
        self, text: str, *, channel: str | None = None, case_id: int | None = None
    ) -> tuple[Decision, DraftReply]:
        """Decision and reply for a bare text (used by ``sportello route``)."""
        now = self.clock()
        return self.finish(self.router.route(text, now=now, channel=channel), text, now=now, case_id=case_id)

    def finish(
        self, decision: Decision, text: str, *, now: datetime, case_id: int | None = None
    ) -> tuple[Decision, DraftReply]:
        """The router's ``decision`` on ``text`` given its domain's view, its reply drafted, and the policy's final
        action and the reply's sources put on it."""
        decision = self.writer.with_domain(decision, text, now)
        draft = self.writer.draft(decision, text, now=now, case_id=case_id)
        return replace(decision, action=draft.action, sources=draft.sources), draft

    def decide(self, message: Message) -> tuple[Decision, DraftReply]:
        """Decision and reply for a stored message."""
        return self.decide_text(message.text, channel=message.channel, case_id=message.case_id)

    def decide_many(self, messages: Sequence[Message]) -> list[tuple[Decision, DraftReply]]:
        """:meth:`decide` for a claimed batch, in order, as of one moment."""
        now = self.clock()
        decisions = self.router.route_many(
            [m.text for m in messages], now=now, channels=[m.channel for m in messages]
        )  # one model pass for the batch
        return [self.finish(decision, message.text, now=now, case_id=message.case_id)
                for message, decision in zip(messages, decisions)]
