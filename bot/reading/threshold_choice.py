"""The auto-reply threshold chosen on labelled messages the model never trained on (``sportello calibrate``).

A trained model's threshold is chosen on held-out folds of its own training writers (:mod:`bot.reading.training`),
many of whom wrote hard cases on purpose. Labelled messages from writers the reader never trained on (an operator's
own citizens, labelled by its agents) are the population the threshold is for: here the threshold is chosen on them,
as the lowest at which the answers that would go out alone are right at the target rate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot.domain import Action
from bot.evaluate import Labelled, Outcome
from bot.reading.model import ReaderModel

#: the share of right answers alone the threshold is chosen for (the training's own target)
DEFAULT_TARGET = 0.985
#: fewer answers alone than this at a threshold say too little of its precision: it is not chosen
MIN_ANSWERS = 200
#: the suffix a chosen threshold adds to the version of the model's weights
_THRESHOLD_SUFFIX = re.compile(r"-t\d{4}$")


@dataclass(frozen=True)
class Candidate:
    """A labelled message whose answer would go out alone at a threshold of 0: its confidence, and whether the
    answer is right (its intent, lines, FAQ entry and alerts as labelled, and labelled fit to go out alone)."""

    confidence: float
    right: bool


@dataclass(frozen=True)
class ThresholdChoice:
    """The threshold chosen on some labelled messages, and what it and the model's own threshold post there."""

    threshold: float
    chosen: bool  # False: no threshold met the target with enough answers, and the model's own stays
    target: float
    answerable: int  # messages labelled fit to go out alone (coverage's denominator)
    posted: int
    wrong: int
    previous: float
    previous_posted: int
    previous_wrong: int
    trained_on: int = 0  # labelled messages left out because the model trained on them

    @staticmethod
    def _ratio(num: int, den: int) -> float | None:
        return round(num / den, 4) if den else None

    def as_dict(self) -> dict[str, Any]:
        """The choice as ``sportello calibrate`` prints it and the model records it."""
        return {
            "threshold": round(self.threshold, 4), "chosen": self.chosen, "target": self.target,
            "answerable": self.answerable, "left_out_trained_on": self.trained_on,
            "posted": self.posted, "wrong": self.wrong,
            "precision": self._ratio(self.posted - self.wrong, self.posted),
            "coverage": self._ratio(self.posted - self.wrong, self.answerable),
            "previous": {"threshold": round(self.previous, 4), "posted": self.previous_posted,
                         "wrong": self.previous_wrong,
                         "precision": self._ratio(self.previous_posted - self.previous_wrong, self.previous_posted),
                         "coverage": self._ratio(self.previous_posted - self.previous_wrong, self.answerable)},
        }


def _at(candidates: Sequence[Candidate], threshold: float) -> tuple[int, int]:
    """Answers posted alone at ``threshold``, and how many of them are wrong."""
    posted = [c for c in candidates if c.confidence >= threshold]
    return len(posted), sum(not c.right for c in posted)


def choose_threshold(
    candidates: Sequence[Candidate],
    *,
    answerable: int,
    current: float,
    target: float = DEFAULT_TARGET,
    min_answers: int = MIN_ANSWERS,
    trained_on: int = 0,
) -> ThresholdChoice:
    """The lowest confidence at which the answers at or above it are right at least ``target`` of the time, with at
    least ``min_answers`` of them; ``current`` (the model's own) when no confidence qualifies."""
    if not 0.5 < target <= 1.0:
        msg = f"the target precision must lie in (0.5, 1], not {target}"
        raise ValueError(msg)
    ranked = sorted(candidates, key=lambda c: -c.confidence)
    chosen: float | None = None
    right = 0
    for rank, candidate in enumerate(ranked, start=1):
        right += candidate.right
        tie = rank < len(ranked) and ranked[rank].confidence == candidate.confidence
        if tie or rank < min_answers:
            continue  # a threshold posts every answer of its confidence; too few answers say too little
        if right / rank >= target:
            chosen = candidate.confidence
    threshold = current if chosen is None else chosen
    posted, wrong = _at(ranked, threshold)
    previous_posted, previous_wrong = _at(ranked, current)
    return ThresholdChoice(threshold, chosen is not None, target, answerable, posted, wrong, current,
                           previous_posted, previous_wrong, trained_on)


def read_candidates(
    decide: Callable[[Labelled], tuple[Any, float]],
    labelled: Iterable[Labelled],
    seen: Callable[[str], bool],
) -> tuple[list[Candidate], int, int]:
    """Every labelled message the model did not train on (``seen``), decided by ``decide`` with the threshold at 0:
    the answers that would go out alone, the messages labelled fit to go out alone, and those left out as seen.
    ``decide`` gives a message's decision and its exact confidence."""
    candidates: list[Candidate] = []
    answerable = left_out = 0
    for gold in labelled:
        if seen(gold.text):
            left_out += 1
            continue
        answerable += gold.auto_ok
        decision, confidence = decide(gold)
        if decision.action == Action.AUTO:
            candidates.append(Candidate(confidence, gold.auto_ok and Outcome(gold, decision).answer_right))
    return candidates, answerable, left_out


def with_threshold(model: ReaderModel, choice: ThresholdChoice, files: Sequence[str], when: datetime) -> ReaderModel:
    """``model`` with the chosen threshold, its version marked with it and the choice recorded in its info."""
    base = _THRESHOLD_SUFFIX.sub("", model.version)
    info = dict(model.info)
    info["auto_threshold_chosen_on"] = {**choice.as_dict(), "files": [str(f) for f in files],
                                        "weights_version": base, "at": when.isoformat()}
    version = f"{base}-t{round(choice.threshold * 10000):04d}" if choice.chosen else model.version
    return replace(model, auto_threshold=choice.threshold, version=version, info=info)
