"""Recall at fixed false-alarm rates, as bench/reader_danger_ranking.py reads a danger score."""

import numpy as np

from bench.reader_danger_ranking import recall_at_false_alarms


def test_a_rate_allows_that_share_of_calm_messages_above_the_line() -> None:
    calm = np.linspace(0.0, 0.99, 100)  # 100 calm scores, the highest 0.99
    danger = np.array([0.995, 0.975, 0.955, 0.5])
    scores = np.concatenate([calm, danger])
    gold = np.array([False] * 100 + [True] * 4)
    caught = recall_at_false_alarms(scores, gold, (0.0, 0.02, 0.04, 0.6))
    # no false alarm: only what beats every calm score; 2 %: above the third-highest calm score (0.97); 4 %:
    # above the fifth (0.95); 60 %: above the 61st highest (0.39)
    assert caught == {"0": 1, "0.02": 2, "0.04": 3, "0.6": 4}


def test_a_tie_with_a_calm_message_the_rate_does_not_allow_is_not_counted() -> None:
    scores = np.array([0.9, 0.5, 0.5, 0.1])
    gold = np.array([False, False, True, True])
    assert recall_at_false_alarms(scores, gold, (0.5,)) == {"0.5": 0}
    assert recall_at_false_alarms(scores, gold, (1.0,)) == {"1": 2}
