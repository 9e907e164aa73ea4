"""Time /metrics on a big database, by hand: counting the history once, a new process's first scrape, the next ones.

    .venv/bin/python bench/metrics_bench.py --url sqlite:///var/metrics_bench.db --messages 1000000
    .venv/bin/python bench/metrics_bench.py --url postgresql+psycopg://postgres@127.0.0.1/metrics_bench

The tables are filled by insight_bench's set-based generator (messages over a year, each with
its reply and state change). The stored counts are dropped first, so the history is counted as
when metrics are switched on for a service that has run a year: ``CATCH_UP`` ids a scrape.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
for path in (REPO, REPO / "bench"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

from prometheus_client import generate_latest  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bot.ops.backlog import lane_backlog  # noqa: E402
from bot.ops.health import HealthCheck  # noqa: E402
from bot.ops.metrics import metrics_registry  # noqa: E402
from bot.ops.tally import CATCH_UP, TallySnapshot, TransitionTally  # noqa: E402
from insight_bench import END, generate  # noqa: E402
from storage.db import open_database  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="an empty database to fill (or one filled before)")
    parser.add_argument("--messages", type=int, default=1_000_000, help="messages to generate (default a million)")
    parser.add_argument("--repeat", type=int, default=5, help="later scrapes to time (default 5)")
    args = parser.parse_args()
    engine = open_database(args.url)
    with engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM messages")).scalar_one()
    if not have:
        generate(engine, args.messages, 1, 1)
    with engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM messages")).scalar_one()
        changes = conn.execute(text("SELECT count(*) FROM transitions")).scalar_one()
    now = END + timedelta(days=1)
    with engine.begin() as conn:  # as if metrics were switched on today, on a year of history
        conn.execute(text("DELETE FROM metric_tallies"))
    catch_up, counted = [], TallySnapshot(behind=1)
    while not counted.caught_up:
        began = time.perf_counter()
        counted = TransitionTally(engine, lambda: now).read()
        catch_up.append(time.perf_counter() - began)
    registry = metrics_registry(HealthCheck(engine, lambda: now))  # a process started after that
    began = time.perf_counter()
    body = generate_latest(registry)
    first = time.perf_counter() - began
    later = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        generate_latest(registry)
        later.append(time.perf_counter() - began)
    backlog = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        lane_backlog(engine, now)
        backlog.append(time.perf_counter() - began)
    print(f"{engine.dialect.name}: {have:,} messages, {changes:,} state changes, {len(body):,} bytes of metrics")
    print(f"  counting the history once, {CATCH_UP:,} ids a scrape: {len(catch_up)} scrapes, "
          f"longest {max(catch_up):.2f} s, {sum(catch_up):.2f} s in all")
    print(f"  a new process's first scrape (counts stored): {first:.3f} s")
    print(f"  later scrapes: median {statistics.median(later):.3f} s (best {min(later):.3f})")
    print(f"  queue by lane alone: median {statistics.median(backlog):.3f} s")
    engine.dispose()


if __name__ == "__main__":
    main()
