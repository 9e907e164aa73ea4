"""sportello's Application with X and Telegram pointed at the local fake APIs: in, routed, answered."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from bot.app import Application
from bot.config import PACKAGE_ROOT, load_settings
from bot.domain import utcnow
from tests.bot.channels import fake_telegram, fake_x
from tests.bot.channels.fake_telegram import FakeTelegram
from tests.bot.channels.fake_x import FakeX


def _until(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def live_x() -> Iterator[FakeX]:
    server = FakeX(utcnow).start()
    yield server
    server.stop()


@pytest.fixture
def live_telegram() -> Iterator[FakeTelegram]:
    server = FakeTelegram().start()
    yield server
    server.stop()


def test_run_takes_messages_in_from_x_and_telegram_and_posts_correct_replies(
    db_url: str, live_x: FakeX, live_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "X_BEARER_TOKEN": "bearer-test",
        "X_CONSUMER_KEY": fake_x.CONSUMER_KEY,
        "X_CONSUMER_SECRET": fake_x.CONSUMER_SECRET,
        "X_ACCESS_TOKEN": fake_x.ACCESS_TOKEN,
        "X_ACCESS_TOKEN_SECRET": fake_x.ACCESS_TOKEN_SECRET,
        "TELEGRAM_TOKEN": fake_telegram.TOKEN,
        "SPORTELLO_STORAGE__URL": db_url,
        "SPORTELLO_CHANNELS__X__BASE_URL": live_x.base_url,
        "SPORTELLO_CHANNELS__X__POLL_SECONDS": "0.2",
        "SPORTELLO_CHANNELS__TELEGRAM__BASE_URL": live_telegram.base_url,
        "SPORTELLO_CHANNELS__TELEGRAM__POLL_SECONDS": "0.2",
        "SPORTELLO_CHANNELS__TELEGRAM__LONG_POLL_SECONDS": "0",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = load_settings(PACKAGE_ROOT / "config.yaml")
    mention = live_x.mention("@sportello_tpl il tram 8 funziona oggi?")
    live_x.dm("il tram 8 funziona oggi? 🚋", sender="3003")
    live_telegram.push("message", live_telegram.message("/linea 64"))
    live_telegram.push("message", live_telegram.message("il tram 8 funziona oggi? <ciao>", chat_id=5002, user_id=5002))
    app = Application(settings, workers=1, web=False)
    assert sorted(app.channels) == ["telegram", "web", "x"]
    app.start_background()
    try:
        assert _until(lambda: len(live_x.posted()) >= 1 and len(live_x.sent_dms()) >= 1 and len(live_telegram.sent) >= 2)
    finally:
        app.stop()
    [reply] = live_x.posted()
    assert reply["referenced_tweets"] == [{"type": "replied_to", "id": mention}]
    assert "8" in reply["text"]
    by_chat = {s["chat_id"]: s for s in live_telegram.sent}
    assert "64" in by_chat[5001]["text"]
    assert by_chat[5002]["parse_mode"] == "HTML"
    assert len(live_telegram.sent) == 2 and len(live_x.posted()) == 1
