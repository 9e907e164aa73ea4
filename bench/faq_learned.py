"""Left out file by file: does the FAQ choice gain from the messages labelled with a FAQ entry?

``python bench/faq_learned.py [--cache /tmp/sportello-reader-lofo-use.npz] [--output bench/results/faq_learned.json]``

Every labelled message with a ``faq_id`` of the shared evaluation's FAQ (``knowledge/training/*.jsonl``,
``tests/bot/*_cases.jsonl``, ``../shared/eval/dev.jsonl``) is matched to an entry; a file is one writer, so a
message is only ever helped by the labelled messages of the *other* files. Top-1 (the chosen entry is the label)
per file and pooled, for:

- ``lexical``: today's engine (``FaqIndex.rank``);
- ``prototype``: the lexical score plus ``w`` times the cosine (USE) of the message to each entry's prototype, the
  normalised mean of the entry's labelled messages and its own questions (an entry with no labelled message: the
  lexical score alone; ``prototype_q``: its questions' mean instead);
- ``knn``: the lexical score plus ``w`` times the mean cosine of the entry's ``k`` nearest labelled messages;
- ``extra_texts``: the labelled messages added as questions of their entry in the lexical index;
- ``product``: ``prototype`` at :data:`bot.reading.faq_choice.WEIGHT` through the router's own code (prototypes of
  the other files by ``build_prototypes``, the entry by ``Router._learned_faq``): what ``sportello train`` ships;
- ``new_entry``: ``prototype`` at its weight for a message whose own entry had no labelled message (a new entry of
  the operator's): that entry scored with its questions' mean as prototype, or with the lexical score alone.

The weight of each candidate is chosen on the pooled left-out top-1 (one weight, a grid), so the figures of the
chosen weight are slightly optimistic; the neighbouring weights are printed beside it. Measurement only.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reader_common import ENCODER_CACHE, SHARED, encoder_vectors, eval_knowledge, eval_now, put_figures  # noqa: E402
from bench.reader_lofo import examples_by_file  # noqa: E402
from bot.reading.training import default_training_files  # noqa: E402
from bot.reading.faq_choice import build_prototypes  # noqa: E402
from bot.reading.model import ReaderModel  # noqa: E402
from bot.reading.router import Router  # noqa: E402
from knowledge.faq import FaqIndex  # noqa: E402

WEIGHTS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 10.0)
KNN = 5


def lexical_scores(index: FaqIndex, texts: list[str]) -> np.ndarray:
    """Each message's calibrated lexical score of every entry (0 where it shares nothing with the entry)."""
    ids = [e.id for e in index.entries]
    out = np.zeros((len(texts), len(ids)), dtype=np.float32)
    for i, text in enumerate(texts):
        for match in index.rank(text, k=len(ids)):
            out[i, ids.index(match.faq_id)] = match.score
    return out


def unit(x: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows kept)."""
    norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return x / np.where(norm > 0, norm, 1.0)


def top1(scores: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Whether each row's best entry is its label (an all-zero row chooses nothing: wrong)."""
    return (scores.argmax(axis=1) == labels) & (scores.max(axis=1) > 0)


def main() -> int:
    """Score every candidate left out file by file; print and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache", default=ENCODER_CACHE, help="where encoder vectors are kept")
    parser.add_argument("--output", help="also write the figures to this JSON file")
    args = parser.parse_args()
    knowledge = eval_knowledge(eval_now())
    index = knowledge.faq
    entries = index.entries
    ids = [e.id for e in entries]
    examples, file_of, names = examples_by_file(default_training_files(SHARED))
    keep = [i for i, e in enumerate(examples) if e.faq_id in ids]
    labelled = [examples[i] for i in keep]
    files = file_of[keep]
    texts = [e.text for e in labelled]
    labels = np.array([ids.index(e.faq_id) for e in labelled])  # type: ignore[arg-type]
    questions = [(n, q) for n, e in enumerate(entries) for qs in e.questions.values() for q in qs]
    vectors = encoder_vectors(texts + [q for _, q in questions], Path(args.cache))
    emb, q_emb = unit(vectors[:len(texts)]), unit(vectors[len(texts):])
    q_owner = np.array([n for n, _ in questions])
    q_sum = np.zeros((len(ids), emb.shape[1]), dtype=np.float32)
    np.add.at(q_sum, q_owner, q_emb)
    q_count = np.bincount(q_owner, minlength=len(ids)).astype(np.float32)

    lexical = lexical_scores(index, texts)
    semantic = {"prototype": np.zeros_like(lexical), "prototype_q": np.zeros_like(lexical), "knn": np.zeros_like(lexical)}
    extra = np.zeros(len(texts), dtype=bool)
    new_q, new_none = np.zeros_like(lexical), np.zeros_like(lexical)
    product = np.zeros(len(texts), dtype=bool)
    model = ReaderModel.cached()
    onehot = np.eye(len(ids), dtype=np.float32)[labels]
    for f in np.unique(files):
        held, other = files == f, files != f
        m_sum = onehot[other].T @ emb[other]
        m_count = onehot[other].sum(axis=0)
        proto = unit(m_sum + q_sum)
        cos = emb[held] @ proto.T
        semantic["prototype"][held] = np.where(m_count > 0, cos, 0.0)
        semantic["prototype_q"][held] = cos
        # a new entry: the message's own entry has no labelled message yet (its questions' mean, or nothing)
        own = np.nonzero(held)[0]
        q_only = emb[held] @ unit(q_sum).T
        new_q[own] = cos
        new_q[own, labels[own]] = q_only[np.arange(len(own)), labels[own]]
        new_none[own] = cos
        new_none[own, labels[own]] = 0.0
        sims = emb[held] @ emb[other].T
        for n in range(len(ids)):
            mine = sims[:, labels[other] == n]
            if mine.shape[1]:
                best = -np.sort(-mine, axis=1)[:, :KNN]
                semantic["knn"][held, n] = best.mean(axis=1)
        # the other files' labelled messages as extra questions of their entry
        added: dict[int, dict[str, list[str]]] = {}
        for e, g in zip(labelled, files):
            if g != f:
                added.setdefault(ids.index(e.faq_id), {}).setdefault(e.lang, []).append(e.text)  # type: ignore[arg-type]
        grown = [replace(entry, questions={**{k: tuple(v) for k, v in entry.questions.items()},
                                           **{lang: entry.questions.get(lang, ()) + tuple(more)
                                              for lang, more in added.get(n, {}).items()}})
                 for n, entry in enumerate(entries)]
        grown_index = FaqIndex.from_entries(grown, calibration=index.calibration)
        extra[held] = [bool(r) and r[0].faq_id == entry for r, entry in
                       zip((grown_index.rank(t, k=1) for t, h in zip(texts, held) if h), (ids[x] for x in labels[held]))]
        # the product's own path: prototypes of the other files (build_prototypes), the router's fused choice
        made = build_prototypes(entries, q_emb, q_owner, emb[other], [ids[x] for x in labels[other]])
        router = Router(knowledge, model=replace(model, faq_prototypes=made))
        router._faq_embedded = (knowledge.faq.entries, q_emb, q_owner, ids)
        product[held] = [router._learned_faq(t, emb[i], "it")[0].faq_id == ids[labels[i]]
                         for i, t in enumerate(texts) if held[i]]
        print(f"{names[f]}: done", file=sys.stderr, flush=True)

    dev = names.index("dev") if "dev" in names else -1

    def figures(right: np.ndarray) -> dict[str, object]:
        per_file = {names[f]: round(float(right[files == f].mean()), 3) for f in np.unique(files)}
        return {"pooled": round(float(right.mean()), 4), "per_file": per_file,
                "dev": per_file.get("dev") if dev >= 0 else None, "n": int(len(right))}

    results: dict[str, object] = {"messages": len(texts), "files": int(len(np.unique(files))),
                                  "lexical": figures(top1(lexical, labels)),
                                  "extra_texts": figures(extra)}
    base = top1(lexical, labels)
    for name, sem in semantic.items():
        grid = {w: float(top1(lexical + w * sem, labels).mean()) for w in WEIGHTS}
        best = max(grid, key=lambda w: (grid[w], -w))
        right = top1(lexical + best * sem, labels)
        per = figures(right)
        per["weight"] = best
        per["grid"] = {str(w): round(v, 4) for w, v in grid.items()}
        per["worst_file_change"] = min(
            (round(float(right[files == f].mean() - base[files == f].mean()), 3), names[f]) for f in np.unique(files))
        results[name] = per
        semantic_only = top1(sem + 1e-6, labels)
        results[f"{name}_alone"] = figures(semantic_only)
    results["product"] = figures(product)
    weight = results["prototype"]["weight"]  # type: ignore[index]
    results["new_entry"] = {
        "questions_prototype": round(float(top1(lexical + weight * new_q, labels).mean()), 4),
        "lexical_alone": round(float(top1(lexical + weight * new_none, labels).mean()), 4),
    }
    put_figures(results, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
