"""Waking idle workers when a message is stored: PostgreSQL LISTEN/NOTIFY across processes."""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine

log = logging.getLogger(__name__)

#: The notification channel a stored message is announced on (see ``MessageQueue._store``).
WORK_CHANNEL = "sportello_work"


def listen_for_work(engine: Engine, arrived: threading.Event, stopping: threading.Event) -> None:
    """Set ``arrived`` whenever any process stores a message, until ``stopping`` is set.

    Runs in its own thread with its own connection; if the connection drops it reconnects,
    and meanwhile workers still look for work every ``workers.idle_seconds``.
    """
    import psycopg  # PostgreSQL only

    conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    while not stopping.is_set():
        try:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                conn.execute(f"LISTEN {WORK_CHANNEL}")
                while not stopping.is_set():
                    for _ in conn.notifies(timeout=0.5, stop_after=1):
                        arrived.set()
        except psycopg.Error as exc:
            log.warning("listening for new messages failed (%s); trying again in 5 s", exc)
            stopping.wait(5.0)
