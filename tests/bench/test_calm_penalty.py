"""The calm head's penalty as bench/calm_penalty.py measures it: held-out calm intents on writer-grouped folds."""

from __future__ import annotations

from bench.calm_penalty import FOLDS, measure, prepared
from bot.reading.model import ReaderModel
from bot.reading.training import encode_all, read_grouped
from tests.conftest import REPO

CASES = sorted((REPO / "tests" / "bot").glob("*_cases.jsonl"))


def test_a_head_that_learns_reads_the_held_out_calm_intents_better_than_one_held_to_zero() -> None:
    examples, groups, _ = read_grouped(CASES)
    data = prepared(examples, groups, ReaderModel.cached(), encode_all([e.text for e in examples]))
    assert len(set(groups)) >= FOLDS and set(data["fold"].tolist()) == set(range(FOLDS))
    learnt, held = measure(1e-5, data), measure(1e3, data)
    # a penalty of 1e3 keeps every weight at zero: one calm intent for every message, the one its bias favours
    commonest = max(sum(e.intent == i for e in examples) for i in ("status", "faq", "complaint", "feedback", "other"))
    calm = sum(e.intent != "emergency" for e in examples)
    assert held["calm_intent"] <= round(commonest / calm, 4) + 1e-4 < learnt["calm_intent"]
    assert len(learnt["calm_intent_by_fold"]) == FOLDS and 0.0 < learnt["category"] <= 1.0
    assert learnt["calm_intent_retired_sets"] is None  # no retired sealed set among the test cases
