"""Where the reading rules (lines, stops, alerts) disagree with the labels of the training files, message by message.

``python bench/rule_errors.py [--part routes|stops|alerts] [--output FILE]``

The line finder, the stop finder and the alert choice are rules, not learnt: their mistakes on the training files
are as likely on writers never read, so those files (``knowledge/training/``, the ``tests/bot`` case sets and the
shared ``dev`` set, all read freely) are where to find them. For each message whose part differs from its label it
prints the file, how it differs (``extra``: more than labelled, ``missing``: less, ``other``: both), the labelled and
the found values and the text; alerts are compared only where intent and lines are right, so that an alert error is
the alert choice's own. The sealed sets are never read here. The rules of 2026-12-05 late night were found so: route
errors 101 -> 92, two alert errors (README, *The rule for reading rome_sealed_11*).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reader_common import NOW, SHARED, eval_sources, put_figures  # noqa: E402

PARTS = ("routes", "stops", "alerts")


def difference(labelled: Iterable[str], found: Iterable[str]) -> str | None:
    """How the found values differ from the labelled ones: None (the same), extra, missing or other."""
    gold, got = frozenset(labelled), frozenset(found)
    if gold == got:
        return None
    if gold < got:
        return "extra"
    if got < gold:
        return "missing"
    return "other"


def training_files() -> list[Path]:
    """The labelled files the reader learns from (:func:`bot.reading.training.default_training_files`)."""
    from bot.reading.training import default_training_files

    return default_training_files(SHARED)


def errors(part: str, files: Iterable[Path]) -> list[dict[str, Any]]:
    """Every message of ``files`` whose ``part`` the rules read otherwise than its label."""
    from bot.config import Settings
    from bot.evaluate import read_labelled
    from bot.routing_cli import build_offline_pipeline

    pipeline = build_offline_pipeline(eval_sources(NOW), Settings())
    found: list[dict[str, Any]] = []
    for path in files:
        for gold in read_labelled(path):
            decision = pipeline.decide_text(gold.text, channel=gold.channel)[0]
            if part == "alerts":
                if gold.alert_ids is None or str(decision.intent) != gold.intent or frozenset(decision.routes) != gold.routes:
                    continue
                labelled, got = gold.alert_ids, decision.alert_ids
            else:
                labelled, got = getattr(gold, part), getattr(decision, part)
            kind = difference(labelled, got)
            if kind:
                found.append({"file": path.stem, "kind": kind, "intent": gold.intent, "labelled": sorted(labelled),
                              "found": sorted(got), "text": gold.text})
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=PARTS, default="routes", help="which rule step to compare (default routes)")
    parser.add_argument("--output", help="also write the figures and the messages to this JSON file")
    args = parser.parse_args()
    found = errors(args.part, training_files())
    figures = {"part": args.part, "errors": len(found), "by_kind": dict(Counter(e["kind"] for e in found)),
               "messages": found}
    put_figures(figures, args.output, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
