"""Outage notices to the followers of places go out like line alerts: through the real Telegram adapter to the fake
Bot API, within quiet hours and the daily cap, a blocked chat unfollowed, a notice of unknown delivery never resent."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from bot.channels.base import ChannelContext
from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.follow.events import Topic
from bot.follow.outage_events import PlaceWatcher
from bot.follow.places import PlaceFinder
from bot.follow.sender import NoticeSender
from bot.follow.unknown import unknown_notices
from storage.followers import Chat, follow, followed_by
from storage.models import FollowNotice
from storage.queue import MessageQueue
from tests.bot.channels.conftest import FakeSleep, telegram_settings
from tests.bot.channels.fake_telegram import FakeTelegram
from tests.bot.follow.test_outage_events import SPARANO, Source
from tests.conftest import FixedClock

# The clock in UTC, as sportello's is (06:45 and 23:30 in Rome).
DAWN = datetime(2026, 12, 3, 5, 45, tzinfo=timezone.utc)  # quiet until 07:00; the Murat outage began at 06:30
NIGHT = datetime(2026, 12, 3, 22, 30, tzinfo=timezone.utc)  # Triggiano's outage runs 22:00-06:00
TRIGGIANO_STREET = "072046:via roma"


class Lane:
    """An outage watcher and a sender over one database, the Telegram adapter pointed at the fake server."""

    def __init__(self, engine: Engine, tmp_path: Path, server: FakeTelegram, sleeps: FakeSleep, db_url: str,
                 now: datetime, **subscriptions: object) -> None:
        self.clock = FixedClock(now)
        self.source = Source(tmp_path, engine, self.clock, max_age=48 * 3600)  # the fixture says 07:05 on 3/12
        base = telegram_settings(server.base_url, db_url)
        settings = Settings(**{**base.model_dump(), "subscriptions": subscriptions})
        self.engine, self.server = engine, server
        context = ChannelContext(settings, MessageQueue(engine, clock=self.clock), engine, self.clock)
        self.telegram = TelegramChannel(context, sleep=sleeps)
        self.telegram.start()
        self.watcher = PlaceWatcher(engine, "water", self.source.store, PlaceFinder([self.source.store.gazetteer]),
                                    clock=self.clock)
        self.sender = NoticeSender(engine, {"telegram": self.telegram}, settings, worker="s1", clock=self.clock)

    def follow(self, chat: str, kind: str, target: str) -> None:
        follow(self.engine, Chat("telegram", chat), kind, target, lang="it", now=self.clock(), limit=10)

    def send_all(self) -> None:
        while self.sender.run_once():
            pass

    def sent_to(self, chat: int) -> list[str]:
        return [m["text"] for m in self.server.sent if int(m["chat_id"]) == chat]

    def statuses(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(select(FollowNotice.status).order_by(FollowNotice.id)).scalars())


@pytest.fixture
def made(engine: Engine, tmp_path: Path, telegram_server: FakeTelegram, sleeps: FakeSleep, db_url: str) -> Iterator[list[Lane]]:
    lanes: list[Lane] = []
    yield lanes
    for lane in lanes:
        lane.telegram.stop()


def _lane(made: list[Lane], engine: Engine, tmp_path: Path, server: FakeTelegram, sleeps: FakeSleep, db_url: str,
          now: datetime, **subscriptions: object) -> Lane:
    lane = Lane(engine, tmp_path, server, sleeps, db_url, now, **subscriptions)
    made.append(lane)
    return lane


def test_an_outage_found_in_quiet_hours_is_told_once_when_they_end(
    made: list[Lane], engine: Engine, tmp_path: Path, telegram_server: FakeTelegram, sleeps: FakeSleep, db_url: str,
) -> None:
    lane = _lane(made, engine, tmp_path, telegram_server, sleeps, db_url, DAWN)
    lane.follow("5001", "street", SPARANO)
    lane.watcher.watch()
    lane.send_all()
    assert telegram_server.sent == []
    lane.clock.advance(20 * 60)  # 07:05
    lane.send_all()
    lane.send_all()
    [told] = lane.sent_to(5001)
    assert told.startswith("⚠️ Disservizio per Via Sparano da Bari, Bari") and "Dalle 06:45 del 3/12" in told


def test_an_outage_over_before_quiet_hours_end_is_not_told_at_all(
    made: list[Lane], engine: Engine, tmp_path: Path, telegram_server: FakeTelegram, sleeps: FakeSleep, db_url: str,
) -> None:
    lane = _lane(made, engine, tmp_path, telegram_server, sleeps, db_url, NIGHT)
    lane.follow("5001", "street", TRIGGIANO_STREET)
    lane.watcher.watch()
    lane.clock.advance(8 * 3600)  # 07:30: the night's outage expired at 06:00
    lane.watcher.watch()
    lane.send_all()
    assert telegram_server.sent == [] and lane.statuses() == ["skipped", "skipped"]


def test_the_daily_cap_holds_for_outages(
    made: list[Lane], engine: Engine, tmp_path: Path, telegram_server: FakeTelegram, sleeps: FakeSleep, db_url: str,
) -> None:
    lane = _lane(made, engine, tmp_path, telegram_server, sleeps, db_url, DAWN.replace(hour=9), daily_cap=1)
    lane.follow("5001", "street", SPARANO)
    lane.follow("5001", "service_point", "FONT-MOD-POPOLO")  # Modugno's outage too: two notices, one allowed
    lane.watcher.watch()
    lane.send_all()
    assert len(lane.sent_to(5001)) == 1 and sorted(lane.statuses()) == ["capped", "posted"]


def test_a_chat_that_blocked_the_bot_loses_its_place_follows_and_the_others_are_told(
    made: list[Lane], engine: Engine, tmp_path: Path, telegram_server: FakeTelegram, sleeps: FakeSleep, db_url: str,
) -> None:
    lane = _lane(made, engine, tmp_path, telegram_server, sleeps, db_url, DAWN.replace(hour=9))
    for chat in ("5001", "5002"):
        lane.follow(chat, "district", "BA-MURAT")
    telegram_server.fail("sendMessage", 403, description="Forbidden: bot was blocked by the user")
    lane.watcher.watch()
    lane.send_all()
    assert sorted(lane.statuses()) == ["blocked", "posted"] and len(telegram_server.sent) == 1
    told = int(telegram_server.sent[0]["chat_id"])
    assert [bool(followed_by(engine, Chat("telegram", c))) for c in ("5001", "5002")] == [told == 5001, told == 5002]


def test_a_notice_whose_sender_died_mid_call_is_unknown_and_listed_as_an_outage(
    made: list[Lane], engine: Engine, tmp_path: Path, telegram_server: FakeTelegram, sleeps: FakeSleep, db_url: str,
) -> None:
    lane = _lane(made, engine, tmp_path, telegram_server, sleeps, db_url, DAWN.replace(hour=9))
    lane.follow("5001", "street", SPARANO)
    lane.watcher.watch()
    with engine.begin() as conn:  # what a sender killed between its 'sending' mark and the platform's answer leaves
        conn.execute(update(FollowNotice).values(status="sending", lease_owner="dead", lease_until=lane.clock()))
    lane.clock.advance(60)
    lane.send_all()
    assert telegram_server.sent == [] and lane.statuses() == ["unknown"]
    [listed] = unknown_notices(engine).listed
    assert listed.topic == Topic.OUTAGE and listed.what == "Via Sparano da Bari, Bari"
    assert followed_by(engine, Chat("telegram", "5001"))
