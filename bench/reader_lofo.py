"""Leave-one-file-out: the reader's recipe scored on messages written by a writer it never read.

``python bench/reader_lofo.py [--recipe NAME ...] [--epochs 150] [--output bench/results/reader_lofo.json]``

Each labelled training file (``knowledge/training/*.jsonl``, ``tests/bot/*_cases.jsonl``, ``../shared/eval/dev.jsonl``)
is written by one writer in one style, so random folds over them share writers and flatter the reader. Here, for
each file, the recipe is fitted on every *other* file and reads the left-out one; the readings go through the
router (lines, FAQ, alerts, rules) as in training, and are scored per file and pooled:

- intent accuracy and macro-F1 of the router's decision, complaint category accuracy (category head alone, on the
  file's labelled complaints);
- emergency recall and false alarms (calm messages sent to the emergency lane), the danger threshold for a file
  being the weakest left-out emergency of the *other* files (what a recipe choosing its threshold on
  leave-one-file-out readings would ship); ``pooled@1.0`` gives the false alarms at the pooled weakest emergency;
- auto-reply precision and coverage: the calibrator of a file is fitted on the other files' readings, its
  threshold chosen on theirs for precision 0.985 (the training target). It weighs the recipe's confidence facts:
  with ``faq_meaning`` (as ``TrainingParams``) also the two FAQ-meaning facts, which the router finds from the
  reading's encoder vector (each reading carries its message's), at the recipe's calibrator penalty.

Only the training data is read: no sealed set, no benchmark. Encoder vectors are kept in ``--cache`` (one row per
text, keyed by its hash). A recipe (``RECIPES``) says how the heads are fitted and what the calibrator weighs;
``shipped`` is the shipped model's (``recipe_of``: danger head alone at 1e-4, the 16 facts without FAQ meaning,
calibrator penalty 1e-3), ``current`` ``sportello train``'s of 2026-12-04 at one step count for every head.
Measurement only: nothing here is written to a model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reader_common import (  # noqa: E402
    ENCODER_CACHE, SHARED, encoder_vectors, eval_knowledge, eval_now,
)
from bot.domain import Action, Intent  # noqa: E402
from bot.evaluate import Labelled, Outcome, read_labelled, score  # noqa: E402
from bot.reading.features import Vocabulary  # noqa: E402
from bot.reading.linear import Linear, balanced_weights, fit  # noqa: E402
from bot.reading.model import (  # noqa: E402
    CATEGORIES, CONFIDENCE_FEATURES, INTENTS, LEGACY_CONFIDENCE_FEATURES, Reading, expand,
)
from bot.reading.training import (  # noqa: E402
    AUTO_PRECISION_TARGET, CALIBRATOR_L2, _auto_threshold, default_training_files, fit_calibrator, lookalikes,
)

EMERGENCY = INTENTS.index(Intent.EMERGENCY)
AUTO_INTENTS = (Intent.STATUS, Intent.FAQ, Intent.FEEDBACK)


@dataclass(frozen=True)
class Recipe:
    """How the reading heads are fitted (the knobs of ``bot.reading.training``)."""

    l2: float = 1e-4
    danger_l2: float = 3e-2
    blend: bool = True  # danger = mean of the danger head and the intent head's emergency
    vocabulary: int = 12000
    danger_power: float = 1.0  # class balance of the danger head
    lookalike_weight: float = 1.0  # weight of the look-alikes (calm messages marked lookalike) in the danger head
    faq_meaning: bool = True  # the calibrator also weighs how near in meaning the FAQ entry is (TrainingParams')
    calibrator_l2: float = CALIBRATOR_L2

    @property
    def confidence_features(self) -> tuple[str, ...]:
        """The facts the calibrator of this recipe weighs."""
        return CONFIDENCE_FEATURES if self.faq_meaning else LEGACY_CONFIDENCE_FEATURES


RECIPES: dict[str, Recipe] = {
    "shipped": Recipe(danger_l2=1e-4, blend=False, faq_meaning=False, calibrator_l2=1e-3),
    "current": Recipe(),
    "d1e-1": Recipe(danger_l2=1e-1),
    "lookalikes-x3": Recipe(lookalike_weight=3.0),
    "lookalikes-x3-d1e-1": Recipe(lookalike_weight=3.0, danger_l2=1e-1),
    "lookalikes-x5": Recipe(lookalike_weight=5.0),
    "l2-1e-3": Recipe(l2=1e-3),
    "l2-3e-3": Recipe(l2=3e-3),
    "l2-1e-3-d1e-1": Recipe(l2=1e-3, danger_l2=1e-1),
    "vocab-4000": Recipe(vocabulary=4000),
}


@dataclass
class Readings:
    """Left-out readings of every message."""

    intent: np.ndarray  # (n, intents)
    danger: np.ndarray  # (n,)
    category: np.ndarray  # (n, categories)


def examples_by_file(paths: list[Path]) -> tuple[list[Labelled], np.ndarray, list[str]]:
    """Every labelled message once (the last file naming a text keeps it), and the file it belongs to."""
    by_text: dict[str, tuple[Labelled, int]] = {}
    for n, path in enumerate(paths):
        for record in read_labelled(path):
            by_text[record.text.strip()] = (record, n)
    examples = [e for e, _ in by_text.values()]
    return examples, np.array([n for _, n in by_text.values()]), [p.stem for p in paths]


def _head(cache: dict, key: tuple, make: Callable[[], Linear]) -> Linear:
    if key not in cache:
        cache[key] = make()
    return cache[key]


def read_fold(recipe: Recipe, x: np.ndarray, rows: np.ndarray, intents: np.ndarray, categories: np.ndarray,
              has_category: np.ndarray, lookalike: np.ndarray, epochs: int, heads: dict) -> Readings:
    """The recipe's heads fitted on ``x`` (heads another recipe of the fold already fitted are shared), read ``rows``."""
    intent = _head(heads, ("intent", recipe.l2), lambda: fit(
        x, intents, len(INTENTS), l2=recipe.l2, epochs=epochs, sample_weight=balanced_weights(intents, len(INTENTS))))
    danger_y = (intents == EMERGENCY).astype(int)
    weights = balanced_weights(danger_y, 2, power=recipe.danger_power) * np.where(lookalike, recipe.lookalike_weight, 1.0)
    danger = _head(heads, ("danger", recipe.danger_l2, recipe.danger_power, recipe.lookalike_weight), lambda: fit(
        x, danger_y, 2, l2=recipe.danger_l2, epochs=epochs, sample_weight=weights))
    cat_y = categories[has_category]
    category = _head(heads, ("category", recipe.l2), lambda: fit(
        x[has_category], cat_y, len(CATEGORIES), l2=recipe.l2, epochs=epochs,
        sample_weight=balanced_weights(cat_y, len(CATEGORIES))))
    p = intent.proba(rows)
    d = danger.proba(rows)[:, 1]
    return Readings(p, (p[:, EMERGENCY] + d) / 2 if recipe.blend else d, category.proba(rows))


def lofo_readings(recipes: dict[str, Recipe], texts: list[str], emb: np.ndarray, intents: np.ndarray,
                  categories: np.ndarray, has_category: np.ndarray, file_of: np.ndarray, lookalike: np.ndarray,
                  epochs: int) -> dict[str, Readings]:
    """Each file read by each recipe fitted on every other file."""
    n = len(texts)
    out = {name: Readings(np.zeros((n, len(INTENTS)), np.float32), np.zeros(n, np.float32),
                          np.zeros((n, len(CATEGORIES)), np.float32)) for name in recipes}
    started = time.perf_counter()
    for f in np.unique(file_of):
        train, held = np.nonzero(file_of != f)[0], np.nonzero(file_of == f)[0]
        by_vocabulary: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        heads: dict = {}
        for name, recipe in recipes.items():
            if recipe.vocabulary not in by_vocabulary:
                heads.clear()
                vocab = Vocabulary.build([texts[i] for i in train], limit=recipe.vocabulary)
                by_vocabulary = {recipe.vocabulary: (
                    np.hstack([emb[train], vocab.matrix([texts[i] for i in train])]),
                    np.hstack([emb[held], vocab.matrix([texts[i] for i in held])]))}
            x_train, x_held = by_vocabulary[recipe.vocabulary]
            got = read_fold(recipe, x_train, x_held, intents[train], categories[train], has_category[train],
                            lookalike[train], epochs, heads)
            out[name].intent[held], out[name].danger[held], out[name].category[held] = \
                got.intent, got.danger, got.category
        print(f"  file {f + 1}: {len(held)} read ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    return out


def evaluate(readings: Readings, recipe: Recipe, examples: list[Labelled], emb: np.ndarray, file_of: np.ndarray,
             names: list[str], router: object, now: datetime) -> dict[str, dict[str, float | int | None]]:
    """Per-file and pooled figures of left-out readings routed as in training (each reading carries its message's
    encoder vector, from which the router finds the FAQ entry nearest in meaning), calibrated on the recipe's facts."""
    intents = np.array([INTENTS.index(Intent(e.intent)) for e in examples])
    is_danger = intents == EMERGENCY
    files = np.unique(file_of)
    threshold = {}
    for f in files:  # each file's danger threshold: the weakest left-out emergency of the other files
        others = is_danger & (file_of != f)
        threshold[f] = float(readings.danger[others].min())
    pooled_threshold = float(readings.danger[is_danger].min())
    outcomes, rows, right, cand = [], [], [], []
    calm = [i for i, intent in enumerate(INTENTS) if intent != Intent.EMERGENCY]
    for i, example in enumerate(examples):
        row = readings.intent[i]
        probs = dict(zip(INTENTS, row.tolist()))
        in_danger = bool(readings.danger[i] >= threshold[file_of[i]]) or int(np.argmax(row)) == EMERGENCY
        chosen = Intent.EMERGENCY if in_danger else INTENTS[max(calm, key=lambda j: row[j])]
        category = CATEGORIES[int(np.argmax(readings.category[i]))] if chosen == Intent.COMPLAINT else None
        reading = Reading(chosen, probs, float(readings.danger[i]), in_danger, category, None, 0.0, emb[i])
        facts = router.read(example.text, now=now, reading=reading)  # type: ignore[attr-defined]
        outcome = Outcome(example, facts.decision)
        outcomes.append(outcome)
        rows.append([facts.confidence_facts.get(name, 0.0) for name in recipe.confidence_features])
        right.append(int(example.auto_ok and outcome.answer_right))
        cand.append(facts.decision.intent in AUTO_INTENTS)
    x_cal, y_cal, candidate = np.array(rows, np.float32), np.array(right), np.array(cand)
    cal = np.zeros(len(examples), np.float32)
    for f in files:  # each file's confidence from a calibrator fitted on the other files
        fitted, held = candidate & (file_of != f), candidate & (file_of == f)
        if held.any():
            calibrator = fit_calibrator(x_cal[fitted], y_cal[fitted], recipe.calibrator_l2)
            cal[held] = calibrator.proba(expand(x_cal[held]))[:, 1]
    auto = np.zeros(len(examples), bool)
    for f in files:  # each file's auto-reply threshold chosen on the other files' held-out confidences
        others = candidate & (file_of != f)
        t, _, _ = _auto_threshold(cal[others], y_cal[others], AUTO_PRECISION_TARGET)
        auto[file_of == f] = candidate[file_of == f] & (cal[file_of == f] >= t)
    escalated = np.array([o.decision.action == Action.ESCALATE and o.decision.intent == Intent.EMERGENCY
                          for o in outcomes])
    cat_right = np.array([e.intent == "complaint" and e.category is not None
                          and CATEGORIES[int(np.argmax(readings.category[i]))] == e.category
                          for i, e in enumerate(examples)])
    has_cat = np.array([e.intent == "complaint" and e.category is not None for e in examples])

    def figures(mask: np.ndarray) -> dict[str, float | int | None]:
        idx = np.nonzero(mask)[0]
        metrics = score([outcomes[i] for i in idx]).metrics
        calm_m, danger_m = mask & ~is_danger, mask & is_danger
        posted = mask & auto
        r = lambda a, b: round(float(a) / float(b), 4) if b else None  # noqa: E731
        return {
            "messages": int(mask.sum()), "emergencies": int(danger_m.sum()),
            "intent": round(float(metrics["intent_accuracy"]), 4),
            "macro_f1": round(float(metrics["intent_macro_f1"]), 4),
            "category": r(cat_right[mask].sum(), has_cat[mask].sum()),
            "recall": r(escalated[danger_m].sum(), danger_m.sum()),
            "false_alarms": r(escalated[calm_m].sum(), calm_m.sum()),
            "false_alarms_pooled_1.0": r((readings.danger[calm_m] >= pooled_threshold).sum(), calm_m.sum()),
            "auto_precision": r(y_cal[posted].sum(), posted.sum()),
            "auto_coverage": r(y_cal[posted].sum(), y_cal[mask].sum()),
        }

    result = {names[f]: figures(file_of == f) for f in files}
    result["POOLED"] = figures(np.ones(len(examples), bool))
    result["POOLED"]["danger_threshold_pooled"] = round(pooled_threshold, 4)
    return result


def mistakes(readings: Readings, examples: list[Labelled], file_of: np.ndarray, names: list[str], top: int) -> None:
    """The weakest left-out emergencies, the calm messages scoring highest and the commonest intent confusions."""
    intents = np.array([INTENTS.index(Intent(e.intent)) for e in examples])
    danger = intents == EMERGENCY
    order = np.argsort(readings.danger)
    print("weakest emergencies:", file=sys.stderr)
    for i in [i for i in order if danger[i]][:top]:
        print(f"  {readings.danger[i]:.3f} [{names[file_of[i]]}] {examples[i].text[:110]}", file=sys.stderr)
    print("highest calm messages:", file=sys.stderr)
    for i in [i for i in order[::-1] if not danger[i]][:top]:
        print(f"  {readings.danger[i]:.3f} [{names[file_of[i]]}] ({examples[i].intent}) {examples[i].text[:100]}",
              file=sys.stderr)
    pred = readings.intent.argmax(axis=1)
    pairs: dict[tuple[str, str], int] = {}
    for g, p in zip(intents, pred):
        if g != p:
            key = (str(INTENTS[g]), str(INTENTS[p]))
            pairs[key] = pairs.get(key, 0) + 1
    print("intent confusions (gold -> read):", sorted(pairs.items(), key=lambda kv: -kv[1])[:12], file=sys.stderr)


def table(name: str, result: dict[str, dict[str, float | int | None]]) -> str:
    """The figures as a markdown table."""
    cols = ("messages", "emergencies", "intent", "macro_f1", "category", "recall", "false_alarms",
            "false_alarms_pooled_1.0", "auto_precision", "auto_coverage")
    lines = [f"### {name}", "| file | " + " | ".join(cols) + " |", "| --- |" + " ---: |" * len(cols)]
    for file, fig in result.items():
        lines.append(f"| {file} | " + " | ".join("" if fig.get(c) is None else str(fig.get(c)) for c in cols) + " |")
    return "\n".join(lines)


def main() -> int:
    """Read every file left out by each recipe; print the tables (and the pooled errors with ``--mistakes``)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipe", action="append", help=f"recipes to compare (default: all of {list(RECIPES)})")
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--cache", default=ENCODER_CACHE, help="where encoder vectors are kept")
    parser.add_argument("--mistakes", type=int, default=0, help="print this many of the pooled worst readings")
    parser.add_argument("--output", help="also write the figures to this JSON file")
    args = parser.parse_args()
    from bot.reading.model import ReaderModel
    from bot.reading.router import Router

    now = eval_now()
    router = Router(eval_knowledge(now), model=replace(ReaderModel.load(), auto_threshold=1.01))
    paths = default_training_files(SHARED)
    examples, file_of, names = examples_by_file(paths)
    texts = [e.text for e in examples]
    emb = encoder_vectors(texts, Path(args.cache))
    intents = np.array([INTENTS.index(Intent(e.intent)) for e in examples])
    has_category = np.array([e.intent == "complaint" and e.category is not None for e in examples])
    categories = np.array([CATEGORIES.index(e.category) if h else 0 for e, h in zip(examples, has_category)])  # type: ignore[arg-type]
    chosen = {name: RECIPES[name] for name in args.recipe or list(RECIPES)}
    print(f"recipes: {chosen}", file=sys.stderr, flush=True)
    lookalike = lookalikes(examples)
    readings = lofo_readings(chosen, texts, emb, intents, categories, has_category, file_of, lookalike, args.epochs)
    results = {}
    for name in chosen:
        results[name] = evaluate(readings[name], chosen[name], examples, emb, file_of, names, router, now)
        if args.mistakes:
            print(f"--- {name}", file=sys.stderr)
            mistakes(readings[name], examples, file_of, names, args.mistakes)
        print(table(f"{name} ({args.epochs} epochs)", results[name]), flush=True)
    if args.output:
        Path(args.output).write_text(json.dumps({"epochs": args.epochs, "recipes": results}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
