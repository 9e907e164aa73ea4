"""Run the FAQ matcher on public intent benchmarks (Banking77 10-shot, CLINC150) by hand."""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from knowledge.faq import FaqEntry, FaqIndex  # noqa: E402

# Published references, as quoted in each benchmark's SOURCE.txt.
BANKING77_REFERENCES = (
    ("USE+ConveRT, 10-shot (Casanueva et al. 2020)", 85.19),
    ("BERT-tuned, full data (Casanueva et al. 2020)", 93.66),
)
CLINC150_REFERENCES = (
    ("BERT, threshold (Larson et al. 2019, Table 2)", 96.2, 52.3),
    ("MLP/USE, threshold (Larson et al. 2019, Table 2)", 93.4, 49.1),
)


@dataclass(frozen=True)
class Banking77Result:
    """Top-1 accuracy of the matcher on the Banking77 test split, entries from N train shots."""

    shots: int
    entries: int
    queries: int
    accuracy: float
    ms_per_query: float


@dataclass(frozen=True)
class Clinc150Result:
    """In-scope accuracy and out-of-scope recall on the CLINC150 test split at a val threshold."""

    shots: int | None
    threshold: float  # maximises val accuracy over 151 classes (the paper's setting)
    in_scope_accuracy: float
    oos_recall: float
    balanced_threshold: float  # maximises the mean of val in-scope accuracy and OOS recall
    balanced_in_scope_accuracy: float
    balanced_oos_recall: float
    top1_no_threshold: float
    ms_per_query: float


def intent_entries(examples: Sequence[tuple[str, str]], shots: int | None, seed: int) -> list[FaqEntry]:
    """Turn (text, intent) examples into one FAQ entry per intent, `shots` questions each."""
    by_intent: dict[str, list[str]] = {}
    for text, intent in examples:
        by_intent.setdefault(intent, []).append(text)
    rng = random.Random(seed)
    entries = []
    for intent in sorted(by_intent):
        texts = by_intent[intent]
        chosen = rng.sample(texts, shots) if shots and shots < len(texts) else texts
        entries.append(FaqEntry(intent, "benchmark", {"en": tuple(chosen)}, {"en": intent}))
    return entries


def top1(index: FaqIndex, text: str) -> tuple[str | None, float]:
    """Return the best entry id for `text` and its calibrated score."""
    ranked = index.rank(text, k=1)
    return (ranked[0].faq_id, ranked[0].score) if ranked else (None, 0.0)


def run_banking77(folder: Path, shots: int, seed: int) -> Banking77Result:
    """Build a `shots`-shot index from the train CSV and route the test queries."""
    train = _read_csv(folder / "train.csv")
    test = _read_csv(folder / "test.csv")
    index = FaqIndex.from_entries(intent_entries(train, shots, seed), match_answers=False)
    started = time.perf_counter()
    right = sum(top1(index, text)[0] == intent for text, intent in test)
    elapsed = time.perf_counter() - started
    return Banking77Result(shots, len(index.entries), len(test), right / len(test),
                           1000 * elapsed / len(test))


def run_clinc150(path: Path, shots: int | None, seed: int) -> Clinc150Result:
    """Index the train split, pick the threshold on val + oos_val, report on test + oos_test."""
    data = json.loads(path.read_text(encoding="utf-8"))
    index = FaqIndex.from_entries(
        intent_entries([(t, i) for t, i in data["train"]], shots, seed), match_answers=False
    )
    val_in = [(top1(index, text), intent) for text, intent in data["val"]]
    val_oos = [top1(index, text)[1] for text, _ in data["oos_val"]]
    threshold = choose_threshold(val_in, val_oos, balanced=False)
    balanced = choose_threshold(val_in, val_oos, balanced=True)
    started = time.perf_counter()
    test_in = [(top1(index, text), intent) for text, intent in data["test"]]
    test_oos = [top1(index, text)[1] for text, _ in data["oos_test"]]
    elapsed = time.perf_counter() - started
    in_acc, oos_recall = _in_scope_and_oos(test_in, test_oos, threshold)
    balanced_in, balanced_oos = _in_scope_and_oos(test_in, test_oos, balanced)
    plain = sum(found == intent for (found, _), intent in test_in) / len(test_in)
    queries = len(test_in) + len(test_oos)
    return Clinc150Result(shots, threshold, in_acc, oos_recall, balanced, balanced_in,
                          balanced_oos, plain, 1000 * elapsed / queries)


def choose_threshold(
    in_scope: Sequence[tuple[tuple[str | None, float], str]],
    oos_scores: Sequence[float],
    balanced: bool,
) -> float:
    """Return the threshold maximising accuracy over all queries, or the mean of the two rates."""
    candidates = sorted({score for (_, score), _ in in_scope} | set(oos_scores) | {0.0, 1.0})
    n_in, n_oos = len(in_scope), len(oos_scores)
    best, best_value = 0.0, -1.0
    for threshold in candidates:
        in_acc, oos_recall = _in_scope_and_oos(in_scope, oos_scores, threshold)
        if balanced:
            value = (in_acc + oos_recall) / 2
        else:
            value = (in_acc * n_in + oos_recall * n_oos) / (n_in + n_oos)
        if value > best_value:
            best, best_value = threshold, value
    return best


def _in_scope_and_oos(
    in_scope: Sequence[tuple[tuple[str | None, float], str]],
    oos_scores: Sequence[float],
    threshold: float,
) -> tuple[float, float]:
    right = sum(found == intent and score >= threshold for (found, score), intent in in_scope)
    rejected = sum(score < threshold for score in oos_scores)
    return right / len(in_scope), rejected / len(oos_scores)


def _read_csv(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["text"], row["category"]) for row in csv.DictReader(handle)]


def report(banking: Banking77Result, clinc: Clinc150Result) -> str:
    """Return the results next to the published references, as a Markdown table."""
    lines = [
        "| benchmark | system | figure |",
        "| --- | --- | --- |",
        f"| Banking77 {banking.shots}-shot, test top-1 ({banking.queries} queries, "
        f"{banking.entries} entries) | sportello FaqIndex | **{100 * banking.accuracy:.2f}** |",
    ]
    lines += [f"| Banking77 | {name} | {value:.2f} |" for name, value in BANKING77_REFERENCES]
    shots = f"{clinc.shots}-shot" if clinc.shots else "full train"
    lines.append(
        f"| CLINC150 ({shots}), test in-scope acc / OOS recall | sportello FaqIndex, val "
        f"threshold {clinc.threshold:.3f} | **{100 * clinc.in_scope_accuracy:.1f} / "
        f"{100 * clinc.oos_recall:.1f}** |"
    )
    lines.append(
        f"| CLINC150 ({shots}), same, balanced operating point | sportello FaqIndex, val "
        f"threshold {clinc.balanced_threshold:.3f} | {100 * clinc.balanced_in_scope_accuracy:.1f}"
        f" / {100 * clinc.balanced_oos_recall:.1f} |"
    )
    lines += [f"| CLINC150 | {name} | {acc:.1f} / {oos:.1f} |" for name, acc, oos in CLINC150_REFERENCES]
    lines.append("")
    lines.append(
        f"CLINC150 in-scope top-1 with no threshold: {100 * clinc.top1_no_threshold:.1f}. "
        f"Speed: Banking77 {banking.ms_per_query:.2f} ms/query, "
        f"CLINC150 {clinc.ms_per_query:.2f} ms/query (one core)."
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run both benchmarks and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=REPO.parent / "shared",
                        help="the shared folder holding benchmarks/ (default: sibling of the repo)")
    parser.add_argument("--shots", type=int, default=10, help="Banking77 train examples per intent")
    parser.add_argument("--clinc-shots", type=int, default=0,
                        help="CLINC150 train examples per intent (0: all 100)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the few-shot sampling")
    parser.add_argument("--output", type=Path, help="also write the table (with the date and load) to this file")
    args = parser.parse_args(argv)
    benchmarks = args.shared / "benchmarks"
    if not benchmarks.is_dir():
        parser.error(f"{benchmarks} is not a directory; pass --shared")
    started, load_before = datetime.now(timezone.utc), os.getloadavg()[0]
    banking = run_banking77(benchmarks / "banking77", args.shots, args.seed)
    clinc = run_clinc150(benchmarks / "clinc150" / "data_full.json", args.clinc_shots or None, args.seed)
    text = (f"{report(banking, clinc)}\n\nMeasured {started:%Y-%m-%d %H:%M} UTC, seed {args.seed}, load average "
            f"(1 min) {load_before:.2f} before, {os.getloadavg()[0]:.2f} after.")
    print(text)
    if args.output:
        args.output.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
