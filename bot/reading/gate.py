"""The retrain gate: the candidate's recipe and the model in service's recipe, left out file by file, compared.

A model scored on its own training messages is scored on what it memorised, and a model scored on messages
its recipe's other models have seen is scored on something else than the model it is compared to. So the
gate compares like with like:

- **Two recipes, the same messages.** The candidate's recipe and the recipe of the model in service (read
  from its artefact, :func:`bot.reading.training.recipe_of`) are each trained leave-one-group-out on this
  retrain's labelled messages (:mod:`bot.reading.left_out`: every labelled file a group, the agents'
  corrections one more) and read the left-out group with thresholds from the other groups. Every message is
  read by both, each time by models that never saw its writer.
- **A figure is worse only when its drop is more than noise.** The two readings of a message are a pair;
  the pairs are resampled with replacement (:data:`RESAMPLES` times, fixed seed, so a verdict is
  reproducible) and a gated figure counts as lower when it is lower on the whole set *and* in at least
  :data:`EVIDENCE` of the resamples (:data:`RECALL_EVIDENCE` for emergency recall: a miss can cost a life,
  so a drop in recall is refused on weaker evidence). Messages of one writer resemble each other, so
  resampling messages makes the noise look smaller than it is: the gate errs towards keeping the model in
  service.
- **Emergencies caught buy false alarms.** False alarms (calm messages sent to the emergency lane) count as
  worse when the candidate's excess over the model in service, less :data:`ALARMS_PER_CATCH` for each
  emergency it escalates that the model in service does not, is above zero in :data:`EVIDENCE` of the
  resamples.
- **One promise, both sides.** How often an answer posted alone must be right is the operator's policy, not a
  model's quality: the candidate's recipe says it (``TrainingParams.auto_precision_target``), and the recipe of the
  model in service is read at that same target (:func:`bot.reading.retrain.judged_recipe`). A stricter target
  posts fewer answers on both sides, so it is not refused on coverage for being stricter.
- **Right replies buy wrong ones.** The auto-reply threshold is chosen so that answers posted alone are right
  at that target's rate, so a candidate that posts more right answers may post wrong ones at that rate:
  :func:`wrong_per_right` for each right answer it adds (:data:`WRONG_PER_RIGHT` at the target of 0.985). Precision counts as
  worse when the candidate's wrong automatic replies beyond the model in service's, less that allowance, are
  above zero in :data:`EVIDENCE` of the resamples. (Precision's own ratio was compared before: a model in service
  whose left-out answers held no wrong one, as on 2026-12-05 with 156 posted, made any single error a drop, so
  a candidate answering 2.3 times as many messages at 0.992 was refused.)
- **Wrong replies removed buy right ones lost**, at the same rate: coverage counts as worse when it is lower
  beyond noise (as every figure) *and*, over the whole set, the right answers the candidate loses are more than
  the wrong ones it no longer posts are worth (one wrong reply fewer is worth ``1 / wrong_per_right`` right ones:
  99 at 0.99). A candidate that answers less because it leaves wrong answers to a person is not refused for it;
  one that loses many right answers for a wrong one or two still is. (Coverage's own
  ratio was compared before: on 2026-12-05 a candidate reading the 1,355 messages of five new writers at 0.989
  precision and 0.261 coverage, against the model in service's recipe at 0.981 and 0.294, both promising 0.99,
  was refused on coverage.)
- **Too little to judge.** Fewer than :data:`MIN_HELD_OUT` messages, none an emergency, or fewer than
  :data:`MIN_GROUPS` groups: nothing can be shown and the model in service stays. A retrain with no message
  the model in service did not train on, of the same recipe, has nothing to gain and is not gated at all.
- **The same recipe on new messages** would read alike left out twice: then the recipe is left out a second
  time with the messages the model in service never trained on as one group
  (:func:`bot.reading.retrain.without_new`), so they are read by heads fitted on what that model saw, and the
  two readings of those messages are judged by the same rules. (The model in service's own readings were used
  before: calibrated on random folds, they answered about twice as many messages alone as any left-out reading,
  0.36 against 0.18 of the answerable on 2026-12-05, and refused every retrain of the same recipe on coverage.)

Agents' corrections are messages an agent found misread; left out as one group they show how each recipe
reads what agents had to fix.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np

from bot.domain import Action
from bot.evaluate import Labelled, Outcome, read_labelled, score
from bot.reading.training import AUTO_PRECISION_TARGET

#: The figures shown for both recipes (``sportello train``'s ``candidate`` and ``in_service``).
GATED = ("emergency_recall", "auto_precision", "intent_accuracy", "auto_coverage")
#: Intent accuracy over the calm messages neither recipe sends to the emergency lane: a false alarm is also a
#: wrong intent, and is judged once, by the false-alarm rule (else the false alarms that catches buy would be
#: refused again as intent errors); a missed emergency is judged by recall.
CALM_INTENT = "calm_intent_accuracy"
#: The figures a new recipe must not lose on the left-out messages, most important first.
COMPARED = ("emergency_recall", "auto_precision", CALM_INTENT, "auto_coverage")
#: Calm messages the candidate may also send to the emergency lane for each left-out emergency it catches
#: that the model in service misses: twenty glances by an agent for one person in danger found.
ALARMS_PER_CATCH = 20
#: Wrong automatic replies the candidate may add for each right one it adds: the rate the auto-reply threshold is
#: chosen for (1.5 wrong in 100 at 0.985), so added replies are judged by the precision promised for all of them.
WRONG_PER_RIGHT = (1.0 - AUTO_PRECISION_TARGET) / AUTO_PRECISION_TARGET  # at the target of models recording none
#: The name of the false-alarm figure in ``Verdict.worse`` (lower is better, unlike the gated figures).
FALSE_ALARMS = "false_alarm_rate"
#: Fewer left-out messages than this (or none an emergency) cannot show a candidate is no worse.
MIN_HELD_OUT = 20
#: Fewer groups than this leave too little to set a left-out group's thresholds from.
MIN_GROUPS = 3
#: How many times the paired readings are resampled to tell a drop from noise.
RESAMPLES = 2000
#: The share of resamples in which a figure must be worse for the drop to count (one-sided 95 %).
EVIDENCE = 0.95
#: The same for emergency recall: two emergencies lost and none gained are refused (seen in 86 % of resamples),
#: one is not (63 %): one emergency's place under a threshold set by another file's weakest is noise.
RECALL_EVIDENCE = 0.80
SEED = 0


class Refusal(StrEnum):
    """Why a candidate was not put in service."""

    WORSE = "worse"  # a gated figure lower beyond noise, or false alarms higher beyond the allowance
    TOO_FEW_HELD_OUT = "too_few_held_out"  # too few messages, emergencies or groups to judge
    NOTHING_NEW = "nothing_new"  # the same recipe, and no message the model in service did not train on


@dataclass(frozen=True)
class Verdict:
    """The candidate's recipe beside the in-service model's, left out file by file; ``accepted`` when no worse."""

    accepted: bool
    candidate: dict[str, float | None]
    in_service: dict[str, float | None]
    version: str
    held_out: int = 0  # messages both recipes were scored on
    emergencies: int = 0  # of which emergencies
    worse: tuple[str, ...] = ()  # the gated figures the candidate loses beyond noise
    refusal: Refusal | None = None
    #: calm left-out messages escalated, (candidate, in service)
    false_alarms: tuple[float | None, float | None] = (None, None)
    groups: int = 0  # groups left out one at a time
    #: each gated figure (and false alarms): the share of resamples in which the candidate is worse
    drops: dict[str, float] = field(default_factory=dict)
    new: int = 0  # messages the model in service never trained on
    #: wrong automatic replies allowed for each right one added (from the precision target both sides were read at)
    wrong_per_right: float = WRONG_PER_RIGHT

    def as_dict(self) -> dict[str, Any]:
        """What ``sportello train`` prints about the gate."""
        return {"held_out": self.held_out, "emergencies": self.emergencies, "folds": self.groups,
                "worse": list(self.worse), "refusal": str(self.refusal) if self.refusal else None,
                "false_alarm_rate": {"candidate": self.false_alarms[0], "in_service": self.false_alarms[1]},
                "method": "left out file by file", "groups": self.groups, "new_messages": self.new,
                "drop_seen": dict(self.drops), "evidence": {"recall": RECALL_EVIDENCE, "other": EVIDENCE},
                "alarms_per_catch": ALARMS_PER_CATCH, "wrong_per_right": round(self.wrong_per_right, 4)}


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


def figures(outcomes: Sequence[Outcome]) -> dict[str, float | None]:
    """The gated figures of some outcomes."""
    metrics = score(outcomes).metrics
    return {name: metrics.get(name) for name in GATED}  # type: ignore[misc]


def false_alarm_rate(outcomes: Sequence[Outcome]) -> float | None:
    """The share of messages that are not emergencies sent to the emergency lane."""
    calm = [o for o in outcomes if o.gold.intent != "emergency"]
    return sum(o.decision.action == Action.ESCALATE for o in calm) / len(calm) if calm else None


def too_few(examples: Sequence[Labelled]) -> bool:
    """Whether these messages are too few, or hold no emergency, to show that a candidate is no worse."""
    return len(examples) < MIN_HELD_OUT or not any(e.intent == "emergency" for e in examples)


def too_little(examples: Sequence[Labelled], groups: Sequence[str]) -> Refusal | None:
    """:attr:`Refusal.TOO_FEW_HELD_OUT` when the messages cannot show a candidate is no worse, else None."""
    return Refusal.TOO_FEW_HELD_OUT if too_few(examples) or len(set(groups)) < MIN_GROUPS else None


def refused(refusal: Refusal, version: str, examples: Sequence[Labelled], groups: Sequence[str], new: int) -> Verdict:
    """A verdict that keeps the model in service without comparing anything."""
    empty: dict[str, float | None] = dict.fromkeys(GATED)
    return Verdict(False, empty, dict(empty), version, len(examples), sum(e.intent == "emergency" for e in examples),
                   (), refusal, groups=len(set(groups)), new=new)


# the per-message facts both readings are resampled on, as columns
_COLUMNS = ("emergency", "caught_c", "caught_s", "intent_c", "intent_s", "posted_c", "good_c", "posted_s", "good_s",
            "answerable", "alarm_c", "alarm_s", "message", "calm_both")
_C = {name: i for i, name in enumerate(_COLUMNS)}


def _facts(candidate: Sequence[Outcome], in_service: Sequence[Outcome]) -> np.ndarray:
    rows = []
    for c, s in zip(candidate, in_service, strict=True):
        gold = c.gold
        emergency = gold.intent == "emergency"
        escalated_c, escalated_s = c.decision.action == Action.ESCALATE, s.decision.action == Action.ESCALATE
        posted_c, posted_s = c.auto and c.answer_judged, s.auto and s.answer_judged  # a post the labels can judge
        good_c = posted_c and gold.auto_ok and c.answer_right
        good_s = posted_s and gold.auto_ok and s.answer_right
        calm_both = not emergency and not escalated_c and not escalated_s
        rows.append((emergency, emergency and escalated_c, emergency and escalated_s,
                     calm_both and str(c.decision.intent) == gold.intent,
                     calm_both and str(s.decision.intent) == gold.intent,
                     posted_c, good_c, posted_s, good_s, gold.auto_ok,
                     not emergency and escalated_c, not emergency and escalated_s, True, calm_both))
    return np.array(rows, dtype=np.float64).reshape(len(rows), len(_COLUMNS))


def _sides(sums: np.ndarray) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each gated figure of the candidate and of the model in service, one value per row of column sums."""
    def ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(den > 0, num / np.where(den > 0, den, 1), np.nan)

    col = lambda name: sums[:, _C[name]]  # noqa: E731
    return {
        "emergency_recall": (ratio(col("caught_c"), col("emergency")), ratio(col("caught_s"), col("emergency"))),
        "auto_precision": (ratio(col("good_c"), col("posted_c")), ratio(col("good_s"), col("posted_s"))),
        CALM_INTENT: (ratio(col("intent_c"), col("calm_both")), ratio(col("intent_s"), col("calm_both"))),
        "auto_coverage": (ratio(col("good_c"), col("answerable")), ratio(col("good_s"), col("answerable"))),
    }


def _excess_alarms(sums: np.ndarray) -> np.ndarray:
    """Calm messages the candidate escalates beyond the model in service, less the allowance for catches."""
    caught = sums[:, _C["caught_c"]] - sums[:, _C["caught_s"]]
    return sums[:, _C["alarm_c"]] - sums[:, _C["alarm_s"]] - ALARMS_PER_CATCH * np.maximum(caught, 0.0)


def wrong_per_right(target: float) -> float:
    """Wrong automatic replies a candidate may add for each right one it adds, at a precision target."""
    return (1.0 - target) / target


def _excess_wrong(sums: np.ndarray, allowance: float = WRONG_PER_RIGHT) -> np.ndarray:
    """Wrong automatic replies the candidate posts beyond the model in service, less the allowance for right ones."""
    right = sums[:, _C["good_c"]] - sums[:, _C["good_s"]]
    wrong_c = sums[:, _C["posted_c"]] - sums[:, _C["good_c"]]
    wrong_s = sums[:, _C["posted_s"]] - sums[:, _C["good_s"]]
    return wrong_c - wrong_s - allowance * np.maximum(right, 0.0)


def _right_lost(sums: np.ndarray, allowance: float = WRONG_PER_RIGHT) -> np.ndarray:
    """Right automatic replies the candidate loses against the model in service, less those that wrong replies it
    no longer posts are worth at the promised rate (one wrong reply fewer is worth ``1 / allowance`` right ones)."""
    right = sums[:, _C["good_c"]] - sums[:, _C["good_s"]]
    wrong_c = sums[:, _C["posted_c"]] - sums[:, _C["good_c"]]
    wrong_s = sums[:, _C["posted_s"]] - sums[:, _C["good_s"]]
    return -right - np.maximum(wrong_s - wrong_c, 0.0) / allowance


def _worse(name: str, sums: np.ndarray, sides: dict[str, tuple[np.ndarray, np.ndarray]],
           allowance: float = WRONG_PER_RIGHT) -> np.ndarray:
    """Where the candidate is worse on a compared figure: lower, or for precision, wrong replies beyond the allowance."""
    if name == "auto_precision":
        return _excess_wrong(sums, allowance) > 1e-12
    return _lower(*sides[name])


def _lower(candidate: np.ndarray, in_service: np.ndarray) -> np.ndarray:
    """Where the candidate's figure is below the other's (a figure with nothing to count is never lower)."""
    with np.errstate(invalid="ignore"):
        return np.nan_to_num(candidate, nan=np.inf) < np.nan_to_num(in_service, nan=-np.inf) - 1e-12


def paired_drops(facts: np.ndarray, *, resamples: int = RESAMPLES, seed: int = SEED,
                 allowance: float = WRONG_PER_RIGHT) -> dict[str, float]:
    """Each figure: the share of resamples of the message pairs in which the candidate is worse."""
    n = len(facts)
    rng = np.random.default_rng(seed)
    worse = dict.fromkeys([*COMPARED, FALSE_ALARMS], 0)
    done = 0
    while done < resamples:
        batch = min(250, resamples - done)
        counts = rng.multinomial(n, np.full(n, 1.0 / n), size=batch).astype(np.float64)
        sums = counts @ facts
        sides = _sides(sums)
        for name in COMPARED:
            worse[name] += int(_worse(name, sums, sides, allowance).sum())
        worse[FALSE_ALARMS] += int((_excess_alarms(sums) > 0).sum())
        done += batch
    return {name: round(count / resamples, 4) for name, count in worse.items()}


def judge(candidate: Sequence[Outcome], in_service: Sequence[Outcome], version: str, *, groups: int = 0,
          new: int = 0, resamples: int = RESAMPLES, target: float = AUTO_PRECISION_TARGET) -> Verdict:
    """The verdict on two recipes' left-out outcomes on the same messages (in the same order), both read at the
    auto-reply precision ``target`` (added right answers buy wrong ones at its rate)."""
    allowance = wrong_per_right(target)
    facts = _facts(candidate, in_service)
    whole = facts.sum(axis=0, keepdims=True)
    point = _sides(whole)
    drops = paired_drops(facts, resamples=resamples, allowance=allowance)
    worse = tuple(name for name in COMPARED if bool(_worse(name, whole, point, allowance)[0])
                  and drops[name] >= (RECALL_EVIDENCE if name == "emergency_recall" else EVIDENCE)
                  and (name != "auto_coverage" or _right_lost(whole, allowance)[0] > 1e-12))
    if _excess_alarms(whole)[0] > 0 and drops[FALSE_ALARMS] >= EVIDENCE:
        worse += (FALSE_ALARMS,)
    gold = [o.gold for o in candidate]
    shown = ({**figures(candidate), CALM_INTENT: _value(point[CALM_INTENT][0])},
             {**figures(in_service), CALM_INTENT: _value(point[CALM_INTENT][1])})
    return Verdict(not worse, *shown, version, len(gold),
                   sum(g.intent == "emergency" for g in gold), worse, Refusal.WORSE if worse else None,
                   (false_alarm_rate(candidate), false_alarm_rate(in_service)), groups, drops, new, allowance)


def _value(figure: np.ndarray) -> float | None:
    return None if np.isnan(figure[0]) else round(float(figure[0]), 4)


def no_worse(candidate: dict[str, Any], current: dict[str, Any]) -> bool:
    """Whether every gated figure of the candidate is at least the current one's (a missing figure counts as 0)."""
    return not any((candidate.get(k) or 0.0) < (current.get(k) or 0.0) - 1e-9 for k in GATED)
