"""The auto-reply threshold chosen on labelled answers: the lowest at which the answers above it are right enough."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from bot.reading.model import ReaderModel
from bot.reading.threshold_choice import Candidate, choose_threshold, with_threshold


def answers(*pairs: tuple[float, bool]) -> list[Candidate]:
    return [Candidate(confidence, right) for confidence, right in pairs]


def test_the_lowest_threshold_whose_answers_meet_the_target_is_chosen() -> None:
    ranked = answers((0.99, True), (0.98, True), (0.97, True), (0.96, False), (0.95, True), (0.94, True),
                     (0.93, True), (0.92, False), (0.91, False))
    choice = choose_threshold(ranked, answerable=10, current=0.985, target=0.8, min_answers=1)
    assert choice.chosen
    assert choice.threshold == 0.93  # 6 right of 7 (0.857); at 0.92, 6 of 8 (0.75)
    assert (choice.posted, choice.wrong) == (7, 1)
    assert (choice.previous_posted, choice.previous_wrong) == (1, 0)
    assert choice.as_dict()["coverage"] == 0.6


def test_a_threshold_posts_every_answer_of_its_confidence() -> None:
    ranked = answers((0.99, True), (0.95, True), (0.95, False), (0.95, True))
    choice = choose_threshold(ranked, answerable=4, current=0.99, target=0.9, min_answers=1)
    assert choice.threshold == 0.99  # at 0.95 all three answers go out: 3 right of 4
    assert choice.posted == 1


def test_too_few_answers_keep_the_models_own_threshold() -> None:
    ranked = answers(*[(0.99 - i / 1000, True) for i in range(50)])
    choice = choose_threshold(ranked, answerable=60, current=0.97, target=0.985, min_answers=200)
    assert not choice.chosen
    assert choice.threshold == 0.97
    assert choice.posted == choice.previous_posted == 21


def test_answers_wrong_at_the_top_can_raise_the_threshold() -> None:
    ranked = answers((0.999, True), (0.998, True), (0.99, False), (0.98, True))
    choice = choose_threshold(ranked, answerable=4, current=0.95, target=0.9, min_answers=1)
    assert choice.threshold == 0.998
    assert (choice.posted, choice.wrong) == (2, 0)
    assert (choice.previous_posted, choice.previous_wrong) == (4, 1)


@pytest.mark.parametrize("target", [0.5, 1.2])
def test_a_target_outside_the_half_to_one_range_is_refused(target: float) -> None:
    with pytest.raises(ValueError, match="target precision"):
        choose_threshold(answers((0.9, True)), answerable=1, current=0.9, target=target)


def test_the_model_with_a_chosen_threshold_records_where_it_came_from() -> None:
    model = ReaderModel.load()
    choice = choose_threshold(answers(*[(0.9 + i / 1000, True) for i in range(5)]), answerable=5,
                              current=model.auto_threshold, target=0.985, min_answers=1)
    when = datetime(2026, 12, 6, 8, 0, tzinfo=timezone.utc)
    chosen = with_threshold(model, choice, ["validation.jsonl"], when)
    assert chosen.auto_threshold == 0.9
    assert chosen.version == f"{model.version}-t9000"
    record = chosen.info["auto_threshold_chosen_on"]
    assert record["files"] == ["validation.jsonl"]
    assert record["weights_version"] == model.version
    assert record["previous"]["threshold"] == round(model.auto_threshold, 4)
    again = with_threshold(chosen, choose_threshold(answers((0.95, True)), answerable=1, current=0.9, min_answers=1),
                           ["other.jsonl"], when)
    assert again.version == f"{model.version}-t9500"  # the suffix is replaced, not stacked
