"""Privacy benchmark: the personal-data recogniser's speed, and how long an erasure takes as the database grows."""

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

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.privacy.pii import find_pii, mask  # noqa: E402
from bot.privacy.subject import Citizen, erase_citizen  # noqa: E402
from storage.db import open_database  # noqa: E402
from storage.models import Case, Message  # noqa: E402

SHARED = Path(os.environ.get("SPORTELLO_SHARED", REPO.parent / "shared"))
WITH_DATA = [
    "rimborso sulla carta 4111 1111 1111 1111, cf RSSMRA85T10A562S, scrivete a mario.rossi@example.com",
    "chiamatemi al 333 123 4567 per la multa, targa AB 123 CD",
    "IBAN IT60 X054 2811 1010 0000 0123 456 per il rimborso",
]


def _texts() -> list[str]:
    path = SHARED / "eval" / "dev.jsonl"
    plain = [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return plain + WITH_DATA * 10


def recogniser(seconds: float) -> dict[str, float]:
    """Messages per second through find_pii and mask, and per-message latency percentiles."""
    texts = _texts()
    timings: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        for text in texts:
            start = time.perf_counter()
            find_pii(text)
            mask(text)
            timings.append(time.perf_counter() - start)
    timings.sort()
    return {
        "messages": len(timings),
        "per_second": round(len(timings) / sum(timings)),
        "p50_ms": round(statistics.median(timings) * 1000, 3),
        "p99_ms": round(timings[int(len(timings) * 0.99)] * 1000, 3),
    }


def erasure(rows: int, pg_url: str | None = None) -> dict[str, float]:
    """Time to erase one citizen from a database of ``rows`` messages (VACUUM dominates)."""
    with tempfile.TemporaryDirectory() as folder:
        admin = None
        if pg_url:
            admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
            name = f"sportello_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            engine = open_database(make_url(pg_url).set(database=name).render_as_string(hide_password=False))
        else:
            engine = open_database(f"sqlite:///{folder}/bench.db")
        t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
        with engine.begin() as conn:
            conn.execute(insert(Case.__table__), [dict(id=1, channel="telegram", thread_key="5001", author="5001", status="open", opened_at=t0)])
            batch = []
            for n in range(rows):
                author = "5001" if n % 1000 == 0 else str(10_000 + n % 5000)
                batch.append(dict(channel="telegram", external_id=f"e{n}", author=author, text=f"il 64 non passa {n} " * 4,
                                  received_at=t0 + timedelta(seconds=n), extras={}, state="closed", attempts=0,
                                  updated_at=t0, case_id=1 if author == "5001" else None))
                if len(batch) == 5000:
                    conn.execute(insert(Message.__table__), batch)
                    batch = []
            if batch:
                conn.execute(insert(Message.__table__), batch)
        if admin is None:
            size = Path(f"{folder}/bench.db").stat().st_size
        else:
            with engine.connect() as conn:
                size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar() or 0
        start = time.perf_counter()
        done = erase_citizen(engine, Citizen.parse("telegram:5001"), actor="bench", now=t0)
        seconds = time.perf_counter() - start
        engine.dispose()
        if admin is not None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return {"database": "postgresql" if pg_url else "sqlite", "messages": rows, "db_mb": round(size / 1e6, 1),
            "erased": done.messages, "seconds": round(seconds, 2), "files_complete": done.files.complete}


def main() -> int:
    """Print the figures as JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--rows", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--pg", help="also on PostgreSQL: an admin URL whose server may create a scratch database")
    args = parser.parse_args()
    runs = [erasure(n) for n in args.rows] + ([erasure(n, args.pg) for n in args.rows] if args.pg else [])
    print(json.dumps({"recogniser": recogniser(args.seconds), "erasure": runs}, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
