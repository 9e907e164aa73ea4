"""Console benchmark: full-text search and suggested replies as the history grows, and what the
search index's triggers cost each stored message.

    .venv/bin/python bench/console_bench.py --messages 20000          # SQLite
    .venv/bin/python bench/console_bench.py --messages 20000 --pg postgresql+psycopg://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import Engine, create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.console.filters import Filters  # noqa: E402
from bot.console.queueview import QueueView  # noqa: E402
from bot.console.search import search  # noqa: E402
from bot.console.suggest import suggest  # noqa: E402
from storage.db import open_database, optimize  # noqa: E402
from storage.models import Case, Message, Reply  # noqa: E402

SHARED = Path(os.environ.get("SPORTELLO_SHARED", REPO.parent / "shared"))
NOW = datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc)
QUERIES = ["ritardo 64", "metro chiusa", "biglietto", "aria condizionata", "tram 8", "autista", "delayed",
           "fermata saltata", "rimborso multa", "ascensore"]


def _texts() -> list[str]:
    path = SHARED / "eval" / "dev.jsonl"
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def fill(engine: Engine, count: int, texts: list[str], answered: int) -> float:
    """Store ``count`` messages (each in its case) and agent answers to the first ``answered``; seconds taken."""
    case_rows = [{"channel": "web", "thread_key": f"t{n}", "author": f"web:{n}", "status": "answered",
                  "opened_at": NOW, "status_at": NOW} for n in range(count)]
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(insert(Case.__table__), case_rows)  # type: ignore[attr-defined]
        ids = list(conn.execute(select(Case.id).order_by(Case.id)).scalars())  # type: ignore[arg-type]
        rows = [{"channel": "web", "external_id": uuid.uuid4().hex, "case_id": ids[n], "author": f"web:{n}",
                 "text": f"{texts[n % len(texts)]} ({n})", "received_at": NOW - timedelta(minutes=n), "extras": {},
                 "state": "sent", "attempts": 0, "lang": "it", "updated_at": NOW} for n in range(count)]
        for start in range(0, count, 2000):
            conn.execute(insert(Message.__table__), rows[start:start + 2000])  # type: ignore[attr-defined]
    seconds = time.perf_counter() - started
    with engine.begin() as conn:
        message_ids = list(conn.execute(select(Message.id).order_by(Message.id).limit(answered)).scalars())  # type: ignore[arg-type]
        conn.execute(insert(Reply.__table__), [  # type: ignore[attr-defined]
            {"message_id": m, "channel": "web", "text": f"Risposta dell'operatore {m}", "lang": "it",
             "author": "agent:anna", "status": "posted", "external_ids": [], "attempts": 0, "created_at": NOW,
             "posted_at": NOW, "kind": "answer"} for m in message_ids])
    return seconds


def timed(work: object, runs: int = 3) -> float:
    """The median of ``runs`` timings of ``work()``, in milliseconds."""
    spans = []
    for _ in range(runs):
        started = time.perf_counter()
        work()  # type: ignore[operator]
        spans.append((time.perf_counter() - started) * 1000)
    return statistics.median(spans)


def measure(url: str, count: int, *, triggers: bool = True) -> dict[str, float]:
    engine = open_database(url)
    if not triggers and engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            for suffix in ("ai", "ad", "au"):
                conn.execute(text(f"DROP TRIGGER messages_fts_{suffix}"))
    texts = _texts()
    seconds = fill(engine, count, texts, answered=min(count, 3000))
    result = {"messages": count, "store_us_per_message": round(seconds / count * 1e6, 1)}
    optimize(engine)  # as the service does at start and every few hours (the planner needs the statistics)
    if triggers:
        view = QueueView(target_minutes=5, claim_minutes=15, recent_hours=6)
        zone = ZoneInfo("Europe/Rome")
        per_query = [timed(lambda q=q: search(engine, Filters(q=q), view, NOW, zone)) for q in QUERIES]
        result["search_ms_median"] = round(statistics.median(per_query), 1)
        result["search_ms_max"] = round(max(per_query), 1)
        filtered = Filters(q="ritardo", channel="web", lang="it", route="64")
        result["search_filtered_ms"] = round(timed(lambda: search(engine, filtered, view, NOW, zone)), 1)
        with engine.connect() as conn:
            newest = conn.execute(select(Message.id).order_by(Message.id.desc()).limit(1)).scalar_one()  # type: ignore[attr-defined]
        result["suggest_ms"] = round(timed(lambda: suggest(engine, newest)), 1)
    engine.dispose()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20000, help="messages in the history (default 20000)")
    parser.add_argument("--pg", help="a PostgreSQL server URL: a scratch database is made there and dropped")
    args = parser.parse_args()
    if args.pg:
        admin = make_url(args.pg)
        name = f"sportello_bench_{uuid.uuid4().hex[:8]}"
        server = create_engine(admin, isolation_level="AUTOCOMMIT")
        with server.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            print("postgresql", measure(admin.set(database=name).render_as_string(hide_password=False), args.messages))
        finally:
            with server.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        print("sqlite", measure(f"sqlite:///{tmp}/with.db", args.messages))
        print("sqlite without the index's triggers", measure(f"sqlite:///{tmp}/without.db", args.messages, triggers=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
