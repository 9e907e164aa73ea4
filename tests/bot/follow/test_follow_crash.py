"""``sportello run`` killed with SIGKILL while telling followers of an alert: after a restart, every follower
is told once (a notice whose call was on the wire at the kill: at most once)."""

from __future__ import annotations

import queue
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.domain import utcnow
from storage.followers import Chat, follow
from storage.models import FollowNotice
from tests.bot.channels import fake_telegram
from tests.bot.channels.fake_telegram import FakeTelegram
from tests.bot.test_crash_recovery import Process, running

FOLLOWERS = 120
DEADLINE = 240.0  # two processes start under a loaded machine; nothing here is timed
ALERT = """header {{ gtfs_realtime_version: "2.0" incrementality: FULL_DATASET timestamp: {now} }}
entity {{ id: "bus-64-deviato" alert {{
  informed_entity {{ route_id: "64" }} cause: CONSTRUCTION effect: DETOUR
  header_text {{ translation {{ text: "Bus 64 deviato in via Nazionale" language: "it" }} }}
}} }}
"""


def _settings(server: FakeTelegram, feed: Path, **more: str) -> dict[str, str]:
    return {
        "CHANNELS__TELEGRAM__ENABLED": "true",
        "CHANNELS__TELEGRAM__BASE_URL": server.base_url,
        "CHANNELS__TELEGRAM__POLL_SECONDS": "0.5",
        "CHANNELS__TELEGRAM__LONG_POLL_SECONDS": "0",
        "CHANNELS__TELEGRAM__GLOBAL_PER_SECOND": "30",
        "CHANNELS__X__ENABLED": "false",
        "KNOWLEDGE__ALERTS__SOURCE": str(feed),
        "KNOWLEDGE__ALERTS__REFRESH_SECONDS": "1",
        "SUBSCRIPTIONS__QUIET_HOURS": "",
        "SUBSCRIPTIONS__SEND_BATCH": "10",
        **more,
    }


def _statuses(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        return Counter(conn.execute(select(FollowNotice.status)).scalars())


def _wait(what: str, done: callable) -> None:  # type: ignore[valid-type]
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        if done():
            return
        time.sleep(0.1)
    pytest.fail(f"never saw {what}")


def _wait_for_turns(process: Process, count: int) -> None:
    """Until ``count`` senders have said they hold a notice and its send slot (lines may interleave)."""
    end, said = time.monotonic() + DEADLINE, ""
    while time.monotonic() < end and said.count("has its turn") < count:
        try:
            said += process.lines.get(timeout=0.5)
        except queue.Empty:
            if process.proc.poll() is not None:
                break
    if said.count("has its turn") < count:
        pytest.fail(f"never saw {count} senders holding a notice; process said:\n{said[-3000:]}")


@pytest.fixture
def followed(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TELEGRAM_TOKEN", fake_telegram.TOKEN)
    for n in range(FOLLOWERS):
        follow(engine, Chat("telegram", str(7000 + n)), "line", "64", lang="it", now=utcnow(), limit=5)
    feed = tmp_path / "alerts.textproto"
    feed.write_text(ALERT.format(now=int(time.time())), encoding="utf-8")
    return feed


def test_sender_killed_while_waiting_for_send_slots_tells_every_follower_exactly_once(
    db_url: str, engine: Engine, telegram_server: FakeTelegram, followed: Path,
) -> None:
    # Eight senders each hold a claimed notice and its send slot when the process dies: nothing was
    # marked ``sending``, so after the lease every follower is told, and none twice.
    senders = 8
    pause = {"DEBUG__PAUSE_AFTER_CLAIM": "120", "SUBSCRIPTIONS__SENDERS": str(senders)}
    with running(db_url, **_settings(telegram_server, followed, **pause)) as doomed:
        _wait_for_turns(doomed, senders)
        doomed.kill()
    assert _statuses(engine)["sending"] == 0
    with running(db_url, **_settings(telegram_server, followed)):
        _wait("every notice settled", lambda: _statuses(engine)["pending"] + _statuses(engine)["sending"] == 0
              and sum(_statuses(engine).values()) == FOLLOWERS)
    per_chat = Counter(int(m["chat_id"]) for m in telegram_server.sent)
    assert sorted(per_chat) == [7000 + n for n in range(FOLLOWERS)]
    assert set(per_chat.values()) == {1}
    assert _statuses(engine) == Counter({"posted": FOLLOWERS})


@pytest.mark.parametrize("where", ["after the post", "anywhere"])
def test_killed_sender_tells_each_follower_at_most_once(
    db_url: str, engine: Engine, telegram_server: FakeTelegram, followed: Path, where: str,
) -> None:
    # One notice on the wire for the pause (it arrived: every follower is told exactly once); a kill
    # anywhere leaves unknown only a notice whose call was under way at that instant.
    pause = {"DEBUG__PAUSE_BEFORE_FINALIZE": "120", "SUBSCRIPTIONS__SENDERS": "1"} if where == "after the post" else {}
    with running(db_url, **_settings(telegram_server, followed, **pause)) as doomed:
        if pause:
            doomed.wait_for("posted follow notice")
        else:
            _wait("a third of the notices sent", lambda: len(telegram_server.sent) >= FOLLOWERS // 3)
        doomed.kill()
    sent_before = len(telegram_server.sent)
    assert sent_before < FOLLOWERS
    with running(db_url, **_settings(telegram_server, followed)):
        _wait("every notice settled", lambda: _statuses(engine)["pending"] + _statuses(engine)["sending"] == 0
              and sum(_statuses(engine).values()) == FOLLOWERS)
    per_chat = Counter(int(m["chat_id"]) for m in telegram_server.sent)
    assert max(per_chat.values()) == 1, "a follower was told twice"
    statuses = _statuses(engine)
    assert statuses["posted"] + statuses["unknown"] == FOLLOWERS
    assert statuses["unknown"] <= (1 if pause else 8)  # only calls under way when the process died
    if pause:  # it was posted before the kill: every follower got it exactly once
        assert len(per_chat) == FOLLOWERS
    else:
        assert len(per_chat) >= FOLLOWERS - statuses["unknown"]
