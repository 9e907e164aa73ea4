"""How well each model's danger score ranks danger above calm, whatever its thresholds: recall at fixed false alarms.

``python bench/reader_danger_ranking.py MODEL.npz [MODEL.npz ...] [--output FILE]``

A danger threshold trades emergencies caught for false alarms; two models whose thresholds differ cannot be
compared by their escalations alone. Here each model's danger score (:attr:`bot.reading.model.Reading.danger`) is
read on the Rome sets that have served choices (the sealed ones kept unread, ``KEPT_UNREAD``, are skipped) and on
the danger sets, pooled per group, and for each false-alarm rate the emergencies scoring above every calm message
but that share are counted; beside them, what the model's own thresholds escalate. Sealed sets are
read in aggregate only: no message is printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reader_common import put_figures  # noqa: E402
from bench.reader_sets import KEPT_UNREAD, SEALED, _is_danger  # noqa: E402

#: the false-alarm rates recall is read at (issue 9's target is 5 %)
RATES = (0.02, 0.03, 0.05, 0.08, 0.12, 0.2)


def recall_at_false_alarms(scores: np.ndarray, danger: np.ndarray, rates: tuple[float, ...] = RATES) -> dict[str, int]:
    """For each rate, how many of the danger messages a threshold could escalate while escalating at most that share
    of the calm messages: those scoring strictly above the ``floor(rate * calm) + 1``-th highest calm score."""
    calm = np.sort(scores[~danger])[::-1]
    caught: dict[str, int] = {}
    for rate in rates:
        allowed = int(np.floor(rate * len(calm)))
        line = calm[allowed] if allowed < len(calm) else -np.inf  # the first calm score the rate does not allow
        caught[f"{rate:g}"] = int((scores[danger] > line).sum())
    return caught


def _rows(path: Path) -> list[tuple[str, bool]]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["text"], _is_danger(row)) for row in rows]


def _groups() -> dict[str, list[Path]]:
    paths = sorted(p for p in SEALED.glob("*.jsonl") if p.stem not in KEPT_UNREAD)
    return {"rome": [p for p in paths if p.stem.startswith("rome_sealed")],
            "danger": [p for p in paths if p.stem.startswith("danger")]}


def figures_of(model_path: Path) -> dict[str, Any]:
    """The model's ranking figures on each group of sets."""
    from bot.reading.model import ReaderModel

    model = ReaderModel.load(model_path)
    out: dict[str, Any] = {"version": model.version}
    for group, paths in _groups().items():
        rows = [row for path in paths for row in _rows(path)]
        readings = model.read_many([text for text, _ in rows])
        danger = np.array([gold for _, gold in rows])
        scores = np.array([r.danger for r in readings])
        fired = np.array([r.in_danger for r in readings])
        out[group] = {"sets": [p.stem for p in paths], "emergencies": int(danger.sum()), "calm": int((~danger).sum()),
                      "caught_at_false_alarms": recall_at_false_alarms(scores, danger),
                      "own_thresholds": {"caught": int(fired[danger].sum()),
                                         "false_alarm_rate": round(float(fired[~danger].mean()), 4)}}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="reader model files (.npz)")
    parser.add_argument("--output", help="also write the figures to this JSON file")
    args = parser.parse_args()
    put_figures([figures_of(Path(m)) for m in args.models], args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
