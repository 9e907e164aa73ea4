"""Recipes compared as the retrain gate compares them: each left out file by file, every pair judged.

``python bench/reader_gate.py [--recipe NAME ...] [--without PREFIX ...] [--output FILE.json]``

Each recipe (``RECIPES``; ``shipped`` is the shipped model's, read from its artefact) is trained leave-one-file-out
on the repository's labelled files (``bot.reading.left_out``, what ``sportello train``'s gate runs) and every
ordered pair is judged by :func:`bot.reading.gate.judge`: the first as the candidate, the second as the model in
service. ``--without writer7`` leaves out the files whose name starts so (to read them later as unseen). Only
training data is read: no sealed set, no benchmark. Encoder vectors are cached (``bench/reader_common.py``).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reader_common import (  # noqa: E402
    ENCODER_CACHE, SHARED, encoder_vectors, eval_knowledge, eval_now, put_figures,
)
from bot.reading.gate import false_alarm_rate, judge  # noqa: E402
from bot.reading.left_out import left_out  # noqa: E402
from bot.reading.model import ReaderModel  # noqa: E402
from bot.reading.training import (  # noqa: E402
    CALIBRATOR_L2,
    TrainingParams,
    default_training_files,
    read_grouped,
    recipe_of,
)

#: the 150/40 recipe of 2026-12-04 evening: one danger threshold from every held-out emergency, calibrator 1e-2
EVENING = replace(TrainingParams(), calibrator_l2=CALIBRATOR_L2, danger_skips_rule_caught=False, danger_languages=(),
                  danger_language_slack=1.0)
RECIPES = {
    "shipped": None,  # the shipped model's, from its artefact
    "default": TrainingParams(),  # `sportello train`'s since 2026-12-04 night: thresholds by language, calibrator 1e-3
    "intent150-danger40": EVENING,  # `sportello train`'s of 2026-12-04 evening
    "intent40-danger40": replace(EVENING, epochs=40, danger_epochs=None),  # main's of 2026-12-04 afternoon
}


def main() -> int:
    """Read every file left out with each recipe; print each recipe's figures and each pair's verdict as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--recipe", action="append", help=f"recipes (default: all of {list(RECIPES)})")
    parser.add_argument("--without", action="append", default=[], help="leave out files whose name starts so")
    parser.add_argument("--cache", default=ENCODER_CACHE, help="where encoder vectors are kept")
    parser.add_argument("--output", help="also write the figures to this JSON file")
    args = parser.parse_args()
    now = eval_now()
    knowledge = eval_knowledge(now)
    paths = [p for p in default_training_files(SHARED) if not p.name.startswith(tuple(args.without))]
    examples, groups, _ = read_grouped(paths)
    emb = encoder_vectors([e.text for e in examples], Path(args.cache))
    service = ReaderModel.load()
    outcomes, result = {}, {"files": len(set(groups)), "messages": len(examples), "recipes": {}, "pairs": {}}
    for name in args.recipe or list(RECIPES):
        params = RECIPES[name] or recipe_of(service)
        started = time.perf_counter()
        outcomes[name] = left_out(examples, groups, emb, params, knowledge, now, service,
                                  progress=lambda s: print(f"{name}: {s}", file=sys.stderr, flush=True))
        verdict = judge(outcomes[name], outcomes[name], name)
        result["recipes"][name] = {**verdict.candidate, "false_alarm_rate": false_alarm_rate(outcomes[name]),
                                   "seconds": round(time.perf_counter() - started)}
    for a in outcomes:
        for b in outcomes:
            if a != b:
                v = judge(outcomes[a], outcomes[b], a)
                result["pairs"][f"{a} over {b}"] = {"accepted": v.accepted, "worse": list(v.worse),
                                                    "drop_seen": v.drops}
    put_figures(result, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
