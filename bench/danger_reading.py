"""How each reading of a model's danger part ranks the emergencies it never trained on above the calm messages.

``python bench/danger_reading.py [--model M.npz] [--output bench/results/danger_reading.json]``

The danger part of a model (:class:`~bot.reading.danger.DangerReading`) can be read as the intent head's emergency
probability, the danger head, their mean or the larger of the two. Every labelled file of the repository whose messages
the danger part never trained on (by the digests it records, :func:`bot.reading.calm.trained_danger_on`: the writers
after it and the sealed sets retired into training) is read once with the model's heads (float32 pass), and for each
reading: how many of its emergencies score above all but 1, 2, 5 and 10 % of its calm messages, and the area under the
curve of emergencies against calm messages. No sealed set or benchmark is read; thresholds are not set here (``sportello
train --recipe reread`` sets them and judges them on the same messages).

Measured on 2026-12-06 with the danger part of ``202612042202-de7e2727`` (38 files, 10,355 distinct messages, 830
emergencies; 16 s): above all but 2 % of the calm messages the intent head alone ranks 813 emergencies, the mean 809,
the larger of the two 786, the danger head 752; at 5 %, 823, 817, 806 and 792 (``bench/results/danger_reading.json``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reader_common import put_figures  # noqa: E402
from bot.domain import Intent  # noqa: E402
from bot.reading.calm import trained_danger_on  # noqa: E402
from bot.reading.danger import DangerReading, read_danger  # noqa: E402
from bot.reading.features import Encoder  # noqa: E402
from bot.reading.linear import softmax_spans  # noqa: E402
from bot.reading.model import INTENTS, ReaderModel  # noqa: E402
from bot.reading.training import default_training_files, encode_all, read_grouped  # noqa: E402

#: the shares of calm messages above which emergencies are counted
BUDGETS = (0.01, 0.02, 0.05, 0.10)
#: a reading no recipe stores, measured beside them: the larger of the two heads
LARGER = "larger of the two"


def head_scores(model: ReaderModel, texts: Sequence[str], embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The intent head's emergency probability and the danger head's, for each text."""
    stacked = model._stacked
    scores = embeddings @ stacked.embedding + model.vocabulary.product(list(texts), stacked.ngrams) + stacked.bias
    parts = softmax_spans(scores, stacked.spans)
    return parts[0][:, INTENTS.index(Intent.EMERGENCY)], parts[1][:, 1]


def ranked(score: np.ndarray, emergency: np.ndarray) -> dict[str, Any]:
    """Emergencies scored above all but each budget's share of the calm messages, and the area under the curve."""
    calm = np.sort(score[~emergency])[::-1]
    found: dict[str, Any] = {}
    for budget in BUDGETS:
        cut = calm[min(len(calm) - 1, int(budget * len(calm)))]
        found[f"above_{round(budget * 100)}pct_calm"] = int((score[emergency] > cut).sum())
    above = np.searchsorted(np.sort(score[~emergency]), score[emergency], side="left")  # calm messages below each
    found["auc"] = round(float(above.mean() / len(calm)), 4) if len(calm) else None
    return found


def measure(model: ReaderModel, texts: Sequence[str], emergency: np.ndarray, embeddings: np.ndarray) -> dict[str, Any]:
    """Each reading's ranking of ``texts`` (``emergency``: which are), over ``embeddings``."""
    intent, danger = head_scores(model, texts, embeddings)
    figures: dict[str, Any] = {"messages": len(texts), "emergencies": int(emergency.sum())}
    for reading in DangerReading:
        figures[str(reading)] = ranked(read_danger(reading, intent, danger), emergency)
    figures[LARGER] = ranked(np.maximum(intent, danger), emergency)
    return figures


def main() -> int:
    """Rank the emergencies of the files the model's danger part never trained on, reading by reading."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model", help="the model to read (default: the one in service)")
    parser.add_argument("--output", help="also write the figures to this JSON file")
    args = parser.parse_args()
    Encoder.choose("float32")
    model = ReaderModel.load(Path(args.model)) if args.model else ReaderModel.cached()
    examples, groups, _sources = read_grouped(default_training_files())
    unseen = ~trained_danger_on(model, examples, groups)
    chosen = [e for e, keep in zip(examples, unseen) if keep]
    texts = [e.text for e in chosen]
    emergency = np.array([e.intent == Intent.EMERGENCY for e in chosen], dtype=bool)
    figures = measure(model, texts, emergency, encode_all(texts))
    figures["files"] = len({g for g, keep in zip(groups, unseen) if keep})
    put_figures(figures, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
