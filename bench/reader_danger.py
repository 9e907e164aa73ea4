"""Danger readers compared on held-out folds of the training data: recall-first threshold and false alarms.

``python bench/reader_danger.py [--seeds 0,1] [--output bench/results/reader_danger.json]`` fits, on each
fold's other folds, the intent head and the danger-head variants the reader could use, scores the held-out
fold, and for every way of reading danger reports the threshold that keeps recall 1.0 (the weakest held-out
emergency still fires), the false-alarm rate at that threshold on calm messages and on the look-alikes alone
(the calm messages of the files written beside danger scenes: past, figurative, rules, news), the same at the
third-weakest emergency (how much the two weakest cost) and the weakest emergencies. Only the training data
is read (``bot.reading.training.default_training_files``): no sealed set, no benchmark.
"""

from __future__ import annotations

import argparse
import functools
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.domain import Intent  # noqa: E402
from bot.evaluate import read_labelled  # noqa: E402
from bot.reading.features import Encoder, Vocabulary  # noqa: E402
from bot.reading.linear import balanced_weights, fit  # noqa: E402
from bot.reading.model import INTENTS  # noqa: E402
from bot.reading.training import _folds, default_training_files, read_examples  # noqa: E402

EMERGENCY = INTENTS.index(Intent.EMERGENCY)


#: the training files written as danger scenes beside their look-alikes: their calm messages are the look-alikes
LOOKALIKE_FILES = ("danger_scenes", "multilingual_danger", "danger_lookalikes", "danger_now_vs_lookalikes",
                   "calm_children_elderly")


def lookalike_texts(paths: list[Path]) -> set[str]:
    """The calm messages of the files that hold danger scenes and their look-alikes."""
    out: set[str] = set()
    for path in paths:
        if Path(path).stem in LOOKALIKE_FILES:
            out |= {r.text.strip() for r in read_labelled(path) if r.intent != "emergency"}
    return out


def _head(x: np.ndarray, y: np.ndarray, held: np.ndarray, l2: float, weights: np.ndarray, epochs: int) -> np.ndarray:
    """A binary danger head fitted on ``x``, its danger probability on ``held``."""
    return fit(x, y, 2, l2=l2, epochs=epochs, sample_weight=weights).proba(held)[:, 1]


def figures(score: np.ndarray, danger: np.ndarray, lookalike: np.ndarray, texts: list[str]) -> dict[str, object]:
    """Recall-first threshold and the false alarms it costs, overall and on look-alikes."""
    ranked = np.sort(score[danger])
    threshold, third = float(ranked[0]), float(ranked[min(2, len(ranked) - 1)])
    calm = ~danger
    weakest = np.nonzero(danger)[0][np.argsort(score[danger])[:3]]
    return {
        "threshold": round(threshold, 4),
        "false_alarm_rate": round(float((score[calm] >= threshold).mean()), 4),
        "lookalike_false_alarm_rate": round(float((score[lookalike] >= threshold).mean()), 4),
        "third_weakest_threshold": round(third, 4),
        "false_alarm_rate_at_third_weakest": round(float((score[calm] >= third).mean()), 4),
        "weakest": [[round(float(score[i]), 3), texts[i][:80]] for i in weakest],
    }


def main() -> int:
    """Fit the heads fold by fold, print and optionally write the figures of each danger reading."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default="0", help="fold seeds, comma-separated (each is a full cross-fit)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--output", help="also write the figures to this JSON file")
    args = parser.parse_args()
    paths = default_training_files()
    examples, _sources = read_examples(paths)
    texts = [e.text for e in examples]
    intents = np.array([INTENTS.index(Intent(e.intent)) for e in examples])
    danger = intents == EMERGENCY
    looks = lookalike_texts(paths)
    lookalike = np.array([t.strip() in looks for t in texts])
    embeddings = np.vstack([Encoder.encode(texts[i:i + 64]) for i in range(0, len(texts), 64)])
    result: dict[str, object] = {"messages": len(texts), "emergencies": int(danger.sum()),
                                 "lookalikes": int(lookalike.sum()), "seeds": {}}
    for seed in (int(s) for s in args.seeds.split(",")):
        started = time.process_time()
        fold = _folds(examples, args.folds, seed)
        views: dict[str, np.ndarray] = {}

        def put(name: str, held: np.ndarray, values: np.ndarray) -> None:
            views.setdefault(name, np.zeros(len(texts), dtype=np.float32))[held] = values

        for k in range(args.folds):
            train, held = np.nonzero(fold != k)[0], np.nonzero(fold == k)[0]
            vocab = Vocabulary.build([texts[i] for i in train], limit=12000)
            x_train = np.hstack([embeddings[train], vocab.matrix([texts[i] for i in train])])
            x_held = np.hstack([embeddings[held], vocab.matrix([texts[i] for i in held])])
            y = intents[train]
            intent = fit(x_train, y, len(INTENTS), l2=1e-4, epochs=args.epochs,
                         sample_weight=balanced_weights(y, len(INTENTS))).proba(x_held)[:, EMERGENCY]
            put("intent head's emergency", held, intent)
            d = danger[train].astype(int)
            balanced = balanced_weights(d, 2, power=1.0)
            heads: dict[str, Callable[[], np.ndarray]] = {
                f"danger head l2 {l2:g}": functools.partial(_head, x_train, d, x_held, l2, balanced, args.epochs)
                for l2 in (1e-4, 1e-2, 3e-2)
            }
            heads["danger head over the embedding alone, l2 0.01"] = functools.partial(
                _head, embeddings[train], d, embeddings[held], 1e-2, balanced, args.epochs)
            heads["danger head l2 0.0001, look-alikes weighed x2"] = functools.partial(
                _head, x_train, d, x_held, 1e-4, balanced * np.where(lookalike[train], 2.0, 1.0), args.epochs)
            for name, head in heads.items():
                alone = head()
                put(name, held, alone)
                put(f"mean of intent's emergency and {name}", held, (intent + alone) / 2)
            print(f"seed {seed} fold {k + 1}/{args.folds} ({time.process_time() - started:.0f} s CPU)",
                  file=sys.stderr, flush=True)
        result["seeds"][str(seed)] = {name: figures(score, danger, lookalike, texts) for name, score in views.items()}
    text = json.dumps(result, indent=1, ensure_ascii=False)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
