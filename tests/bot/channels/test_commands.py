"""Citizen commands and the channel rules of the pipeline, through the real worker and handlers."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from bot.channels.base import Channel, ChannelContext
from bot.channels.commands import parse_command
from bot.channels.pipeline import channel_pipeline
from bot.config import Settings
from bot.domain import InboundMessage, MessageState, OutboundReply, PostResult
from bot.pipeline import RoutingPipeline
from bot.reading.router import Router
from bot.worker import Worker
from handlers import ReplyWriter
from knowledge.store import Knowledge
from storage.models import Case, Reply
from storage.queue import MessageQueue
from tests.conftest import FixedClock


class Recording(Channel):
    """A channel that keeps what it is asked to post."""

    name = "telegram"

    def __init__(self, context: ChannelContext) -> None:
        super().__init__(context)
        self.posted: list[OutboundReply] = []

    def post(self, reply: OutboundReply) -> PostResult:
        self.posted.append(reply)
        return PostResult((f"t-{reply.reply_id}",))


@pytest.fixture
def desk(engine: Engine, clock: FixedClock) -> tuple[Worker, MessageQueue, Recording]:
    settings = Settings()
    queue = MessageQueue(engine, clock=clock)
    knowledge = Knowledge.from_settings(settings.knowledge, engine=engine, clock=clock)
    writer = ReplyWriter(knowledge, settings)
    inner = RoutingPipeline(Router(knowledge, settings=settings), writer, clock=clock)
    pipeline = channel_pipeline(inner, knowledge, writer, settings, engine, clock)
    channel = Recording(ChannelContext(settings, queue, engine, clock))
    return Worker("w", queue, pipeline, {"telegram": channel}), queue, channel


def _send(queue: MessageQueue, text: str, number: int, author: str = "5001", **extras: object) -> int:
    message = InboundMessage("telegram", f"5001:{number}", author, text, queue.clock(), thread_id=author,
                             extras={"chat_id": int(author), **extras})
    stored = queue.enqueue(message)
    assert stored is not None
    return stored


def test_commands_are_parsed_in_italian_and_english() -> None:
    assert parse_command("/linea 64").as_extras() == {"name": "line", "argument": "64", "lang": "it"}
    assert parse_command("/line 64").lang == "en"
    assert parse_command("/fermata@sportello_bot 70340", bot_username="sportello_bot").argument == "70340"
    assert parse_command("/stato 12").name == "case"
    assert parse_command("/start", user_lang="en-GB").lang == "en"
    assert parse_command("/linea@other_bot 64", bot_username="sportello_bot") is None
    assert parse_command("/boh") is None and parse_command("linea 64") is None


def test_linea_answers_with_the_status_of_that_line(desk: tuple[Worker, MessageQueue, Recording]) -> None:
    worker, queue, channel = desk
    message_id = _send(queue, "/linea 64", 1, command={"name": "line", "argument": "64", "lang": "it"})
    worker.run_once()
    assert queue.get(message_id).state == MessageState.AUTO_SENT
    assert "64" in channel.posted[0].text
    assert queue.get(message_id).decision["routes"] == ["64"]


def test_an_unknown_line_is_said_plainly(desk: tuple[Worker, MessageQueue, Recording]) -> None:
    worker, queue, channel = desk
    _send(queue, "/line 999", 1, command={"name": "line", "argument": "999", "lang": "en"})
    worker.run_once()
    assert "cannot find line" in channel.posted[0].text


def test_stato_tells_a_citizen_only_about_their_own_case(
    desk: tuple[Worker, MessageQueue, Recording], engine: Engine
) -> None:
    worker, queue, channel = desk
    first = _send(queue, "autista maleducato sul 64", 1)
    worker.run_once()
    case_id = queue.get(first).case_id
    queue.transition(first, MessageState.CLOSED, actor="agent:anna")
    with Session(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None
        case.status = "closed"
        session.add(case)
        session.commit()
    _send(queue, f"/stato {case_id}", 2, command={"name": "case", "argument": str(case_id), "lang": "it"})
    _send(queue, f"/stato {case_id}", 3, author="6002", command={"name": "case", "argument": str(case_id), "lang": "it"})
    worker.run_once()
    worker.run_once()
    assert "è chiusa" in channel.posted[0].text
    assert "Non trovo" in channel.posted[1].text


def test_a_sticker_goes_to_a_person_without_a_draft(desk: tuple[Worker, MessageQueue, Recording]) -> None:
    worker, queue, channel = desk
    message_id = _send(queue, "[sticker 😡]", 1, unreadable="sticker")
    worker.run_once()
    row = queue.get(message_id)
    assert row.state == MessageState.AWAITING_REVIEW and channel.posted == []
    assert "cannot read a sticker" in row.decision["reasons"]


def test_text_with_a_photo_is_drafted_but_waits_for_a_person(desk: tuple[Worker, MessageQueue, Recording]) -> None:
    worker, queue, channel = desk
    message_id = _send(queue, "il tram 8 funziona oggi?", 1, media="photo")
    worker.run_once()
    row = queue.get(message_id)
    assert row.state == MessageState.AWAITING_REVIEW and row.draft and channel.posted == []


def test_the_bot_stays_silent_in_a_conversation_an_agent_took_over(
    desk: tuple[Worker, MessageQueue, Recording], engine: Engine, clock: FixedClock
) -> None:
    worker, queue, channel = desk
    first = _send(queue, "il tram 8 funziona oggi?", 1)
    worker.run_once()
    row = queue.get(first)
    with Session(engine) as session:
        session.add(Reply(message_id=first, case_id=row.case_id, channel="telegram", text="Ci penso io",
                          author="agent:anna", status="posted", created_at=clock()))
        session.commit()
    second = _send(queue, "e il tram 8 domani?", 2)
    worker.run_once()
    assert queue.get(second).case_id == row.case_id
    assert queue.get(second).state == MessageState.AWAITING_REVIEW
    assert len(channel.posted) == 1
