"""Router load test: messages arrive at a fixed rate and one core reads them as the worker does.

An open loop, unlike ``bench/router_bench.py``'s closed one. Arrival times are fixed before the clock starts
(Poisson, seeded, or evenly spaced with ``--uniform``). One thread, this process on one core, loops: it takes
every message whose arrival time has passed, up to the claim batch (``workers.claim_batch``'s default, as the
worker claims what is already queued and does not wait to fill a batch), reads them with one
``Router.route_many`` call and notes each message's latency, the time its decision was ready less its arrival
time; when nothing has arrived it sleeps until the next arrival. So batches are as big as what queued up
while the previous batch was read. No database, no channel: the reader alone.

Per offered rate: the achieved rate, whether it kept up, the messages in the system (arrived, not yet
decided) at the last arrival and at most, latency p50/p95/p99/max, the mean batch, CPU ms a message and the
1-minute load average before and after. ``--read-once`` reads the distinct training and dev texts instead of
the labelled messages coming round again, each once, the rates taking consecutive slices of them. The
decisions of messages read alone and of some read in batches are checked afterwards against ``route``'s.
``--output`` adds the run to a JSON file of runs by mode, with each mode's ranges over its runs.
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.router_bench import DEFAULT_ENCODER, labelled_texts, one_core, read_once_pool, set_up_reader  # noqa: E402
from bot.config import WorkerSettings  # noqa: E402

#: the p99 a rate must keep to count (issue 9)
P99_TARGET_MS = 10.0
#: a run kept up when its last decision came this soon after its last arrival, as a share of the schedule
KEPT_UP_DRAIN_SHARE = 0.03


def default_claim_batch() -> int:
    """The worker's claim batch when the configuration does not set one."""
    return int(WorkerSettings.model_fields["claim_batch"].default)


def arrival_schedule(rate: float, count: int, seed: int = 9, uniform: bool = False) -> list[float]:
    """``count`` arrival times in seconds from the start, ``rate`` a second on average: Poisson (exponential
    gaps drawn from ``seed``) or, ``uniform``, one every ``1/rate`` seconds from 0."""
    if rate <= 0 or count < 0:
        msg = f"arrival_schedule: rate must be positive and count not negative (rate={rate}, count={count})"
        raise ValueError(msg)
    if uniform:
        return [i / rate for i in range(count)]
    draw, at, times = random.Random(seed), 0.0, []
    for _ in range(count):
        at += draw.expovariate(rate)
        times.append(at)
    return times


def take_arrived(arrivals: Sequence[float], start: int, now: float, cap: int) -> int:
    """The end of the batch to read: messages ``start`` onwards arrived by ``now`` (at or before), at most ``cap``."""
    return min(bisect.bisect_right(arrivals, now, lo=start), start + cap)


@dataclass(frozen=True)
class OpenLoopRun:
    """What one open-loop run recorded: each message's latency (seconds, in arrival order) and each batch's size."""

    latencies: list[float]
    batches: list[int]
    reads: list[float]
    cpu_seconds: float
    decisions: list[Any]


def run_open_loop(
    read: Callable[[list[str]], Sequence[Any]],
    texts: Sequence[str],
    arrivals: Sequence[float],
    cap: int,
    clock: Callable[[], float] = time.perf_counter,
    sleep: Callable[[float], None] = time.sleep,
    cpu_clock: Callable[[], float] = time.process_time,
) -> OpenLoopRun:
    """Read ``texts[i]``, arriving at ``arrivals[i]`` seconds after the start, as the worker would: each
    ``read`` call takes all that has arrived, up to ``cap``; with nothing arrived, sleep until the next."""
    latencies: list[float] = []
    batches: list[int] = []
    reads: list[float] = []
    decisions: list[Any] = []
    start, cpu = 0, cpu_clock()
    origin = clock()
    while start < len(arrivals):
        now = clock() - origin
        end = take_arrived(arrivals, start, now, cap)
        if end == start:
            sleep(arrivals[start] - now)
            now = max(clock() - origin, arrivals[start])  # a sleep ends no earlier than asked (float rounding aside)
            end = take_arrived(arrivals, start, now, cap)
        taken = clock() - origin
        decisions += read(list(texts[start:end]))
        ready = clock() - origin
        reads.append(ready - taken)
        latencies += [ready - arrivals[i] for i in range(start, end)]
        batches.append(end - start)
        start = end
    return OpenLoopRun(latencies, batches, reads, cpu_clock() - cpu, decisions)


def in_system(arrivals: Sequence[float], latencies: Sequence[float]) -> tuple[int, int]:
    """Messages arrived and not yet decided: at the last arrival (itself included), and at most over the run."""
    if not arrivals:
        return 0, 0
    last = arrivals[-1]
    at_end = sum(1 for a, lat in zip(arrivals, latencies) if a + lat >= last)
    events = sorted([(a, 1) for a in arrivals] + [(a + lat, -1) for a, lat in zip(arrivals, latencies)],
                    key=lambda e: (e[0], -e[1]))
    depth = most = 0
    for _, step in events:
        depth += step
        most = max(most, depth)
    return at_end, most


def _percentile(ordered: Sequence[float], share: float) -> float:
    return ordered[int(share * (len(ordered) - 1))]


def summarise(rate: float, arrivals: Sequence[float], run: OpenLoopRun) -> dict[str, Any]:
    """One rate's figures from its schedule and what the run recorded."""
    n = len(arrivals)
    ordered = sorted(run.latencies)
    calls = sorted(run.reads)
    alone = sorted(r for r, size in zip(run.reads, run.batches) if size == 1)
    span = arrivals[-1] - arrivals[0]
    finished = arrivals[-1] + run.latencies[-1]
    drain = finished - arrivals[-1]
    at_end, most = in_system(arrivals, run.latencies)
    return {
        "offered_per_second": rate,
        "achieved_per_second": round(n / (finished - arrivals[0] + 1e-12)),
        "messages": n,
        "kept_up": drain <= KEPT_UP_DRAIN_SHARE * span,
        "drain_ms": round(drain * 1000, 1),
        "in_system_at_end": at_end,
        "in_system_max": most,
        "p50_ms": round(_percentile(ordered, 0.50) * 1000, 2),
        "p95_ms": round(_percentile(ordered, 0.95) * 1000, 2),
        "p99_ms": round(_percentile(ordered, 0.99) * 1000, 2),
        "max_ms": round(ordered[-1] * 1000, 2),
        "mean_batch": round(n / len(run.batches), 2),
        "largest_batch": max(run.batches),
        "cpu_ms_per_message": round(run.cpu_seconds / n * 1000, 3),
        "read_call_p50_p99_ms": [round(_percentile(calls, 0.5) * 1000, 2), round(_percentile(calls, 0.99) * 1000, 2)],
        "alone_read_p50_p99_ms": ([round(_percentile(alone, 0.5) * 1000, 2), round(_percentile(alone, 0.99) * 1000, 2)]
                                  if alone else None),
    }


def best_rate(rows: Sequence[dict[str, Any]], target_ms: float = P99_TARGET_MS) -> float | None:
    """The highest offered rate that kept up with p99 within ``target_ms`` (None: no rate did)."""
    held = [r["offered_per_second"] for r in rows if r["kept_up"] and r["p99_ms"] <= target_ms]
    return max(held) if held else None


def highest_kept_up(rows: Sequence[dict[str, Any]]) -> float | None:
    """The highest offered rate the reader kept up with, whatever its latency (None: none)."""
    kept = [r["offered_per_second"] for r in rows if r["kept_up"]]
    return max(kept) if kept else None


def _span(values: Sequence[Any]) -> Any:
    known = [v for v in values if v is not None]
    if not known:
        return None
    return [min(known), max(known)] if min(known) != max(known) else known[0]


def ranges(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Over a mode's runs: the best rate's range, and per offered rate each figure's range."""
    by_rate: dict[float, list[dict[str, Any]]] = {}
    for run in runs:
        for row in run["rates"]:
            by_rate.setdefault(row["offered_per_second"], []).append(row)
    keys = ["achieved_per_second", "p50_ms", "p95_ms", "p99_ms", "max_ms", "mean_batch", "cpu_ms_per_message"]
    return {
        "runs": len(runs),
        "best_rate_p99_10ms": _span([r["best_rate_p99_10ms"] for r in runs]),
        "highest_rate_kept_up": _span([r["highest_rate_kept_up"] for r in runs]),
        "load_average_1min": _span([x for r in runs for x in r["load_average_1min_start_end"]]),
        "per_rate": {str(rate): {k: _span([r[k] for r in rows]) for k in keys}
                     | {"kept_up": f"{sum(r['kept_up'] for r in rows)}/{len(rows)}"}
                     for rate, rows in sorted(by_rate.items())},
    }


def add_run(path: Path, mode: str, run: dict[str, Any]) -> dict[str, Any]:
    """Add ``run`` to ``path``'s runs of ``mode`` and refresh that mode's ranges; the file's new content."""
    figures = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    entry = figures.setdefault(mode, {"runs": []})
    entry["runs"].append(run)
    entry["ranges"] = ranges(entry["runs"])
    path.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return figures


def _check(router: Any, now: Any, texts: Sequence[str], run: OpenLoopRun, limit: int) -> dict[str, Any]:
    """``route``'s decision for up to ``limit`` messages read alone and ``limit`` read in batches, against the run's."""
    alone, together, index = [], [], 0
    for size in run.batches:
        (alone if size == 1 else together).extend(range(index, index + size))
        index += size
    picked = alone[:limit] + together[:limit]
    differ = sum(router.route(texts[i], now=now) != run.decisions[i] for i in picked)
    return {"alone": min(len(alone), limit), "in_batches": min(len(together), limit), "differing": differ}


def main() -> int:
    """Load the reader, offer each rate in turn, print the figures as JSON (and add them to ``--output``)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rates", type=float, nargs="+", default=[100, 200, 300, 400, 500, 600, 700, 800],
                        help="offered rates, messages a second")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="seconds of arrivals at each rate (longer where --min-messages needs it)")
    parser.add_argument("--min-messages", type=int, default=2000, help="at least this many messages a rate (for a p99)")
    parser.add_argument("--messages", type=int, help="exactly this many messages at each rate")
    parser.add_argument("--claim-batch", type=int, default=default_claim_batch(),
                        help="most messages read in one call (default: workers.claim_batch's default)")
    parser.add_argument("--uniform", action="store_true", help="evenly spaced arrivals instead of Poisson")
    parser.add_argument("--seed", type=int, default=9, help="seed of the Poisson arrivals")
    parser.add_argument("--read-once", action="store_true", help="read each distinct training and dev text once")
    parser.add_argument("--check", type=int, default=200,
                        help="messages read alone, and as many in batches, checked against route a rate")
    parser.add_argument("--cache-dir", help="GTFS index cache")
    parser.add_argument("--output", help="JSON file of runs to add this one to (bench/results/router_load.json)")
    parser.add_argument("--encoder", choices=("float32", "integer"), default=DEFAULT_ENCODER,
                        help="the encoder's pass (reader.encoder; default: the product's)")
    args = parser.parse_args()
    if args.claim_batch < 1:
        parser.error("--claim-batch must be at least 1")
    counts = [args.messages or max(args.min_messages, round(rate * args.seconds)) for rate in args.rates]
    pool = read_once_pool() if args.read_once else labelled_texts()
    if args.read_once and sum(counts) > len(pool):
        parser.error(f"--read-once: {sum(counts)} messages asked for, {len(pool)} distinct texts: ask for fewer")

    one_core()
    load_start = os.getloadavg()[0]
    setup = set_up_reader(args.cache_dir, args.encoder)
    router, now = setup.router, setup.now
    if not args.read_once:  # the labelled messages come round again anyway: read them once before the clock
        for start in range(0, len(pool), 16):
            router.route_many(pool[start:start + 16], now=now)

    rows, checks, used = [], [], 0
    for rate, count in zip(args.rates, counts):
        if args.read_once:
            texts, used = pool[used:used + count], used + count
        else:
            texts = [pool[i % len(pool)] for i in range(count)]
        arrivals = arrival_schedule(rate, count, args.seed, args.uniform)
        before = os.getloadavg()[0]
        run = run_open_loop(lambda chunk: router.route_many(chunk, now=now), texts, arrivals, args.claim_batch)
        after = os.getloadavg()[0]
        load = {"load_average_1min_before_after": [round(before, 2), round(after, 2)]}
        rows.append(summarise(rate, arrivals, run) | load)
        checks.append(_check(router, now, texts, run, args.check))
    load_end = os.getloadavg()[0]

    import resource

    figures = {
        "claim_batch": args.claim_batch,
        "encoder": args.encoder,
        "arrivals": "uniform" if args.uniform else f"poisson seed {args.seed}",
        "texts": "read once" if args.read_once else f"{len(pool)} labelled, round again",
        "startup_seconds": round(setup.startup_seconds, 3),
        "rates": rows,
        "best_rate_p99_10ms": best_rate(rows),
        "highest_rate_kept_up": highest_kept_up(rows),
        "decisions_checked_against_route": {
            "alone": sum(c["alone"] for c in checks), "in_batches": sum(c["in_batches"] for c in checks),
            "differing": sum(c["differing"] for c in checks)},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_average_1min_start_end": [round(load_start, 2), round(load_end, 2)],
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    print(json.dumps(figures, indent=1))
    if args.output:
        encoder = "_integer_encoder_float32_edges" if args.encoder == "integer" else ""
        mode = (f"{'read_once' if args.read_once else 'labelled'}_{'uniform' if args.uniform else 'poisson'}"
                f"_claim_batch_{args.claim_batch}{encoder}")
        add_run(Path(args.output), mode, figures)
    return 1 if figures["decisions_checked_against_route"]["differing"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
