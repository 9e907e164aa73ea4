"""Left out group by group: a recipe's decisions on each labelled file, from models fitted on the other files.

Each labelled file is written by one writer in one style (agents' corrections are one more group), so random
folds share writers and flatter a recipe. Here, for each group, the recipe's intent and danger heads are fitted
on every *other* group (n-gram vocabulary included) and read the left-out group; its thresholds come from the
other groups' left-out readings: the danger thresholds as the recipe sets them from their emergencies
(:mod:`bot.reading.danger`, recall first), the calibrator is fitted on their routed readings and the auto-reply
threshold chosen on their cross-fitted confidences for the recipe's ``auto_precision_target``. What a group meets is
what a file by a new writer would.

Not nested: the other groups' readings that set a group's thresholds come from heads that did train on that
group (a nested run would cost a training per pair of groups). The heads that read a group never saw it.
The language of a message is read by one model for every recipe (the model in service): it is held the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from bot.domain import Action, Decision, Intent
from bot.errors import SportelloError
from bot.evaluate import Labelled, Outcome
from bot.reading.danger import DangerThresholds
from bot.reading.faq_choice import FaqPrototypes
from bot.reading.features import Vocabulary
from bot.reading.group_pool import each_group
from bot.reading.linear import Rows
from bot.reading.model import INTENTS, Reading, ReaderModel, expand
from bot.reading.router import may_answer_alone
from bot.reading.training import (
    TrainingParams,
    _auto_threshold,
    calm_choice,
    fit_calibrator,
    fit_calm_head,
    heads,
    lookalikes,
    recipe_of,
)
from bot.reading.training import danger_thresholds as training_thresholds

if TYPE_CHECKING:
    from knowledge.store import Knowledge

EMERGENCY = INTENTS.index(Intent.EMERGENCY)


@dataclass(frozen=True)
class GroupReadings:
    """Every message's intent probabilities and danger score, from heads fitted without its group."""

    intent: np.ndarray  # (messages, intents)
    danger: np.ndarray  # (messages,)
    #: (messages, intents): the calm heads' probabilities, which choose the calm intent (None: ``intent``'s)
    calm: np.ndarray | None = None


def group_readings(
    examples: Sequence[Labelled],
    groups: Sequence[str],
    embeddings: np.ndarray,
    params: TrainingParams,
    *,
    progress: Callable[[str], None] = lambda _: None,
    jobs: int = 1,
) -> GroupReadings:
    """The recipe's heads fitted on every group but one read that one, for each group (``jobs`` groups at once:
    :func:`bot.reading.group_pool.each_group`, the same numbers)."""
    texts = [e.text for e in examples]
    intents = np.array([INTENTS.index(Intent(e.intent)) for e in examples])
    lookalike = lookalikes(examples)
    intent_p = np.zeros((len(texts), len(INTENTS)), dtype=np.float32)
    danger = np.zeros(len(texts), dtype=np.float32)
    group = np.array(groups)

    def read(name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        rows = _left_out_rows(texts, group, embeddings, params, name)
        if rows is None:
            return None
        train_idx, held, x_train, x_held = rows
        intent_head, danger_head = heads(x_train, intents[train_idx], lookalike[train_idx], params)
        probabilities = intent_head.proba(x_held)
        return held, probabilities, params.danger(probabilities, danger_head.proba(x_held)[:, 1])

    started = time.perf_counter()
    names = list(dict.fromkeys(groups))
    for n, (name, found) in enumerate(each_group(read, names, jobs)):
        if found is None:
            continue
        held, intent_p[held], danger[held] = found
        progress(f"left out {n + 1} of {len(names)} ({name}, {len(held)} messages): "
                 f"{time.perf_counter() - started:.0f} s")
    return GroupReadings(intent_p, danger)


def _left_out_rows(texts: Sequence[str], group: np.ndarray, embeddings: np.ndarray, params: TrainingParams,
                   name: str) -> tuple[np.ndarray, np.ndarray, Rows, Rows] | None:
    """The other groups' indices and ``name``'s own (``group``: each message's), and their feature rows over an
    n-gram vocabulary built from the other groups alone; None for a group alone in the data."""
    train_idx, held = np.nonzero(group != name)[0], np.nonzero(group == name)[0]
    if not len(train_idx):
        return None
    vocab = Vocabulary.build([texts[i] for i in train_idx], limit=params.vocabulary)
    return (train_idx, held, vocab.rows([texts[i] for i in train_idx], embeddings[train_idx]),
            vocab.rows([texts[i] for i in held], embeddings[held]))


def calm_readings(
    examples: Sequence[Labelled],
    groups: Sequence[str],
    embeddings: np.ndarray,
    params: TrainingParams,
    *,
    progress: Callable[[str], None] = lambda _: None,
    jobs: int = 1,
) -> np.ndarray:
    """The calm heads of ``params`` (:mod:`bot.reading.calm`) fitted on every group but one read that one
    (``jobs`` groups at once)."""
    texts = [e.text for e in examples]
    intents = np.array([INTENTS.index(Intent(e.intent)) for e in examples])
    calm = np.zeros((len(texts), len(INTENTS)), dtype=np.float32)
    group = np.array(groups)

    def read(name: str) -> tuple[np.ndarray, np.ndarray] | None:
        rows = _left_out_rows(texts, group, embeddings, params, name)
        if rows is None:
            return None
        train_idx, held, x_train, x_held = rows
        return held, fit_calm_head(x_train, intents[train_idx], params).proba(x_held)

    names = list(dict.fromkeys(groups))
    started = time.perf_counter()
    for n, (name, found) in enumerate(each_group(read, names, jobs)):
        if found is None:
            continue
        held, calm[held] = found
        progress(f"calm heads left out {n + 1} of {len(names)} ({name}): {time.perf_counter() - started:.0f} s")
    return calm


def danger_thresholds(readings: GroupReadings, examples: Sequence[Labelled], groups: Sequence[str],
                      params: TrainingParams, languages: Sequence[str | None] | None = None,
                      probabilities: Sequence[float] | None = None) -> dict[str, DangerThresholds]:
    """Each group's danger thresholds, as the recipe sets them from the other groups' left-out readings
    (:func:`bot.reading.training.danger_thresholds`; 0.5 when they have no emergency).

    ``languages``, ``probabilities``: the language each message is read in (None: unknown, every message is
    held to the threshold of every language).
    """
    group = np.array(groups)
    langs = list(languages) if languages is not None else [None] * len(examples)
    probs = list(probabilities) if probabilities is not None else [0.0] * len(examples)
    out = {}
    for name in dict.fromkeys(groups):
        others = np.nonzero(group != name)[0]
        out[name] = training_thresholds(readings.danger[others], [examples[i] for i in others],
                                        [langs[i] for i in others], [probs[i] for i in others], params)
    return out


def danger_decisions(
    readings: GroupReadings,
    examples: Sequence[Labelled],
    groups: Sequence[str],
    embeddings: np.ndarray,
    params: TrainingParams,
    languages: ReaderModel,
) -> np.ndarray:
    """Which messages the left-out readings escalate: a danger score at its group's threshold (from the other
    groups, in the language ``languages`` reads it in), or an intent head whose likeliest intent is emergency."""
    read = languages.read_many([e.text for e in examples], embeddings)
    threshold = danger_thresholds(readings, examples, groups, params, [r.language for r in read],
                                  [r.language_probability for r in read])
    rows = zip(readings.danger, readings.intent, groups, read, strict=True)
    return np.array([bool(danger >= threshold[g].of(r.language, r.language_probability))
                     or int(np.argmax(row)) == EMERGENCY for danger, row, g, r in rows], dtype=bool)


@dataclass(frozen=True)
class GroupConfidences:
    """The router's decisions on the left-out readings (no auto-reply yet), each message's confidence from a
    calibrator fitted on the other groups, and what choosing an auto-reply threshold needs."""

    decisions: list[Decision]
    confidence: np.ndarray  # (messages,): 0 where the decision is not one answered alone
    right: np.ndarray  # (messages,) bool: may go out alone and the whole answer is right
    candidate: np.ndarray  # (messages,) bool: its intent is one answered alone
    known: np.ndarray  # (messages,) bool: a candidate whose labels can judge the answer (fitted and chosen on)
    served: np.ndarray  # (messages,) bool: read in a language served (else never posted alone)
    groups: np.ndarray  # (messages,) each message's group
    facts: np.ndarray  # (messages, facts): the confidence facts the calibrator weighs (the recipe's)

    def thresholds(self, target: float) -> dict[str, float]:
        """Each group's auto-reply threshold, chosen for ``target`` on the other groups' confidences."""
        out = {}
        for name in dict.fromkeys(self.groups.tolist()):
            others = self.known & (self.groups != name)
            out[name], _, _ = _auto_threshold(self.confidence[others], self.right[others], target)
        return out

    def posted(self, target: float) -> np.ndarray:
        """Which messages go out alone when each group's threshold is chosen for ``target`` on the other groups'."""
        limit = self.thresholds(target)
        at = np.array([limit[g] for g in self.groups.tolist()], dtype=np.float64)
        return self.candidate & self.served & (self.confidence >= at)

    def decided(self, target: float) -> list[Decision]:
        """The decisions with those posted alone at ``target`` (:meth:`posted`) made automatic, confidences set."""
        auto = self.posted(target)
        return [replace(d, action=Action.AUTO if auto[i] else d.action, confidence=round(float(self.confidence[i]), 3))
                for i, d in enumerate(self.decisions)]


def group_confidences(
    readings: GroupReadings,
    examples: Sequence[Labelled],
    groups: Sequence[str],
    embeddings: np.ndarray,
    params: TrainingParams,
    knowledge: Knowledge,
    now: datetime,
    languages: ReaderModel,
    *,
    in_danger: np.ndarray | None = None,
    faq_prototypes: Mapping[str, FaqPrototypes] | None = None,
) -> GroupConfidences:
    """The router's decisions on the left-out readings and their confidences, each group's calibrator and danger
    thresholds from the other groups (the arguments are :func:`group_decisions`').

    ``faq_prototypes``: each group's FAQ prototypes, built without it; None: the FAQ entry by the lexical score
    alone (a model's prototypes are learnt from every group, the left-out one too)."""
    from bot.reading.router import Router

    lexical = Router(knowledge, model=replace(languages, auto_threshold=1.01, faq_prototypes=None))
    routers = {name: Router(knowledge, model=replace(languages, auto_threshold=1.01, faq_prototypes=p))
               for name, p in (faq_prototypes or {}).items()}
    group = np.array(groups)
    read_languages = languages.read_many([e.text for e in examples], embeddings)
    if in_danger is None:
        in_danger = danger_decisions(readings, examples, groups, embeddings, params, languages)
    calm_p = readings.intent if readings.calm is None else readings.calm
    decisions, rows, right, candidate, served, judged = [], [], [], [], [], []
    for i, example in enumerate(examples):
        probs = dict(zip(INTENTS, calm_p[i].tolist()))
        reading = Reading(calm_choice(probs, bool(in_danger[i])), probs, float(readings.danger[i]), bool(in_danger[i]),
                          None, read_languages[i].language, read_languages[i].language_probability, embeddings[i])
        facts = routers.get(groups[i], lexical).read(example.text, now=now, reading=reading)
        decisions.append(facts.decision)
        rows.append([facts.confidence_facts.get(name, 0.0) for name in params.confidence_features])
        outcome = Outcome(example, facts.decision)
        right.append(int(example.auto_ok and outcome.answer_right))
        candidate.append(may_answer_alone(facts.decision))
        served.append(bool(facts.confidence_facts.get("served_language")))
        judged.append(outcome.answer_judged)
    x, y, cand = np.array(rows, np.float32), np.array(right), np.array(candidate, bool)
    known = cand & np.array(judged, bool)  # fitted and chosen on: answers whose labels can judge them
    confidence = np.zeros(len(examples), np.float32)
    for name in dict.fromkeys(groups):  # each group's confidences from a calibrator fitted on the other groups
        fitted, held = known & (group != name), cand & (group == name)
        if not held.any():
            continue
        if len(set(y[fitted].tolist())) < 2:  # nothing to tell apart: the other groups' base rate
            confidence[held] = float(y[fitted].mean()) if fitted.any() else 0.0
            continue
        confidence[held] = fit_calibrator(x[fitted], y[fitted], params.calibrator_l2).proba(expand(x[held]))[:, 1]
    return GroupConfidences(decisions, confidence, y, cand, known, np.array(served, bool), group, x)


def group_decisions(
    readings: GroupReadings,
    examples: Sequence[Labelled],
    groups: Sequence[str],
    embeddings: np.ndarray,
    params: TrainingParams,
    knowledge: Knowledge,
    now: datetime,
    languages: ReaderModel,
    *,
    in_danger: np.ndarray | None = None,
) -> list[Decision]:
    """The router's decisions on the left-out readings, each group's thresholds from the other groups.

    ``languages``: the model whose language head reads every message (and whose router steps are used;
    its own calibration is not). ``in_danger``: which messages escalate, when already decided (else
    :func:`danger_decisions` of ``readings``); the calm intent is the calm readings' (``readings.calm``).
    Each group's auto-reply threshold is chosen on the other groups' confidences for the recipe's target.
    """
    return group_confidences(readings, examples, groups, embeddings, params, knowledge, now, languages,
                             in_danger=in_danger).decided(params.auto_precision_target)


def left_out(
    examples: Sequence[Labelled],
    groups: Sequence[str],
    embeddings: np.ndarray,
    params: TrainingParams,
    knowledge: Knowledge,
    now: datetime,
    languages: ReaderModel,
    *,
    progress: Callable[[str], None] = lambda _: None,
    jobs: int = 1,
) -> list[Outcome]:
    """The recipe's outcome on every message, read with its group left out (see the module's docstring); ``jobs``
    groups' heads fitted at once."""
    readings = group_readings(examples, groups, embeddings, params, progress=progress, jobs=jobs)
    progress("routing the left-out readings")
    decisions = group_decisions(readings, examples, groups, embeddings, params, knowledge, now, languages)
    return [Outcome(e, d) for e, d in zip(examples, decisions)]


def split_service_left_out(
    examples: Sequence[Labelled],
    groups: Sequence[str],
    embeddings: np.ndarray,
    params: TrainingParams,
    knowledge: Knowledge,
    now: datetime,
    in_service: ReaderModel,
    *,
    progress: Callable[[str], None] = lambda _: None,
    jobs: int = 1,
) -> list[Outcome]:
    """A split model in service (one with a calm head) left out file by file as it reads: danger by its danger
    part's recipe, the calm intents by ``params``' calm heads, each group read by heads that never saw it.

    What the gate compares a candidate of another recipe with. :func:`left_out` of the model's recipe would read
    its calm intents with the intent head, as a candidate of the code's recipe does, and find the two alike.
    """
    readings, escalated = _service_readings(examples, groups, embeddings, params, in_service, progress, jobs)
    progress("routing the left-out readings")
    decisions = group_decisions(readings, examples, groups, embeddings, params, knowledge, now, in_service,
                                in_danger=escalated)
    return [Outcome(e, d) for e, d in zip(examples, decisions)]


def _service_readings(examples: Sequence[Labelled], groups: Sequence[str], embeddings: np.ndarray,
                      params: TrainingParams, in_service: ReaderModel, progress: Callable[[str], None],
                      jobs: int) -> tuple[GroupReadings, np.ndarray]:
    """``in_service`` read left out by ``groups`` as it reads: danger by its danger part's recipe, the calm intents
    (when it has a calm head) by ``params``' calm heads; and which messages its danger part escalates."""
    from bot.reading.calm import danger_recipe

    danger_params = danger_recipe(in_service)
    readings = group_readings(examples, groups, embeddings, danger_params, progress=progress, jobs=jobs)
    escalated = danger_decisions(readings, examples, groups, embeddings, danger_params, in_service)
    if in_service.calm_head is not None:
        readings = replace(readings, calm=calm_readings(examples, groups, embeddings, params, progress=progress,
                                                        jobs=jobs))
    return readings, escalated


def split_left_out(
    examples: Sequence[Labelled],
    groups: Sequence[str],
    before: Sequence[str],
    embeddings: np.ndarray,
    params: TrainingParams,
    knowledge: Knowledge,
    now: datetime,
    in_service: ReaderModel,
    *,
    progress: Callable[[str], None] = lambda _: None,
    service_params: TrainingParams | None = None,
    jobs: int = 1,
) -> tuple[list[Outcome], list[Outcome]]:
    """The outcomes of a recipe that keeps ``in_service``'s danger part (:mod:`bot.reading.calm`) and of
    ``in_service``'s own recipe, on every message, with the same danger decisions.

    The danger part is ``in_service``'s danger recipe left out by ``before`` (each group read by heads that never
    saw it; the new messages one group, read as ``in_service``'s danger part reads them): both sides escalate
    exactly those messages. The calm intents are ``params``' calm heads left out by ``groups`` for the candidate,
    and ``in_service``'s recipe left out by ``before`` for the other side; each side's calibrator and auto-reply
    threshold from its own groups, as :func:`group_decisions` does. ``service_params``: the recipe the other side
    is read with (default ``in_service``'s own; the gate passes it at the candidate's precision target).
    ``jobs``: groups whose heads are fitted at once.
    """
    service_params = service_params or recipe_of(in_service)
    progress(f"gate: the danger part of {in_service.version} and its calm part, left out")
    service, escalated = _service_readings(examples, before, embeddings, service_params, in_service, progress, jobs)
    progress("gate: the candidate's calm heads, left out file by file")
    candidate = replace(service, calm=calm_readings(examples, groups, embeddings, params, progress=progress, jobs=jobs))
    progress("routing the left-out readings")
    ours = group_decisions(candidate, examples, groups, embeddings, params, knowledge, now, in_service,
                           in_danger=escalated)
    theirs = group_decisions(service, examples, before, embeddings, service_params, knowledge, now, in_service,
                             in_danger=escalated)
    if [d.action == Action.ESCALATE for d in ours] != [d.action == Action.ESCALATE for d in theirs]:
        msg = "the two sides of a split gate escalate different messages: the danger part was not kept"
        raise SportelloError(msg)
    return [Outcome(e, d) for e, d in zip(examples, ours)], [Outcome(e, d) for e, d in zip(examples, theirs)]
