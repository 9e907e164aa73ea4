"""Send pacing and back-off delays, on a fake clock."""

from __future__ import annotations

import random

import pytest

from bot.channels.backoff import Backoff
from bot.channels.ratelimit import SendPacer


class Ticks:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _pacer(ticks: Ticks, **kwargs: float) -> SendPacer:
    rates = {"global_per_second": 30.0, "chat_per_second": 1.0, "group_per_minute": 20.0, **kwargs}
    return SendPacer(monotonic=ticks, **rates)


def test_sends_to_one_chat_are_spaced_by_the_chat_rate() -> None:
    pacer = _pacer(Ticks())
    assert [pacer.book(1) for _ in range(3)] == pytest.approx([0.0, 1.0, 2.0])


def test_a_busy_chat_does_not_hold_up_another() -> None:
    pacer = _pacer(Ticks())
    for _ in range(5):
        pacer.book(1)
    assert pacer.book(2) == pytest.approx(0.0)


def test_groups_are_spaced_by_the_per_minute_rate() -> None:
    pacer = _pacer(Ticks())
    assert [pacer.book(-5, group=True) for _ in range(2)] == pytest.approx([0.0, 3.0])


def test_no_more_than_the_global_rate_leaves_in_any_second() -> None:
    pacer = _pacer(Ticks(), global_per_second=3.0)
    waits = [pacer.book(chat) for chat in range(7)]
    assert waits[:3] == pytest.approx([0, 0, 0])
    assert all(w >= 1.0 for w in waits[3:6]) and waits[6] >= 2.0


def test_a_hold_pushes_every_send_back() -> None:
    ticks = Ticks()
    pacer = _pacer(ticks)
    pacer.hold(5)
    assert pacer.book(1) == pytest.approx(5.0)


def test_backoff_delays_grow_with_jitter_and_stop_at_the_cap() -> None:
    backoff = Backoff(base=1.0, cap=8.0, rng=random.Random(4))
    for attempt in range(6):
        ceiling = min(8.0, 2.0**attempt)
        assert ceiling / 2 <= backoff.delay(attempt) <= ceiling
