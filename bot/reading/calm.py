"""The calm part of the reader retrained beside a danger part kept unchanged: what escalates stays a given model's.

The danger part of a model decides which messages go to the emergency lane: the danger head, the intent head (its
emergency probability in the danger score, its argmax emergency), the language head (a message's danger threshold
is its language's) and the danger thresholds. The calm part chooses among the calm intents, the complaint category,
and calibrates the confidence of an answer. ``sportello train --recipe split`` (``TrainingParams.keep_danger``)
keeps the first from the model in service and trains the second on every labelled file:

- the model keeps the given model's vocabulary and every head of its danger part, so a message escalates exactly
  when it does with the given model; one more head, the calm head (:attr:`~bot.reading.model.ReaderModel.calm_head`),
  chooses the intent among the calm ones when the danger part says calm, and gives the intent probabilities;
- the calibrator learns from held-out readings, as in :func:`~bot.reading.training.train`: the calm heads' of
  random folds, beside the danger part's readings of messages it never trained on. For a message the danger part
  did train on, its own danger score would be in-sample (calm messages lower, emergencies higher than a new
  writer's), so the danger score and escalation the calibrator learns from are the danger recipe's out-of-fold
  readings of those messages (:func:`held_out_danger`), held to the given model's thresholds;
- the watch band (:func:`watch_thresholds`): the kept danger thresholds were set on the files the danger part knew,
  and miss emergencies by new writers told calmly. From the same held-out danger scores of every file, the thresholds
  the danger recipe would set at recall 1.0 (never above the kept ones) mark the band just under the emergency lane
  where a message is possible danger: never answered alone, held for a person at once. The model keeps the band
  only with ``TrainingParams.watch_band`` (off by default: see there); its figures are reported either way.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.domain import Intent
from bot.evaluate import Labelled
from bot.reading.danger import DangerThresholds, caught_by_rule
from bot.reading.features import Vocabulary
from bot.reading.gate import text_digest
from bot.reading.model import INTENTS, Reading, ReaderModel
from bot.reading.training import (
    TrainingParams,
    TrainingReport,
    calibrated,
    calm_choice,
    danger_thresholds,
    encode_all,
    faq_prototypes,
    fit_category_head,
    fit_calm_head,
    heads,
    held_out_folds,
    lookalikes,
    neutral_calibrator,
    recipe_of,
)

if TYPE_CHECKING:
    from knowledge.store import Knowledge

#: the key of ``info`` that says which model a model's danger part came from (version, recipe, sources, digests)
DANGER_FROM = "danger_from"
EMERGENCY = INTENTS.index(Intent.EMERGENCY)


#: the settings that make a recipe's calm readings and their calibration: two recipes alike in these read the calm
#: intents of a file alike when fitted on the same messages, and post the same of them alone
CALM_SETTINGS = ("epochs", "calm_penalty", "vocabulary", "faq_meaning", "calibrator_l2", "faq_prototypes",
                 "faq_prototype_weight", "auto_precision_target")
#: the share of a language's weakest held-out emergency its watch threshold is set at: recall 1.0, with 1 % of room
#: for the float32 noise of a reading (at 1.0 the weakest English emergency, read alone, scored 4e-8 under the score
#: its training batch gave it, and fell out of the band). The lane's slack (0.85, room for writers not yet met) bought
#: the band nothing measurable: on the 35 files of 2026-12-05 both caught the 11 emergencies of ``writer10_danger`` the
#: lane misses, and with that file left out of the calibration neither caught any of them, while 0.85 held 14.9 % of
#: the new files' calm messages against 9.7 %
WATCH_SLACK = 0.99


def same_calm(a: TrainingParams, b: TrainingParams) -> bool:
    """Whether two recipes read the calm intents, and calibrate them, alike (:data:`CALM_SETTINGS`)."""
    return all(getattr(a, name) == getattr(b, name) for name in CALM_SETTINGS)


def danger_source(model: ReaderModel) -> dict[str, Any]:
    """Which model ``model``'s danger part was trained as: what it records, else the model itself."""
    recorded = model.info.get(DANGER_FROM)
    if recorded:
        return dict(recorded)
    return {"version": model.version, "params": dict(model.info.get("params") or {}),
            "sources": dict(model.info.get("sources") or {}), "trained_on": list(model.info.get("trained_on") or ())}


def danger_recipe(model: ReaderModel) -> TrainingParams:
    """The recipe ``model``'s danger part was trained with (:func:`~bot.reading.training.recipe_of` of its source)."""
    if not model.info.get(DANGER_FROM):
        return recipe_of(model)
    return recipe_of(replace(model, info={"params": danger_source(model).get("params") or {}}, faq_prototypes=None,
                             watch_thresholds=None))


def trained_danger_on(model: ReaderModel, examples: Sequence[Labelled], groups: Sequence[str]) -> np.ndarray:
    """Which examples ``model``'s danger part trained on: by its digests, else every example of a file it names."""
    source = danger_source(model)
    digests = set(source.get("trained_on") or ())
    if digests:
        return np.array([text_digest(e.text) in digests for e in examples], dtype=bool)
    names = set(source.get("sources") or ())
    return np.array([g in names for g in groups], dtype=bool)


def held_out_danger(
    model: ReaderModel,
    examples: Sequence[Labelled],
    groups: Sequence[str],
    embeddings: np.ndarray,
    seen: np.ndarray,
    readings: Sequence[Reading],
    *,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[np.ndarray, np.ndarray]:
    """Every example's danger score and escalation as the danger part reads a message it never trained on.

    ``readings``: ``model``'s own readings of the examples (their danger and language); ``seen``: the examples its
    danger part trained on. Those are read instead by the danger recipe's heads fitted on the other folds of them
    (the recipe's own folds), held to ``model``'s thresholds in the language ``model`` reads them in.
    """
    danger = np.array([r.danger for r in readings], dtype=np.float32)
    in_danger = np.array([r.in_danger for r in readings], dtype=bool)
    index = np.nonzero(seen)[0]
    if len(index) < 2:
        return danger, in_danger
    recipe = danger_recipe(model)
    texts = [e.text for e in examples]
    intents = np.array([INTENTS.index(Intent(e.intent)) for e in examples])
    lookalike = lookalikes(examples)
    fold, folds = held_out_folds([examples[i] for i in index], [groups[i] for i in index], recipe)
    limits = model.danger_thresholds.each([r.language for r in readings], [r.language_probability for r in readings])
    for k in range(folds):
        fitted, held = index[fold != k], index[fold == k]
        if not len(fitted) or not len(held):
            continue
        progress(f"the danger part's held-out readings: fold {k + 1} of {folds}")
        vocab = Vocabulary.build([texts[i] for i in fitted], limit=recipe.vocabulary)
        x_fitted = vocab.rows([texts[i] for i in fitted], embeddings[fitted])
        x_held = vocab.rows([texts[i] for i in held], embeddings[held])
        intent_head, danger_head = heads(x_fitted, intents[fitted], lookalike[fitted], recipe)
        intent_p = intent_head.proba(x_held)
        danger[held] = recipe.danger(intent_p, danger_head.proba(x_held)[:, 1])
        in_danger[held] = (danger[held] >= limits[held]) | (intent_p.argmax(axis=1) == EMERGENCY)
    return danger, in_danger


def watch_thresholds(
    danger: np.ndarray,
    examples: Sequence[Labelled],
    languages: Sequence[str | None],
    probabilities: Sequence[float],
    recipe: TrainingParams,
    kept: DangerThresholds,
) -> DangerThresholds:
    """The lower edge of the watch band: the thresholds ``recipe`` sets at recall 1.0 from the held-out danger scores
    ``danger`` of every example (each read in ``languages``), each no higher than the kept danger thresholds ``kept``.

    Every held-out emergency no rule catches is at or above its watch threshold (a slack under 1 only lowers it);
    :func:`train_calm` sets them at :data:`WATCH_SLACK`. A false-alarm budget of ``recipe`` is not the band's: it is
    set at recall 1.0 whatever the lane's budget.
    """
    found = danger_thresholds(danger, examples, languages, probabilities, replace(recipe, danger_false_alarms=None))
    names = set(found.by_language) | set(kept.by_language)
    by_language = {name: min(found.by_language.get(name, found.default), kept.by_language.get(name, kept.default))
                   for name in sorted(names)}
    return DangerThresholds(min(found.default, kept.default), by_language)


def watch_figures(
    danger: np.ndarray,
    fired: np.ndarray,
    emergency: np.ndarray,
    languages: Sequence[str | None],
    probabilities: Sequence[float],
    watch: DangerThresholds,
) -> dict[str, float | int]:
    """How many held-out emergencies the lane catches and the band adds, and the band's share of calm messages (the
    model's held-out figures, each key ``watch``-named or counting emergencies)."""
    band = ~fired & (danger >= watch.each(languages, probabilities))
    calm = ~emergency
    return {
        "emergencies": int(emergency.sum()),
        "emergencies_escalated": int((fired & emergency).sum()),
        "emergencies_watched": int((band & emergency).sum()),
        "watched_recall": round(float((fired | band)[emergency].mean()) if emergency.any() else 1.0, 4),
        "watch_rate": round(float(band[calm].mean()) if calm.any() else 0.0, 4),
        "watch_threshold": round(watch.default, 4),
        **{f"watch_threshold_{lang}": round(t, 4) for lang, t in watch.by_language.items()},
    }


def train_calm(
    examples: Sequence[Labelled],
    knowledge: Knowledge,
    danger_from: ReaderModel,
    *,
    now: datetime,
    params: TrainingParams = TrainingParams(keep_danger=True),
    sources: dict[str, int] | None = None,
    progress: Callable[[str], None] = lambda _: None,
    embeddings: np.ndarray | None = None,
    groups: Sequence[str] | None = None,
) -> tuple[ReaderModel, TrainingReport]:
    """A model whose danger part is ``danger_from``'s, unchanged, and whose calm part is fitted on ``examples``.

    The calm head and the complaint-category head are fitted on ``danger_from``'s vocabulary; the calibrator on
    held-out readings (the calm heads' of ``params``' folds, the danger part's as :func:`held_out_danger` gives
    them) and the auto-reply threshold on cross-fitted confidences, as :func:`~bot.reading.training.train` does.
    """
    texts = [e.text for e in examples]
    intents = np.array([INTENTS.index(Intent(e.intent)) for e in examples])
    groups = list(groups) if groups is not None else [""] * len(examples)
    if embeddings is None:
        progress(f"encoding {len(texts)} messages")
        embeddings = encode_all(texts)
    own = danger_from.read_many(texts, embeddings)
    seen = trained_danger_on(danger_from, examples, groups)
    danger, in_danger = held_out_danger(danger_from, examples, groups, embeddings, seen, own, progress=progress)
    x_all = danger_from.vocabulary.rows(texts, embeddings)
    fold, folds = held_out_folds(examples, groups, params)
    oof_calm = np.zeros((len(texts), len(INTENTS)), dtype=np.float32)
    for k in range(folds):
        progress(f"calm fold {k + 1} of {folds}")
        fitted, held = np.nonzero(fold != k)[0], np.nonzero(fold == k)[0]
        if len(fitted) and len(held):
            oof_calm[held] = fit_calm_head(x_all.take(fitted), intents[fitted], params).proba(x_all.take(held))

    progress("final calm heads")
    calm_head = fit_calm_head(x_all, intents, params)
    category_head = fit_category_head(x_all, examples, params)
    features = params.confidence_features
    draft = replace(danger_from, version="draft", category_head=category_head,
                    calibrator=neutral_calibrator(features), auto_threshold=1.01,
                    info={}, confidence_features=features, calm_head=calm_head, watch_thresholds=None)

    progress("calibrating on held-out readings")
    readings = []
    for i in range(len(examples)):
        probs = {intent: float(p) for intent, p in zip(INTENTS, oof_calm[i])}
        readings.append(Reading(calm_choice(probs, bool(in_danger[i])), probs, float(danger[i]), bool(in_danger[i]),
                                None, own[i].language, own[i].language_probability, embeddings[i]))
    final_prototypes, fold_prototypes = faq_prototypes(examples, embeddings, knowledge, fold, folds, params)
    cal = calibrated(readings, examples, draft, knowledge, now, fold, folds, params, fold_prototypes)

    fired = in_danger | caught_by_rule(texts)
    chosen = np.array([EMERGENCY if fired[i] else INTENTS.index(r.intent) for i, r in enumerate(readings)])
    emergency, calm = intents == EMERGENCY, intents != EMERGENCY
    read_in, sureness = [r.language for r in own], [r.language_probability for r in own]
    watch = watch_thresholds(danger, examples, read_in, sureness,
                             replace(danger_recipe(danger_from), danger_language_slack=WATCH_SLACK),
                             danger_from.danger_thresholds)
    report = TrainingReport(examples=len(examples), sources=dict(sources or {}),
                            calibration=(cal.x, cal.right, cal.candidate, danger, intents))
    report.held_out = {
        "intent_accuracy": round(float((chosen == intents).mean()), 4),
        "emergency_recall": round(float(fired[emergency].mean()) if emergency.any() else 1.0, 4),
        "false_alarm_rate": round(float(fired[calm].mean()) if calm.any() else 0.0, 4),
        "auto_precision": round(cal.precision, 4),
        "auto_coverage": cal.coverage,
        "danger_threshold": round(danger_from.danger_threshold, 4),
        **{f"danger_threshold_{lang}": round(t, 4) for lang, t in danger_from.danger_by_language.items()},
        "auto_threshold": round(cal.threshold, 4),
        "danger_read_out_of_fold": int(seen.sum()),  # messages the danger part trained on, read by its recipe's folds
        **watch_figures(danger, fired, emergency, read_in, sureness, watch),
    }
    source = danger_source(danger_from)
    digest = hashlib.sha1(json.dumps(sorted(texts)).encode() + json.dumps(params.__dict__).encode()
                          + str(source["version"]).encode()).hexdigest()[:8]
    version = f"{datetime.now(timezone.utc):%Y%m%d%H%M}-{digest}"
    info = {"trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds"), "examples": len(examples),
            "sources": report.sources, "held_out": report.held_out, "params": params.__dict__, DANGER_FROM: source}
    return replace(draft, version=version, calibrator=cal.calibrator, auto_threshold=cal.threshold, info=info,
                   faq_prototypes=final_prototypes, watch_thresholds=watch if params.watch_band else None), report
