"""The calm head's penalty, measured on folds that never split a writer of the training files.

``python bench/calm_penalty.py [--penalties 1e-4,3e-5,1e-5,3e-6,1e-6] [--output bench/results/calm_penalty.json]``

A split model's calm head (:func:`bot.reading.training.fit_calm_head`) chooses among the calm intents when its
danger part says calm. For each penalty, the head is fitted on four of five writer-grouped folds of every labelled
file of the repository and the shared dev set (:func:`bot.reading.training.default_training_files`), over the n-grams
and embeddings of the model in service, as ``sportello train --recipe split`` fits it, and reads the fifth: the calm
intent chosen (the most probable calm one) against the label, on every calm message, on those of the sealed sets
retired into training (the writers nearest to the public), and fold by fold. The complaint-category head is fitted at
the same penalty on the complaints, for comparison. No sealed set or benchmark is read.

Measured on 2026-12-06 (66 files, 16,350 messages; 100-120 s a penalty on one core beside a training): calm
intents 0.924 at 1e-4 (the penalty chosen on 4,449 messages), 0.935 at 1e-5, every fold higher, 0.935 at 1e-6; the
category 0.884 at 1e-4, 0.882 at 1e-5 (``bench/results/calm_penalty.json``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reader_common import ENCODER_CACHE, SHARED, encoder_vectors, put_figures  # noqa: E402

if TYPE_CHECKING:
    from bot.evaluate import Labelled
    from bot.reading.model import ReaderModel

FOLDS = 5


def measure(penalty: float, data: dict[str, Any]) -> dict[str, Any]:
    """The held-out calm intents and complaint categories read by heads fitted at ``penalty``."""
    from bot.reading.training import CATEGORIES, fit_calm_head, fit_category_head

    examples, rows, intents, fold = data["examples"], data["rows"], data["intents"], data["fold"]
    params = replace(data["params"], calm_l2=penalty, l2=penalty)
    started = time.perf_counter()
    chosen = np.zeros(len(examples), dtype=int)
    category_right: list[bool] = []
    complaints = np.array([e.intent == "complaint" and bool(e.category) for e in examples])
    for k in range(FOLDS):
        fitted, held = np.nonzero(fold != k)[0], np.nonzero(fold == k)[0]
        proba = fit_calm_head(rows.take(fitted), intents[fitted], params).proba(rows.take(held))
        chosen[held] = np.array(data["calm"])[proba[:, data["calm"]].argmax(axis=1)]
        fitted_c, held_c = fitted[complaints[fitted]], held[complaints[held]]
        head = fit_category_head(rows.take(fitted_c), [examples[i] for i in fitted_c], params)
        read = head.proba(rows.take(held_c)).argmax(axis=1)
        category_right += [CATEGORIES[c] == examples[i].category for c, i in zip(read, held_c)]
    right, calm, retired = chosen == intents, data["is_calm"], data["retired"]

    def share(among: np.ndarray) -> float | None:
        return round(float(right[among].mean()), 4) if among.any() else None

    return {
        "penalty": penalty,
        "calm_intent": share(calm),
        "calm_intent_retired_sets": share(calm & retired),
        "calm_intent_other_files": share(calm & ~retired),
        "calm_intent_by_fold": [share(calm & (fold == k)) for k in range(FOLDS)],
        "category": round(float(np.mean(category_right)), 4),
        "seconds": round(time.perf_counter() - started, 1),
    }


def prepared(examples: Sequence[Labelled], groups: Sequence[str], model: ReaderModel,
             embeddings: np.ndarray) -> dict[str, Any]:
    """What :func:`measure` reads: the messages, their rows under ``model``'s n-grams, writer-grouped folds."""
    from bot.domain import Intent
    from bot.reading.model import INTENTS
    from bot.reading.training import recipe_of, writer_folds

    intents = np.array([INTENTS.index(Intent(e.intent)) for e in examples])
    return {
        "examples": examples, "intents": intents, "params": recipe_of(model),
        "rows": model.vocabulary.rows([e.text for e in examples], embeddings),
        "fold": writer_folds(examples, groups, FOLDS, 0),
        "calm": [i for i, intent in enumerate(INTENTS) if intent != Intent.EMERGENCY],
        "is_calm": intents != INTENTS.index(Intent.EMERGENCY),
        "retired": np.array([g.startswith("rome_sealed") for g in groups]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--penalties", default="1e-4,3e-5,1e-5,3e-6,1e-6")
    parser.add_argument("--cache", default=ENCODER_CACHE, help="encoder vectors of the training texts")
    parser.add_argument("--output", help="write the figures here (JSON)")
    args = parser.parse_args()

    from bot.reading.model import ReaderModel
    from bot.reading.training import default_training_files, read_grouped

    examples, groups, sources = read_grouped(default_training_files(SHARED))
    embeddings = encoder_vectors([e.text for e in examples], Path(args.cache))
    model = ReaderModel.load()
    data = prepared(examples, groups, model, embeddings)
    figures = {"messages": len(examples), "files": len(sources), "model": model.version, "folds": FOLDS,
               "penalties": [measure(float(p), data) for p in args.penalties.split(",")]}
    put_figures(figures, args.output)


if __name__ == "__main__":
    main()
