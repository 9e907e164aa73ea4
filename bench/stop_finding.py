"""Stops and lines found in messages in many languages and scripts: a sealed set, scored in aggregate only.

``python bench/stop_finding.py [--code DIR] [--output F]``

``tests/sealed/stops_multilingual.jsonl`` (160 messages: 60 Italian and English with traps for a name finder, 100 in
twenty other languages and scripts) was written on 2026-12-05 night by a writer who read only the shared evaluation's
README, stops.txt, routes.txt and alerts; nobody has read it since. It is scored, as ``sportello route`` reads it
(the shared evaluation's feed with Rome's stop names in other languages, ``examples/rome/stop_names.txt``), by the
checkout in ``--code`` (default: this one; an earlier commit unpacked with ``git archive <commit> | tar -x -C DIR``,
run with ``SPORTELLO_SHARED`` naming the shared folder when DIR is not beside it)
for: the messages whose stops are exactly those labelled, stop mentions' precision and recall, and the messages whose
lines are exactly those labelled; for all, for Italian and English, and for the other languages. No message is
printed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SEALED_SET = REPO / "tests" / "sealed" / "stops_multilingual.jsonl"


def found_figures(pairs: Sequence[tuple[dict[str, Any], Sequence[str], Sequence[str]]]) -> dict[str, Any]:
    """Figures of (labelled record, stops found, routes found) triples."""
    if not pairs:
        return {"messages": 0}
    tp = sum(len(set(stops) & set(r["stops"])) for r, stops, _ in pairs)
    fp = sum(len(set(stops) - set(r["stops"])) for r, stops, _ in pairs)
    fn = sum(len(set(r["stops"]) - set(stops)) for r, stops, _ in pairs)
    return {
        "messages": len(pairs),
        "stops_exact": round(sum(set(stops) == set(r["stops"]) for r, stops, _ in pairs) / len(pairs), 3),
        "stop_precision": round(tp / max(1, tp + fp), 3),
        "stop_recall": round(tp / max(1, tp + fn), 3),
        "stops_found_right_wrong_missed": [tp, fp, fn],
        "routes_exact": round(sum(set(routes) == set(r["routes"]) for r, _, routes in pairs) / len(pairs), 3),
    }


def by_language(pairs: Sequence[tuple[dict[str, Any], Sequence[str], Sequence[str]]]) -> dict[str, Any]:
    """:func:`found_figures` for all messages, for Italian and English, and for the other languages."""
    return {"all": found_figures(pairs),
            "it_en": found_figures([p for p in pairs if p[0]["lang"] in ("it", "en")]),
            "other_languages": found_figures([p for p in pairs if p[0]["lang"] not in ("it", "en")])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", default=str(REPO), help="the checkout whose reader is measured")
    parser.add_argument("--output", help="also write the figures to this JSON file")
    args = parser.parse_args()
    code = Path(args.code).resolve()
    sys.path.insert(0, str(code))
    if str(REPO) not in sys.path:
        sys.path.insert(1, str(REPO))
    from bench.reader_common import NOW, eval_sources, put_figures
    from bot.config import Settings
    from bot.routing_cli import build_offline_pipeline

    pipeline = build_offline_pipeline(eval_sources(NOW), Settings())
    rows = [json.loads(line) for line in SEALED_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    pairs = []
    for row in rows:
        decision = pipeline.decide_text(row["text"])[0]
        pairs.append((row, list(decision.stops), list(decision.routes)))
    checkout = "this checkout" if code == REPO else str(code)
    put_figures({"set": SEALED_SET.name, "code": checkout, **by_language(pairs)}, args.output)


if __name__ == "__main__":
    main()
