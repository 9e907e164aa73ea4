"""Alert events for followers on SQLite and PostgreSQL: start, change, end, each queued once per follower."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import pytest
from sqlalchemy import Engine, select

from bot.follow.events import AlertWatcher, EventKind
from knowledge.alerts import Alert
from knowledge.gtfs import GtfsIndex
from bot.config import SAMPLE_DIR
from storage.followers import Chat, follow
from storage.models import AlertEvent, FollowNotice
from tests.bot.follow.conftest import alert, hours
from tests.conftest import FixedClock


@lru_cache(maxsize=1)
def _gtfs() -> GtfsIndex:
    return GtfsIndex.load(SAMPLE_DIR / "gtfs")


class Feed:
    """The alerts believed now, and whether the feed may be trusted."""

    def __init__(self) -> None:
        self.alerts: list[Alert] = []
        self.fresh = True


@pytest.fixture
def feed() -> Feed:
    return Feed()


@pytest.fixture
def watcher(engine: Engine, clock: FixedClock, feed: Feed) -> AlertWatcher:
    return AlertWatcher(engine, _gtfs(), lambda: feed.alerts, lambda _now: feed.fresh, clock=clock)


def _follow(engine: Engine, clock: FixedClock, chat: str, kind: str, target: str, lang: str = "it") -> None:
    follow(engine, Chat("telegram", chat), kind, target, lang=lang, now=clock(), limit=10)


def _notices(engine: Engine) -> list[tuple[str, str, str]]:
    """(event kind, chat, language) of every queued notice, in order."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(AlertEvent.kind, FollowNotice.chat, FollowNotice.lang)
            .join(AlertEvent, AlertEvent.id == FollowNotice.event_id).order_by(FollowNotice.id)
        ).all()
    return [tuple(r) for r in rows]


def _kinds(watched) -> list[tuple[str, EventKind]]:  # noqa: ANN001
    return [(alert_id, kind) for alert_id, kind, _count in watched.events]


def test_a_new_alert_is_queued_once_for_each_follower_of_its_lines_and_stops(
    engine: Engine, clock: FixedClock, feed: Feed, watcher: AlertWatcher,
) -> None:
    _follow(engine, clock, "1", "line", "64")
    _follow(engine, clock, "2", "stop", "10005", lang="en")
    _follow(engine, clock, "3", "line", "64")
    _follow(engine, clock, "3", "stop", "10005")  # follows both: told once
    _follow(engine, clock, "4", "line", "40")
    feed.alerts = [alert("a1", routes=("64",), stops=("10005",))]
    watched = watcher.watch()
    assert _kinds(watched) == [("a1", EventKind.START)] and watched.notices == 3
    assert sorted(_notices(engine)) == [("start", "1", "it"), ("start", "2", "en"), ("start", "3", "it")]
    assert watcher.watch().events == ()


def test_a_changed_text_and_a_confirmed_end_are_told_to_the_same_followers(
    engine: Engine, clock: FixedClock, feed: Feed, watcher: AlertWatcher,
) -> None:
    _follow(engine, clock, "1", "line", "64")
    feed.alerts = [alert("a1", routes=("64",))]
    watcher.watch()
    feed.alerts = [alert("a1", routes=("64",), header="Deviazione prolungata")]
    assert _kinds(watcher.watch()) == [("a1", EventKind.CHANGE)]
    feed.alerts = []
    assert _kinds(watcher.watch()) == [("a1", EventKind.END)]
    assert _notices(engine) == [("start", "1", "it"), ("change", "1", "it"), ("end", "1", "it")]
    assert watcher.watch().events == ()


def test_a_stale_or_suspect_feed_ends_nothing(engine: Engine, clock: FixedClock, feed: Feed, watcher: AlertWatcher) -> None:
    _follow(engine, clock, "1", "line", "64")
    feed.alerts = [alert("a1", routes=("64",))]
    watcher.watch()
    feed.alerts, feed.fresh = [], False
    assert watcher.watch().usable is False
    feed.fresh = True
    feed.alerts = [alert("a1", routes=("64",))]
    assert watcher.watch().events == ()
    assert [kind for kind, _chat, _lang in _notices(engine)] == ["start"]


def test_an_upcoming_alert_is_told_when_it_comes_into_force_and_an_expired_one_ends(
    engine: Engine, clock: FixedClock, feed: Feed, watcher: AlertWatcher,
) -> None:
    _follow(engine, clock, "1", "line", "8")
    feed.alerts = [alert("works", routes=("8",), start=clock() + hours(2), end=clock() + hours(4))]
    assert watcher.watch().events == ()
    clock.advance(2 * 3600)
    assert _kinds(watcher.watch()) == [("works", EventKind.START)]
    clock.advance(2 * 3600)
    assert _kinds(watcher.watch()) == [("works", EventKind.END)]


def test_an_alert_on_every_bus_reaches_the_followers_of_each_bus_line(
    engine: Engine, clock: FixedClock, feed: Feed, watcher: AlertWatcher,
) -> None:
    _follow(engine, clock, "1", "line", "64")
    _follow(engine, clock, "2", "line", "40")
    _follow(engine, clock, "3", "line", "MA")
    feed.alerts = [alert("strike", route_type=3)]
    watcher.watch()
    assert sorted(chat for _kind, chat, _lang in _notices(engine)) == ["1", "2"]


def test_an_alert_nobody_follows_is_still_recorded_and_ends_quietly(
    engine: Engine, clock: FixedClock, feed: Feed, watcher: AlertWatcher,
) -> None:
    feed.alerts = [alert("a9", routes=("N1",))]
    assert [count for _a, _k, count in watcher.watch().events] == [0]
    feed.alerts = []
    assert _kinds(watcher.watch()) == [("a9", EventKind.END)]
    assert _notices(engine) == []
