"""The alerts feed's belief: a missing alert and a sharp shrink wait for the next fetch to agree."""

from __future__ import annotations

from datetime import datetime, timedelta

from google.transit import gtfs_realtime_pb2

from bot.domain import DataState, SourceKind
from knowledge.belief import Belief, believed_age, believed_feed, observe
from tests.conftest import EVAL, EVAL_NOW

FULL = frozenset("abcdefgh")


def test_the_first_fetch_is_believed_as_it_is() -> None:
    assert observe(None, FULL, 0.5) == Belief(seen=FULL)


def test_an_alert_missing_once_is_held() -> None:
    belief = observe(Belief(seen=FULL), FULL - {"c"}, 0.5)
    assert (belief.held, belief.suspect) == (frozenset("c"), False)


def test_an_alert_missing_twice_is_gone() -> None:
    once = observe(Belief(seen=FULL), FULL - {"c"}, 0.5)
    assert observe(once, FULL - {"c"}, 0.5).held == frozenset()


def test_an_alert_back_on_the_next_fetch_was_never_gone() -> None:
    once = observe(Belief(seen=FULL), FULL - {"c"}, 0.5)
    assert observe(once, FULL, 0.5) == Belief(seen=FULL)


def test_losing_more_than_the_share_at_once_is_suspect_until_the_next_fetch() -> None:
    cut = frozenset("ab")
    first = observe(Belief(seen=FULL), cut, 0.5)
    assert (first.suspect, observe(first, cut, 0.5).suspect) == (True, False)


def test_losing_exactly_the_share_is_not_suspect() -> None:
    assert not observe(Belief(seen=FULL), frozenset("abcd"), 0.5).suspect


def test_the_believed_feed_keeps_the_held_entities() -> None:
    full = gtfs_realtime_pb2.FeedMessage()
    full.ParseFromString((EVAL / "alerts.pb").read_bytes())
    cut = gtfs_realtime_pb2.FeedMessage()
    cut.CopyFrom(full)
    del cut.entity[2:]
    held = frozenset(e.id for e in full.entity[2:4])
    merged = believed_feed(cut, full, held)
    assert [e.id for e in merged.entity] == [e.id for e in full.entity[:4]]


def test_a_belief_round_trips_through_json() -> None:
    belief = Belief(seen=frozenset("ab"), held=frozenset("c"), suspect=True)
    assert Belief.from_dict(belief.as_dict()) == belief


def test_a_sources_age_is_unknown_stale_suspect_or_fresh() -> None:
    fetched = EVAL_NOW - timedelta(seconds=30)

    def state(data_at: datetime | None, belief: Belief | None) -> DataState:
        return believed_age(SourceKind.ALERTS, EVAL_NOW, data_at, fetched, 60, belief).state

    assert state(None, None) == DataState.UNKNOWN
    assert state(EVAL_NOW - timedelta(seconds=61), Belief(suspect=True)) == DataState.STALE
    assert state(EVAL_NOW - timedelta(seconds=59), Belief(suspect=True)) == DataState.SUSPECT
    assert state(EVAL_NOW - timedelta(seconds=59), None) == DataState.FRESH
