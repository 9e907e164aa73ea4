"""The self-supervised water FAQ bench's pieces: word associations, within-entry normalisation, ranker, picks."""

from __future__ import annotations

import importlib
from types import ModuleType

import numpy as np


def _bench() -> ModuleType:
    return importlib.import_module("bench.water_faq_selfsup")


def test_model1_learns_that_an_answer_word_stands_for_the_question_word_it_always_comes_with() -> None:
    bench = _bench()
    answers = [["bollett", "pag"], ["bollett", "import"], ["contator", "lettur"], ["contator", "sigill"]]
    questions = [["fattur"], ["fattur"], ["misurator"], ["misurator"]]
    table = bench.model1(answers, questions)
    assert table[("fattur", "bollett")] > 0.5 > table.get(("fattur", "contator"), 0.0)
    learned = bench.translations(table, top=1, floor=0.1)
    assert learned["bollett"] == [(table[("fattur", "bollett")], "fattur")]
    assert "<null>" not in learned


def test_wccn_shrinks_the_direction_an_entry_s_own_texts_vary_along_more_than_the_one_between_entries() -> None:
    rng = np.random.default_rng(0)
    owners = np.repeat(np.arange(20), 5)
    centres = np.zeros((20, 2))
    centres[:, 1] = rng.normal(0.0, 1.0, 20)  # entries differ along the second axis
    texts = centres[owners] + np.c_[rng.normal(0.0, 1.0, 100), rng.normal(0.0, 0.05, 100)]  # wording along the first
    transform = _bench().wccn(texts, owners, alpha=0.01, power=0.5)
    assert abs(transform[0, 0]) < abs(transform[1, 1]) / 5


def test_the_logistic_ranker_scores_the_right_candidates_above_the_wrong_ones() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(0.0, 1.0, (200, 3))
    y = (x[:, 0] - x[:, 2] > 0).astype(float)
    logit = _bench().fit_logistic(x, y, l2=1.0)
    assert ((logit(x) > 0) == (y == 1)).mean() > 0.95


def test_each_writer_s_pick_is_measured_on_the_other_writer() -> None:
    def figures(top1: float) -> dict[str, float]:
        return {"top1": top1, "precision": 0.9, "coverage": 0.4}

    rows = [{"w": 1, "A": figures(0.8), "B": figures(0.6)}, {"w": 2, "A": figures(0.7), "B": figures(0.7)}]
    on_a, on_b = _bench()._picks(rows)
    assert (on_a["setting"], on_a["measured_on"], on_a["figures"]["top1"]) == ({"w": 1}, "B", 0.6)
    assert (on_b["setting"], on_b["measured_on"], on_b["figures"]["top1"]) == ({"w": 2}, "A", 0.7)


def test_each_dev_set_is_scored_at_the_setting_the_other_sets_pick() -> None:
    def c(right: int) -> dict[str, int]:
        return {"answerable": 10, "right": right, "answered": 5, "answered_right": 5, "unanswerable": 2, "left": 2}

    settings = [{"w": 1}, {"w": 2}]
    counts = [{"x": c(9), "y": c(1), "z": c(1)}, {"x": c(1), "y": c(5), "z": c(5)}]
    result = _bench().leave_one_set_out(settings, counts)
    assert result["sets"]["x"]["chosen"] == {"w": 2}  # y and z prefer w 2
    assert result["sets"]["y"]["chosen"] == {"w": 1}  # x and z: 10 right at w 1 against 6 at w 2
    assert result["sets"]["z"]["chosen"] == {"w": 1}
    assert result["pooled_left_out"]["right"] == 1 + 1 + 1
