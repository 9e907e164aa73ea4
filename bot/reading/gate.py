"""The retrain gate: a candidate and the model in service scored on messages neither trained on.

A model scored on its own training messages is scored on what it memorised: a candidate that fits them
well and generalises worse would lead there. So the gate scores both models on *held-out* messages only:

- **Which messages.** The labelled messages (files and agents' corrections) of this retrain that the model in
  service did not train on. A model records its training messages as short digests of their text
  (``info["trained_on"]``, written by :func:`bot.reading.retrain.retrain`); a model that predates them is
  taken to have trained on every message of the files its ``info["sources"]`` names (and on every stored
  correction when it names ``corrections``). No model in service has seen these messages.
- **The candidate's decisions on them** come from models of the candidate's own recipe fitted without them:
  the held-out messages are dealt into :data:`GATE_FOLDS` folds (emergencies spread over every fold), and
  for each fold the recipe is trained on every other message of the retrain (its thresholds from its own
  inner folds) and routes that fold. Each held-out message is read by a model that never saw it, and the
  models saw the rest of the new data, as the candidate does. The candidate put in service is then the
  recipe fitted on everything, as usual.
- **The model in service** routes the same messages itself.

Both are scored with :func:`bot.evaluate.score`; the candidate is accepted only when no gated figure is
lower (emergency recall first, then auto-reply precision, then intent accuracy, then the share of the
answerable messages answered alone and right: a model that hands more to agents costs citizens their wait), when it does not send more
than :data:`FALSE_ALARM_SLACK` more of the calm held-out messages to the emergency lane (a false alarm
costs an agent a glance, but a lane full of them hides the real ones) beyond :data:`ALARMS_PER_CATCH` for each
held-out emergency it catches that the model in service misses (a miss can cost a life: more false alarms
are the price of catching more people in danger, and a candidate is not refused for paying it), and only
when the held-out
messages are enough to say so: at least :data:`MIN_HELD_OUT` of them, one an emergency. Otherwise the model
in service stays (a retrain on exactly what the model in service learnt has nothing to show).

Agents' corrections are messages an agent found misread, often by the model in service; among held-out
messages they weigh against it. The labelled files' messages keep the gate on ordinary traffic.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from bot.domain import Action, Decision
from bot.evaluate import Labelled, Outcome, read_labelled, score

#: The figures a new model must not lose on the held-out messages, most important first.
GATED = ("emergency_recall", "auto_precision", "intent_accuracy", "auto_coverage")
#: How much higher (a share of the calm held-out messages) the candidate's false-alarm rate may be.
FALSE_ALARM_SLACK = 0.01
#: Calm messages the candidate may also send to the emergency lane for each held-out emergency it catches
#: that the model in service misses: twenty glances by an agent for one person in danger found. (The
#: 2026-12-04 retrain caught 7 more of 383 held-out emergencies at 56 more false alarms in 2,241: 8 each.)
ALARMS_PER_CATCH = 20
#: The name of the false-alarm figure in ``Verdict.worse`` (lower is better, unlike the gated figures).
FALSE_ALARMS = "false_alarm_rate"
#: Folds the held-out messages are dealt into: each costs one training of the candidate's recipe.
GATE_FOLDS = 3
#: Fewer held-out messages than this (or none an emergency) cannot show a candidate is no worse.
MIN_HELD_OUT = 20

#: A reader as the gate sees it: texts in, the router's decisions out.
Reader = Callable[[Sequence[str]], list[Decision]]
#: A recipe: the labelled messages to learn from in, a reader out.
Recipe = Callable[[Sequence[Labelled]], Reader]


class Refusal(StrEnum):
    """Why a candidate was not put in service."""

    WORSE = "worse"  # a gated figure is lower on the held-out messages, or false alarms are higher
    TOO_FEW_HELD_OUT = "too_few_held_out"  # not enough messages the model in service did not train on


@dataclass(frozen=True)
class Verdict:
    """A candidate model beside the one in service, on held-out messages; ``accepted`` when it is no worse."""

    accepted: bool
    candidate: dict[str, float | None]
    in_service: dict[str, float | None]
    version: str
    held_out: int = 0  # messages both were scored on
    emergencies: int = 0  # of which emergencies
    worse: tuple[str, ...] = ()  # the gated figures the candidate loses
    refusal: Refusal | None = None
    #: calm held-out messages escalated, (candidate, in service): gated with FALSE_ALARM_SLACK
    false_alarms: tuple[float | None, float | None] = (None, None)

    def as_dict(self) -> dict[str, Any]:
        """What ``sportello train`` prints about the gate."""
        return {"held_out": self.held_out, "emergencies": self.emergencies, "folds": GATE_FOLDS,
                "worse": list(self.worse), "refusal": str(self.refusal) if self.refusal else None,
                "false_alarm_rate": {"candidate": self.false_alarms[0], "in_service": self.false_alarms[1]}}


def text_digest(text: str) -> str:
    """A short stable digest of a message's text: what a model records of the messages it trained on."""
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:12]


def trained_on_digests(examples: Iterable[Labelled]) -> list[str]:
    """The digests a model keeps in ``info["trained_on"]``, sorted."""
    return sorted({text_digest(e.text) for e in examples})


def seen_by(info: dict[str, Any], files: Sequence[Path], corrections: Iterable[str] = ()) -> Callable[[str], bool]:
    """Whether the model whose ``info`` this is trained on a text.

    From its digests when it has them; else every text of the ``files`` its sources name (and the
    ``corrections`` when it learnt from corrections): such a model may have trained on any of them.
    """
    digests = info.get("trained_on")
    if digests:
        known = set(digests)
        return lambda text: text_digest(text) in known
    names = set(info.get("sources") or ())
    texts = {r.text.strip() for f in dict.fromkeys(files) if f.name in names and f.exists() for r in read_labelled(f)}
    if "corrections" in names:
        texts |= {t.strip() for t in corrections}
    return lambda text: text.strip() in texts


def gate_folds(rows: Sequence[Labelled], folds: int) -> list[int]:
    """A fold per held-out message: emergencies first, each group in the order of a hash of its text, dealt in turn."""
    order = sorted(range(len(rows)), key=lambda i: (rows[i].intent != "emergency",
                                                     hashlib.sha1(f"gate:{rows[i].text.strip()}".encode()).hexdigest()))
    fold = [0] * len(rows)
    for rank, i in enumerate(order):
        fold[i] = rank % folds
    return fold


def held_out_outcomes(
    examples: Sequence[Labelled],
    rows: Sequence[Labelled],
    recipe: Recipe,
    *,
    folds: int = GATE_FOLDS,
    progress: Callable[[str], None] = lambda _: None,
) -> list[Outcome]:
    """The recipe's decisions on ``rows``, each from a model fitted on ``examples`` without the row's fold."""
    fold = gate_folds(rows, folds)
    outcomes: list[Outcome | None] = [None] * len(rows)
    for k in range(min(folds, len(rows))):
        held = [i for i in range(len(rows)) if fold[i] == k]
        left_out = {rows[i].text.strip() for i in held}
        progress(f"gate fold {k + 1} of {folds}: training without {len(held)} held-out messages")
        reader = recipe([e for e in examples if e.text.strip() not in left_out])
        for i, decision in zip(held, reader([rows[i].text for i in held])):
            outcomes[i] = Outcome(rows[i], decision)
    return [o for o in outcomes if o is not None]


def figures(outcomes: Sequence[Outcome]) -> dict[str, float | None]:
    """The gated figures of some outcomes."""
    metrics = score(outcomes).metrics
    return {name: metrics.get(name) for name in GATED}  # type: ignore[misc]


def false_alarm_rate(outcomes: Sequence[Outcome]) -> float | None:
    """The share of messages that are not emergencies sent to the emergency lane."""
    calm = [o for o in outcomes if o.gold.intent != "emergency"]
    return sum(o.decision.action == Action.ESCALATE for o in calm) / len(calm) if calm else None


def worse_figures(candidate: dict[str, Any], current: dict[str, Any]) -> tuple[str, ...]:
    """The gated figures on which the candidate is below the current model (a missing figure counts as 0)."""
    return tuple(k for k in GATED if (candidate.get(k) or 0.0) < (current.get(k) or 0.0) - 1e-9)


def no_worse(candidate: dict[str, Any], current: dict[str, Any]) -> bool:
    """Whether every gated figure of the candidate is at least the current one's."""
    return not worse_figures(candidate, current)


def gate(
    examples: Sequence[Labelled],
    seen: Callable[[str], bool],
    recipe: Recipe,
    in_service: Reader,
    version: str,
    *,
    folds: int = GATE_FOLDS,
    progress: Callable[[str], None] = lambda _: None,
) -> Verdict:
    """Score the recipe (held out) and the model in service on the examples it did not train on; compare."""
    rows = [e for e in examples if not seen(e.text)]
    emergencies = sum(e.intent == "emergency" for e in rows)
    if len(rows) < MIN_HELD_OUT or not emergencies:
        empty = dict.fromkeys(GATED)
        return Verdict(False, empty, dict(empty), version, len(rows), emergencies, (), Refusal.TOO_FEW_HELD_OUT)
    candidate_outcomes = held_out_outcomes(examples, rows, recipe, folds=folds, progress=progress)
    progress(f"gate: the model in service reads the {len(rows)} held-out messages")
    current_outcomes = [Outcome(r, d) for r, d in zip(rows, in_service([r.text for r in rows]))]
    candidate, current = figures(candidate_outcomes), figures(current_outcomes)
    alarms = (false_alarm_rate(candidate_outcomes), false_alarm_rate(current_outcomes))
    caught = escalated_emergencies(candidate_outcomes) - escalated_emergencies(current_outcomes)
    calm = len(rows) - emergencies
    worse = worse_figures(candidate, current) + (
        (FALSE_ALARMS,) if more_false_alarms(*alarms, calm=calm, caught=caught) else ())
    return Verdict(not worse, candidate, current, version, len(rows), emergencies, worse,
                   Refusal.WORSE if worse else None, alarms)


def escalated_emergencies(outcomes: Sequence[Outcome]) -> int:
    """How many of the emergencies among ``outcomes`` went to the emergency lane."""
    return sum(o.gold.intent == "emergency" and o.decision.action == Action.ESCALATE for o in outcomes)


def more_false_alarms(candidate: float | None, in_service: float | None, *, calm: int = 0, caught: int = 0) -> bool:
    """Whether the candidate escalates more calm messages than the model in service, beyond the slack and
    beyond :data:`ALARMS_PER_CATCH` for each of the ``caught`` emergencies it escalates that the model in
    service does not (``calm``: how many calm messages the rates are shares of)."""
    if candidate is None or in_service is None:
        return False
    allowed = FALSE_ALARM_SLACK + (ALARMS_PER_CATCH * caught / calm if calm and caught > 0 else 0.0)
    return candidate > in_service + allowed + 1e-9
