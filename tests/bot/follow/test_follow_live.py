"""Through a live ``sportello run`` and the fake Bot API: /segui 64, then the alert's start and its end, once each."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.bot.channels.fake_telegram import FakeTelegram
from tests.bot.follow.test_follow_crash import ALERT
from tests.bot.live_channels import ChannelService, within

WAIT = 90.0  # polled, not timed: a loaded machine may take long, nothing here asserts speed
EMPTY = 'header { gtfs_realtime_version: "2.0" incrementality: FULL_DATASET timestamp: %d }\n'


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    path = tmp_path / "alerts.textproto"
    path.write_text(EMPTY % int(time.time()), encoding="utf-8")
    return path


@pytest.fixture
def service(db_url: str, telegram_server: FakeTelegram, feed: Path) -> Iterator[ChannelService]:
    live = ChannelService(
        db_url, telegram=telegram_server,
        knowledge={"alerts": {"source": str(feed), "refresh_seconds": 0.5, "max_age_seconds": 3600}},
        subscriptions={"quiet_hours": ""},
    ).start()
    yield live
    live.stop()


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stamp = time.time() + 1  # a newer file time, so the feed reads it again
    os.utime(path, (stamp, stamp))


def test_a_telegram_follower_gets_the_start_and_the_end_once_each(
    service: ChannelService, telegram_server: FakeTelegram, feed: Path,
) -> None:
    def to_giulia(word: str) -> list[str]:
        return [s["text"] for s in telegram_server.sent if int(s["chat_id"]) == 5001 and word in s["text"]]

    telegram_server.push("message", telegram_server.message("/segui 64", entities=[{"type": "bot_command", "offset": 0, "length": 6}]))
    assert within(WAIT, lambda: to_giulia("Fatto")), "the follow was never confirmed"
    _write(feed, ALERT.format(now=int(time.time())))
    assert within(WAIT, lambda: to_giulia("Nuovo avviso")), "the start was never told"
    _write(feed, EMPTY % int(time.time()))
    assert within(WAIT, lambda: to_giulia("Finito")), "the end was never told"
    assert len(to_giulia("Nuovo avviso")) == 1 and len(to_giulia("Finito")) == 1
    assert "Bus 64 deviato in via Nazionale" in to_giulia("Finito")[0]
