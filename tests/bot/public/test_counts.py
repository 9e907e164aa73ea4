"""Counts about people are published only when they cannot point at anyone."""

from __future__ import annotations

from bot.public.counts import is_hidden, shown, shown_parts


def test_small_counts_are_hidden_and_zero_is_shown() -> None:
    assert [shown(n, 3) for n in (0, 1, 2, 3, 40)] == [0, "< 3", "< 3", 3, 40]
    assert is_hidden(shown(2, 3)) and not is_hidden(shown(3, 3))


def test_a_lone_hidden_part_makes_the_total_a_lower_bound() -> None:
    total, parts = shown_parts(9, {"delay": 8, "crowding": 1, "climate": 0}, 3)
    assert (total, parts) == ("≥ 9", {"delay": 8, "crowding": "< 3", "climate": 0})  # not 9 - 8 = 1
    total, parts = shown_parts(10, {"delay": 6, "crowding": 2, "staff": 2}, 3)
    assert (total, parts) == ("≥ 8", {"delay": 6, "crowding": "< 3", "staff": "< 3"})  # 10 would tell 2 + 2


def test_a_hidden_total_needs_no_second_hiding() -> None:
    assert shown_parts(2, {"delay": 2}, 3) == ("< 3", {"delay": "< 3"})
