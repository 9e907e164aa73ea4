"""The learned reader: intent, danger and complaint category from a trained model, and its calibrated confidence."""

from __future__ import annotations

import functools
import io
import json
from dataclasses import dataclass, field, replace
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bot.domain import Category, Intent
from bot.errors import SportelloError
from bot.reading.danger import DangerReading, DangerThresholds, read_danger, recorded_reading
from bot.reading.faq_choice import FaqPrototypes
from bot.reading.features import EMBEDDING_DIM, Encoder, Vocabulary
from bot.reading.linear import Linear, softmax_spans
from bot.reading.sentences import DangerSentence

INTENTS: tuple[Intent, ...] = tuple(Intent)
CATEGORIES: tuple[Category, ...] = tuple(Category)
#: The artefact that ships inside the package, used when no other model is configured.
SHIPPED_MODEL = Path(__file__).resolve().parent / "models" / "reader.npz"
FORMAT = 1
#: the format of a model with a calm head (:mod:`bot.reading.calm`): code that reads only format 1 refuses it rather
#: than read its calm intents with the danger part's intent head
CALM_FORMAT = 2
#: the format of a model with FAQ prototypes (:mod:`bot.reading.faq_choice`), with or without a calm head: code that
#: reads only formats 1 and 2 refuses it rather than choose its FAQ entries lexically beside a calibrator that learnt
#: from the prototypes' choices
FAQ_FORMAT = 3
#: the format of a model whose danger score is read otherwise than code before it can (the intent head's emergency
#: alone, :class:`~bot.reading.danger.DangerReading`): code that reads only formats 1 to 3 refuses it rather than hold
#: the mean of two heads to thresholds set for one
DANGER_READING_FORMAT = 4

#: The facts the calibrator weighs, in order (see ``bot.reading.router``): each in [0, 1].
LEGACY_CONFIDENCE_FEATURES: tuple[str, ...] = (
    "intent_probability", "intent_margin", "faq_score", "faq_margin", "named_route", "named_stop",
    "weakest_stop", "asked", "status", "faq", "feedback", "faq_off_subject", "alerts_cited", "danger",
    "served_language", "network",
)
#: ``faq_agrees``: the FAQ entry nearest in meaning (sentence embeddings) is the one the lexical matcher
#: chose; ``faq_semantic``: how near in meaning the chosen entry's closest question is. A model trained
#: before these facts existed keeps its own list (stored with it).
CONFIDENCE_FEATURES: tuple[str, ...] = (*LEGACY_CONFIDENCE_FEATURES, "faq_agrees", "faq_semantic")


HEADS = ("intent_head", "danger_head", "category_head", "calibrator", "language_head")
#: a message whose danger score, read with the encoder's integer pass (``reader.encoder: integer``), lies this near a
#: danger or watch threshold is read again with the float32 products, and that reading decides. The integer pass moved
#: the score by 0.0093 at most among 10,716 training texts within 0.1 of their threshold (0.022 at most anywhere);
#: 2.8 % of them lie this near it (docs/reader-journal.md, session 20). Read by the intent head alone (2026-12-06): at
#: most 0.0135 among the 1,763 of the 16,350 training texts within 0.1 of their threshold, 1.4 % of them this near it
DANGER_EDGE = 0.02
_BY_INTENT = tuple(CONFIDENCE_FEATURES.index(name) for name in ("status", "faq", "feedback"))


def expand(x: np.ndarray) -> np.ndarray:
    """The confidence facts and each fact times each answerable intent (one calibration per intent)."""
    width = x.shape[1]
    out = np.empty((x.shape[0], width * (1 + len(_BY_INTENT))), dtype=np.float32)
    out[:, :width] = x
    for block, i in enumerate(_BY_INTENT, 1):  # written in place: no stacked copy, no second cast
        np.multiply(x, x[:, i:i + 1], out=out[:, block * width:(block + 1) * width])
    return out


class ModelError(SportelloError):
    """The reader's model cannot be read or is not one this code understands."""


@dataclass(frozen=True)
class Reading:
    """What the learned reader makes of one message."""

    intent: Intent
    probabilities: dict[Intent, float]
    danger: float
    in_danger: bool
    category: Category | None
    language: str | None = None  # the language head's choice (None when the reading came from elsewhere)
    language_probability: float = 0.0
    embedding: np.ndarray | None = field(default=None, compare=False, repr=False)  # the sentence embedding
    #: not in danger, but the danger score is at or above the model's watch threshold (possible danger: a person
    #: looks at once; :attr:`ReaderModel.watch_thresholds`). False when the model has no watch band
    watched: bool = False
    #: the sentence that, read alone, reads as danger when that is why the message is watched
    #: (:mod:`bot.reading.sentences`, ``reader.watch_sentences``); None otherwise
    watch_sentence: DangerSentence | None = None

    @property
    def margin(self) -> float:
        """The chosen intent's lead in probability over the runner-up."""
        ranked = sorted(self.probabilities.values(), reverse=True)
        return ranked[0] - ranked[1]


@dataclass(frozen=True)
class _Stacked:
    """Every reading head's weights in one matrix: embedding rows, n-gram rows, bias, each head's columns."""

    embedding: np.ndarray
    ngrams: np.ndarray
    bias: np.ndarray
    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ReaderModel:
    """A trained reader: n-gram vocabulary, three linear heads, a calibrator and its thresholds."""

    version: str
    vocabulary: Vocabulary
    intent_head: Linear
    danger_head: Linear
    category_head: Linear
    calibrator: Linear
    language_head: Linear
    languages: tuple[str, ...]
    danger_threshold: float
    auto_threshold: float
    info: dict[str, Any] = field(default_factory=dict)
    confidence_features: tuple[str, ...] = CONFIDENCE_FEATURES
    #: which heads the danger score is read from (:class:`~bot.reading.danger.DangerReading`)
    danger_reading: DangerReading = DangerReading.MEAN
    #: the danger threshold of a message surely read in one of these languages (:mod:`bot.reading.danger`); every
    #: other message is held to ``danger_threshold`` (models before it: every message)
    danger_by_language: dict[str, float] = field(default_factory=dict)
    #: the head that chooses among the calm intents (:mod:`bot.reading.calm`); ``intent_head`` then reads only danger
    #: (its emergency in the danger score, its argmax emergency). None: ``intent_head`` reads both, as before
    calm_head: Linear | None = None
    #: per FAQ entry, the prototype of the messages labelled with it (:mod:`bot.reading.faq_choice`): a FAQ reading's
    #: entry is chosen by the lexical score and the prototypes. None: by the lexical score alone, as before
    faq_prototypes: FaqPrototypes | None = None
    #: the lower edge of the watch band (:mod:`bot.reading.calm`): a message not in danger whose danger score is at or
    #: above it is possible danger, held for a person at once. Never above the danger thresholds; None: no band
    watch_thresholds: DangerThresholds | None = None

    def with_held_out_watch_band(self) -> ReaderModel:
        """This model with the watch band its training held out (``info["held_out"]``: ``watch_threshold`` and one
        ``watch_threshold_<language>`` each) when it has no band of its own and its training recorded one; else
        itself (``reader.watch_band``)."""
        held = self.info.get("held_out") or {}
        if self.watch_thresholds is not None or held.get("watch_threshold") is None:
            return self
        prefix = "watch_threshold_"
        by_language = {key[len(prefix):]: float(value) for key, value in held.items() if key.startswith(prefix)}
        return replace(self, watch_thresholds=DangerThresholds(float(held["watch_threshold"]), by_language))

    @property
    def danger_thresholds(self) -> DangerThresholds:
        """The danger thresholds this model reads with."""
        return DangerThresholds(self.danger_threshold, self.danger_by_language)

    def features(self, texts: list[str], embeddings: np.ndarray | None = None) -> np.ndarray:
        """The model's input rows: sentence embedding beside n-gram tf-idf."""
        emb = Encoder.encode(texts) if embeddings is None else embeddings
        return np.hstack([emb, self.vocabulary.matrix(texts)])

    def read(self, text: str) -> Reading:
        """Intent, danger, category and language of one message."""
        return self.read_many([text])[0]

    def read_many(self, texts: Sequence[str], embeddings: np.ndarray | None = None) -> list[Reading]:
        """Readings of many messages at once: one encoder pass, every head in one product, n-grams sparse. Under the
        integer pass, a message whose danger score lies near a threshold (:meth:`near_danger_edge`) is read again
        with the float32 products, and that reading is returned (not when ``embeddings`` are given)."""
        if not texts:
            return []
        readings = self._read_embedded(texts, Encoder.encode(texts) if embeddings is None else embeddings)
        if embeddings is None and Encoder.pass_in_use() == "integer":  # danger at a threshold: float32 decides
            edge = [i for i, reading in enumerate(readings) if self.near_danger_edge(reading)]
            if edge:
                again = [texts[i] for i in edge]
                for i, reading in zip(edge, self._read_embedded(again, Encoder.encode_exact(again))):
                    readings[i] = reading
        return readings

    def near_danger_edge(self, reading: Reading) -> bool:
        """Whether ``reading``'s danger score lies within :data:`DANGER_EDGE` of its danger or watch threshold."""
        lines = [self.danger_thresholds.of(reading.language, reading.language_probability)]
        if self.watch_thresholds is not None:
            lines.append(self.watch_thresholds.of(reading.language, reading.language_probability))
        return any(abs(reading.danger - line) < DANGER_EDGE for line in lines)

    def _read_embedded(self, texts: Sequence[str], emb: np.ndarray) -> list[Reading]:
        """Readings of ``texts`` over their embeddings ``emb``."""
        stacked = self._stacked
        scores = emb @ stacked.embedding + self.vocabulary.product(texts, stacked.ngrams)
        scores += stacked.bias
        parts = softmax_spans(scores, stacked.spans)  # intent, danger, category, language(, calm)
        return self._readings(*parts, embeddings=emb)

    def read_rows(self, x: np.ndarray) -> list[Reading]:
        """Readings of precomputed feature rows (see :meth:`features`)."""
        calm = (self.calm_head.proba(x),) if self.calm_head is not None else ()
        return self._readings(self.intent_head.proba(x), self.danger_head.proba(x), self.category_head.proba(x),
                              self.language_head.proba(x), *calm)

    def _readings(self, intent_p: np.ndarray, danger_p: np.ndarray, category_p: np.ndarray,
                  language_p: np.ndarray, calm_p: np.ndarray | None = None, *,
                  embeddings: np.ndarray | None = None) -> list[Reading]:
        """Danger from ``intent_p`` and ``danger_p``; the calm intent, and the probabilities shown, from ``calm_p``
        (None: ``intent_p``); each reading carries its row of ``embeddings`` (None: no embedding)."""
        out = []
        calm = [i for i, intent in enumerate(INTENTS) if intent != Intent.EMERGENCY]
        emergency = INTENTS.index(Intent.EMERGENCY)
        danger_scores = read_danger(self.danger_reading, intent_p[:, emergency], danger_p[:, 1]).tolist()
        thresholds, watch = self.danger_thresholds, self.watch_thresholds
        chosen_p = intent_p if calm_p is None else calm_p
        rows = embeddings if embeddings is not None else [None] * len(intent_p)
        for row, shown, danger, cat, lang, embedding in zip(intent_p.tolist(), chosen_p.tolist(), danger_scores,
                                                            category_p, language_p.tolist(), rows):
            probs = dict(zip(INTENTS, shown))
            best = max(range(len(row)), key=row.__getitem__)
            written = max(range(len(lang)), key=lang.__getitem__)  # argmax: the first of the highest
            sureness = lang[written]
            in_danger = danger >= thresholds.of(self.languages[written], sureness) or best == emergency
            watched = (not in_danger and watch is not None
                       and danger >= watch.of(self.languages[written], sureness))
            intent = Intent.EMERGENCY if in_danger else INTENTS[max(calm, key=shown.__getitem__)]
            category = CATEGORIES[int(cat.argmax())] if intent == Intent.COMPLAINT else None
            out.append(Reading(intent, probs, danger, in_danger, category, self.languages[written],
                               sureness, embedding=embedding, watched=watched))
        return out

    @functools.cached_property
    def _stacked(self) -> _Stacked:
        """The four reading heads (and the calm head) side by side, split into embedding and n-gram rows.

        The calm head comes last, so the danger part's columns are where they are in a model without it."""
        heads = (self.intent_head, self.danger_head, self.category_head, self.language_head)
        heads += (self.calm_head,) if self.calm_head is not None else ()
        weights = np.hstack([h.weights for h in heads]).astype(np.float32)
        widths = np.cumsum([0] + [h.weights.shape[1] for h in heads])
        return _Stacked(np.ascontiguousarray(weights[:EMBEDDING_DIM]), np.ascontiguousarray(weights[EMBEDDING_DIM:]),
                        np.hstack([h.bias for h in heads]).astype(np.float32),
                        tuple(zip(widths[:-1].tolist(), widths[1:].tolist())))

    def language(self, x: np.ndarray) -> tuple[str, float]:
        """The language a feature row (see :meth:`features`) is written in, and its probability."""
        p = self.language_head.proba(x)[0]
        best = int(np.argmax(p))
        return self.languages[best], float(p[best])

    def confidence(self, facts: dict[str, float]) -> float:
        """The calibrated probability that an answer with these facts is right and may go out alone."""
        return self.confidence_many([facts])[0]

    def confidence_many(self, facts: Sequence[dict[str, float]]) -> list[float]:
        """:meth:`confidence` of many answers, in one pass of the calibrator."""
        if not facts:
            return []
        names = self.confidence_features
        rows = np.array([[float(f.get(name, 0.0)) for name in names] for f in facts], dtype=np.float32)
        return self.calibrator.proba(expand(rows))[:, 1].tolist()

    def save(self, path: Path) -> None:
        """Write the model as one compressed ``.npz`` file (weights as float16, metadata as JSON)."""
        form = FORMAT if self.calm_head is None else CALM_FORMAT
        form = form if self.faq_prototypes is None else FAQ_FORMAT
        meta = {
            "format": DANGER_READING_FORMAT if self.danger_reading == DangerReading.INTENT else form,
            "version": self.version,
            "danger_threshold": self.danger_threshold, "auto_threshold": self.auto_threshold, "info": self.info,
            "languages": list(self.languages),
            "vocabulary": self.vocabulary.to_data(), "confidence_features": list(self.confidence_features),
            "danger_blend": self.danger_reading == DangerReading.MEAN, "danger_reading": str(self.danger_reading),
            "danger_by_language": self.danger_by_language,
        }
        if self.watch_thresholds is not None:  # a model without a band writes no key: it reads as before
            meta["watch_threshold"] = self.watch_thresholds.default
            meta["watch_by_language"] = dict(self.watch_thresholds.by_language)
        arrays: dict[str, np.ndarray] = {"meta": np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8),
                                         "idf": self.vocabulary.idf.astype(np.float16)}
        for name in HEADS + (("calm_head",) if self.calm_head is not None else ()):
            head: Linear = getattr(self, name)
            arrays[f"{name}.w"] = head.weights.astype(np.float16 if name != "calibrator" else np.float32)
            arrays[f"{name}.b"] = head.bias.astype(np.float32)
        if self.faq_prototypes is not None:
            meta["faq_prototypes"] = self.faq_prototypes.to_meta()
            arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
            arrays["faq_prototypes"] = self.faq_prototypes.vectors.astype(np.float32)
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(buffer.getvalue())
        tmp.replace(path)

    @classmethod
    def cached(cls, path: Path | None = None) -> ReaderModel:
        """The model at ``path`` (default: shipped), read once per process while the file is unchanged."""
        path = SHIPPED_MODEL if path is None else Path(path)
        try:
            stamp = path.stat().st_mtime_ns
        except OSError as exc:
            msg = f"cannot read the reader model {path}: {exc}"
            raise ModelError(msg) from exc
        return _cached(str(path), stamp)

    @classmethod
    def load(cls, path: Path | None = None) -> ReaderModel:
        """The model stored at ``path`` (the shipped one by default)."""
        path = SHIPPED_MODEL if path is None else Path(path)
        try:
            with np.load(path) as data:
                meta = json.loads(bytes(data["meta"]).decode("utf-8"))
                known = (FORMAT, CALM_FORMAT, FAQ_FORMAT, DANGER_READING_FORMAT)
                if meta.get("format") not in known:
                    msg = f"{path}: reader model format {meta.get('format')!r}, expected one of {known}"
                    raise ModelError(msg)
                calm = meta["format"] == CALM_FORMAT or (meta["format"] > CALM_FORMAT and "calm_head.w" in data)
                named = HEADS + (("calm_head",) if calm else ())
                heads = {name: Linear(data[f"{name}.w"].astype(np.float32), data[f"{name}.b"].astype(np.float32))
                         for name in named}
                languages = tuple(meta["languages"])
                vocabulary = Vocabulary.from_data(meta["vocabulary"], data["idf"])
                prototypes = (FaqPrototypes.from_meta(meta["faq_prototypes"], data["faq_prototypes"])
                              if meta["format"] >= FAQ_FORMAT and "faq_prototypes" in meta else None)
        except (OSError, ValueError, KeyError) as exc:
            msg = f"cannot read the reader model {path}: {exc}"
            raise ModelError(msg) from exc
        return cls(version=meta["version"], vocabulary=vocabulary, danger_threshold=float(meta["danger_threshold"]),
                   auto_threshold=float(meta["auto_threshold"]), info=meta.get("info") or {}, languages=languages,
                   confidence_features=tuple(meta.get("confidence_features") or LEGACY_CONFIDENCE_FEATURES),
                   danger_reading=recorded_reading(meta, DangerReading.DANGER_HEAD),
                   danger_by_language={str(k): float(v) for k, v in (meta.get("danger_by_language") or {}).items()},
                   faq_prototypes=prototypes, watch_thresholds=_watch(meta), **heads)


def _watch(meta: dict[str, Any]) -> DangerThresholds | None:
    """The watch thresholds an artefact stores; None for one without them (no band)."""
    if meta.get("watch_threshold") is None:
        return None
    by_language = {str(k): float(v) for k, v in (meta.get("watch_by_language") or {}).items()}
    return DangerThresholds(float(meta["watch_threshold"]), by_language)


@functools.lru_cache(maxsize=4)
def _cached(path: str, stamp: int) -> ReaderModel:
    return ReaderModel.load(Path(path))
