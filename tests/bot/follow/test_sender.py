"""Sending follower notices through the real Telegram adapter, against the fake Bot API over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone

import pytest
from sqlalchemy import Engine, select, update

from bot.channels.base import ChannelContext
from bot.channels.telegram import TelegramChannel
from bot.channels.web import WebChannel
from bot.config import SAMPLE_DIR, Settings
from bot.domain import InboundMessage
from bot.errors import OutcomeUnknown
from bot.follow.events import AlertWatcher
from bot.follow.sender import NoticeSender
from bot.web.chat import timeline
from knowledge.alerts import Alert
from knowledge.gtfs import GtfsIndex
from storage.followers import Chat, follow, followed_by
from storage.models import FollowNotice
from storage.queue import MessageQueue
from tests.bot.channels.conftest import FakeSleep, telegram_settings
from tests.bot.channels.fake_telegram import FakeTelegram
from tests.bot.follow.conftest import alert
from tests.conftest import FixedClock

NOON = datetime(2026, 11, 27, 11, 0, tzinfo=timezone.utc)  # 12:00 in Rome
NIGHT = datetime(2026, 11, 27, 23, 30, tzinfo=timezone.utc)  # 00:30 in Rome
GTFS = GtfsIndex.load(SAMPLE_DIR / "gtfs")
WEB_CHAT = "web-" + "b" * 32


class Lane:
    """A watcher and a sender over one database, the Telegram adapter pointed at the fake server."""

    def __init__(self, engine: Engine, clock: FixedClock, server: FakeTelegram, sleeps: FakeSleep, db_url: str,
                 **subscriptions: object) -> None:
        base = telegram_settings(server.base_url, db_url)
        self.settings = Settings(**{**base.model_dump(), "subscriptions": subscriptions})
        self.engine, self.clock, self.server = engine, clock, server
        self.queue = MessageQueue(engine, clock=clock)
        context = ChannelContext(self.settings, self.queue, engine, clock)
        self.telegram = TelegramChannel(context, sleep=sleeps)
        self.telegram.start()
        self.alerts: list[Alert] = []
        self.watcher = AlertWatcher(engine, GTFS, lambda: self.alerts, lambda _now: True, clock=clock)
        self.sender = NoticeSender(engine, {"telegram": self.telegram, "web": WebChannel(context)}, self.settings,
                                   worker="s1", clock=clock)

    def follow(self, chat: str, target: str = "64", *, channel: str = "telegram", lang: str = "it",
               message_id: int | None = None) -> None:
        follow(self.engine, Chat(channel, chat), "line", target, lang=lang, now=self.clock(), limit=10,
               message_id=message_id)

    def send_all(self) -> None:
        while self.sender.run_once():
            pass

    def statuses(self) -> dict[str, list[str]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(FollowNotice.chat, FollowNotice.status).order_by(FollowNotice.id)).all()
        out: dict[str, list[str]] = {}
        for chat, status in rows:
            out.setdefault(chat, []).append(status)
        return out

    def sent_to(self, chat: int) -> list[str]:
        return [m["text"] for m in self.server.sent if int(m["chat_id"]) == chat]


@pytest.fixture
def lane(engine: Engine, clock: FixedClock, telegram_server: FakeTelegram, sleeps: FakeSleep, db_url: str) -> Iterator[Lane]:
    clock.now = NOON
    made = Lane(engine, clock, telegram_server, sleeps, db_url, daily_cap=3)
    yield made
    made.telegram.stop()


def test_each_follower_gets_the_start_and_the_end_once_in_their_language(lane: Lane) -> None:
    lane.follow("5001")
    lane.follow("5002", lang="en")
    lane.alerts = [alert("a1", routes=("64",), header="Deviazione in via Nazionale")]
    lane.watcher.watch()
    lane.send_all()
    lane.clock.advance(3600)
    lane.alerts = []
    lane.watcher.watch()
    lane.send_all()
    lane.send_all()
    italian, english = lane.sent_to(5001), lane.sent_to(5002)
    assert len(italian) == 2 and len(english) == 2
    assert "Nuovo avviso per bus 64: Deviazione in via Nazionale" in italian[0] and "Dalle 12:00 del 27/11" in italian[0]
    assert "Finito" in italian[1] and "Alle 13:00" in italian[1] and "/smetti 64" in italian[1]
    assert "New alert for Bus 64" in english[0] and "Over" in english[1] and "/unfollow 64" in english[1]
    assert lane.statuses() == {"5001": ["posted", "posted"], "5002": ["posted", "posted"]}


def test_a_chat_that_blocked_the_bot_is_unfollowed_and_the_others_still_get_it(lane: Lane) -> None:
    for chat in ("5001", "5002", "5003"):
        lane.follow(chat)
    lane.server.fail("sendMessage", 403, description="Forbidden: bot was blocked by the user")
    lane.alerts = [alert("a1", routes=("64",))]
    lane.watcher.watch()
    lane.send_all()
    statuses = lane.statuses()
    [blocked] = [chat for chat, s in statuses.items() if s == ["blocked"]]
    assert sorted(s for chat, s in statuses.items() if chat != blocked) == [["posted"], ["posted"]]
    assert followed_by(lane.engine, Chat("telegram", blocked)) == []
    assert len(lane.server.sent) == 2


def test_flood_control_waits_as_telegram_asks_and_sends_once(lane: Lane, sleeps: FakeSleep) -> None:
    lane.follow("5001")
    lane.server.fail("sendMessage", 429, retry_after=7)
    lane.alerts = [alert("a1", routes=("64",))]
    lane.watcher.watch()
    lane.send_all()
    assert 7 in sleeps.waits
    assert len(lane.server.called("sendMessage")) == 2 and len(lane.sent_to(5001)) == 1
    assert lane.statuses() == {"5001": ["posted"]}


def test_nothing_is_pushed_in_quiet_hours_and_what_ended_meanwhile_is_skipped(lane: Lane) -> None:
    lane.follow("5001")
    lane.follow("5002")
    lane.clock.now = NIGHT
    lane.alerts = [alert("night", routes=("64",)), alert("long", routes=("64",))]
    lane.watcher.watch()
    lane.send_all()
    assert lane.server.sent == []
    lane.clock.advance(3600)
    lane.alerts = [alert("long", routes=("64",))]  # the night works are over before anyone was told
    lane.watcher.watch()
    lane.clock.advance(6 * 3600)  # 07:30 in Rome
    lane.send_all()
    for chat in (5001, 5002):
        [told] = lane.sent_to(chat)
        assert "Nuovo avviso" in told
    assert sorted(lane.statuses()["5001"]) == ["posted", "skipped", "skipped"]


def test_no_one_gets_more_than_the_daily_cap(lane: Lane) -> None:
    lane.follow("5001")
    lane.alerts = [alert(f"a{n}", routes=("64",)) for n in range(5)]
    lane.watcher.watch()
    lane.send_all()
    assert len(lane.sent_to(5001)) == 3
    assert sorted(lane.statuses()["5001"]) == ["capped", "capped", "posted", "posted", "posted"]


def test_a_notice_whose_sender_died_mid_call_is_never_sent_again(lane: Lane) -> None:
    lane.follow("5001")
    lane.alerts = [alert("a1", routes=("64",))]
    lane.watcher.watch()
    [claimed] = lane.sender.claim(lane.clock())
    with lane.engine.begin() as conn:  # what a SIGKILL after "sending" was committed leaves
        conn.execute(update(FollowNotice).where(FollowNotice.id == claimed.id).values(status="sending"))
    lane.clock.advance(120)
    lane.send_all()
    assert lane.server.sent == [] and lane.statuses() == {"5001": ["unknown"]}


class DyingInTurn(TelegramChannel):
    """The real adapter in a process that dies while its sender waits for the send slot."""

    def take_turn(self, reply):  # noqa: ANN001, ANN201
        raise KeyboardInterrupt("killed while waiting for the send slot")


def test_a_notice_whose_sender_died_waiting_for_its_slot_is_sent_once_after_the_lease(
    lane: Lane, sleeps: FakeSleep,
) -> None:
    lane.follow("5001")
    lane.alerts = [alert("a1", routes=("64",))]
    lane.watcher.watch()
    lane.sender.channels = {"telegram": DyingInTurn(lane.telegram.context, sleep=sleeps)}
    with pytest.raises(KeyboardInterrupt):
        lane.sender.run_once()
    assert lane.statuses() == {"5001": ["pending"]}  # never marked as under way
    lane.sender.channels = {"telegram": lane.telegram}
    assert lane.sender.run_once() == 0  # still leased to the dead sender
    lane.clock.advance(120)
    lane.send_all()
    assert len(lane.sent_to(5001)) == 1 and lane.statuses() == {"5001": ["posted"]}


def test_a_web_chat_follower_reads_the_alert_in_their_conversation(lane: Lane) -> None:
    message_id = lane.queue.enqueue(InboundMessage("web", "w-1", f"web:{WEB_CHAT}", "avvisami per il 64", lane.clock(),
                                                   thread_id=WEB_CHAT))
    lane.follow(WEB_CHAT, channel="web", message_id=message_id)
    lane.alerts = [alert("a1", routes=("64",), header="Deviazione")]
    lane.watcher.watch()
    lane.send_all()
    said = [entry["text"] for entry in timeline(lane.engine, WEB_CHAT) if entry["role"] == "bot"]
    assert any("Nuovo avviso per bus 64: Deviazione" in text and "«non avvisarmi più per il 64»" in text for text in said)
    assert lane.statuses() == {WEB_CHAT: ["posted"]}


class TimingOut(TelegramChannel):
    """The real adapter whose every post times out after reaching the platform (the outcome is unknown)."""

    def post(self, reply):  # noqa: ANN001, ANN201
        self.calls = getattr(self, "calls", 0) + 1
        raise OutcomeUnknown("telegram: sendMessage timed out")


def test_a_post_that_timed_out_is_left_unknown_and_never_sent_again(lane: Lane, sleeps: FakeSleep) -> None:
    slow = TimingOut(lane.telegram.context, sleep=sleeps)
    lane.sender.channels = {"telegram": slow}
    lane.follow("5001")
    lane.alerts = [alert("a1", routes=("64",))]
    lane.watcher.watch()
    lane.send_all()
    lane.clock.advance(3600)
    lane.send_all()
    assert slow.calls == 1 and lane.statuses() == {"5001": ["unknown"]}
