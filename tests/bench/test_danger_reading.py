"""bench/danger_reading.py: each reading of the danger part ranks the emergencies above the calm messages."""

from __future__ import annotations

import numpy as np

from bench.danger_reading import BUDGETS, LARGER, measure, ranked
from bot.domain import Intent
from bot.evaluate import read_labelled
from bot.reading.danger import DangerReading
from bot.reading.model import ReaderModel
from bot.reading.training import encode_all
from tests.conftest import REPO


def test_a_score_that_puts_every_emergency_first_catches_them_all_at_every_budget() -> None:
    emergency = np.array([True, True] + [False] * 98)
    score = np.where(emergency, 0.9, np.linspace(0.0, 0.5, 100))
    found = ranked(score, emergency)
    assert found["auc"] == 1.0
    assert [found[f"above_{round(b * 100)}pct_calm"] for b in BUDGETS] == [2, 2, 2, 2]


def test_an_emergency_scored_among_the_calm_counts_only_where_the_budget_reaches_it() -> None:
    emergency = np.array([True] + [False] * 100)
    score = np.concatenate([[0.955], np.linspace(1.0, 0.0, 100)])  # five calm messages above it
    found = ranked(score, emergency)
    assert found["above_1pct_calm"] == 0 and found["above_2pct_calm"] == 0 and found["above_5pct_calm"] == 1
    assert 0.94 < found["auc"] < 0.97


def test_every_reading_is_measured_on_the_same_messages() -> None:
    labelled = read_labelled(REPO / "tests" / "bot" / "router_cases.jsonl")
    texts = [g.text for g in labelled]
    emergency = np.array([g.intent == Intent.EMERGENCY for g in labelled])
    figures = measure(ReaderModel.cached(), texts, emergency, encode_all(texts))
    assert figures["messages"] == len(texts) and figures["emergencies"] == int(emergency.sum()) > 0
    assert {*map(str, DangerReading), LARGER} <= set(figures)
    assert all(0.5 < figures[str(r)]["auc"] <= 1.0 for r in DangerReading)  # trained on: each ranks them high
