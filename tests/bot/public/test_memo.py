"""Days that are over are counted once; a day still running is always counted afresh."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.public.memo import ClosedDays

DAY = date(2026, 11, 23)


def test_a_day_is_over_thirty_hours_after_its_origin() -> None:
    memo = ClosedDays("Europe/Rome")
    assert not memo.closed(DAY, datetime(2026, 11, 24, 4, 59, tzinfo=UTC))  # 05:59 in Rome, trips past midnight
    assert memo.closed(DAY, datetime(2026, 11, 24, 5, 0, tzinfo=UTC))


def test_figures_of_a_closed_day_are_built_once() -> None:
    memo, calls = ClosedDays("Europe/Rome"), []
    later = datetime(2026, 11, 26, tzinfo=UTC)
    for _ in range(3):
        assert memo.get(("x", DAY), DAY, later, lambda: calls.append(1) or len(calls)) == 1
    assert calls == [1]


def test_figures_of_a_running_day_are_built_every_time() -> None:
    memo, calls = ClosedDays("Europe/Rome"), []
    during = datetime(2026, 11, 23, 12, tzinfo=UTC)
    values = [memo.get(("x", DAY), DAY, during, lambda: calls.append(1) or len(calls)) for _ in range(3)]
    assert values == [1, 2, 3]
