"""A worker wired as ``sportello run`` wires it (channel rules, notices), on a fixed clock, for case-life tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from bot.channels.base import ChannelContext
from bot.channels.pipeline import channel_pipeline
from bot.channels.web import WebChannel
from bot.console.desk import Desk
from bot.config import Settings
from bot.domain import InboundMessage, MessageState
from bot.notice_delivery import NoticePoster
from bot.notices import NoticeDesk
from bot.pipeline import RoutingPipeline
from bot.reading.router import Router
from bot.worker import NoticeLane, Worker
from handlers import ReplyWriter
from knowledge.store import Knowledge
from storage.models import Reply
from storage.queue import MessageQueue
from tests.conftest import FixedClock


class Conversations:
    """One worker and the web channel over the real queue; citizens and agents act through it."""

    def __init__(self, engine: Engine, clock: FixedClock, **sections: Any) -> None:
        self.settings = Settings(**sections)
        self.clock = clock
        self.engine = engine
        self.queue = MessageQueue(engine, clock=clock)
        knowledge = Knowledge.from_settings(self.settings.knowledge, engine=engine, clock=clock)
        writer = ReplyWriter(knowledge, self.settings)
        inner = RoutingPipeline(Router(knowledge, settings=self.settings), writer, clock=clock)
        pipeline = channel_pipeline(inner, knowledge, writer, self.settings, engine, clock)
        channels = {"web": WebChannel(ChannelContext(self.settings, self.queue, engine, clock))}
        notices = NoticeLane(
            NoticeDesk(self.settings, clock=clock), NoticePoster(engine, channels, self.settings, clock=clock)
        )
        self.worker = Worker("w-test", self.queue, pipeline, channels, lease_seconds=30, notices=notices)
        self.count = 0

    def say(self, text: str, conversation: str = "c1") -> int:
        """A citizen writes in the web chat; the worker handles it (and anything else due)."""
        self.count += 1
        message_id = self.queue.enqueue(
            InboundMessage("web", f"m{self.count}", f"web:{conversation}", text, self.clock(), thread_id=conversation)
        )
        assert message_id is not None
        self.work()
        return message_id

    def work(self) -> None:
        while self.worker.run_once():
            pass

    def agent_replies(self, message_id: int, text: str = "Ci scusiamo, abbiamo segnalato il fatto.", agent: str = "giulia") -> None:
        """An agent opens the message in the console and sends a reply of their own."""
        desk = Desk(self.queue, claim_minutes=self.settings.console.claim_minutes)
        assert desk.claim(message_id, agent) == agent
        desk.send(message_id, agent, text)
        self.work()

    def replies(self, message_id: int, kind: str | None = None) -> list[Reply]:
        return [r for r in self.queue.replies_for(message_id) if kind is None or r.kind == kind]
