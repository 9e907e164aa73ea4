"""Through a live ``sportello run`` of a city desk (transit, water, waste) and the fake Bot API: /segui a street,
then a water outage covering it starts and is confirmed gone, each told once; a street outside is told nothing."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from bot.config import PACKAGE_ROOT
from tests.bot.channels.fake_telegram import FakeTelegram
from tests.bot.live_channels import ChannelService, within

WAIT = 90.0  # polled, not timed: a loaded machine may take long, nothing here asserts speed
WATER, WASTE = PACKAGE_ROOT / "examples" / "water", PACKAGE_ROOT / "examples" / "waste"
CAP = """<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{ident}</identifier><sender>test@example.org</sender><sent>{sent}</sent>
  <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info><language>it-IT</language><category>Infra</category><event>Sospensione idrica</event>
    <urgency>Immediate</urgency><severity>Moderate</severity><certainty>Observed</certainty>
    <headline>{headline}</headline><area><areaDesc>{desc}</areaDesc>{shape}</area></info>
</alert>
"""
MURAT = dict(ident="murat-1", headline="Murat: acqua sospesa per un guasto", desc="Bari - Murat",
             shape="<polygon>41.1200,16.8620 41.1200,16.8760 41.1290,16.8760 41.1290,16.8620 41.1200,16.8620</polygon>")
TRIGGIANO = dict(ident="trig-1", headline="Triggiano: acqua sospesa", desc="Triggiano",
                 shape="<geocode><valueName>ISTAT</valueName><value>072046</value></geocode>")


def _write(path: Path, outage: dict[str, str]) -> None:
    sent = datetime.now(timezone.utc).replace(microsecond=0).isoformat()
    path.write_text(CAP.format(sent=sent, **outage), encoding="utf-8")
    stamp = time.time() + 1  # a newer file time, so the source reads it again
    os.utime(path, (stamp, stamp))


@pytest.fixture
def feed(tmp_path: Path) -> Path:
    path = tmp_path / "acqua.xml"
    _write(path, TRIGGIANO)
    return path


@pytest.fixture
def service(db_url: str, telegram_server: FakeTelegram, feed: Path) -> Iterator[ChannelService]:
    fast = {"refresh_seconds": 0.5, "max_age_seconds": 3600}
    services = {
        "transit": {"label": "Autobus", "knowledge": {"domain": "transit"}},
        "water": {"label": "Acqua", "knowledge": {
            "domain": "water", "outages": {"source": str(feed), **fast},
            "gazetteer": [str(WATER / "stradario.csv"), str(WATER / "luoghi.geojson")], "faq": [str(WATER / "faq.yaml")]}},
        "waste": {"label": "Rifiuti", "knowledge": {
            "domain": "waste", "gazetteer": [str(WASTE / "stradario.csv"), str(WASTE / "punti-raccolta.csv")],
            "faq": [str(WASTE / "faq.yaml")]}},
    }
    live = ChannelService(db_url, telegram=telegram_server, services=services, subscriptions={"quiet_hours": ""}).start()
    yield live
    live.stop()


def _command(server: FakeTelegram, text: str, user: int, lang: str = "it") -> None:
    word = text.split()[0]
    server.push("message", server.message(text, user_id=user, chat_id=user, lang=lang, entities=[{"type": "bot_command", "offset": 0,
                                                                        "length": len(word)}]))


def test_a_telegram_follower_of_a_street_hears_the_outage_start_and_end_once_each(
    service: ChannelService, telegram_server: FakeTelegram, feed: Path,
) -> None:
    def to(chat: int, word: str) -> list[str]:
        return [s["text"] for s in telegram_server.sent if int(s["chat_id"]) == chat and word in s["text"]]

    _command(telegram_server, "/segui via Sparano a Bari", 5001)
    _command(telegram_server, "/follow viale Papa Giovanni XXIII in Bari", 5002, lang="en")
    assert within(WAIT, lambda: to(5001, "Fatto")), "the follow was never confirmed"
    assert within(WAIT, lambda: to(5002, "Done")), "the English follow was never confirmed"
    assert "Via Sparano da Bari, Bari" in to(5001, "Fatto")[0]
    _write(feed, MURAT)
    assert within(WAIT, lambda: to(5001, "Disservizio per")), "the start was never told"
    assert "Acqua: Murat: acqua sospesa per un guasto" in to(5001, "Disservizio per")[0]
    _write(feed, TRIGGIANO)  # Murat gone: believed over once the next fetch agrees
    assert within(WAIT, lambda: to(5001, "Finito il disservizio")), "the end was never told"
    assert len(to(5001, "Disservizio per")) == 1 and len(to(5001, "Finito il disservizio")) == 1
    assert to(5002, "isservizio") == [] and to(5002, "Outage") == []
