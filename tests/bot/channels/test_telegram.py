"""The Telegram channel through python-telegram-bot against a local Bot API server."""

from __future__ import annotations

import asyncio
import html
from collections.abc import Iterator, Sequence

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.testclient import TestClient

from bot.channels.base import ChannelContext
from bot.channels.telegram import TelegramChannel
from bot.domain import InboundMessage, OutboundReply
from bot.ops.call_errors import CALL_ERRORS, CallFailure
from storage.models import Message
from storage.queue import MessageQueue
from tests.bot.channels.conftest import FakeSleep, telegram_settings
from tests.bot.channels.fake_telegram import BOT, FakeTelegram
from tests.conftest import FixedClock

GROUP = -100200300


@pytest.fixture
def tg(telegram_context: ChannelContext, sleeps: FakeSleep) -> Iterator[TelegramChannel]:
    channel = TelegramChannel(telegram_context, sleep=sleeps)
    channel.start()
    yield channel
    channel.stop()


def _messages(engine: Engine) -> list[Message]:
    with Session(engine) as session:
        return list(session.execute(select(Message).order_by(Message.id)).scalars())


def _reply(text: str, *, chat_id: int = 5001, message_id: int | None = 7, chat_type: str = "private") -> OutboundReply:
    extras = {"chat_id": chat_id, "message_id": message_id, "chat_type": chat_type}
    return OutboundReply(1, "telegram", text, "it", str(chat_id), f"{chat_id}:{message_id}", str(chat_id), extras)


def test_a_private_message_is_stored_and_the_offset_moves_after(tg: TelegramChannel, telegram_server: FakeTelegram, engine: Engine) -> None:
    update = telegram_server.push("message", telegram_server.message("il 64 è in ritardo?"))
    assert tg.poll() == 1
    [row] = _messages(engine)
    assert (row.text, row.author, row.thread_id, row.author_name) == ("il 64 è in ritardo?", "5001", "5001", "@giulia5001")
    assert row.extras["chat_id"] == 5001
    assert tg.ledger.cursor("offset") == str(update["update_id"] + 1)
    assert tg.poll() == 0
    assert telegram_server.called("getUpdates")[-1]["offset"] == update["update_id"] + 1


class _DyingQueue(MessageQueue):
    def __init__(self, engine: Engine, clock: FixedClock, survive: int) -> None:
        super().__init__(engine, clock=clock)
        self.left = survive

    def enqueue(self, message: InboundMessage) -> int | None:
        if self.left == 0:
            raise KeyboardInterrupt("killed")
        self.left -= 1
        return super().enqueue_many([message])[0]

    def enqueue_many(self, messages: Sequence[InboundMessage]) -> list[int | None]:
        return [self.enqueue(m) for m in messages]


def test_a_restart_in_the_middle_of_a_batch_loses_and_repeats_nothing(
    telegram_context: ChannelContext, telegram_server: FakeTelegram, engine: Engine, clock: FixedClock, sleeps: FakeSleep
) -> None:
    for i in range(30):
        telegram_server.push("message", telegram_server.message(f"domanda {i}", chat_id=6000 + i, user_id=6000 + i))
    dying = TelegramChannel(ChannelContext(telegram_context.settings, _DyingQueue(engine, clock, 12), engine, clock), sleep=sleeps)
    dying.start()
    with pytest.raises(KeyboardInterrupt):
        dying.poll()
    dying.stop()
    assert len(_messages(engine)) == 12
    again = TelegramChannel(telegram_context, sleep=sleeps)
    again.start()
    assert again.poll() == 18
    again.stop()
    assert sorted(m.text for m in _messages(engine)) == sorted(f"domanda {i}" for i in range(30))


def test_an_edited_message_updates_the_stored_one_without_a_second_message(
    tg: TelegramChannel, telegram_server: FakeTelegram, engine: Engine
) -> None:
    original = telegram_server.message("il 46 è in ritrado")
    telegram_server.push("message", original)
    tg.poll()
    telegram_server.push("edited_message", {**original, "text": "il 64 è in ritardo", "edit_date": original["date"] + 5})
    assert tg.poll() == 0
    [row] = _messages(engine)
    assert row.text == "il 64 è in ritardo" and row.extras["edits"] == ["il 46 è in ritrado"]


def test_a_message_delivered_twice_is_stored_once(tg: TelegramChannel, telegram_server: FakeTelegram, engine: Engine) -> None:
    payload = telegram_server.message("metro A chiusa?")
    telegram_server.push("message", payload)
    telegram_server.push("message", payload)
    assert tg.poll() == 1
    assert len(_messages(engine)) == 1


def test_photos_voice_and_stickers_are_stored_for_a_person_or_with_their_caption(
    tg: TelegramChannel, telegram_server: FakeTelegram, engine: Engine
) -> None:
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    telegram_server.push("message", telegram_server.message(photo=photo))
    telegram_server.push("message", telegram_server.message(photo=photo, caption="fermata distrutta"))
    telegram_server.push("message", telegram_server.message(voice={"file_id": "v", "file_unique_id": "v", "duration": 3}))
    telegram_server.push("message", telegram_server.message(sticker={
        "file_id": "s", "file_unique_id": "s", "type": "regular", "width": 1, "height": 1,
        "is_animated": False, "is_video": False, "emoji": "😡"}))
    assert tg.poll() == 4
    rows = _messages(engine)
    assert [r.extras.get("unreadable") for r in rows] == ["photo", None, "voice", "sticker"]
    assert rows[1].text == "fermata distrutta" and rows[1].extras["media"] == "photo"
    assert rows[3].text == "[sticker 😡]"


def test_in_groups_only_mentions_and_replies_to_the_bot_are_taken(
    tg: TelegramChannel, telegram_server: FakeTelegram, engine: Engine
) -> None:
    def group(text: str, **kwargs: object) -> dict:
        return telegram_server.message(text, chat_id=GROUP, chat_type="supergroup", **kwargs)

    telegram_server.push("message", group("qualcuno sa se passa il 64?"))
    mention = "@sportello_bot"
    telegram_server.push("message", group(f"{mention} il 64 passa?", entities=[{"type": "mention", "offset": 0, "length": len(mention)}]))
    bot_said = {"message_id": 1, "date": 1, "chat": {"id": GROUP, "type": "supergroup"}, "from": BOT, "text": "Ciao"}
    telegram_server.push("message", group("e il 40?", reply_to=bot_said))
    other = {**bot_said, "from": {"id": 9, "is_bot": False, "first_name": "Marco"}}
    telegram_server.push("message", group("concordo", reply_to=other))
    assert tg.poll() == 2
    texts = [r.text for r in _messages(engine)]
    assert texts == ["il 64 passa?", "e il 40?"]
    assert _messages(engine)[0].thread_id == f"{GROUP}:5001"


def test_channel_posts_members_joining_and_callbacks_do_not_stop_the_channel(
    tg: TelegramChannel, telegram_server: FakeTelegram, engine: Engine
) -> None:
    telegram_server.push("channel_post", {"message_id": 3, "date": 1, "chat": {"id": -1001, "type": "channel", "title": "News"}, "text": "avviso"})
    telegram_server.push("message", telegram_server.message(chat_id=GROUP, chat_type="group",
        new_chat_members=[{"id": 77, "is_bot": False, "first_name": "Ada"}]))
    telegram_server.push("callback_query", {"id": "cb1", "from": {"id": 5001, "is_bot": False, "first_name": "G"},
                                            "chat_instance": "x", "data": "ok"})
    telegram_server.push("message", telegram_server.message("dopo tutto questo, il tram 8?"))
    assert tg.poll() == 1
    assert telegram_server.called("answerCallbackQuery")[0]["callback_query_id"] == "cb1"
    assert [r.text for r in _messages(engine)] == ["dopo tutto questo, il tram 8?"]


def test_commands_are_stored_with_their_meaning(tg: TelegramChannel, telegram_server: FakeTelegram, engine: Engine) -> None:
    telegram_server.push("message", telegram_server.message("/linea 64"))
    telegram_server.push("message", telegram_server.message("/start", lang="en"))
    tg.poll()
    a, b = _messages(engine)
    assert a.extras["command"] == {"name": "line", "argument": "64", "lang": "it"}
    assert b.extras["command"] == {"name": "help", "argument": "", "lang": "en"}


def test_a_reply_is_html_escaped_and_quotes_the_citizens_message(tg: TelegramChannel, telegram_server: FakeTelegram) -> None:
    result = tg.post(_reply("Linea <64> & deviazioni 🚌 שלום"))
    [sent] = telegram_server.sent
    assert sent["text"] == "Linea &lt;64&gt; &amp; deviazioni 🚌 שלום"
    assert sent["parse_mode"] == "HTML"
    assert sent["reply_parameters"]["message_id"] == 7
    assert result.external_ids == (f"5001:{sent['message_id']}",)


def test_a_ten_thousand_character_reply_is_split_under_4096(tg: TelegramChannel, telegram_server: FakeTelegram) -> None:
    text = ("Avviso <importante> & metro 🚇 A. " * 400)[:10_000]
    result = tg.post(_reply(text))
    assert len(result.external_ids) == len(telegram_server.sent) >= 3
    assert all(len(s["text"].encode("utf-16-le")) // 2 <= 4096 for s in telegram_server.sent)
    assert " ".join(html.unescape(s["text"]) for s in telegram_server.sent).split() == text.split()


def test_flood_control_waits_as_asked_and_sends_once(tg: TelegramChannel, telegram_server: FakeTelegram, sleeps: FakeSleep) -> None:
    telegram_server.fail("sendMessage", 429, retry_after=7)
    tg.post(_reply("ciao"))
    assert 7 in sleeps.waits
    assert len(telegram_server.sent) == 1


def test_a_send_after_its_turn_takes_one_slot_of_the_chat(tg: TelegramChannel, telegram_server: FakeTelegram) -> None:
    tg.take_turn(_reply("avviso", message_id=None))
    tg.post(_reply("avviso", message_id=None))
    # One slot booked (the turn), so the chat's next one is a second away, not two.
    assert tg.pacer.book(5001) == pytest.approx(1.0, abs=0.5)
    assert len(telegram_server.sent) == 1


def test_server_errors_on_get_updates_are_retried(tg: TelegramChannel, telegram_server: FakeTelegram, sleeps: FakeSleep) -> None:
    telegram_server.fail("getUpdates", 502, times=2, description="Bad Gateway")
    telegram_server.push("message", telegram_server.message("tram 8?"))
    assert tg.poll() == 1
    assert len(sleeps.waits) == 2


def test_each_failed_call_is_counted_by_kind(tg: TelegramChannel, telegram_server: FakeTelegram) -> None:
    before = CALL_ERRORS.counts()
    telegram_server.fail("getUpdates", 502, times=2, description="Bad Gateway")
    telegram_server.fail("sendMessage", 429, retry_after=7)
    tg.poll()
    tg.post(_reply("ciao"))
    after = CALL_ERRORS.counts()
    grew = {key: after[key] - before.get(key, 0) for key in after if after[key] != before.get(key, 0)}
    assert grew == {("telegram", CallFailure.UNAVAILABLE): 2, ("telegram", CallFailure.RATE_LIMITED): 1}


def test_a_rejected_token_stops_the_channel(telegram_context: ChannelContext, telegram_server: FakeTelegram, engine: Engine, sleeps: FakeSleep) -> None:
    settings = telegram_settings(telegram_server.base_url, engine.url.render_as_string(hide_password=False), token="999:wrong")
    channel = TelegramChannel(ChannelContext(settings, telegram_context.queue, engine, telegram_context.clock), sleep=sleeps)
    channel.start()
    try:
        assert channel.stopped and channel.ledger.status()[0] == "stopped"
        assert channel.poll() == 0
    finally:
        channel.stop()


# -- webhook mode -----------------------------------------------------------------------------
HOOK = "https://sportello.example/telegram/webhook"


def _webhook_channel(ctx: ChannelContext, server: FakeTelegram, engine: Engine, sleeps: FakeSleep) -> TelegramChannel:
    settings = telegram_settings(server.base_url, engine.url.render_as_string(hide_password=False),
                                 mode="webhook", webhook_url=HOOK, secret_token="s3cret")
    channel = TelegramChannel(ChannelContext(settings, ctx.queue, engine, ctx.clock), sleep=sleeps)
    channel.start()
    return channel


def test_set_webhook_is_called_only_when_the_url_differs(
    telegram_context: ChannelContext, telegram_server: FakeTelegram, engine: Engine, sleeps: FakeSleep
) -> None:
    first = _webhook_channel(telegram_context, telegram_server, engine, sleeps)
    first.stop()
    second = _webhook_channel(telegram_context, telegram_server, engine, sleeps)
    second.stop()
    assert [c["url"] for c in telegram_server.called("setWebhook")] == [HOOK]
    assert telegram_server.called("setWebhook")[0]["secret_token"] == "s3cret"


def test_a_webhook_update_is_stored_off_the_event_loop(
    telegram_context: ChannelContext, telegram_server: FakeTelegram, engine: Engine, sleeps: FakeSleep
) -> None:
    channel = _webhook_channel(telegram_context, telegram_server, engine, sleeps)
    stored_on_loop: list[bool] = []
    receive = channel.receive

    def watched(update: object) -> int:
        try:
            asyncio.get_running_loop()
            stored_on_loop.append(True)  # a write here would hold every other request
        except RuntimeError:
            stored_on_loop.append(False)
        return receive(update)  # type: ignore[arg-type]

    channel.receive = watched  # type: ignore[method-assign]
    try:
        client = TestClient(Starlette(routes=channel.routes()))
        update = {"update_id": 1, "message": telegram_server.message("metro B?")}
        right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
        assert client.post("/telegram/webhook", json=update, headers=right).status_code == 200
        assert stored_on_loop == [False]
        assert [m.text for m in _messages(engine)] == ["metro B?"]
    finally:
        channel.stop()


def test_set_webhook_backs_off_on_retry_after_and_the_last_error_is_surfaced(
    telegram_context: ChannelContext, telegram_server: FakeTelegram, engine: Engine, sleeps: FakeSleep
) -> None:
    telegram_server.webhook["last_error_message"] = "Wrong response from the webhook: 502 Bad Gateway"
    telegram_server.webhook["last_error_date"] = 1_795_700_000
    telegram_server.fail("setWebhook", 429, retry_after=3)
    channel = _webhook_channel(telegram_context, telegram_server, engine, sleeps)
    channel.stop()
    assert 3 in sleeps.waits and len(telegram_server.called("setWebhook")) == 2
    assert "502 Bad Gateway" in channel.describe()["webhook_error"]
    assert "502 Bad Gateway" in (channel.ledger.status()[1] or "")


def test_the_webhook_checks_the_secret_on_every_request_and_stores_once(
    telegram_context: ChannelContext, telegram_server: FakeTelegram, engine: Engine, sleeps: FakeSleep
) -> None:
    channel = _webhook_channel(telegram_context, telegram_server, engine, sleeps)
    try:
        client = TestClient(Starlette(routes=channel.routes()))
        update = {"update_id": 1, "message": telegram_server.message("metro B?")}
        assert client.post("/telegram/webhook", json=update).status_code == 403
        wrong = {"X-Telegram-Bot-Api-Secret-Token": "guess"}
        assert client.post("/telegram/webhook", json=update, headers=wrong).status_code == 403
        right = {"X-Telegram-Bot-Api-Secret-Token": "s3cret"}
        assert client.post("/telegram/webhook", json=update, headers=right).status_code == 200
        assert client.post("/telegram/webhook", json=update, headers=right).status_code == 200
        assert [m.text for m in _messages(engine)] == ["metro B?"]
        assert channel.poll_seconds is None
    finally:
        channel.stop()
