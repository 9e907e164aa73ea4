"""Following a line or a stop by command (Telegram) and by words (web chat), through the real worker."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

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
from storage.followers import Chat, followed_by
from storage.queue import MessageQueue
from tests.conftest import FixedClock

WEB_CHAT = "web-" + "a" * 32


class Recording(Channel):
    """A channel that keeps what it is asked to post."""

    name = "telegram"

    def __init__(self, context: ChannelContext) -> None:
        super().__init__(context)
        self.posted: list[OutboundReply] = []

    def post(self, reply: OutboundReply) -> PostResult:
        self.posted.append(reply)
        return PostResult((f"t-{reply.reply_id}",))


class RecordingWeb(Recording):
    name = "web"


Desk = tuple[Worker, MessageQueue, dict[str, Recording]]


@pytest.fixture
def desk(engine: Engine, clock: FixedClock) -> Desk:
    settings = Settings(subscriptions={"max_per_person": 3})
    queue = MessageQueue(engine, clock=clock)
    knowledge = Knowledge.from_settings(settings.knowledge, engine=engine, clock=clock)
    writer = ReplyWriter(knowledge, settings)
    inner = RoutingPipeline(Router(knowledge, settings=settings), writer, clock=clock)
    pipeline = channel_pipeline(inner, knowledge, writer, settings, engine, clock)
    context = ChannelContext(settings, queue, engine, clock)
    channels: dict[str, Recording] = {"telegram": Recording(context), "web": RecordingWeb(context)}
    return Worker("w", queue, pipeline, channels), queue, channels


def _telegram(queue: MessageQueue, text: str, number: int, author: str = "5001", lang: str = "it") -> int:
    typed = parse_command(text, user_lang=lang)
    extras: dict[str, object] = {"chat_id": int(author), "lang": lang}
    if typed is not None:
        extras["command"] = typed.as_extras()
    stored = queue.enqueue(InboundMessage("telegram", f"{author}:{number}", author, text, queue.clock(),
                                          thread_id=author, extras=extras))
    assert stored is not None
    return stored


def _web(queue: MessageQueue, text: str, number: int) -> int:
    stored = queue.enqueue(InboundMessage("web", f"w-{number}", f"web:{WEB_CHAT}", text, queue.clock(), thread_id=WEB_CHAT))
    assert stored is not None
    return stored


def _answer(desk: Desk, channel: str = "telegram") -> str:
    worker, _queue, channels = desk
    assert worker.run_once()
    return channels[channel].posted[-1].text


def test_follow_commands_are_parsed_in_italian_and_english() -> None:
    assert parse_command("/segui 64").as_extras() == {"name": "follow", "argument": "64", "lang": "it"}
    assert parse_command("/follow stop 10005").as_extras() == {"name": "follow", "argument": "stop 10005", "lang": "en"}
    assert parse_command("/seguite").name == "following" and parse_command("/following").lang == "en"
    assert parse_command("/smetti 64").name == "unfollow" and parse_command("/unfollow all").argument == "all"


def test_segui_stores_the_follow_and_answers_in_italian(desk: Desk) -> None:
    worker, queue, channels = desk
    message_id = _telegram(queue, "/segui 64", 1)
    text = _answer(desk)
    assert queue.get(message_id).state == MessageState.AUTO_SENT
    assert "bus 64" in text and "/smetti 64" in text
    assert [(f.kind, f.target) for f in followed_by(queue.engine, Chat("telegram", "5001"))] == [("line", "64")]


def test_follow_a_stop_by_its_code_in_english(desk: Desk) -> None:
    _worker, queue, _channels = desk
    _telegram(queue, "/follow stop 10005", 1, lang="en")
    text = _answer(desk)
    assert "Termini" in text and "/unfollow stop 10005" in text
    assert followed_by(queue.engine, Chat("telegram", "5001"))[0].target == "10005"


def test_an_unknown_line_gets_a_polite_reply_with_the_closest_lines(desk: Desk) -> None:
    _worker, queue, _channels = desk
    _telegram(queue, "/segui 65", 1)
    text = _answer(desk)
    assert "Non trovo la linea «65»" in text and "64" in text
    assert followed_by(queue.engine, Chat("telegram", "5001")) == []


def test_an_unknown_stop_is_said_plainly(desk: Desk) -> None:
    _worker, queue, _channels = desk
    _telegram(queue, "/follow stop 99999", 1, lang="en")
    assert "cannot find a stop with code “99999”" in _answer(desk)


def test_seguite_lists_and_smetti_removes(desk: Desk) -> None:
    _worker, queue, _channels = desk
    for number, text in enumerate(["/segui 64", "/segui fermata 10005", "/seguite", "/smetti 64", "/seguite"]):
        _telegram(queue, text, number)
        _answer(desk)
    _worker, _queue, channels = desk
    listed, removed, after = (r.text for r in channels["telegram"].posted[2:])
    assert "bus 64" in listed and "Termini" in listed
    assert "non riceverai più avvisi per bus 64" in removed
    assert "bus 64" not in after and "Termini" in after


def test_unfollow_everything_and_a_line_not_followed(desk: Desk) -> None:
    _worker, queue, _channels = desk
    for number, text in enumerate(["/follow 64", "/unfollow 40", "/unfollow all", "/following"]):
        _telegram(queue, text, number, lang="en")
        _answer(desk)
    _worker, _queue, channels = desk
    _added, not_followed, everything, none = (r.text for r in channels["telegram"].posted)
    assert "not following Bus 40" in not_followed
    assert "no longer follow any" in everything and "You follow no line" in none


def test_a_person_cannot_follow_more_than_the_limit(desk: Desk) -> None:
    _worker, queue, _channels = desk
    for number, line in enumerate(["64", "40", "8", "N1"]):
        _telegram(queue, f"/segui {line}", number)
        text = _answer(desk)
    assert "il massimo" in text
    assert len(followed_by(queue.engine, Chat("telegram", "5001"))) == 3


def test_the_web_chat_follows_by_words_in_italian_and_english(desk: Desk) -> None:
    _worker, queue, _channels = desk
    _web(queue, "avvisami per il 64", 1)
    italian = _answer(desk, "web")
    _web(queue, "please notify me about line 40", 2)
    english = _answer(desk, "web")
    _web(queue, "non avvisarmi più per il 64", 3)
    removed = _answer(desk, "web")
    assert "ti avviserò" in italian and "«non avvisarmi più per 64»" in italian
    assert "I will tell you" in english and "Bus 40" in english
    assert "non riceverai più avvisi per bus 64" in removed
    assert [f.target for f in followed_by(queue.engine, Chat("web", WEB_CHAT))] == ["40"]


def test_a_follow_request_with_a_danger_sign_stays_an_emergency(desk: Desk) -> None:
    _worker, queue, _channels = desk
    message_id = _web(queue, "avvisami per il 64, un uomo è svenuto a bordo e non respira", 1)
    worker, _q, _c = desk
    worker.run_once()
    assert queue.get(message_id).state == MessageState.ESCALATED
    assert followed_by(queue.engine, Chat("web", WEB_CHAT)) == []


def test_ordinary_messages_are_not_read_as_follow_requests(desk: Desk) -> None:
    _worker, queue, _channels = desk
    message_id = _web(queue, "il 64 è in ritardo di venti minuti", 1)
    worker, _q, _c = desk
    worker.run_once()
    assert "command" not in " ".join(queue.get(message_id).decision["reasons"])
    assert followed_by(queue.engine, Chat("web", WEB_CHAT)) == []
