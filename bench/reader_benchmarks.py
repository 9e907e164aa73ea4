"""The reader's learning machinery on public intent benchmarks: Banking77 10-shot and CLINC150 out-of-scope.

The same features (multilingual USE embedding beside character n-gram tf-idf) and the same numpy softmax
regression as the transit reader, fitted on each benchmark's own train split only; CLINC150's threshold on
the top probability is chosen on its validation split; every figure is on the test split.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reader_common import SHARED, put_figures  # noqa: E402
from bot.reading.features import Encoder, Vocabulary  # noqa: E402
from bot.reading.linear import fit  # noqa: E402

BENCH = SHARED / "benchmarks"


def _encode(texts: list[str]) -> np.ndarray:
    return np.vstack([Encoder.encode(texts[i:i + 128]) for i in range(0, len(texts), 128)])


def _features(texts: list[str], vocab: Vocabulary | None, emb: np.ndarray) -> np.ndarray:
    return emb if vocab is None else np.hstack([emb, vocab.matrix(texts)])


def banking77(shots: int, seed: int) -> dict[str, float]:
    """Top-1 accuracy on the test split with ``shots`` train examples per intent."""
    def read(name: str) -> list[tuple[str, str]]:
        with (BENCH / "banking77" / name).open(encoding="utf-8") as fh:
            return [(row["text"], row["category"]) for row in csv.DictReader(fh)]

    train, test = read("train.csv"), read("test.csv")
    rng = random.Random(seed)
    by_label: dict[str, list[str]] = {}
    for text, label in train:
        by_label.setdefault(label, []).append(text)
    labels = sorted(by_label)
    chosen = [(t, labels.index(lab)) for lab in labels for t in rng.sample(by_label[lab], shots)]
    texts = [t for t, _ in chosen]
    vocab = Vocabulary.build(texts, min_count=1, limit=12000)
    x = _features(texts, vocab, _encode(texts))
    model = fit(x, np.array([y for _, y in chosen]), len(labels), l2=1e-4, epochs=200)
    test_texts = [t for t, _ in test]
    started = time.perf_counter()
    pred = model.proba(_features(test_texts, vocab, _encode(test_texts))).argmax(axis=1)
    elapsed = time.perf_counter() - started
    gold = np.array([labels.index(lab) for _, lab in test])
    return {"shots": shots, "accuracy": round(float((pred == gold).mean()), 4), "test": len(test),
            "ms_per_query": round(elapsed / len(test) * 1000, 3)}


def clinc150() -> dict[str, float]:
    """In-scope accuracy and out-of-scope recall at the validation-chosen threshold (Larson et al. 2019)."""
    data = json.loads((BENCH / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    labels = sorted({lab for _, lab in data["train"]})
    train_texts = [t for t, _ in data["train"]]
    x = _encode(train_texts)
    model = fit(x, np.array([labels.index(lab) for _, lab in data["train"]]), len(labels), l2=1e-4, epochs=150)

    def run(split: str, oos: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        texts = [t for t, _ in data[split]] + [t for t, _ in data[oos]]
        gold = np.array([labels.index(lab) for _, lab in data[split]] + [-1] * len(data[oos]))
        p = model.proba(_encode(texts))
        return p.max(axis=1), p.argmax(axis=1), gold

    def figures(conf: np.ndarray, pred: np.ndarray, gold: np.ndarray, threshold: float) -> tuple[float, float]:
        said = np.where(conf >= threshold, pred, -1)
        inscope = gold >= 0
        return float((said[inscope] == gold[inscope]).mean()), float((said[~inscope] == -1).mean())

    conf, pred, gold = run("val", "oos_val")
    best = max(np.linspace(0.0, 1.0, 201), key=lambda t: (np.where(conf >= t, pred, -1) == gold).mean())
    conf, pred, gold = run("test", "oos_test")
    accuracy, recall = figures(conf, pred, gold, float(best))
    return {"threshold": round(float(best), 3), "in_scope_accuracy": round(accuracy, 4), "oos_recall": round(recall, 4)}


def main() -> int:
    """Run both benchmarks and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--output", help="also write the figures to this JSON file")
    args = parser.parse_args()
    started = f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"
    load_before = os.getloadavg()[0]
    figures: dict[str, object] = {"banking77": banking77(10, args.seed), "clinc150": clinc150()}
    figures["measured"] = {"at": started, "seed": args.seed,
                           "load_average_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
    put_figures(figures, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
