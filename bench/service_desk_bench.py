"""Where a desk of several services sends messages whose service is known, and what choosing costs.

The desk is examples/city (transit, water, waste). Sets: the transit dev set (every message is transit's),
the water FAQ question sets in bench/data (answerable questions only: water's), and the examples' messages
(water's and waste's by folder). For each set: the share sent to its own service, left undecided (a person
decides) and sent to another service; and the time of one choice. Measurement only: nothing here tunes the
service words (``knowledge/domains/*/words.yaml``) or the desk's thresholds.

    .venv/bin/python bench/service_desk_bench.py [--repeat 3] [--meaning-lead 0.1]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bot.config import PACKAGE_ROOT, load_settings
from bot.services import ChoiceBasis, ServiceChooser
from knowledge.store import Knowledge

EVAL = PACKAGE_ROOT.parent / "shared" / "eval" / "dev.jsonl"
DATA = PACKAGE_ROOT / "bench" / "data"


def _texts(path: Path, *, answerable_only: bool = False) -> list[str]:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r["text"] for r in rows if not answerable_only or r.get("kind", "faq") == "faq"]


def sets() -> dict[str, tuple[str, list[str]]]:
    """Each set's expected service and its texts."""
    water = [t for name in ("water_faq_dev", "water_faq_more", "water_faq_fresh", "water_faq_check")
             if (DATA / f"{name}.jsonl").exists() for t in _texts(DATA / f"{name}.jsonl", answerable_only=True)]
    found = {"transit dev (shared/eval/dev.jsonl)": ("transit", _texts(EVAL)) if EVAL.exists() else ("transit", [])}
    found["water FAQ questions (bench/data, answerable)"] = ("water", water)
    found["examples/water messages"] = ("water", _texts(PACKAGE_ROOT / "examples" / "water" / "messages.jsonl"))
    found["examples/waste messages"] = ("waste", _texts(PACKAGE_ROOT / "examples" / "waste" / "messages.jsonl"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timing runs over every text (the best is kept)")
    parser.add_argument("--meaning-lead", type=float, default=None,
                        help="weigh the FAQ nearest in meaning with this cosine lead (desk.meaning_lead; default off)")
    args = parser.parse_args()
    settings = load_settings(PACKAGE_ROOT / "examples" / "city" / "config.yaml")
    services = {name: Knowledge.from_settings(s.knowledge, service=name) for name, s in settings.services.items()}
    desk = settings.desk.model_copy(update={"meaning_lead": args.meaning_lead})
    chooser = ServiceChooser(services, settings=desk)
    every: list[str] = []
    print(f"{'set':48} {'n':>5} {'own':>7} {'undecided':>10} {'other':>7}")
    for label, (expected, texts) in sets().items():
        choices = [chooser.choose(t, "web") for t in texts]
        own = sum(c.service == expected for c in choices)
        undecided = sum(c.basis is ChoiceBasis.UNDECIDED for c in choices)
        n = max(len(texts), 1)
        print(f"{label:48} {len(texts):>5} {own / n:>7.3f} {undecided / n:>10.3f} {(len(texts) - own - undecided) / n:>7.3f}")
        every += texts
    best: list[float] = []
    for _ in range(args.repeat):
        times = []
        for text in every:
            start = time.perf_counter()
            chooser.choose(text, "web")
            times.append((time.perf_counter() - start) * 1000)
        best = times if not best else [min(a, b) for a, b in zip(best, times)]
    best.sort()
    print(f"choice time over {len(every)} texts (best of {args.repeat}): median {statistics.median(best):.3f} ms, "
          f"p99 {best[int(0.99 * (len(best) - 1))]:.3f} ms, max {best[-1]:.3f} ms")


if __name__ == "__main__":
    main()
