"""Live-data benchmark: the cost of knowing each source's age (feed refresh with confirmation, reply drafting)."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.config import Settings  # noqa: E402
from bot.domain import Action, Asked, Decision, Intent  # noqa: E402
from handlers import ReplyWriter  # noqa: E402
from knowledge.faq import FaqIndex  # noqa: E402
from knowledge.gtfs import GtfsIndex  # noqa: E402
from knowledge.store import Knowledge  # noqa: E402
from storage.db import make_engine, open_database  # noqa: E402

SHARED = Path(os.environ.get("SPORTELLO_SHARED", REPO.parent / "shared"))
EVAL = SHARED / "eval"
NOW = datetime.fromisoformat("2026-11-27T08:30:00+01:00")


class Clock:
    """A clock the benchmark moves by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def _ms(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"p50_ms": round(statistics.median(ordered) * 1000, 3),
            "p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 3)}


def main() -> int:
    """Time alerts refreshes (changed and unchanged file, with the belief) and status drafts, on SQLite."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=200, help="refreshes and drafts to time")
    parser.add_argument("--url", default=None, help="a database URL (default: a temporary SQLite file)")
    args = parser.parse_args()
    gtfs, faq = GtfsIndex.load(EVAL / "gtfs"), FaqIndex.load([EVAL / "faq"])
    payload = (EVAL / "alerts.pb").read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.url or f"sqlite:///{Path(tmp) / 'bench.db'}"
        open_database(url).dispose()
        engine = make_engine(url)
        feed = Path(tmp) / "alerts.pb"
        feed.write_bytes(payload)
        clock = Clock()
        settings = Settings(knowledge={"alerts": {"source": str(feed)}})
        knowledge = Knowledge(gtfs, faq, settings.knowledge.alerts, engine=engine, clock=clock)
        writer = ReplyWriter(knowledge, settings)
        changed, unchanged, drafts, counts = [], [], [], []
        for n in range(args.rounds):
            clock.now += timedelta(seconds=60)
            feed.write_bytes(payload)
            os.utime(feed, (clock.now.timestamp() + n, clock.now.timestamp() + n))
            started = time.perf_counter()
            knowledge.alert_feed.refresh()
            changed.append(time.perf_counter() - started)
            started = time.perf_counter()
            knowledge.alert_feed.refresh()
            unchanged.append(time.perf_counter() - started)
        status = Decision("it", Intent.STATUS, routes=("64",), alert_ids=("bus64-delays",), action=Action.AUTO,
                          confidence=1.0)
        asked = Decision("it", Intent.STATUS, routes=("64",), asked=Asked.SERVICE_COUNTS,
                         action=Action.AUTO, confidence=1.0)
        for _ in range(args.rounds):
            started = time.perf_counter()
            writer.draft(status, "il 64 è in ritardo?", now=clock.now)
            drafts.append(time.perf_counter() - started)
            started = time.perf_counter()
            writer.draft(asked, "quante corse del 64 sono saltate oggi?", now=clock.now)
            counts.append(time.perf_counter() - started)
        engine.dispose()
    print(json.dumps({
        "database": "sqlite" if args.url is None else args.url.split(":")[0],
        "alerts_entities": len(knowledge.alerts),
        "refresh_changed_file": _ms(changed),
        "refresh_unchanged_file": _ms(unchanged),
        "status_draft_with_ages": _ms(drafts),
        "service_count_draft_with_ages": _ms(counts),
    }, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
