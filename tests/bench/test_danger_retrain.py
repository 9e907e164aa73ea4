"""bench/danger_retrain.py: how a danger score ranks emergencies above calm messages."""

from __future__ import annotations

import numpy as np

from bench.danger_retrain import ranking


def test_a_score_that_puts_every_emergency_above_every_calm_message_raises_no_false_alarm() -> None:
    score = np.array([0.9, 0.8, 0.7, 0.1, 0.2, 0.3, 0.05, 0.15])
    emergency = np.array([True, True, True, False, False, False, False, False])
    lookalike = np.array([False, False, False, True, False, False, False, False])
    found = ranking(score, emergency, lookalike)
    assert found["above_1pct_calm"] == found["above_10pct_calm"] == 3
    assert found["false_alarms_at_recall_1"] == 0.0 and found["lookalikes_above_5pct_line"] == 0.0


def test_the_weakest_emergency_sets_the_false_alarms_at_recall_one() -> None:
    score = np.array([0.9, 0.8, 0.15] + [i / 100 for i in range(20)])
    emergency = np.array([True, True, True] + [False] * 20)
    found = ranking(score, emergency, np.zeros(23, dtype=bool))
    assert found["false_alarms_at_recall_1"] == 0.25  # 0.15 … 0.19: five calm messages of twenty at or above it
    assert found["false_alarms_at_third_weakest"] == 0.0 and found["above_5pct_calm"] == 2  # the third weakest is 0.9


def test_an_emergency_under_the_lane_is_watched_if_the_band_reaches_it_and_counted_neither_if_not() -> None:
    from bench.danger_retrain import lanes

    score = np.array([0.6, 0.3, 0.1, 0.4, 0.2, 0.05])
    emergency = np.array([True, True, True, False, False, False])
    lookalike = np.array([False, False, False, True, False, False])
    caught = np.zeros(6, dtype=bool)
    found = lanes(score, np.full(6, 0.35), np.full(6, 0.25), caught, emergency, lookalike)
    assert (found["escalated"], found["watched"], found["neither"]) == (1, 1, 1)
    assert found["false_alarm_rate"] == round(1 / 3, 4) and found["lookalike_false_alarm_rate"] == 1.0
    assert found["watch_rate"] == 0.0  # the calm 0.2 is under the band
    caught[2] = True  # an unread script: the rule escalates it whatever its score
    assert lanes(score, np.full(6, 0.35), np.full(6, 0.25), caught, emergency, lookalike)["escalated"] == 2
