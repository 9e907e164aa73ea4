"""Time migration 0012_subjects (and its downgrade) on a database filled through the schema before it.

    .venv/bin/python bench/subjects_migration_bench.py --url sqlite:///var/subjects_bench.db --messages 150000
    .venv/bin/python bench/subjects_migration_bench.py --url postgresql+psycopg://postgres@127.0.0.1/subjects_bench

The database must be empty. Messages are written at the revision before 0012 with their problem
records as the old writer left them: a third name a line at a stop (one record with both, split
by the migration), a third two lines, a third a stop alone. Prints one JSON line: rows before and
after, seconds for the upgrade, the downgrade and the upgrade again, and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from alembic import command  # noqa: E402
from alembic.script import ScriptDirectory  # noqa: E402
from sqlalchemy import Engine, MetaData, text  # noqa: E402

from storage.db import MIGRATIONS_DIR, alembic_config, make_engine  # noqa: E402

AFTER = "0012_subjects"
BEFORE = str(ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(AFTER).down_revision)
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
BATCH = 20_000


def fill(engine: Engine, count: int) -> int:
    """``count`` messages and their old-shape problem records (4 for 3 messages); returns how many records."""
    meta = MetaData()
    meta.reflect(engine, only=["messages", "problems"])
    messages, problems = meta.tables["messages"], meta.tables["problems"]
    written = 0
    with engine.begin() as conn:
        for low in range(1, count + 1, BATCH):
            ids = range(low, min(low + BATCH, count + 1))
            rows, recs = [], []
            for mid in ids:
                at = START + timedelta(seconds=30 * mid)
                rows.append(dict(id=mid, channel="x", external_id=str(mid), author="u", text="t", received_at=at,
                                 extras={}, state="closed", attempts=0, intent="complaint", updated_at=at))
                base = dict(message_id=mid, channel="x", intent="complaint", category="delay", alert_id=None, at=at)
                line, stop = str(mid % 90), f"STOP {mid % 2000}"
                if mid % 3 == 0:
                    recs.append({**base, "route_id": line, "stop_id": str(mid % 2000), "stop_name": stop})
                elif mid % 3 == 1:
                    recs.append({**base, "route_id": line, "stop_id": None, "stop_name": None})
                    recs.append({**base, "route_id": str((mid + 1) % 90), "stop_id": None, "stop_name": None})
                else:
                    recs.append({**base, "route_id": None, "stop_id": None, "stop_name": stop})
            conn.execute(messages.insert(), rows)
            conn.execute(problems.insert(), recs)
            written += len(recs)
    return written


def _rows(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM problems")).scalar_one())


def _timed(action: object) -> float:
    started = time.perf_counter()
    action()  # type: ignore[operator]
    return round(time.perf_counter() - started, 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="an empty database")
    parser.add_argument("--messages", type=int, default=150_000, help="messages to write (default 150,000)")
    args = parser.parse_args()
    engine = make_engine(args.url)
    config = alembic_config(engine)
    command.upgrade(config, BEFORE)
    fill_s = _timed(lambda: fill(engine, args.messages))
    before = _rows(engine)
    up_s = _timed(lambda: command.upgrade(config, AFTER))
    after = _rows(engine)
    down_s = _timed(lambda: command.downgrade(config, BEFORE))
    again_s = _timed(lambda: command.upgrade(config, AFTER))
    print(json.dumps({
        "database": engine.dialect.name, "records_before": before, "records_after": after,
        "fill_s": fill_s, "upgrade_s": up_s, "downgrade_s": down_s, "upgrade_again_s": again_s,
        "load": [round(x, 1) for x in os.getloadavg()],
    }))
    engine.dispose()


if __name__ == "__main__":
    main()
