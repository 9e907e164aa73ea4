"""Read-only access for reports: on SQLite, without taking the write lock.

The service's SQLite engine opens every transaction with ``BEGIN IMMEDIATE`` so two workers
never claim the same message; a report that only reads must not hold that lock (and stall the
workers) while it aggregates. Under WAL a plain deferred transaction reads a consistent
snapshot while writers go on, so reports use a second engine on the same file without the
hook. PostgreSQL readers never block writers: the engine is used as it is.
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import NullPool

_readers: dict[str, Engine] = {}
_lock = threading.Lock()


def reader(engine: Engine) -> Engine:
    """An engine for read-only queries on the same database as ``engine``."""
    if engine.dialect.name != "sqlite":
        return engine
    url = engine.url.render_as_string(hide_password=False)
    with _lock:
        found = _readers.get(url)
        if found is None:
            found = create_engine(url, poolclass=NullPool, connect_args={"timeout": 30, "check_same_thread": False})
            event.listen(found, "connect", _query_only)
            _readers[url] = found
    return found


def _query_only(dbapi_conn: object, _record: object) -> None:
    cursor = dbapi_conn.cursor()  # type: ignore[attr-defined]
    cursor.execute("PRAGMA query_only=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
