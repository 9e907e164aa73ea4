"""Would a danger part trained on every labelled file now rank danger better than the one in service, for writers
neither has read?

``python bench/danger_retrain.py [--output bench/results/danger_retrain.json]``

The danger part in service (its n-gram vocabulary, intent and danger heads) learned the files it records
(:func:`bot.reading.calm.trained_danger_on`). Here the code's recipe (:class:`~bot.reading.training.TrainingParams`,
writer-grouped folds: no writer in two folds) is fitted on four folds of every labelled file of the repository and reads
the fifth, so each message is read by heads that never saw its writer. Both are then read on the messages the danger
part in service never trained on: how many of their emergencies score above all but 1, 2, 5 and 10 % of their calm
messages, the share of calm messages at or above the weakest emergency (false alarms at recall 1.0) and at the
third-weakest, and the share of look-alikes above the 5 % line. The same encoder vectors (float32 pass) feed both.

Then thresholds (``thresholds``): the model in service's own, against those the code's recipe would set from the
retrained held-out readings of every file, with no false-alarm budget and with each of :data:`BUDGETS`
(``TrainingParams.danger_false_alarms``), each message held to the threshold of the language the model in service
reads it in. For each: the emergencies escalated (score at the threshold, or the unread-script rule), those left to a
watch band set at recall 1.0 as a split model sets it, and the false alarms, on the messages the danger part in service
never trained on. The recipe's thresholds are set on readings that include those messages (as training sets them on
every file it has): a guide to the budget, not a judge.
Training data only: no sealed set, no benchmark.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reader_common import every_training_message, put_figures  # noqa: E402
from bot.domain import Intent  # noqa: E402
from bot.evaluate import Labelled  # noqa: E402
from bot.reading.calm import WATCH_SLACK, danger_recipe, trained_danger_on, watch_thresholds  # noqa: E402
from bot.reading.danger import caught_by_rule  # noqa: E402
from bot.reading.features import Vocabulary  # noqa: E402
from bot.reading.model import INTENTS, ReaderModel  # noqa: E402
from bot.reading.training import (  # noqa: E402
    TrainingParams,
    danger_thresholds,
    heads,
    held_out_folds,
    lookalikes,
)

#: the shares of calm messages emergencies are counted above
RATES = (0.01, 0.02, 0.05, 0.10)
#: the false-alarm budgets the recipe's thresholds are set with (beside none)
BUDGETS = (0.02, 0.03, 0.05, 0.08, 0.10)


def ranking(score: np.ndarray, emergency: np.ndarray, lookalike: np.ndarray) -> dict[str, float | int]:
    """How well ``score`` ranks the emergencies above the calm messages (see the module's docstring)."""
    danger, calm = score[emergency], score[~emergency]
    out: dict[str, float | int] = {"emergencies": int(emergency.sum()), "calm": int((~emergency).sum())}
    for rate in RATES:
        out[f"above_{round(rate * 100)}pct_calm"] = int((danger > np.quantile(calm, 1 - rate)).sum())
    ordered = np.sort(danger)
    out["false_alarms_at_recall_1"] = round(float((calm >= ordered[0]).mean()), 4)
    out["false_alarms_at_third_weakest"] = round(float((calm >= ordered[min(2, len(ordered) - 1)]).mean()), 4)
    out["lookalikes_above_5pct_line"] = round(float((score[lookalike & ~emergency] > np.quantile(calm, 0.95)).mean()), 4)
    return out


def lanes(score: np.ndarray, lane: np.ndarray, band: np.ndarray, caught: np.ndarray, emergency: np.ndarray,
          lookalike: np.ndarray) -> dict[str, float | int]:
    """What thresholds ``lane`` (each message's) and a watch band down to ``band`` do to ``score``."""
    fired = (score >= lane) | caught
    watched = ~fired & (score >= band)
    calm = ~emergency
    return {"emergencies": int(emergency.sum()), "escalated": int((fired & emergency).sum()),
            "watched": int((watched & emergency).sum()), "neither": int((~fired & ~watched & emergency).sum()),
            "false_alarm_rate": round(float(fired[calm].mean()), 4),
            "lookalike_false_alarm_rate": round(float(fired[lookalike & calm].mean()), 4),
            "watch_rate": round(float(watched[calm].mean()), 4)}


def thresholds(model: ReaderModel, examples: list[Labelled], texts: list[str], embeddings: np.ndarray, in_service: np.ndarray,
               retrained: np.ndarray, unseen: np.ndarray, emergency: np.ndarray,
               lookalike: np.ndarray) -> dict[str, dict[str, float | int]]:
    """The model in service's thresholds against the recipe's, with and without a budget (module docstring)."""
    readings = model.read_many(texts, embeddings)
    langs, sure = [r.language for r in readings], [r.language_probability for r in readings]
    caught = caught_by_rule(texts)
    band = model.with_held_out_watch_band().watch_thresholds or model.danger_thresholds  # as Rome's config reads it
    out = {"in_service": lanes(in_service[unseen], model.danger_thresholds.each(langs, sure)[unseen],
                               band.each(langs, sure)[unseen], caught[unseen], emergency[unseen], lookalike[unseen])}
    for budget in (None, *BUDGETS):
        found = danger_thresholds(retrained, examples, langs, sure, replace(TrainingParams(), danger_false_alarms=budget))
        watch = watch_thresholds(retrained, examples, langs, sure,
                                 replace(TrainingParams(), danger_language_slack=WATCH_SLACK), found)
        name = "recipe" if budget is None else f"recipe_budget_{round(budget * 100)}pct"
        out[name] = {**lanes(retrained[unseen], found.each(langs, sure)[unseen], watch.each(langs, sure)[unseen],
                             caught[unseen], emergency[unseen], lookalike[unseen]),
                     "threshold": round(found.default, 4),
                     **{f"threshold_{k}": round(v, 4) for k, v in found.by_language.items()}}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", help="also write the figures to this JSON file")
    args = parser.parse_args()
    started = time.perf_counter()
    examples, groups, texts, embeddings = every_training_message()
    model = ReaderModel.load()
    unseen = ~trained_danger_on(model, examples, groups)
    emergency = np.array([e.intent == Intent.EMERGENCY for e in examples])
    lookalike = lookalikes(examples)
    intents = np.array([INTENTS.index(Intent(e.intent)) for e in examples])
    service = danger_recipe(model)
    x_all = model.vocabulary.rows(texts, embeddings)
    in_service = service.danger(model.intent_head.proba(x_all), model.danger_head.proba(x_all)[:, 1])
    recipe = TrainingParams()
    fold, folds = held_out_folds(examples, groups, recipe)
    retrained = np.zeros(len(examples), dtype=np.float32)
    for k in range(folds):
        fitted, held = np.nonzero(fold != k)[0], np.nonzero(fold == k)[0]
        vocab = Vocabulary.build([texts[i] for i in fitted], limit=recipe.vocabulary)
        intent_head, danger_head = heads(vocab.rows([texts[i] for i in fitted], embeddings[fitted]), intents[fitted],
                                         lookalike[fitted], recipe)
        x_held = vocab.rows([texts[i] for i in held], embeddings[held])
        retrained[held] = recipe.danger(intent_head.proba(x_held), danger_head.proba(x_held)[:, 1])
        print(f"fold {k + 1} of {folds}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
    figures = {
        "model": model.version, "danger_from": (model.info.get("danger_from") or {}).get("version", model.version),
        "files": len(set(groups)), "messages": len(examples),
        "files_unseen_by_the_danger_part": len({g for g, u in zip(groups, unseen) if u}),
        "in_service": ranking(in_service[unseen], emergency[unseen], lookalike[unseen]),
        "retrained_held_out": ranking(retrained[unseen], emergency[unseen], lookalike[unseen]),
        "retrained_held_out_every_file": ranking(retrained, emergency, lookalike),
        "thresholds": thresholds(model, examples, texts, embeddings, in_service, retrained, unseen, emergency, lookalike),
        "seconds": round(time.perf_counter() - started),
    }
    put_figures(figures, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
