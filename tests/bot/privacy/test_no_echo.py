"""A citizen's personal data is never repeated back: command echoes, handlers' replies, exports, digests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.app import Application
from bot.config import PACKAGE_ROOT, load_settings
from bot.domain import InboundMessage, MessageState
from storage.corrections import correction_label, record_correction
from storage.db import session_scope
from storage.queue import MessageQueue
from tests.bot.channels import fake_telegram
from tests.bot.channels.fake_telegram import FakeTelegram
from tests.conftest import REPO, FixedClock

GROUP = -100123


def _until(condition: Callable[[], bool], seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


@pytest.fixture
def live_telegram() -> Iterator[FakeTelegram]:
    server = FakeTelegram().start()
    yield server
    server.stop()


def test_linea_with_an_email_in_a_group_is_not_echoed_to_the_group(
    tmp_path: Path, live_telegram: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {
        "TELEGRAM_TOKEN": fake_telegram.TOKEN,
        "SPORTELLO_STORAGE__URL": f"sqlite:///{tmp_path / 'echo.db'}",
        "SPORTELLO_CHANNELS__X__ENABLED": "false",
        "SPORTELLO_CHANNELS__TELEGRAM__BASE_URL": live_telegram.base_url,
        "SPORTELLO_CHANNELS__TELEGRAM__POLL_SECONDS": "0.2",
        "SPORTELLO_CHANNELS__TELEGRAM__LONG_POLL_SECONDS": "0",
    }
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = load_settings(PACKAGE_ROOT / "config.yaml")
    live_telegram.push("message", live_telegram.message("/linea mario.rossi@example.com", chat_id=GROUP, chat_type="supergroup"))
    live_telegram.push("message", live_telegram.message("/fermata 333 123 4567", chat_id=GROUP, chat_type="supergroup", message_id=9))
    app = Application(settings, workers=1, web=False)
    app.start_background()
    try:
        assert _until(lambda: len(live_telegram.sent) >= 2)
    finally:
        app.stop()
    said = " ".join(s["text"] for s in live_telegram.sent)
    assert all(s["chat_id"] == GROUP for s in live_telegram.sent)
    assert "mario.rossi" not in said and "example.com" not in said and "4567" not in said
    assert "[email]" in said and "[telefono]" in said


def test_a_handler_reply_never_repeats_the_citizens_data(engine: Engine, clock: FixedClock) -> None:
    from bot.domain import Decision, Intent
    from bot.config import Settings
    from handlers import ReplyWriter
    from knowledge.store import Knowledge

    settings = Settings()
    writer = ReplyWriter(Knowledge.from_settings(settings.knowledge, engine=engine, clock=clock), settings)
    decision = Decision(lang="it", intent=Intent.COMPLAINT, stops=("mario.rossi@example.com",))
    draft = writer.draft(decision, "a mario.rossi@example.com hanno rubato il portafoglio", now=clock())
    assert "mario.rossi@example.com" not in draft.text


def _corrected(engine: Engine, clock: FixedClock, text: str) -> int:
    queue = MessageQueue(engine, clock=clock)
    message_id = queue.enqueue(InboundMessage("x", "t1", "u1", text, clock(), thread_id="t1"))
    assert message_id is not None
    with session_scope(engine) as session:
        row = queue.load(session, message_id, lock=True)
        row.intent, row.lang = "other", "it"
        row.decision = {"lang": "it", "intent": "other", "routes": [], "stops": [], "alert_ids": []}
        queue.move(session, row, MessageState.ROUTED)
    label = correction_label(lang="it", intent="complaint", routes=["64"], stops=[], faq_id=None, alert_ids=[], category="delay")
    record_correction(engine, message_id, "agent:anna", label, at=clock())
    return message_id


def test_corrections_export_command_masks_citizens_data(db_url: str, engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    _corrected(engine, clock, "il 64 non passa, richiamatemi al 3331234567 o scrivete a g.bianchi@example.org")
    out = tmp_path / "corrections.jsonl"
    env = {**os.environ, "SPORTELLO_STORAGE__URL": db_url}
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "corrections", "export", "--output", str(out)],
        env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120, check=True,
    )
    [example] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert example["text"] == "il 64 non passa, richiamatemi al [telefono] o scrivete a [email]"
    assert "3331234567" not in out.read_text(encoding="utf-8")


def test_the_digest_lists_waiting_messages_without_their_personal_data(engine: Engine, clock: FixedClock) -> None:
    from datetime import timedelta

    from bot.config import Settings
    from bot.insight.digest import build_digest

    queue = MessageQueue(engine, clock=clock)
    queue.enqueue(InboundMessage("x", "t9", "u9", "rimborso su IT60X0542811101000000123456 per favore", clock(), thread_id="t9"))
    digest = build_digest(engine, Settings(), now=clock() + timedelta(days=1))
    assert "IT60X0542811101000000123456" not in digest.text
    assert all("IT60X" not in w.text for w in digest.oldest_waiting)


assert REPO.exists()
