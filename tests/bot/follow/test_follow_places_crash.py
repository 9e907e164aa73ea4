"""A water desk's ``sportello run`` killed with SIGKILL while telling the followers of a street of an outage covering
it: after a restart no follower is told twice (a notice whose call was on the wire at the kill: at most once)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.config import PACKAGE_ROOT
from bot.domain import utcnow
from storage.followers import Chat, follow
from tests.bot.channels import fake_telegram
from tests.bot.channels.fake_telegram import FakeTelegram
from tests.bot.follow.test_follow_crash import FOLLOWERS, _statuses, _wait
from tests.bot.follow.test_follow_places_live import MURAT, _write
from tests.bot.test_crash_recovery import running

WATER = PACKAGE_ROOT / "examples" / "water"


def _settings(server: FakeTelegram, feed: Path) -> dict[str, str]:
    return {
        "CHANNELS__TELEGRAM__ENABLED": "true",
        "CHANNELS__TELEGRAM__BASE_URL": server.base_url,
        "CHANNELS__TELEGRAM__POLL_SECONDS": "0.5",
        "CHANNELS__TELEGRAM__LONG_POLL_SECONDS": "0",
        "CHANNELS__TELEGRAM__GLOBAL_PER_SECOND": "30",
        "CHANNELS__X__ENABLED": "false",
        "KNOWLEDGE__DOMAIN": "water",
        "KNOWLEDGE__GTFS": "",  # the repository's config.yaml names the transit sample: a water desk reads none
        "KNOWLEDGE__ALERTS__SOURCE": "",
        "KNOWLEDGE__FAQ": json.dumps([str(WATER / "faq.yaml")]),
        "KNOWLEDGE__OUTAGES__SOURCE": str(feed),
        "KNOWLEDGE__OUTAGES__REFRESH_SECONDS": "1",
        "KNOWLEDGE__GAZETTEER": json.dumps([str(WATER / "stradario.csv"), str(WATER / "luoghi.geojson")]),
        "SUBSCRIPTIONS__QUIET_HOURS": "",
        "SUBSCRIPTIONS__SEND_BATCH": "10",
    }


@pytest.fixture
def followed(engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TELEGRAM_TOKEN", fake_telegram.TOKEN)
    for n in range(FOLLOWERS):
        follow(engine, Chat("telegram", str(7000 + n)), "street", "072006:via sparano da bari", lang="it",
               now=utcnow(), limit=5)
    feed = tmp_path / "acqua.xml"
    _write(feed, MURAT)
    return feed


def test_killed_water_desk_tells_each_follower_of_a_street_at_most_once(
    db_url: str, engine: Engine, telegram_server: FakeTelegram, followed: Path,
) -> None:
    with running(db_url, **_settings(telegram_server, followed)) as doomed:
        _wait("a third of the notices sent", lambda: len(telegram_server.sent) >= FOLLOWERS // 3)
        doomed.kill()
    assert len(telegram_server.sent) < FOLLOWERS
    with running(db_url, **_settings(telegram_server, followed)):
        _wait("every notice settled", lambda: _statuses(engine)["pending"] + _statuses(engine)["sending"] == 0
              and sum(_statuses(engine).values()) == FOLLOWERS)
    per_chat = Counter(int(m["chat_id"]) for m in telegram_server.sent)
    assert max(per_chat.values()) == 1, "a follower was told twice"
    statuses = _statuses(engine)
    assert statuses["posted"] + statuses["unknown"] == FOLLOWERS and statuses["unknown"] <= 8
    assert len(per_chat) >= FOLLOWERS - statuses["unknown"]
    assert all("Disservizio per Via Sparano da Bari" in m["text"] for m in telegram_server.sent)
