"""Leaving no copy of erased data in the database files: free pages, the write-ahead log."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from storage.db import is_sqlite

log = logging.getLogger(__name__)

#: Tables whose rows an erasure rewrites (PostgreSQL rewrites them whole with VACUUM FULL).
ERASED_TABLES = ("messages", "replies", "cases", "transitions", "corrections", "privacy_audit", "case_notes")
#: SQLite's full-text tables (migration 0009): external-content FTS5 indexes of messages and notes.
FULL_TEXT_TABLES = ("messages_fts", "case_notes_fts")


@dataclass(frozen=True)
class Compaction:
    """What was done to the files, and whether every step completed."""

    complete: bool
    steps: tuple[str, ...]
    note: str = ""


def compact_files(engine: Engine, tables: tuple[str, ...] = ERASED_TABLES) -> Compaction:
    """Rewrite the database so deleted and overwritten rows leave no trace in its files."""
    if is_sqlite(engine):
        return _sqlite(engine)
    return _postgresql(engine, tables)


def _sqlite(engine: Engine) -> Compaction:
    steps: list[str] = []
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        assert connection is not None
        connection.execute("PRAGMA secure_delete=ON")
        for fts in FULL_TEXT_TABLES:  # merge the search index's segments: no erased word stays in it
            connection.execute(f"INSERT INTO {fts}({fts}) VALUES ('optimize')")
        steps.append("fts optimize")
        connection.execute("VACUUM")
        steps.append("VACUUM")
        for _ in range(20):
            busy, _log, _done = connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            if not busy:
                steps.append("wal_checkpoint(TRUNCATE)")
                return Compaction(True, tuple(steps))
            time.sleep(0.25)  # another process is reading: its snapshot ends within moments
    except Exception as exc:  # noqa: BLE001 - sqlite3 raises OperationalError on a lock; reported, not fatal
        log.warning("privacy: database files not compacted: %s", exc)
        return Compaction(False, tuple(steps), f"{type(exc).__name__}: {exc}")
    finally:
        raw.close()
    return Compaction(False, tuple(steps), "the write-ahead log is still in use by another process; run the erase again later")


def _postgresql(engine: Engine, tables: tuple[str, ...]) -> Compaction:
    steps: list[str] = []
    notes: list[str] = []
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        present = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")).scalars())
        for table in tables:
            if table in present:
                conn.execute(text(f'VACUUM (FULL) "{table}"'))
                steps.append(f"VACUUM (FULL) {table}")
        try:
            conn.execute(text("CHECKPOINT"))
            steps.append("CHECKPOINT")
        except DBAPIError as exc:
            notes.append(f"CHECKPOINT refused ({exc.orig.__class__.__name__}); the server checkpoints on its own schedule")
    notes.append("WAL segments and base backups keep earlier copies until they are recycled or expire")
    return Compaction(not notes[:-1], tuple(steps), "; ".join(notes))
