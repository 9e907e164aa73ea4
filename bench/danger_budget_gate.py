"""What a false-alarm budget does to the danger lane as the retrain gate reads it: every labelled file left out.

``python bench/danger_budget_gate.py [--jobs N] [--output bench/results/danger_budget_gate.json]``

The gate (:mod:`bot.reading.gate`) reads each labelled file with the heads of a danger recipe fitted on every other
file, and holds it to thresholds the recipe sets from the other files' left-out readings
(:func:`bot.reading.left_out.danger_thresholds`). Here the code's danger recipe is read so once, and its thresholds are
set with no budget (recall first, as the model in service's recipe sets them) and with each of :data:`BUDGETS`. For
each: the emergencies escalated (a score at its threshold, an intent head whose likeliest intent is emergency, or the
unread-script rule, as the gate escalates), those a watch band set at recall 1.0 from the other files would hold, and
the calm messages escalated. The gate counts the lane alone, so this shows what a budget costs there.
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

from bench.danger_retrain import lanes  # noqa: E402
from bench.reader_common import every_training_message, put_figures  # noqa: E402
from bot.domain import Intent  # noqa: E402
from bot.reading.calm import WATCH_SLACK  # noqa: E402
from bot.reading.danger import DangerThresholds, caught_by_rule  # noqa: E402
from bot.reading.left_out import danger_thresholds, group_readings  # noqa: E402
from bot.reading.model import INTENTS, ReaderModel  # noqa: E402
from bot.reading.training import TrainingParams, lookalikes  # noqa: E402

#: the false-alarm budgets measured beside none
BUDGETS = (0.03, 0.05, 0.08)


def lane_and_band(danger: np.ndarray, intent: np.ndarray, lane: np.ndarray, band: np.ndarray, caught: np.ndarray,
                  emergency: np.ndarray, lookalike: np.ndarray) -> dict[str, float | int]:
    """The gate's escalations at thresholds ``lane`` (each message's), and what a band down to ``band`` holds: as
    :func:`bench.danger_retrain.lanes`, an intent head whose likeliest intent is emergency escalating as a rule does."""
    first = intent.argmax(axis=1) == INTENTS.index(Intent.EMERGENCY)
    found = lanes(danger, lane, band, caught | first, emergency, lookalike)
    return {**found, "lane_recall": round(found["escalated"] / max(1, found["emergencies"]), 4)}


def each_message(thresholds: dict[str, DangerThresholds], groups: list[str], languages: list[str | None],
                 sureness: list[float]) -> np.ndarray:
    """Each message's threshold: its group's, in the language it is read in."""
    return np.array([thresholds[g].of(lang, p) for g, lang, p in zip(groups, languages, sureness, strict=True)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1, help="left-out files fitted at once")
    parser.add_argument("--output", help="also write the figures to this JSON file")
    args = parser.parse_args()
    started = time.perf_counter()
    examples, groups, texts, embeddings = every_training_message()
    read = ReaderModel.load().read_many(texts, embeddings)  # the language each message is read in, as the gate does
    languages, sureness = [r.language for r in read], [r.language_probability for r in read]
    recipe = TrainingParams()
    readings = group_readings(examples, groups, embeddings, recipe, jobs=args.jobs,
                              progress=lambda s: print(s, file=sys.stderr))
    emergency = np.array([e.intent == Intent.EMERGENCY for e in examples])
    caught, lookalike = caught_by_rule(texts), lookalikes(examples)

    def thresholds(params: TrainingParams) -> np.ndarray:
        return each_message(danger_thresholds(readings, examples, groups, params, languages, sureness), groups,
                            languages, sureness)

    band = thresholds(replace(recipe, danger_language_slack=WATCH_SLACK))
    figures: dict[str, object] = {"files": len(set(groups)), "messages": len(examples)}
    for budget in (None, *BUDGETS):
        lane = thresholds(replace(recipe, danger_false_alarms=budget))
        name = "recall_first" if budget is None else f"budget_{round(budget * 100)}pct"
        figures[name] = lane_and_band(readings.danger, readings.intent, lane, np.minimum(lane, band), caught,
                                      emergency, lookalike)
    figures["seconds"] = round(time.perf_counter() - started)
    put_figures(figures, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
