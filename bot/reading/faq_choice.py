"""The FAQ entry of a FAQ reading learnt from labelled messages: per-entry prototypes fused with the lexical score.

Each entry's prototype is the normalised mean of the sentence embeddings of the messages labelled with it (agents'
corrections included) and of its own questions. A FAQ reading's entry is the one with the highest lexical score
(:meth:`knowledge.faq.FaqIndex.rank`) plus :data:`WEIGHT` times the message's cosine to the entry's prototype.

A prototype remembers a fingerprint of its entry's questions: once the operator edits an entry's questions (or
removes the entry) its prototype is ignored, and the entry is met, as one that no message was labelled with, by
the mean of its questions alone. Left out file by file (``bench/faq_learned.py``) a new entry scored on the
lexical score alone was never chosen (the others' cosines outweigh it); on its questions' mean it was chosen for
0.82 of its messages.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from knowledge.faq_entries import FaqEntry

#: the weight of the cosine beside the lexical (calibrated) score: left out file by file over the 1,632 messages
#: labelled with an entry of the shared FAQ, top-1 was 0.9265 at 4, 0.9289 at 6, 0.9283 at 10 (lexical alone 0.778)
WEIGHT = 6.0


def fingerprint(entry: FaqEntry) -> str:
    """A short digest of an entry's id and questions: what its labelled messages were labelled against."""
    questions = {lang: list(texts) for lang, texts in sorted(entry.questions.items())}
    return hashlib.sha1(json.dumps([entry.id, questions], ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


def unit(x: np.ndarray) -> np.ndarray:
    """Rows scaled to length 1 (zero rows kept)."""
    x = np.asarray(x)
    if x.dtype.kind == "f":  # what np.linalg.norm computes for real rows (x times its conjugate, x), without its checks
        norm = np.sqrt(np.add.reduce(x * x, axis=-1, keepdims=True))
    else:
        norm = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.where(norm > 0, norm, 1.0)).astype(np.float32)


@dataclass(frozen=True)
class FaqPrototypes:
    """Per FAQ entry with labelled messages: its id, its questions' fingerprint, its prototype and how many messages."""

    ids: tuple[str, ...]
    fingerprints: tuple[str, ...]
    vectors: np.ndarray  # (entries, embedding), unit rows, float32
    counts: tuple[int, ...]
    weight: float = WEIGHT

    def to_meta(self) -> dict[str, Any]:
        """What the model artefact stores beside the matrix."""
        return {"ids": list(self.ids), "fingerprints": list(self.fingerprints), "counts": list(self.counts),
                "weight": self.weight}

    @classmethod
    def from_meta(cls, meta: dict[str, Any], vectors: np.ndarray) -> FaqPrototypes:
        """The prototypes of an artefact's ``meta`` and matrix."""
        return cls(tuple(str(i) for i in meta["ids"]), tuple(str(f) for f in meta["fingerprints"]),
                   vectors.astype(np.float32), tuple(int(c) for c in meta["counts"]), float(meta.get("weight", WEIGHT)))

    def matrix(self, entries: Sequence[FaqEntry], questions: np.ndarray) -> np.ndarray:
        """The prototype of every entry of ``entries`` (in order): its stored one while its questions are unchanged,
        else ``questions``' row (the mean of its questions' embeddings)."""
        stored = {i: (f, n) for n, (i, f) in enumerate(zip(self.ids, self.fingerprints))}
        out = unit(np.asarray(questions, dtype=np.float32)).copy()
        for e, entry in enumerate(entries):
            known = stored.get(entry.id)
            if known is not None and known[0] == fingerprint(entry):
                out[e] = self.vectors[known[1]]
        return out


def question_means(entries: Sequence[FaqEntry], vectors: np.ndarray, owners: np.ndarray) -> np.ndarray:
    """Each entry's normalised sum of its questions' unit embeddings (``owners``: the entry of each row)."""
    sums = np.zeros((len(entries), vectors.shape[1]), dtype=np.float32)
    np.add.at(sums, owners, unit(vectors))
    return unit(sums)


def build_prototypes(entries: Sequence[FaqEntry], question_vectors: np.ndarray, question_owners: np.ndarray,
                     embeddings: np.ndarray, faq_ids: Sequence[str | None], weight: float = WEIGHT
                     ) -> FaqPrototypes:
    """The prototypes of the entries labelled on at least one message (``faq_ids[i]`` labels ``embeddings[i]``).

    ``question_vectors``: the embeddings of every entry's questions, ``question_owners`` the entry of each."""
    sums = np.zeros((len(entries), question_vectors.shape[1] if len(question_vectors) else embeddings.shape[1]),
                    dtype=np.float32)
    if len(question_vectors):
        np.add.at(sums, question_owners, unit(question_vectors))
    number = {entry.id: e for e, entry in enumerate(entries)}
    counts = np.zeros(len(entries), dtype=int)
    rows = [i for i, faq_id in enumerate(faq_ids) if faq_id in number]
    if rows:
        owners = np.array([number[faq_ids[i]] for i in rows])  # type: ignore[index]
        np.add.at(sums, owners, unit(np.asarray(embeddings, dtype=np.float32)[rows]))
        np.add.at(counts, owners, 1)
    kept = [e for e in range(len(entries)) if counts[e]]
    return FaqPrototypes(tuple(entries[e].id for e in kept), tuple(fingerprint(entries[e]) for e in kept),
                         unit(sums[kept]) if kept else np.zeros((0, sums.shape[1]), np.float32),
                         tuple(int(counts[e]) for e in kept), weight)


def fused_order(lexical: np.ndarray, cosines: np.ndarray, weight: float) -> np.ndarray:
    """Entry numbers, best first, by lexical score plus ``weight`` times cosine (ties: the lower number)."""
    fused = np.asarray(lexical, dtype=np.float64) + weight * np.asarray(cosines, dtype=np.float64)
    return np.argsort(-fused, kind="stable")


def fused_best(lexical: Sequence[float] | np.ndarray, cosines: np.ndarray, weight: float) -> int:
    """The first entry number of :func:`fused_order` (the best; ties: the lower number), with no sort."""
    fused = np.asarray(lexical, dtype=np.float64) + weight * np.asarray(cosines, dtype=np.float64)
    return int(np.argmax(fused))
