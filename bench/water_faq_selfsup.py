"""Self-supervised from the water FAQ's entries alone: four ideas replayed on the dev writers' questions.

    .venv/bin/python bench/water_faq_selfsup.py --cache-dir DIR [--json bench/results/water_faq_selfsup.json]

Each idea learns only from the entry set (questions, answers, tags), never from a citizen's question; the
dev questions of writer A (water_faq_dev, check, more, fresh) and writer B (water_faq_tune) only measure it.
The engine's own signals are computed once (`FusedFaqIndex` internals) and replayed; the replay of the engine
as it is gives bench/water_faq.py's figures exactly. Only aggregate figures are printed.

1. Learned word associations: IBM model 1 between each entry's answer and tags and its question, a message's
   words bringing in the question words they translate to (like the hand-written synonyms, into BM25).
2. Within-entry covariance normalisation of e5 (WCCN): the directions along which an entry's own texts (its
   question as passage and as query, its answer sentences) differ are shrunk, so wording counts less than subject.
3. A ranker of the top 20 (logistic regression over the four signals, their gaps and the fused score) fitted on
   pseudo-queries: each entry's question with the words typical of the FAQ's questions dropped and 40% of the
   others dropped at random, right when it ranks the entry (or one asking the same) first.
4. A line per entry: an entry that leave-one-out questions land on (an attractor) answers alone only above
   what they reached there.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.water_faq import DEFAULT_FAQ, read_questions, read_water_faq  # noqa: E402
from knowledge.faq_fused import (  # noqa: E402
    _STOP,
    FusedFaqIndex,
    _above,
    _best_per_entry,
    _confidence,
    _Message,
    answer_sentences,
)
from knowledge.text import normalise, stem  # noqa: E402

WRITERS = {"A": ("water_faq_dev", "water_faq_check", "water_faq_more", "water_faq_fresh"), "B": ("water_faq_tune",)}
RATE = 0.3  # the engine's calibration rate
TOP = 20


@dataclass
class Asked:
    """One message (a dev question, a leave-one-out question or a pseudo-query) and the engine's signals for it."""

    text: str
    signals: np.ndarray  # 4 x entries: BM25, USE on questions, centred e5 on questions, on answer sentences
    e5: np.ndarray  # the message's centred e5 vector
    use: np.ndarray  # the message's USE vector
    golds: tuple[int, ...] = ()  # entries that answer it (empty: unanswerable)
    left_out: tuple[int, ...] = ()  # entries taken out of the index for it (leave-one-out)


def model1(sources: Sequence[Sequence[str]], targets: Sequence[Sequence[str]], rounds: int = 10) -> dict:
    """IBM model 1: P(target word | source word), learned by EM over aligned word lists (a null word included)."""
    t: dict[tuple[str, str], float] = defaultdict(lambda: 1.0)
    for _ in range(rounds):
        count: dict[tuple[str, str], float] = defaultdict(float)
        total: dict[str, float] = defaultdict(float)
        for source, target in zip(sources, targets, strict=True):
            words = [*sorted(set(source)), "<null>"]
            for w in sorted(set(target)):
                z = sum(t[(w, s)] for s in words)
                for s in words:
                    share = t[(w, s)] / z
                    count[(w, s)] += share
                    total[s] += share
        t = defaultdict(float, {key: value / total[key[1]] for key, value in count.items()})
    return dict(t)


def translations(table: dict, top: int, floor: float) -> dict[str, list[tuple[float, str]]]:
    """Each source word's best `top` other target words of probability at least `floor`."""
    by_source: dict[str, list[tuple[float, str]]] = defaultdict(list)
    for (w, s), p in table.items():
        if s != "<null>" and w != s and p >= floor:
            by_source[s].append((p, w))
    return {s: sorted(pairs, reverse=True)[:top] for s, pairs in by_source.items()}


def wccn(texts: np.ndarray, owners: np.ndarray, alpha: float, power: float = 0.25) -> np.ndarray:
    """(S_w / mean eigenvalue + alpha I)^(-power), S_w the covariance of texts around their own entry's mean."""
    means = np.zeros((int(owners.max()) + 1, texts.shape[1]))
    np.add.at(means, owners, texts)
    means /= np.maximum(np.bincount(owners, minlength=len(means)), 1)[:, None]
    residual = texts - means[owners]
    within = residual.T @ residual / len(residual)
    within *= within.shape[0] / np.trace(within)
    values, vectors = np.linalg.eigh(within)
    return vectors @ np.diag((np.maximum(values, 0.0) + alpha) ** -power) @ vectors.T


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float, steps: int = 50) -> Callable[[np.ndarray], np.ndarray]:
    """L2-penalised logistic regression by Newton steps on standardised features; returns the logit."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = np.hstack([(x - mu) / sd, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = l2 * np.eye(len(w))
    penalty[-1, -1] = 0.0
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(z @ w)))
        hessian = (z * (p * (1 - p))[:, None]).T @ z + penalty + 1e-9 * np.eye(len(w))
        w -= np.linalg.solve(hessian, z.T @ (p - y) + penalty @ w)
    return lambda rows: np.hstack([(rows - mu) / sd, np.ones((len(rows), 1))]) @ w


class Replay:
    """The engine's signals for the dev questions and the leave-one-out questions, and figures from them."""

    def __init__(self, index: FusedFaqIndex, sets: dict[str, list[dict]]) -> None:
        self.index = index
        self.n = len(index.entries)
        self.ids = [entry.id for entry in index.entries]
        w = index.weights
        self.weights = np.array([w.lexical, w.question, w.e5, w.answer_e5])
        self.sets = {name: [self.ask(q["text"], q) for q in questions] for name, questions in sets.items()}
        first: dict[int, int] = {}
        for q, e in enumerate(index._question_entry):
            first.setdefault(e, q)
        self.loo = []
        for e in range(self.n):
            q = first[e]
            text = index._question_texts[q]
            message = _Message(index._asked_vectors[q], index._e5_space.asked[q], index._query_terms(text))
            self.loo.append(Asked(index._question_texts[q], self.signals(message), message.e5, message.vector, (),
                                  tuple(index._same_as(e))))

    def ask(self, text: str, labels: dict | None = None) -> Asked:
        message = self.index._message(text)
        golds: tuple[int, ...] = ()
        if labels and labels.get("faq_id") is not None:
            wanted = {str(i) for i in labels.get("faq_ids") or [labels["faq_id"]]}
            golds = tuple(e for e, i in enumerate(self.ids) if i in wanted)
        return Asked(text, self.signals(message), message.e5, message.vector, golds)

    def signals(self, message: _Message) -> np.ndarray:
        index, n = self.index, self.n
        space = index._e5_space
        return np.vstack([
            index._lexical(message.terms),
            np.clip(_best_per_entry(index._question_vectors @ message.vector, index._question_entry_array, n), 0.0, 1.0),
            self.e5_signals(message.e5, space.questions, space.sentences, index._e5_floors),
        ])

    def e5_signals(self, e5: np.ndarray, questions: np.ndarray, sentences: np.ndarray, floors: tuple) -> np.ndarray:
        """Centred e5 on the entries' questions and on their answer sentences, above their floors."""
        index, n = self.index, self.n
        return np.stack([
            _above(_best_per_entry(questions @ e5, index._question_entry_array, n), floors[0]),
            _above(_best_per_entry(sentences @ e5, index._sentence_entry_array, n), floors[1]),
        ])

    def line(self, score: Callable[[Asked], np.ndarray]) -> float:
        """The confidence line from the leave-one-out questions at the engine's rate, as the engine calibrates."""
        confidences = []
        for asked in self.loo:
            s = score(asked).copy()
            s[list(asked.left_out)] = -1.0
            confidences.append(_confidence(np.sort(s)[::-1]))
        confidences.sort()
        return confidences[min(len(confidences) - 1, math.ceil((1 - RATE) * len(confidences)))]

    def counts(
        self,
        score: Callable[[Asked], np.ndarray] | None = None,
        alone: Callable[[int, float], bool] | None = None,
    ) -> dict[str, dict[str, int]]:
        """Per dev set: answerable, right at top-1, answered alone, answered alone and right, unanswerable, left."""
        score = score or (lambda asked: self.weights @ asked.signals)
        line = self.line(score)
        out = {}
        for name, rows in self.sets.items():
            c = dict.fromkeys(("answerable", "right", "answered", "answered_right", "unanswerable", "left"), 0)
            for asked in rows:
                s = score(asked)
                best = int(np.argmax(s))
                confidence = _confidence(np.sort(s)[::-1])
                posted = confidence >= line and (alone is None or alone(best, confidence))
                c["answered"] += posted
                if not asked.golds:
                    c["unanswerable"] += 1
                    c["left"] += not posted
                    continue
                hit = best in asked.golds
                c["answerable"] += 1
                c["right"] += hit
                c["answered_right"] += posted and hit
            out[name] = c
        return out

    def figures(
        self,
        score: Callable[[Asked], np.ndarray] | None = None,
        alone: Callable[[int, float], bool] | None = None,
    ) -> dict[str, dict]:
        """Top-1, precision / coverage answering alone and unanswerable left, for each writer."""
        counts = self.counts(score, alone)
        return {writer: _figures([counts[name] for name in names]) for writer, names in WRITERS.items()}


def _figures(counts: Sequence[dict[str, int]]) -> dict:
    c = {key: sum(one[key] for one in counts) for key in counts[0]}
    return {
        "top1": round(c["right"] / c["answerable"], 3), "right": c["right"], "answerable": c["answerable"],
        "precision": round(c["answered_right"] / c["answered"], 3) if c["answered"] else 1.0,
        "coverage": round(c["answered_right"] / c["answerable"], 3),
        "unanswerable_left": f"{c['left']}/{c['unanswerable']}",
    }


def leave_one_set_out(settings: Sequence[dict], counts: Sequence[dict[str, dict[str, int]]]) -> dict:
    """Each dev set scored at the setting the four others rank first (top-1, then precision, then answered right);
    pooled: the five left-out scorings added up."""
    def rank(c: dict[str, int]) -> tuple:
        return c["right"], c["answered_right"] / max(1, c["answered"]), c["answered_right"]

    names = list(counts[0])
    sets, held_out = {}, []
    for held in names:
        pooled = [{key: sum(one[n][key] for n in names if n != held) for key in one[held]} for one in counts]
        best = max(range(len(counts)), key=lambda i: rank(pooled[i]))
        held_out.append(counts[best][held])
        sets[held] = {"chosen": settings[best], **_figures([counts[best][held]])}
    return {"pooled_left_out": _figures(held_out), "sets": sets}


def entry_words(text: str) -> list[str]:
    return [stem(word) for word in normalise(text).split() if word not in _STOP]


def associations(replay: Replay) -> list[dict]:
    """1. A message's words bring in the question words the FAQ's answers and tags translate to, into BM25."""
    entries = replay.index.entries
    questions = [entry_words(" ".join(q for qs in e.questions.values() for q in qs)) for e in entries]
    answers = [entry_words(" ".join(e.answer.values()) + " " + ", ".join(e.tags)) for e in entries]
    table = model1(answers, questions)
    rows = []
    for weight in (0.25, 0.5, 1.0):
        for top in (1, 3):
            learned = translations(table, top, 0.1)
            lexical: dict[str, np.ndarray] = {}

            def expanded(asked: Asked, learned=learned, weight=weight, lexical=lexical) -> np.ndarray:
                if asked.text not in lexical:
                    terms = replay.index._query_terms(asked.text)
                    for word in [t for t, w in terms.items() if w == 1.0]:
                        for p, other in learned.get(word, []):
                            terms[other] = max(terms.get(other, 0.0), min(weight * p, 0.99))
                    lexical[asked.text] = replay.index._lexical(terms)
                return replay.weights @ np.vstack([lexical[asked.text][None], asked.signals[1:]])

            rows.append({"weight": weight, "words_a_word": top, **replay.figures(expanded)})
    return rows


def within_entry_normalisation(replay: Replay) -> dict:
    """2. USE and e5 with the directions an entry's own texts vary along shrunk (WCCN): each encoder alone, then
    both in the fused score at the engine's weights and with e5 weighed more; the setting each writer would pick
    and the other writer's figures there."""
    index = replay.index
    space = index._e5_space
    unit = lambda rows: rows / np.linalg.norm(rows, axis=-1, keepdims=True)  # noqa: E731
    sentences, sentence_owner = [], []
    for e, entry in enumerate(index.entries):
        for answer in entry.answer.values():
            for sentence in answer_sentences(answer):
                sentences.append(sentence)
                sentence_owner.append(e)
    use_texts = np.vstack([index._question_vectors, index._asked_vectors, index._encode(sentences)])
    use_owners = np.concatenate([index._question_entry_array, index._question_entry_array, np.asarray(sentence_owner)])
    e5_texts = np.vstack([space.questions, space.asked, space.sentences])
    e5_owners = np.concatenate([index._question_entry_array, index._question_entry_array, index._sentence_entry_array])
    everyone = _all(replay)
    use_signals, e5_signals = {}, {}
    for alpha in (1.0, 3.0, 10.0):
        transform = wccn(use_texts, use_owners, alpha)
        questions = unit(index._question_vectors @ transform)
        use_signals[alpha] = {id(a): np.clip(_best_per_entry(questions @ unit((a.use @ transform)[None])[0],
                                                             index._question_entry_array, replay.n), 0.0, 1.0)
                              for a in everyone}
        transform = wccn(e5_texts, e5_owners, alpha)
        moved = _Moved(unit(space.questions @ transform), unit(space.sentences @ transform), unit(space.asked @ transform))
        floors = type(space).floors(moved, index._question_entry_array, index._sentence_entry_array, replay.n)
        e5_signals[alpha] = {id(a): replay.e5_signals(unit((a.e5 @ transform)[None])[0], moved.questions,
                                                      moved.sentences, floors) for a in everyone}
    alone = [{"signal": "USE", "alpha": None, **replay.figures(lambda a: a.signals[1])},
             {"signal": "e5", "alpha": None, **replay.figures(lambda a: a.signals[2])}]
    for alpha in use_signals:
        alone.append({"signal": "USE", "alpha": alpha, **replay.figures(lambda a, u=use_signals[alpha]: u[id(a)])})
        alone.append({"signal": "e5", "alpha": alpha, **replay.figures(lambda a, s=e5_signals[alpha]: s[id(a)][0])})
    fused, every = [], []
    for use_alpha in (None, *use_signals):
        for e5_alpha in (None, *e5_signals):
            for weights in ((0.25, 0.25, 1 / 3, 1 / 6), (0.2, 0.2, 0.4, 0.2)):
                w = np.array(weights)

                def score(a: Asked, w=w, u=use_signals.get(use_alpha), s=e5_signals.get(e5_alpha)) -> np.ndarray:
                    return w @ np.vstack([a.signals[:1], a.signals[1:2] if u is None else u[id(a)][None],
                                          a.signals[2:] if s is None else s[id(a)]])

                counts = replay.counts(score)
                setting = {"use_alpha": use_alpha, "e5_alpha": e5_alpha, "weights": [round(x, 3) for x in weights]}
                fused.append({**setting, **{w: _figures([counts[n] for n in names]) for w, names in WRITERS.items()}})
                every.append((setting, counts))
    left_out = leave_one_set_out([s for s, _ in every], [c for _, c in every])
    return {"alone": alone, "fused": fused, "picks": _picks(fused), "left_out": [left_out]}


class _Moved:
    """Transformed e5 texts, in the shape `_E5Space.floors` reads."""

    def __init__(self, questions: np.ndarray, sentences: np.ndarray, asked: np.ndarray) -> None:
        self.questions, self.sentences, self.asked = questions, sentences, asked


def _picks(rows: list[dict]) -> list[dict]:
    """Leave one writer out: the row each writer ranks first (top-1, then precision, then coverage), with the
    other writer's figures there."""
    picks = []
    for writer, other in (("A", "B"), ("B", "A")):
        best = max(rows, key=lambda r: (r[writer]["top1"], r[writer]["precision"], r[writer]["coverage"]))
        picks.append({"chosen_on": writer, "setting": {k: v for k, v in best.items() if k not in ("A", "B")},
                      "chosen_figures": best[writer], "measured_on": other, "figures": best[other]})
    return picks


def pseudo_query_ranker(replay: Replay) -> list[dict]:
    """3. A top-20 ranker fitted on reworded entry questions (pseudo-queries whose entry is known)."""
    index = replay.index
    entries = index.entries
    question_df: dict[str, int] = defaultdict(int)
    answer_df: dict[str, int] = defaultdict(int)
    for entry in entries:
        for word in set(entry_words(" ".join(q for qs in entry.questions.values() for q in qs))):
            question_df[word] += 1
        for word in set(entry_words(" ".join(entry.answer.values()))):
            answer_df[word] += 1
    formal = {w for w, c in question_df.items() if c >= 3 and c > answer_df.get(w, 0)}
    rng = random.Random(7)
    pseudo = []
    for e, entry in enumerate(entries):
        kept = [w for w in next(iter(entry.questions.values()))[0].split()
                if normalise(w).strip() in _STOP or (stem(normalise(w).strip()) not in formal and rng.random() < 0.6)]
        asked = replay.ask(" ".join(kept))
        asked.golds = tuple(index._same_as(e))
        pseudo.append(asked)

    def features(asked: Asked, blocked: Sequence[int] = ()) -> tuple[np.ndarray, np.ndarray]:
        s = replay.weights @ asked.signals
        if blocked:
            s = s.copy()
            s[list(blocked)] = -1.0
        top = np.argsort(-s, kind="stable")[:TOP]
        sig = asked.signals[:, top]
        return top, np.hstack([sig.T, (sig - sig.max(1, keepdims=True)).T, s[top][:, None], (s[top] - s[top[0]])[:, None],
                               (np.arange(TOP) / TOP)[:, None]])

    x, y = [], []
    for asked in pseudo:
        top, f = features(asked)
        labels = np.isin(top, asked.golds)
        if labels.any():
            x.append(f)
            y.append(labels.astype(float))
    rows = []
    for l2 in (1.0, 10.0, 100.0):
        model = fit_logistic(np.vstack(x), np.concatenate(y), l2)

        def reranked(asked: Asked, model=model) -> np.ndarray:
            top, f = features(asked, asked.left_out)
            z = model(f)
            p = np.exp(z - z.max())
            scores = np.full(replay.n, -1.0)
            scores[top] = p / p.sum()
            return scores

        rows.append({"l2": l2, **replay.figures(reranked)})
    return [{"pseudo_queries": len(pseudo), "formal_words": len(formal), "fitted_on": len(x)}, *rows]


def entry_lines(replay: Replay) -> list[dict]:
    """4. An entry answers alone only above what leave-one-out questions reached on it (times a factor)."""
    reached = np.zeros(replay.n)
    for asked in replay.loo:
        s = (replay.weights @ asked.signals).copy()
        s[list(asked.left_out)] = -1.0
        best = int(np.argmax(s))
        reached[best] = max(reached[best], _confidence(np.sort(s)[::-1]))
    return [{"factor": f, **replay.figures(alone=lambda best, c, f=f: c >= f * reached[best])} for f in (0.8, 1.0, 1.2)]


def _all(replay: Replay) -> list[Asked]:
    return [*replay.loo, *(a for rows in replay.sets.values() for a in rows)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--faq", type=Path, default=DEFAULT_FAQ)
    parser.add_argument("--cache-dir", type=Path, help="the entries' e5 vectors, as bench/water_faq.py keeps them")
    parser.add_argument("--json", type=Path, help="write every setting's figures here")
    args = parser.parse_args(argv)
    index = FusedFaqIndex(read_water_faq(args.faq), cache_dir=args.cache_dir)
    sets = {name: read_questions(REPO / "bench" / "data" / f"{name}.jsonl") for names in WRITERS.values() for name in names}
    replay = Replay(index, sets)
    record: dict = {
        "command": "python bench/water_faq_selfsup.py --cache-dir DIR --json bench/results/water_faq_selfsup.json",
        "note": "dev sets only (writer A: water_faq_dev, check, more, fresh; writer B: water_faq_tune); each idea learns "
                "from the FAQ's entries alone; picks: the setting each writer ranks first, measured on the other. "
                "Nothing gained on both writers at either writer's pick, so the engine is unchanged.",
        "engine_now": replay.figures(),
        "engine_now_all_dev": _figures(list(replay.counts().values())),
    }
    print("engine now", json.dumps(record["engine_now"]), flush=True)
    for name, experiment in (("associations", associations), ("wccn", within_entry_normalisation),
                             ("pseudo_query_ranker", pseudo_query_ranker), ("entry_lines", entry_lines)):
        result = experiment(replay)
        if isinstance(result, list):
            result = {"rows": result, "picks": _picks([row for row in result if "A" in row])}
        record[name] = result
        rows = [row for part in result.values() for row in part]
        for row in rows:
            print(name, json.dumps(row), flush=True)
    record["load_average"] = [round(x, 2) for x in os.getloadavg()]
    if args.json:
        args.json.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
