"""A message's CPU in one worker, by part: a worker drains a backlog on SQLite or PostgreSQL, each part's thread CPU timed.

  .venv/bin/python bench/worker_cpu.py sqlite|postgresql [--messages 2000] [--texts bench|dev]

``bench``: the four texts of bench/pipeline_bench.py; ``dev``: the eval dev set's texts (longer, all different).
The parts are timed by wrapping the functions that do them (a wrapper costs well under a microsecond a call).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pipeline_bench as pb  # noqa: E402

SPENT: dict[str, float] = {}


def _timed(owner: Any, name: str, key: str, *, classmethod_: bool = False) -> None:
    """Replace ``owner.name`` with a wrapper adding its thread CPU time to ``SPENT[key]``."""
    inner = getattr(owner, name).__func__ if classmethod_ else getattr(owner, name)

    @functools.wraps(inner)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        t0 = time.thread_time()
        try:
            return inner(*args, **kwargs)
        finally:
            SPENT[key] = SPENT.get(key, 0.0) + time.thread_time() - t0

    setattr(owner, name, classmethod(wrapper) if classmethod_ else wrapper)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["sqlite", "postgresql"])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--texts", choices=["bench", "dev"], default="bench")
    args = parser.parse_args()
    if args.texts == "dev":
        dev = pb.REPO.parent / "shared" / "eval" / "dev.jsonl"
        pb.TEXTS[:] = [json.loads(line)["text"] for line in dev.read_text(encoding="utf-8").splitlines()]

    import bot.worker
    from bot.reading.features import Encoder
    from bot.reading.model import ReaderModel
    from bot.reading.router import Router
    from handlers import ReplyWriter
    from storage.queue import MessageQueue

    _timed(Encoder, "encode", "encoder", classmethod_=True)
    _timed(ReaderModel, "read_many", "read_many")
    _timed(Router, "route_many", "route_many")
    _timed(ReplyWriter, "draft", "draft")
    _timed(ReplyWriter, "with_domain", "with_domain")
    _timed(MessageQueue, "claim_many", "claim")
    _timed(bot.worker, "record_routes", "writes")
    _timed(bot.worker.Worker, "_decide_batch", "decide")
    _timed(bot.worker.Worker, "run_once", "all")

    url = pb._fresh(args.kind)
    try:
        pb._enqueue_sportello(url, args.messages)
        worker = pb._sportello(url, "worker-cpu")
        SPENT.clear()
        t0 = time.process_time()
        while worker.run_once():
            pass
        cpu = time.process_time() - t0
    finally:
        pb._drop(url)
    s = SPENT
    writer = s["draft"] + s["with_domain"]
    parts = {
        "claim": s["claim"],
        "encoder": s["encoder"],
        "heads and n-gram product": s["read_many"] - s["encoder"],
        "rules, FAQ, alerts, confidence": s["route_many"] - s["read_many"],
        "reply writer": writer,
        "channel rules and agent check": s["decide"] - s["route_many"] - writer,
        "writes (the batch's transaction)": s["writes"],
        "the rest of the worker": s["all"] - s["claim"] - s["decide"] - s["writes"],
    }
    per = 1000 / args.messages
    print(f"{args.kind}, {args.messages} {args.texts} messages, load average {os.getloadavg()[0]:.1f}: "
          f"{cpu * per:.3f} ms of CPU a message")
    for part, spent in parts.items():
        print(f"  {part:36s} {spent * per:.3f} ms")


if __name__ == "__main__":
    main()
