"""What the reader's time a message must come down to for a p99 at a rate: the load test's loop on a virtual clock.

``python bench/router_queue.py [--rates 300 500] [--texts 6000] [--seeds 5] [--output FILE]``

``bench/router_load.py`` measures the reader in an open loop as the worker reads; its p99 at 500 messages/s is a
queue's, set by how busy the core is as much as by the slowest read. This script answers the question its figures
leave: how fast would each read have to be? It reads the distinct training and dev texts (``--read-once``'s pool)
one at a time on one core, keeping each read's time; then it runs the load test's own loop
(:func:`bench.router_load.run_open_loop`) on a virtual clock, over the same seeded Poisson arrivals, each batch
costing the sum of its messages' measured read times times a factor. Per rate: the p99 predicted at the factor 1
(to set beside the load test's measured one) and the largest factor that keeps p99 within 10 ms, that is the mean
read time a message would need. A batch is charged its messages' times read alone, so the model errs slow (a
batch of 16 costs about 0.7 of that, ``router_bench.py``), and it knows nothing of caches warmed or cooled by idle
time, which make a lone read after a pause slower (``router_load.py``'s docstring): read its budgets as upper bounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.router_bench import one_core, read_once_pool, set_up_reader  # noqa: E402
from bench.router_load import (  # noqa: E402
    P99_TARGET_MS,
    _percentile,
    arrival_schedule,
    default_claim_batch,
    run_open_loop,
)


class VirtualClock:
    """Time that moves only when the loop sleeps or a read is charged to it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)


def predicted_p99(read_seconds: Sequence[float], rate: float, factor: float, cap: int, seed: int,
                  count: int | None = None) -> float:
    """The p99 latency (seconds) the load test's loop would see at ``rate`` with Poisson arrivals from ``seed``, the
    i-th message costing ``read_seconds[i % len(read_seconds)] * factor``; a batch costs the sum of its messages'."""
    count = len(read_seconds) if count is None else count
    clock = VirtualClock()

    def read(batch: list[str]) -> list[None]:
        clock.now += factor * sum(read_seconds[int(i) % len(read_seconds)] for i in batch)
        return [None] * len(batch)

    run = run_open_loop(read, [str(i) for i in range(count)], arrival_schedule(rate, count, seed=seed), cap,
                        clock=clock, sleep=clock.sleep, cpu_clock=clock)
    return _percentile(sorted(run.latencies), 0.99)


def largest_factor(read_seconds: Sequence[float], rate: float, cap: int, seeds: Sequence[int],
                   target_s: float = P99_TARGET_MS / 1000, steps: int = 20) -> float:
    """The largest factor on every read time at which the worst seed's predicted p99 at ``rate`` is within
    ``target_s`` (bisection between 0 and 4; 0 when even a nearly free read misses it)."""

    def holds(factor: float) -> bool:
        return max(predicted_p99(read_seconds, rate, factor, cap, seed) for seed in seeds) <= target_s

    low, high = 0.0, 4.0
    if holds(high):
        return high
    for _ in range(steps):
        middle = (low + high) / 2
        low, high = (middle, high) if holds(middle) else (low, middle)
    return low


def measured_reads(count: int) -> tuple[list[float], dict[str, Any]]:
    """Read the first ``count`` texts of the read-once pool one at a time on one core (after 200 to warm up): each
    read's seconds, and the set-up's facts."""
    one_core()
    setup = set_up_reader()
    texts = read_once_pool()[:count + 200]
    for text in texts[:200]:
        setup.router.route(text, now=setup.now)
    seconds = []
    cpu = time.process_time()
    for text in texts[200:]:
        started = time.perf_counter()
        setup.router.route(text, now=setup.now)
        seconds.append(time.perf_counter() - started)
    cpu = time.process_time() - cpu
    return seconds, {"texts": len(seconds), "cpu_ms_per_message": round(cpu / len(seconds) * 1000, 3),
                     "load_average_1min": round(os.getloadavg()[0], 2)}


def main() -> int:
    """Measure the reads, then each rate's predicted p99 and the read time a message would need."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", type=float, nargs="+", default=[300.0, 500.0],
                        help="offered rates, messages a second")
    parser.add_argument("--texts", type=int, default=6000, help="read-once texts to measure")
    parser.add_argument("--seeds", type=int, default=5, help="Poisson schedules per rate (the worst one counts)")
    parser.add_argument("--claim-batch", type=int, default=default_claim_batch(), help="most messages read at once")
    parser.add_argument("--output", help="write the figures to this JSON file too")
    args = parser.parse_args()
    seconds, facts = measured_reads(args.texts)
    mean = statistics.fmean(seconds)
    ordered = sorted(seconds)
    rows = []
    for rate in args.rates:
        factor = largest_factor(seconds, rate, args.claim_batch, range(1, args.seeds + 1))
        rows.append({
            "offered_per_second": rate,
            "predicted_p99_ms": [round(predicted_p99(seconds, rate, 1.0, args.claim_batch, seed) * 1000, 1)
                                 for seed in range(1, args.seeds + 1)],
            "largest_factor_p99_10ms": round(factor, 3),
            "read_ms_needed": round(factor * mean * 1000, 3),
        })
    figures = {**facts, "read_ms_mean": round(mean * 1000, 3),
               "read_ms_p50_p99": [round(_percentile(ordered, share) * 1000, 3) for share in (0.5, 0.99)],
               "claim_batch": args.claim_batch, "rates": rows,
               "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    text = json.dumps(figures, indent=1)
    print(text)
    if args.output:
        Path(args.output).write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
