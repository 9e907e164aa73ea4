"""New and ended alerts posted once to the operator's X timeline, against the fake X API over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update

from bot.channels.base import ChannelContext
from bot.channels.x import XChannel
from bot.config import SAMPLE_DIR
from bot.follow.events import AlertWatcher
from bot.follow.outage_events import PlaceWatcher
from bot.follow.places import PlaceFinder
from bot.follow.xpost import TimelinePoster
from knowledge.alerts import Alert
from knowledge.gtfs import GtfsIndex
from storage.models import AlertEvent
from tests.bot.channels.conftest import FakeSleep
from tests.bot.channels.fake_x import FakeX
from tests.bot.follow.conftest import alert
from tests.bot.follow.test_outage_events import ATOM, MODUGNO, MURAT, Source, _without
from tests.bot.follow.test_outage_events import NOW as OUTAGES_NOW
from tests.conftest import FixedClock

GTFS = GtfsIndex.load(SAMPLE_DIR / "gtfs")


class Timeline:
    def __init__(self, engine: Engine, clock: FixedClock, x: XChannel, daily_posts: int) -> None:
        self.engine = engine
        self.alerts: list[Alert] = []
        self.watcher = AlertWatcher(engine, GTFS, lambda: self.alerts, lambda _now: True, clock=clock, post_to_x=True)
        self.poster = TimelinePoster(engine, x, daily_posts=daily_posts, zone="Europe/Rome", lang="it", clock=clock)

    def x_statuses(self) -> list[tuple[str, str | None]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(select(AlertEvent.kind, AlertEvent.x_status).order_by(AlertEvent.id))]


@pytest.fixture
def x(x_context: ChannelContext, sleeps: FakeSleep) -> XChannel:
    channel = XChannel(x_context, sleep=sleeps)
    channel.start()
    return channel


@pytest.fixture
def timeline(engine: Engine, clock: FixedClock, x: XChannel) -> Iterator[Timeline]:
    made = Timeline(engine, clock, x, daily_posts=2)
    made.alerts = [alert("old", routes=("MA",), header="Metro A chiude alle 21")]
    made.watcher.watch()  # the first look: alerts already in force are not news on X
    yield made


def test_a_new_and_an_ended_alert_are_posted_once_and_a_change_is_not(timeline: Timeline, x_server: FakeX) -> None:
    timeline.alerts.append(alert("a1", routes=("64",), header="Bus 64 deviato"))
    timeline.watcher.watch()
    assert timeline.poster.run_once() == 1
    assert timeline.poster.run_once() == 0
    timeline.alerts[-1] = alert("a1", routes=("64",), header="Bus 64 deviato fino alle 18")
    timeline.watcher.watch()
    timeline.alerts.pop()
    timeline.watcher.watch()
    timeline.poster.run_once()
    texts = [t["text"] for t in x_server.posted()]
    assert len(texts) == 2
    assert texts[0].startswith("⚠️ Nuovo avviso per bus 64: Bus 64 deviato")
    assert texts[1].startswith("✅ Finito: Bus 64 deviato fino alle 18")
    assert timeline.x_statuses() == [("start", None), ("start", "posted"), ("change", None), ("end", "posted")]


def test_posts_beyond_the_daily_number_wait_for_the_next_day(timeline: Timeline, x_server: FakeX, clock: FixedClock) -> None:
    timeline.alerts += [alert(f"a{n}", routes=("64",), header=f"Avviso {n}") for n in range(3)]
    timeline.watcher.watch()
    assert timeline.poster.run_once() == 2
    assert len(x_server.posted()) == 2 and timeline.x_statuses()[-1] == ("start", "pending")
    clock.advance(86400)
    assert timeline.poster.run_once() == 1


def test_a_post_whose_outcome_was_lost_is_found_on_the_timeline_not_posted_again(
    timeline: Timeline, x_server: FakeX, engine: Engine,
) -> None:
    timeline.alerts.append(alert("a1", routes=("64",), header="Bus 64 deviato"))
    timeline.watcher.watch()
    timeline.poster.run_once()
    with engine.begin() as conn:  # as if the process died after X took the post, before it was recorded
        conn.execute(update(AlertEvent).where(AlertEvent.alert_id == "a1").values(x_status="posting"))
    timeline.poster.run_once()
    assert len(x_server.posted()) == 1
    assert timeline.x_statuses()[-1] == ("start", "posted")


def test_nothing_is_posted_once_the_x_daily_call_cap_is_reached(engine: Engine, clock: FixedClock, x: XChannel, x_server: FakeX) -> None:
    made = Timeline(engine, clock, x, daily_posts=10)
    made.poster.within_cap = lambda: x.ledger.usage()[0] < 0  # a cap of zero calls
    made.watcher.watch()
    made.alerts = [alert("a1", routes=("64",))]
    made.watcher.watch()
    assert made.poster.run_once() == 0
    assert x_server.posted() == [] and made.x_statuses() == [("start", "pending")]


class OutageTimeline:
    """A water service's outages, watched for followers of places and posted to X as line alerts are."""

    def __init__(self, tmp_path: Path, engine: Engine, clock: FixedClock, x: XChannel) -> None:
        clock.now = OUTAGES_NOW
        self.engine = engine
        self.source = Source(tmp_path, engine, clock)
        self.source.fetch(_without(ATOM, MURAT))
        self.source.fetch(_without(ATOM, MURAT))  # Murat confirmed gone before the first look
        finder = PlaceFinder([self.source.store.gazetteer])
        self.watcher = PlaceWatcher(engine, "water", self.source.store, finder, clock=clock, post_to_x=True)
        self.poster = TimelinePoster(engine, x, daily_posts=10, zone="Europe/Rome", lang="it", clock=clock)

    def x_statuses(self) -> list[tuple[str, str, str | None]]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(AlertEvent.kind, AlertEvent.alert_id, AlertEvent.x_status).order_by(AlertEvent.id))
            return [tuple(r) for r in rows]


@pytest.fixture
def outages(tmp_path: Path, engine: Engine, clock: FixedClock, x: XChannel) -> OutageTimeline:
    made = OutageTimeline(tmp_path, engine, clock, x)
    made.watcher.watch()  # the first look: Modugno, already in force, is not news on X
    return made


def test_a_new_and_an_ended_outage_are_posted_once_and_a_change_is_not(outages: OutageTimeline, x_server: FakeX) -> None:
    outages.source.fetch(ATOM)
    outages.watcher.watch()
    assert outages.poster.run_once() == 1
    assert outages.poster.run_once() == 0
    outages.source.fetch(ATOM.replace(b"guasto alla condotta", b"guasto alla condotta principale"))
    outages.watcher.watch()
    outages.source.fetch(_without(ATOM, MURAT))  # missing once: not yet believed gone
    outages.watcher.watch()
    assert outages.poster.run_once() == 0
    outages.source.fetch(_without(ATOM, MURAT))
    outages.watcher.watch()
    assert outages.poster.run_once() == 1
    texts = [t["text"] for t in x_server.posted()]
    assert texts == ["⚠️ Disservizio per Bari - Murat: Bari, quartiere Murat: acqua sospesa per guasto alla condotta",
                     "✅ Finito il disservizio: Bari, quartiere Murat: acqua sospesa per guasto alla condotta "
                     "principale (Bari - Murat)"]
    assert outages.x_statuses() == [("start", MODUGNO, None), ("start", MURAT, "posted"), ("change", MURAT, None),
                                    ("end", MURAT, "posted")]


def test_a_stale_outage_source_posts_nothing(outages: OutageTimeline, x_server: FakeX) -> None:
    outages.source.clock.advance(5 * 3600)  # no good fetch for five hours: the data is stale
    outages.source.write(ATOM)  # Murat is back in the file, but the source is not fetched: nothing is believed
    assert not outages.watcher.watch().usable
    assert outages.poster.run_once() == 0 and x_server.posted() == []


def test_an_outage_post_whose_outcome_was_lost_is_not_posted_again(outages: OutageTimeline, x_server: FakeX) -> None:
    outages.source.fetch(ATOM)
    outages.watcher.watch()
    outages.poster.run_once()
    with outages.engine.begin() as conn:  # as if the process died after X took the post, before it was recorded
        conn.execute(update(AlertEvent).where(AlertEvent.alert_id == MURAT).values(x_status="posting"))
    outages.poster.run_once()
    assert len(x_server.posted()) == 1 and outages.x_statuses()[-1] == ("start", MURAT, "posted")
