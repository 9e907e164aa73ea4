"""Queue and worker throughput: enqueue N messages, then route and answer them with W workers.

Run by hand:  .venv/bin/python bench/pipeline_bench.py [--url URL] [--messages N] [--workers W]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import text

from bot.channels.base import ChannelContext
from bot.channels.web import WebChannel
from bot.config import Settings
from bot.domain import InboundMessage, utcnow
from bot.pipeline import RoutingPipeline
from bot.reading.router import Router
from bot.worker import Worker
from handlers import ReplyWriter
from knowledge.store import Knowledge
from storage.db import open_database
from storage.queue import MessageQueue

TEXTS = [
    "il tram 8 funziona oggi?",
    "quanto costa il biglietto?",
    "autista maleducato sul 64",
    "grazie mille!",
    "can I take my bike on the metro?",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = open_database(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE problems, transitions, replies, messages, cases RESTART IDENTITY CASCADE"))
    settings = Settings()
    queue = MessageQueue(engine)
    knowledge = Knowledge.from_settings(settings.knowledge, engine=engine)
    pipeline = RoutingPipeline(Router(knowledge, settings=settings), ReplyWriter(knowledge, settings))
    web = WebChannel(ChannelContext(settings, queue, engine, utcnow))

    latencies = []
    start = time.perf_counter()
    for i in range(args.messages):
        t0 = time.perf_counter()
        queue.enqueue(InboundMessage("web", f"b{i}", f"web:c{i % 300}", TEXTS[i % len(TEXTS)], utcnow(), thread_id=f"c{i % 300}"))
        latencies.append(time.perf_counter() - t0)
    enqueue_s = time.perf_counter() - start

    workers = [Worker(f"bench-{i}", queue, pipeline, {"web": web}, idle_seconds=0.01) for i in range(args.workers)]

    def drain(worker: Worker) -> None:
        while worker.run_once():
            pass

    start = time.perf_counter()
    threads = [threading.Thread(target=drain, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    work_s = time.perf_counter() - start
    latencies.sort()
    print(f"database: {engine.dialect.name}; messages: {args.messages}; worker threads: {args.workers}")
    print(f"enqueue: {args.messages / enqueue_s:,.0f} msg/s; p50 {statistics.median(latencies) * 1000:.2f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99)] * 1000:.2f} ms")
    print(f"route + answer: {args.messages / work_s:,.0f} msg/s ({work_s:.1f} s)")


if __name__ == "__main__":
    main()
