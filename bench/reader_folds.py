"""The split recipe's auto-reply threshold from random held-out folds and from folds that never split a writer.

``python bench/reader_folds.py [--cache FILE] [--output bench/results/reader_folds.json]``

The calm part of the model in service is trained as ``sportello train --recipe split`` trains it (its danger part
kept, :func:`bot.reading.calm.train_calm`) on every labelled file of the repository and the shared dev set, once
with random folds (``TrainingParams.writer_folds`` off) and once with writer-grouped folds (on); the danger part's
held-out readings (its own recipe's folds) are read once and shared. For each: the threshold, held-out precision and
coverage training reports. Then both thresholds are applied to the writer-grouped cross-fitted confidences (read by
heads and calibrators that never saw the message's writer): what each threshold posts for writers not trained on,
pooled and file by file (files under 0.98). No gate, no model written; no sealed set or benchmark is read.

Measured on 2026-12-05 (42 files, 9,963 messages, danger part of ``202612050909-bbb1eee1``; 12 minutes at a load of
6-9, ``bench/results/reader_folds.json``): random folds choose 0.9456 (held-out precision 0.985, coverage 0.644, the
figures of ``202612051224-8561d907``), writer-grouped folds 0.9663 (0.985, coverage 0.465). Read on the
writer-grouped confidences, 0.9456 posts 2,302 answers at 0.981 with 12 files under 0.98; the 607 answers between
the two thresholds are right 0.972 of the time, under the 0.985 promised (the sealed sets found 0.88 for them).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reader_common import ENCODER_CACHE, encoder_vectors, eval_knowledge, eval_now, put_figures  # noqa: E402


def posted_figures(scores: np.ndarray, right: np.ndarray, candidate: np.ndarray, groups: list[str],
                   threshold: float) -> dict[str, Any]:
    """What ``threshold`` posts of the candidates: precision, coverage, count, and the files under 0.98."""
    posted = candidate & (scores >= threshold)
    files: dict[str, float] = {}
    for name in sorted(set(groups)):
        mine = posted & (np.array(groups) == name)
        if mine.sum() >= 10:
            files[name] = round(float(right[mine].mean()), 4)
    return {"threshold": round(float(threshold), 4), "posted": int(posted.sum()),
            "precision": round(float(right[posted].mean()) if posted.any() else 1.0, 4),
            "coverage": round(float(right[posted].sum() / max(1, right[candidate].sum())), 4),
            "files_under_0.98": {k: v for k, v in files.items() if v < 0.98}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", default=ENCODER_CACHE, help="encoder vectors kept between runs")
    parser.add_argument("--output", help="write the figures here too")
    args = parser.parse_args()

    import bot.reading.calm as calm
    from bot.reading.model import ReaderModel
    from bot.reading.training import (TrainingParams, cross_fitted, default_training_files, held_out_folds,
                                      read_grouped)

    files = default_training_files()
    examples, groups, _ = read_grouped(files)
    embeddings = encoder_vectors([e.text for e in examples], Path(args.cache))
    now = eval_now()
    knowledge = eval_knowledge(now)
    service = ReaderModel.load()
    kept: dict[str, Any] = {}
    original = calm.held_out_danger

    def once(*a: Any, **k: Any) -> Any:  # the danger part's readings are the same for both fold settings
        if "readings" not in kept:
            kept["readings"] = original(*a, **k)
        return kept["readings"]

    calm.held_out_danger = once  # type: ignore[assignment]
    figures: dict[str, Any] = {"files": len(files), "messages": len(examples), "danger_from": service.version}
    scores: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for name, writer in (("random", False), ("writer", True)):
        params = TrainingParams(keep_danger=True, writer_folds=writer)
        _, report = calm.train_calm(examples, knowledge, service, now=now, params=params, embeddings=embeddings,
                                    groups=groups, progress=lambda s: print(f"{name}: {s}", file=sys.stderr))
        held = report.held_out
        figures[name] = {k: held[k] for k in ("auto_threshold", "auto_precision", "auto_coverage", "intent_accuracy")}
        x, right, candidate = report.calibration[:3]
        fold, folds = held_out_folds(examples, groups, params)
        scores[name] = (cross_fitted(x, right, candidate, fold, folds, params.calibrator_l2), right, candidate)
    honest, right, candidate = scores["writer"]
    figures["on_writer_folds"] = {name: posted_figures(honest, right, candidate, groups, figures[name]["auto_threshold"])
                                  for name in ("random", "writer")}
    low, high = sorted(figures[name]["auto_threshold"] for name in ("random", "writer"))
    between = candidate & (honest >= low) & (honest < high)
    figures["on_writer_folds"]["between"] = {"posted": int(between.sum()),
                                             "precision": round(float(right[between].mean()) if between.any() else 1, 4)}
    put_figures(figures, args.output)


if __name__ == "__main__":
    main()
