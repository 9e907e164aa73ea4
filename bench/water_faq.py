"""Score a utility FAQ engine on the real water FAQ (EVALITA 2016 QA4FAQ, AQP) with citizens' questions.

    .venv/bin/python bench/water_faq.py --questions bench/data/water_faq_dev.jsonl [--engine fused|lexical]

The questions are JSON Lines `{"id", "text", "faq_id", "kind"}`: faq_id is the CSV's `id` column as a
string, null when no entry answers; an optional `faq_ids` lists every entry that answers (near-twins), and
a question is then right on any of them. Only aggregate figures are printed (the question set may be sealed).
The FAQ is read from ../shared/benchmarks/it_water_faq (measured on, never shipped).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from knowledge.faq import FaqIndex  # noqa: E402
from knowledge.faq_entries import FaqEntry  # noqa: E402
from knowledge.faq_fused import FusedFaqIndex  # noqa: E402

DEFAULT_FAQ = REPO.parent / "shared" / "benchmarks" / "it_water_faq" / "faqs_uft8_QA.csv"


@dataclass(frozen=True)
class WaterFigures:
    """Aggregate figures of one engine on one question set."""

    answerable: int
    unanswerable: int
    top1: float  # over answerable questions, no threshold
    precision: float  # of the questions answered alone, the share answered with the right entry
    coverage: float  # of the answerable questions, the share answered alone and right
    left_for_person: float  # of the unanswerable questions, the share not answered alone
    threshold: float
    line: float | None  # the fused engine's calibrated confidence line (scores put it at the threshold)
    build_seconds: float
    ms_per_question: float


def read_water_faq(path: Path) -> list[FaqEntry]:
    """The CSV (`id;question;answer;tag`) as FAQ entries, tags kept; rows with no answer are skipped.

    Some answers hold a backslash and an n where a line ended: read as a line end, not as a word's first letter."""
    entries = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter=";"):
            question, answer = (row["question"] or "").strip(), (row["answer"] or "").replace("\\n", "\n").strip()
            if not question or not answer:
                continue
            tags = tuple(t.strip() for t in (row["tag"] or "").split(",") if t.strip())
            entries.append(FaqEntry(row["id"].strip(), "water", {"it": (question,)}, {"it": answer}, tags))
    return entries


def read_questions(path: Path) -> list[dict]:
    """The labelled questions, one JSON object a line."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def score(index: FaqIndex | FusedFaqIndex, questions: Sequence[dict], build_seconds: float) -> WaterFigures:
    """Rank every question; count top-1, answers given alone, and unanswerable ones left alone."""
    answerable = unanswerable = top1 = answered = answered_right = left = 0
    started = time.perf_counter()
    for question in questions:
        gold = question.get("faq_id")
        ranked = index.rank(question["text"], k=1)
        best = ranked[0] if ranked else None
        alone = best is not None and best.score >= index.threshold
        if gold is None:
            unanswerable += 1
            left += not alone
            if alone:
                answered += 1
            continue
        answerable += 1
        right = best is not None and best.faq_id in {str(i) for i in question.get("faq_ids") or [gold]}
        top1 += right
        answered += alone
        answered_right += alone and right
    elapsed = time.perf_counter() - started
    return WaterFigures(
        answerable,
        unanswerable,
        top1 / max(1, answerable),
        answered_right / answered if answered else 1.0,
        answered_right / max(1, answerable),
        left / unanswerable if unanswerable else 1.0,
        index.threshold,
        getattr(index, "line", None),
        build_seconds,
        1000 * elapsed / max(1, len(questions)),
    )


def build(
    engine: str, entries: Sequence[FaqEntry], cache_dir: Path | None = None
) -> tuple[FaqIndex | FusedFaqIndex, float]:
    """The engine asked for, built on `entries`, and how long building took (seconds)."""
    started = time.perf_counter()
    index: FaqIndex | FusedFaqIndex
    if engine == "lexical":
        index = FaqIndex.from_entries(entries)
    else:
        index = FusedFaqIndex(entries, cache_dir=cache_dir)
    return index, time.perf_counter() - started


def report(engine: str, figures: WaterFigures, entries: int) -> str:
    """The figures as a short Markdown table."""
    f = figures
    return "\n".join([
        f"engine: {engine}; {entries} FAQ entries; {f.answerable} answerable + {f.unanswerable} unanswerable questions",
        "| top-1 | answered alone: precision | coverage | unanswerable left for a person | threshold |",
        "| --- | --- | --- | --- | --- |",
        f"| {f.top1:.3f} | {f.precision:.3f} | {f.coverage:.3f} | {f.left_for_person:.3f} | {f.threshold:.3f} |",
        f"build {f.build_seconds:.1f} s (calibration included), {f.ms_per_question:.1f} ms/question"
        + (f"; calibrated line {f.line:.3f}" if f.line is not None else "")
        + f"; peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB",
    ])


def main(argv: Sequence[str] | None = None) -> int:
    """Build the engine on the water FAQ and print aggregate figures on the questions."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=Path, required=True, help="JSON Lines {id, text, faq_id, kind}")
    parser.add_argument("--faq", type=Path, default=DEFAULT_FAQ, help="the water FAQ CSV (id;question;answer;tag)")
    parser.add_argument("--engine", choices=("fused", "lexical"), default="fused",
                        help="fused: meaning + BM25 (knowledge.faq_fused); lexical: the transit FAQ engine")
    parser.add_argument("--cache-dir", type=Path, help="keep the entries' e5 vectors here between runs")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON (with the load average)")
    args = parser.parse_args(argv)
    if not args.faq.is_file():
        parser.error(f"{args.faq} is not a file; pass --faq")
    entries = read_water_faq(args.faq)
    index, seconds = build(args.engine, entries, args.cache_dir)
    figures = score(index, read_questions(args.questions), seconds)
    print(report(args.engine, figures, len(entries)))
    if args.json:
        record = {"questions": args.questions.name, "engine": args.engine, **asdict(figures),
                  "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "load_average": [round(x, 2) for x in os.getloadavg()]}
        args.json.write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
