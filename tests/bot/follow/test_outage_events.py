"""Outage events for the followers of places, on SQLite and PostgreSQL: an outage covering a followed street, area
or service point starts, changes and ends (confirmed gone, never from a stale source), each told once per follower."""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.config import AlertFeedSettings, Settings
from bot.follow.events import EventKind, Topic
from bot.follow.outage_events import PlaceWatcher
from bot.follow.places import PlaceFinder
from bot.follow.sender import Claimed, NoticeSender
from knowledge.gazetteer import Gazetteer
from knowledge.outage_store import OutageStore
from storage.followers import Chat, follow
from storage.models import AlertEvent, FollowNotice
from tests.conftest import FixedClock

ROOT = Path(__file__).resolve().parents[3]
WATER = ROOT / "examples" / "water"
ATOM = (ROOT / "tests" / "knowledge" / "fixtures" / "outages" / "atom-puglia.xml").read_bytes()
NOW = datetime.fromisoformat("2026-12-03T09:10:00+01:00")  # Murat and Modugno in force, Triggiano from 22:00
MURAT, MODUGNO, TRIGGIANO = (f"water:it.acquedotto-esempio.2026.1203.000{n}" for n in (1, 4, 5))
SPARANO, PAPA = "072006:via sparano da bari", "072006:viale papa giovanni xxiii"


def _without(data: bytes, *ids: str) -> bytes:
    for outage_id in ids:
        start = data.index(f"<entry>\n    <id>{outage_id.split(':', 1)[1]}</id>".encode())
        data = data[:start] + data[data.index(b"</entry>", start) + len(b"</entry>"):]
    return data


class Source:
    """The CAP feed file a test rewrites (its file time is the clock's), and the store reading it."""

    def __init__(self, tmp_path: Path, engine: Engine, clock: FixedClock, max_age: float = 4 * 3600) -> None:
        self.path, self.clock = tmp_path / "avvisi.xml", clock
        self.write(ATOM)
        gazetteer = Gazetteer.load([WATER / "stradario.csv", WATER / "luoghi.geojson"])
        settings = AlertFeedSettings(source=str(self.path), max_age_seconds=max_age)  # the feed says 07:05
        self.store = OutageStore([("water:outages", settings)], gazetteer, engine=engine, clock=clock)

    def write(self, data: bytes) -> None:
        self.path.write_bytes(data)
        os.utime(self.path, (self.clock().timestamp(), self.clock().timestamp()))

    def fetch(self, data: bytes, minutes: float = 1) -> None:
        self.clock.advance(minutes * 60)
        self.write(data)
        assert self.store.feeds[0].refresh()


@pytest.fixture
def source(tmp_path: Path, engine: Engine) -> Source:
    return Source(tmp_path, engine, FixedClock(NOW))


@pytest.fixture
def watcher(engine: Engine, source: Source) -> PlaceWatcher:
    return PlaceWatcher(engine, "water", source.store, PlaceFinder([source.store.gazetteer]), clock=source.clock)


def _follow(engine: Engine, chat: str, kind: str, target: str, lang: str = "it") -> None:
    follow(engine, Chat("telegram", chat), kind, target, lang=lang, now=NOW, limit=10)


def _notices(engine: Engine) -> list[tuple[str, str, str]]:
    """(event kind, outage, chat) of every queued notice, in order."""
    with engine.connect() as conn:
        rows = conn.execute(select(AlertEvent.kind, AlertEvent.alert_id, FollowNotice.chat)
                            .join(AlertEvent, AlertEvent.id == FollowNotice.event_id).order_by(FollowNotice.id)).all()
    return [tuple(r) for r in rows]


def test_a_street_inside_the_outage_is_told_once_and_one_outside_is_not(engine: Engine, watcher: PlaceWatcher) -> None:
    _follow(engine, "1", "street", SPARANO)  # inside the Murat polygon
    _follow(engine, "2", "street", PAPA)  # outside every outage
    _follow(engine, "3", "district", "BA-MURAT")
    _follow(engine, "4", "service_point", "FONT-MOD-POPOLO")  # inside Modugno's circle
    _follow(engine, "5", "municipality", "072046")  # Triggiano: its outage is not in force yet
    _follow(engine, "6", "street", SPARANO)
    _follow(engine, "6", "district", "BA-MURAT")  # two places one outage covers: told once
    watched = watcher.watch()
    assert sorted((a, k) for a, k, _n in watched.events) == sorted([(MODUGNO, EventKind.START), (MURAT, EventKind.START)])
    assert sorted(_notices(engine)) == sorted([("start", MODUGNO, "4"), ("start", MURAT, "1"), ("start", MURAT, "3"),
                                               ("start", MURAT, "6")])
    assert watcher.watch().events == ()


def test_an_outage_ends_only_when_its_disappearance_is_confirmed(engine: Engine, source: Source,
                                                                 watcher: PlaceWatcher) -> None:
    _follow(engine, "1", "street", SPARANO)
    watcher.watch()
    source.fetch(_without(ATOM, MURAT))  # missing once: a blip until the next fetch agrees
    assert watcher.watch().events == ()
    source.fetch(_without(ATOM, MURAT))
    assert [(a, k, n) for a, k, n in watcher.watch().events] == [(MURAT, EventKind.END, 1)]
    assert _notices(engine) == [("start", MURAT, "1"), ("end", MURAT, "1")]


def test_a_stale_source_announces_nothing_not_even_an_end(engine: Engine, source: Source,
                                                          watcher: PlaceWatcher) -> None:
    _follow(engine, "1", "street", SPARANO)
    watcher.watch()
    source.clock.advance(5 * 3600)  # no good fetch for five hours: the data is stale
    looked = watcher.watch()
    assert not looked.usable and looked.events == ()
    assert _notices(engine) == [("start", MURAT, "1")]


def test_a_changed_outage_is_told_to_its_followers(engine: Engine, source: Source, watcher: PlaceWatcher) -> None:
    _follow(engine, "1", "district", "BA-MURAT", lang="en")
    watcher.watch()
    source.fetch(ATOM.replace(b"guasto alla condotta", b"guasto alla condotta principale"))
    assert [(a, k) for a, k, _n in watcher.watch().events] == [(MURAT, EventKind.CHANGE)]
    assert _notices(engine) == [("start", MURAT, "1"), ("change", MURAT, "1")]


def test_a_place_followed_during_an_outage_hears_its_end(engine: Engine, source: Source,
                                                         watcher: PlaceWatcher) -> None:
    watcher.watch()
    _follow(engine, "9", "street", SPARANO)
    assert watcher.watch().events == ()  # not told of a start it asked after
    source.fetch(_without(ATOM, MURAT))
    source.fetch(_without(ATOM, MURAT))
    watcher.watch()
    assert _notices(engine) == [("end", MURAT, "9")]


def test_an_outage_notice_reads_as_an_outage_in_the_followers_language(engine: Engine, watcher: PlaceWatcher) -> None:
    _follow(engine, "1", "street", SPARANO)
    _follow(engine, "2", "street", SPARANO, lang="en")
    watcher.watch()
    with engine.connect() as conn:
        event = conn.execute(select(AlertEvent.__table__).where(AlertEvent.alert_id == MURAT)).one()  # type: ignore[attr-defined]
    assert event.topic == str(Topic.OUTAGE) and event.service == "water"
    sender = NoticeSender(engine, {}, Settings(), worker="w", clock=lambda: NOW)
    it = sender.text(Claimed(1, event.id, MURAT, "telegram", "1", "it", None), EventKind.START, event.at, event.texts,
                     topic=Topic.OUTAGE)
    en = sender.text(Claimed(2, event.id, MURAT, "web", "2", "en", None), EventKind.END, event.at + timedelta(hours=2),
                     event.texts, topic=Topic.OUTAGE)
    assert it.startswith("⚠️ Disservizio per Via Sparano da Bari, Bari: Bari, quartiere Murat: acqua sospesa")
    assert "/smetti via Sparano a Bari" in it
    # The feed has only Italian texts: the English notice carries them inside its own words.
    assert en.startswith("✅ Outage over: Bari, quartiere Murat: acqua sospesa per guasto alla condotta (Via Sparano da Bari, Bari)")
    assert "“stop notifying me about via Sparano in Bari”" in en


def test_a_look_that_dies_midway_leaves_nothing_and_the_next_tells_each_follower_once(
    engine: Engine, watcher: PlaceWatcher, monkeypatch: pytest.MonkeyPatch,
) -> None:
    import bot.follow.outage_events as outage_events

    _follow(engine, "1", "street", SPARANO)
    real = outage_events.fan_out

    def dies(*args: object, **kwargs: object) -> int:
        real(*args, **kwargs)  # the notices are written, then the process dies before the commit
        raise SystemExit("killed")

    monkeypatch.setattr(outage_events, "fan_out", dies)
    with pytest.raises(SystemExit):
        watcher.watch()
    assert _notices(engine) == []
    monkeypatch.setattr(outage_events, "fan_out", real)
    watcher.watch()
    watcher.watch()
    assert _notices(engine) == [("start", MURAT, "1")]


def test_a_followed_municipality_hears_an_outage_inside_it_not_only_one_for_it_whole(
    engine: Engine, tmp_path: Path,
) -> None:
    source = Source(tmp_path, engine, FixedClock(NOW), max_age=24 * 3600)
    watcher = PlaceWatcher(engine, "water", source.store, PlaceFinder([source.store.gazetteer]), clock=source.clock)
    _follow(engine, "1", "municipality", "072006")  # Bari: the Murat outage is a polygon over some of its streets
    _follow(engine, "2", "municipality", "072027")  # Modugno: a circle round its centre
    _follow(engine, "3", "municipality", "072046")  # Triggiano: its outage (the whole town) starts at 22:00
    watcher.watch()
    assert sorted(_notices(engine)) == sorted([("start", MODUGNO, "2"), ("start", MURAT, "1")])
    source.clock.advance(13 * 3600)  # 22:10: Triggiano's outage is in force
    source.fetch(ATOM)
    watcher.watch()
    assert ("start", TRIGGIANO, "3") in _notices(engine)
    assert ("start", TRIGGIANO, "1") not in _notices(engine)


def test_a_municipality_follower_reads_the_outage_under_its_town(engine: Engine, watcher: PlaceWatcher) -> None:
    _follow(engine, "1", "municipality", "072006")
    watcher.watch()
    with engine.connect() as conn:
        texts = conn.execute(select(AlertEvent.texts).where(AlertEvent.alert_id == MURAT)).scalar_one()
    assert texts["it"]["what"] == "comune di Bari"
    assert texts["en"]["what"] == "the municipality of Bari"
