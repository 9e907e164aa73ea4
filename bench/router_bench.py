"""Router benchmark: start-up, messages per second on one core, p50/p99 latency, peak memory."""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.cli import parse_now  # noqa: E402
from bot.config import FeedSettings  # noqa: E402
from bot.reading.router import Router  # noqa: E402
from knowledge.faq import FaqIndex  # noqa: E402
from knowledge.gtfs import GtfsIndex  # noqa: E402
from knowledge.stops import stop_finder  # noqa: E402
from knowledge.store import Knowledge  # noqa: E402

EVAL = Path(os.environ.get("SPORTELLO_SHARED") or REPO.parent / "shared") / "eval"
NOW = "2026-11-27T08:30:00+01:00"


def _texts(paths: list[Path]) -> list[str]:
    texts = []
    for path in paths:
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


def _model_load_seconds() -> float:
    """Seconds to read the model file again (the encoder is already loaded)."""
    from bot.reading.model import ReaderModel

    started = time.perf_counter()
    ReaderModel.load()
    return time.perf_counter() - started


def main() -> int:
    """Load everything, route the labelled messages for a while, print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to route messages")
    parser.add_argument("--cache-dir", help="GTFS index cache (start-up from the cache when warm)")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    now = parse_now(NOW)
    assert now is not None

    started = time.perf_counter()
    gtfs = GtfsIndex.load(EVAL / "gtfs", cache_dir=args.cache_dir)
    faq = FaqIndex.load([EVAL / "faq"])
    knowledge = Knowledge(gtfs, faq, FeedSettings(source=str(EVAL / "alerts.pb")), clock=lambda: now)
    stop_finder(gtfs)  # the stop-name index is built on first use: count it as start-up
    router = Router(knowledge)
    router.route("il 64 passa?", now=now)
    startup = time.perf_counter() - started
    model_load = _model_load_seconds()

    texts = _texts([EVAL / "dev.jsonl", REPO / "tests" / "bot" / "router_cases.jsonl"])
    latencies: list[float] = []
    deadline = time.perf_counter() + args.seconds
    routed = 0
    begin = time.perf_counter()
    while time.perf_counter() < deadline:
        for text in texts:
            t0 = time.perf_counter()
            router.route(text, now=now)
            latencies.append(time.perf_counter() - t0)
        routed += len(texts)
    elapsed = time.perf_counter() - begin
    latencies.sort()
    figures = {
        "stops": len(gtfs.stops),
        "routes": len(gtfs.routes),
        "faq_entries": len(faq.entries),
        "alerts": len(knowledge.alerts),
        "startup_seconds": round(startup, 3),
        "reader_model": router.model.version,
        "reader_load_seconds": round(model_load, 3),
        "messages": routed,
        "messages_per_second": round(routed / elapsed),
        "p50_ms": round(statistics.median(latencies) * 1000, 3),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
