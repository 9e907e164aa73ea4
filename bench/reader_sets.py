"""Reader figures on every labelled set: Rome sets, sealed sets, real care tweets and complaints.

Run from the repository (``python bench/reader_sets.py``) for the reader in this checkout, or with
``--code DIR`` pointing at an unpacked earlier commit (``git archive <commit> | tar -x -C DIR``) to
measure the previous router on the very same sets. Only stable entry points are used
(``bot.routing_cli.build_offline_pipeline``, ``bot.evaluate``), so any version can be measured.
Sealed sets are scored in aggregate only: no message of theirs is printed.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.reader_common import NOW, REPO, SHARED, eval_sources, put_figures  # noqa: E402

ROME_SETS = {
    "dev": SHARED / "eval" / "dev.jsonl",
    "router_cases": REPO / "tests" / "bot" / "router_cases.jsonl",
    "fresh": REPO / "tests" / "bot" / "fresh_cases.jsonl",
    "fresh2": REPO / "tests" / "bot" / "fresh2_cases.jsonl",
    "fresh3": REPO / "tests" / "bot" / "fresh3_cases.jsonl",
    "fresh4": REPO / "tests" / "bot" / "fresh4_cases.jsonl",
}
SEALED = REPO / "tests" / "sealed"
#: sealed sets that served their choices and were then retired into training (their figures flatter the reader)
RETIRED = REPO / "knowledge" / "training" / "retired"
KEEP = ("intent_accuracy", "intent_macro_f1", "lang_accuracy", "route_exact_set", "faq_top1", "category_accuracy",
        "auto_posted", "auto_precision", "auto_coverage", "emergency_recall")


def _pipeline(code: Path) -> Any:
    sys.path.insert(0, str(code))
    from bot.config import Settings
    from bot.routing_cli import build_offline_pipeline

    return build_offline_pipeline(eval_sources(NOW), Settings())


def _rome(pipeline: Any, path: Path) -> dict[str, Any]:
    from bot.domain import Action
    from bot.evaluate import Outcome, read_labelled, score

    labelled = read_labelled(path)
    outcomes = [Outcome(g, pipeline.decide_text(g.text, channel=g.channel)[0]) for g in labelled]
    metrics = score(outcomes).metrics
    figures: dict[str, Any] = {"messages": len(labelled)}
    figures.update({k: round(v, 4) if isinstance(v, float) else v for k, v in metrics.items() if k in KEEP})
    calm = [o for o in outcomes if o.gold.intent != "emergency"]
    figures["false_alarm_rate"] = round(
        sum(o.decision.action == Action.ESCALATE and str(o.decision.intent) == "emergency" for o in calm)
        / max(1, len(calm)), 4)
    emergencies = [o for o in outcomes if o.gold.intent == "emergency"]
    figures["watched_recall"] = round(
        sum(o.decision.action == Action.ESCALATE or _watched(o.decision) for o in emergencies)
        / max(1, len(emergencies)), 4)
    figures["watch_rate"] = round(sum(_watched(o.decision) for o in calm) / max(1, len(calm)), 4)
    return figures


def _watched(decision: Any) -> bool:
    """In the watch band: possible danger held for a person at once (a reader without the band: never)."""
    return decision.as_dict().get("priority") == "watch" and str(decision.intent) != "emergency"


def _danger(pipeline: Any, path: Path) -> dict[str, Any]:
    """A set of danger-now messages and look-alikes: recall on the first, false alarms on the others."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    hits = {True: 0, False: 0}
    counts = {True: 0, False: 0}
    watched = {True: 0, False: 0}
    for row in rows:
        gold = _is_danger(row)
        decision = pipeline.decide_text(row["text"], channel=row.get("channel"))[0]
        fired = str(decision.intent) == "emergency"
        counts[gold] += 1
        hits[gold] += fired
        watched[gold] += _watched(decision)
    return {"messages": len(rows), "danger": counts[True], "lookalikes": counts[False],
            "emergency_recall": round(hits[True] / max(1, counts[True]), 4),
            "false_alarm_rate": round(hits[False] / max(1, counts[False]), 4),
            "watched_recall": round((hits[True] + watched[True]) / max(1, counts[True]), 4),
            "watch_rate": round(watched[False] / max(1, counts[False]), 4)}


def _is_danger(row: dict[str, Any]) -> bool:
    for key in ("danger", "emergency", "is_emergency"):
        if key in row:
            return bool(row[key])
    return str(row.get("intent") or row.get("label")) == "emergency"


def _complaints(pipeline: Any) -> dict[str, Any]:
    """Complaint detection on real transport tweets (Preotiuc-Pietro et al. 2019): F1 and macro-F1."""
    path = SHARED / "benchmarks" / "complaints_transport" / "complaints_transport_subset.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    gold = [row["is_complaint"] == "1" for row in rows]
    said = [str(pipeline.decide_text(row["text"], channel="x")[0].intent) == "complaint" for row in rows]

    def f1(positive: bool) -> float:
        tp = sum(g == positive and s == positive for g, s in zip(gold, said))
        predicted = sum(s == positive for s in said)
        actual = sum(g == positive for g in gold)
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0

    tp = sum(g and s for g, s in zip(gold, said))
    return {"messages": len(rows), "complaint_f1": round(f1(True), 4), "macro_f1": round((f1(True) + f1(False)) / 2, 4),
            "complaint_recall": round(tp / max(1, sum(gold)), 4),
            "complaint_precision": round(tp / max(1, sum(said)), 4)}


def _twcs(pipeline: Any, labels: Path | None) -> dict[str, Any]:
    """Real opening tweets to rail and airline care accounts: automatic replies, and intent when labelled."""
    path = SHARED / "benchmarks" / "twcs_transport" / "twcs_transport_opening_messages.csv"
    with path.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    gold: dict[str, dict[str, Any]] = {}
    if labels and labels.exists():
        for line in labels.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                gold[str(record.get("tweet_id") or record.get("id"))] = record
    decisions = {row["tweet_id"]: pipeline.decide_text(row["customer_text"], channel="x")[0] for row in rows}
    figures: dict[str, Any] = {"messages": len(rows),
                               "auto_posted": sum(str(d.action) == "auto" for d in decisions.values())}
    labelled = [(gold[k], d) for k, d in decisions.items() if k in gold]
    if labelled:
        figures["labelled"] = len(labelled)
        figures["intent_accuracy"] = round(sum(str(d.intent) == g["intent"] for g, d in labelled) / len(labelled), 4)
        unsafe = sum(str(d.action) == "auto" and not g.get("auto_ok") for g, d in labelled)
        figures["unsafe_auto"] = unsafe
        figures["unsafe_auto_rate"] = round(unsafe / len(labelled), 4)
    return figures


#: sealed sets kept unread for the next choice (of calibration, of a model): skipped unless named by ``--read``
KEPT_UNREAD = ("rome_sealed_29", "danger_multilingual_8")


def main() -> int:
    """Score the reader of ``--code`` on every set and print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--code", default=str(REPO), help="the checkout whose reader is measured")
    parser.add_argument("--output", help="also write the figures to this JSON file")
    parser.add_argument("--no-sealed", action="store_true",
                        help="leave tests/sealed/ unread (for whoever tunes the reader: the lead reads the sealed sets)")
    parser.add_argument("--read", action="append", default=[], metavar="NAME",
                        help=f"also read a sealed set kept unread ({', '.join(KEPT_UNREAD)}), once, after the choice")
    args = parser.parse_args()
    pipeline = _pipeline(Path(args.code))
    figures: dict[str, Any] = {name: _rome(pipeline, path) for name, path in ROME_SETS.items()}
    for path in sorted(RETIRED.glob("rome*.jsonl")):
        figures[f"retired/{path.stem}"] = _rome(pipeline, path)
    sealed = SEALED.exists() and not args.no_sealed
    for path in sorted(SEALED.glob("*.jsonl")) if sealed else []:
        if path.stem in KEPT_UNREAD and path.stem not in args.read:
            continue
        if "danger" in path.stem:
            figures[f"sealed/{path.stem}"] = _danger(pipeline, path)
        elif "rome" in path.stem:  # other sealed sets belong to other utilities (water)
            figures[f"sealed/{path.stem}"] = _rome(pipeline, path)
    twcs_labels = next(iter(sorted(SEALED.glob("*twcs*.jsonl"))), None) if sealed else None
    figures["twcs_transport"] = _twcs(pipeline, twcs_labels)
    figures["complaints_transport"] = _complaints(pipeline)
    put_figures(figures, args.output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
