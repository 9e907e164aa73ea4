"""A model's danger part read another way (:class:`~bot.reading.danger.DangerReading`): its heads as they are, its
danger and watch thresholds set again from its own held-out readings, judged on the messages it never trained on.

``sportello train --recipe reread`` (the danger reading of the code's recipe, ``TrainingParams.danger_reading``):

- **thresholds as the recipe sets them.** The messages the danger part trained on are read by heads of its own
  recipe fitted on the other folds of them (:func:`~bot.reading.calm.held_out_danger`, with the new reading), and the
  recipe's rule sets the thresholds from those readings (:func:`~bot.reading.training.danger_thresholds`): the weakest
  held-out emergency no rule catches, Italian and English their own. The watch band's thresholds come, as in
  :func:`~bot.reading.calm.train_calm`, from those readings and the model's readings of every other message;
- **judged where the danger part is blind.** The messages the danger part never trained on are read with both
  readings, each at its own thresholds: the new one is accepted when it catches at least the emergencies the reading
  in service catches and raises no more false alarms (calm messages sent to the emergency lane). Nothing else of the
  model moves: the calm part, the calibrator and the auto-reply threshold are the model's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timezone
from typing import Any

import numpy as np

from bot.domain import Intent
from bot.evaluate import Labelled
from bot.reading.calm import (
    DANGER_FROM,
    WATCH_SLACK,
    danger_recipe,
    danger_source,
    held_out_danger,
    trained_danger_on,
    watch_figures,
    watch_thresholds,
)
from bot.reading.danger import DangerReading, caught_by_rule, with_reading
from bot.reading.gate import Refusal, Verdict
from bot.reading.model import ReaderModel
from bot.reading.training import danger_thresholds

#: the figures a re-read is judged on, over the messages the danger part never trained on
JUDGED = ("emergency_recall", "false_alarm_rate")


def reread_danger(
    model: ReaderModel,
    reading: DangerReading,
    examples: Sequence[Labelled],
    groups: Sequence[str],
    embeddings: np.ndarray,
    *,
    progress: Callable[[str], None] = lambda _: None,
) -> tuple[ReaderModel, Verdict]:
    """``model`` with its danger part read as ``reading``, and the verdict on the messages that part never saw."""
    texts = [e.text for e in examples]
    source = danger_source(model)
    info = {**model.info, "params": with_reading(model.info.get("params") or {}, reading),
            DANGER_FROM: {**source, "params": with_reading(source.get("params") or {}, reading)}}
    draft = replace(model, danger_reading=reading, info=info, watch_thresholds=None)
    recipe = danger_recipe(draft)
    seen = trained_danger_on(model, examples, groups)
    own = draft.read_many(texts, embeddings)
    danger, _ = held_out_danger(draft, examples, groups, embeddings, seen, own, progress=progress)
    read_in, sureness = [r.language for r in own], [r.language_probability for r in own]
    index = np.nonzero(seen)[0]
    found = danger_thresholds(danger[index], [examples[i] for i in index], [read_in[i] for i in index],
                              [sureness[i] for i in index], recipe)
    candidate = replace(draft, danger_threshold=found.default, danger_by_language=dict(found.by_language))

    emergency = np.array([e.intent == Intent.EMERGENCY for e in examples], dtype=bool)
    lane = found.each(read_in, sureness)
    fired = (danger >= lane) | caught_by_rule(texts)  # held out: the score at its threshold, or the rule
    watch = watch_thresholds(danger, examples, read_in, sureness, replace(recipe, danger_language_slack=WATCH_SLACK),
                             found)
    held = dict(model.info.get("held_out") or {})
    held = {k: v for k, v in held.items() if not k.startswith(("danger_threshold", "watch_threshold"))}
    held.update({
        "emergency_recall": round(float(fired[emergency].mean()) if emergency.any() else 1.0, 4),
        "false_alarm_rate": round(float(fired[~emergency].mean()) if (~emergency).any() else 0.0, 4),
        "danger_threshold": round(found.default, 4),
        **{f"danger_threshold_{lang}": round(t, 4) for lang, t in found.by_language.items()},
        **watch_figures(danger, fired, emergency, read_in, sureness, watch),
    })
    digest = hashlib.sha1(f"{model.version}:{reading}:{found}".encode()).hexdigest()[:8]
    version = f"{datetime.now(timezone.utc):%Y%m%d%H%M}-{digest}"
    candidate = replace(candidate, version=version,
                        info={**info, "held_out": held, "reread_from": model.version,
                              "trained_at": datetime.now(timezone.utc).isoformat(timespec="seconds")},
                        watch_thresholds=watch if model.watch_thresholds is not None else None)
    unseen = np.nonzero(~seen)[0]
    progress(f"judging both readings on the {len(unseen)} messages the danger part never trained on")
    return candidate, judged(model, candidate, [examples[i] for i in unseen], embeddings[unseen])


def escalated(model: ReaderModel, examples: Sequence[Labelled], embeddings: np.ndarray) -> np.ndarray:
    """Which ``examples`` ``model`` sends to the emergency lane (its reading, or the unread-script rule)."""
    readings = model.read_many([e.text for e in examples], embeddings)
    return np.array([r.in_danger for r in readings], dtype=bool) | caught_by_rule([e.text for e in examples])


def judged(current: ReaderModel, candidate: ReaderModel, examples: Sequence[Labelled],
           embeddings: np.ndarray) -> Verdict:
    """The two readings on ``examples`` (messages neither's danger part trained on): the candidate is accepted when
    its emergency recall is not lower and its false-alarm rate not higher."""
    emergency = np.array([e.intent == Intent.EMERGENCY for e in examples], dtype=bool)
    figures: list[dict[str, float | None]] = []
    for model in (candidate, current):
        fired = escalated(model, examples, embeddings)
        figures.append(_figures(fired, emergency))
    new, old = figures
    worse = tuple(name for name in JUDGED if _worse(name, new[name], old[name]))
    return Verdict(not worse and bool(emergency.any()), new, old, candidate.version, held_out=len(examples),
                   emergencies=int(emergency.sum()), worse=worse,
                   refusal=(Refusal.WORSE if worse else Refusal.TOO_FEW_HELD_OUT if not emergency.any() else None),
                   false_alarms=(new["false_alarm_rate"], old["false_alarm_rate"]))


def _figures(fired: np.ndarray, emergency: np.ndarray) -> dict[str, float | None]:
    calm = ~emergency
    return {"emergency_recall": round(float(fired[emergency].mean()), 4) if emergency.any() else None,
            "false_alarm_rate": round(float(fired[calm].mean()), 4) if calm.any() else None}


def _worse(name: str, new: Any, old: Any) -> bool:
    if new is None or old is None:
        return False
    return bool(new < old) if name == "emergency_recall" else bool(new > old)
