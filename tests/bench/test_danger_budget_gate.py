"""bench/danger_budget_gate.py: the gate's escalations at a budgeted lane, and what a band under it holds."""

from __future__ import annotations

import numpy as np

from bench.danger_budget_gate import each_message, lane_and_band
from bot.domain import Intent
from bot.reading.danger import DangerThresholds
from bot.reading.model import INTENTS


def _intents(likeliest: list[str]) -> np.ndarray:
    rows = np.full((len(likeliest), len(INTENTS)), 0.1)
    for row, intent in zip(rows, likeliest):
        row[INTENTS.index(Intent(intent))] = 0.9
    return rows


def test_an_emergency_is_escalated_by_its_score_or_by_an_intent_head_that_reads_emergency_first() -> None:
    danger = np.array([0.6, 0.1, 0.3, 0.05, 0.5])
    intent = _intents(["emergency", "emergency", "other", "status", "complaint"])
    emergency = np.array([True, True, True, True, False])
    found = lane_and_band(danger, intent, np.full(5, 0.4), np.full(5, 0.2), np.zeros(5, bool), emergency,
                          np.array([False, False, False, False, True]))
    assert (found["escalated"], found["watched"], found["neither"]) == (2, 1, 1)  # 0.1 read as emergency first
    assert found["lane_recall"] == 0.5 and found["false_alarm_rate"] == 1.0 and found["lookalike_false_alarm_rate"] == 1.0


def test_each_message_is_held_to_its_files_threshold_in_its_language() -> None:
    thresholds = {"a.jsonl": DangerThresholds(0.1, {"it": 0.3}), "b.jsonl": DangerThresholds(0.2, {})}
    got = each_message(thresholds, ["a.jsonl", "a.jsonl", "b.jsonl"], ["it", "en", "it"], [0.9, 0.9, 0.9])
    assert got.tolist() == [0.3, 0.1, 0.2]
