"""Engines for SQLite (WAL, one writer at a time) and PostgreSQL, and schema migration."""

from __future__ import annotations

import ast
import logging
import re
import time
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlmodel import Session

from bot.errors import StorageError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Advisory-lock key that serialises migrations between processes on PostgreSQL.
MIGRATION_LOCK_KEY = 0x5B0_7E11
#: A pooled connection idle longer than this is checked before use (PostgreSQL).
PING_AFTER_IDLE_SECONDS = 2.0
_CHECKED_IN = "sportello_checked_in"
#: Execution option marking an engine (and its sessions) as read-only.
READ_ONLY_OPTION = "sportello_read_only"
_READERS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def is_sqlite(engine: Engine) -> bool:
    """Whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url``; SQLite gets WAL, a busy timeout and write-locking transactions."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        database = parsed.database
        if database and database != ":memory:":
            Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"timeout": 30, "isolation_level": None, "check_same_thread": False},
        )
        _configure_sqlite(engine)
        return engine
    if parsed.drivername in ("postgresql", "postgres"):
        url = str(parsed.set(drivername="postgresql+psycopg"))
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=10)
    _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before use only if it sat idle (``pool_pre_ping`` pings every time:
    a round trip per transaction). A connection the server dropped meanwhile is replaced."""

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_conn: Any, record: Any) -> None:
        record.info[_CHECKED_IN] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(_CHECKED_IN)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return  # new, or used a moment ago
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:  # the driver's own error: the pool connects again
            raise DisconnectionError(str(exc)) from exc


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A session that may write takes the write lock up front, so two processes never both
        # read a row as free and then both claim it. A read-only session (see ``reading``)
        # begins a deferred transaction: a consistent snapshot that never waits for writers.
        # (Straight to the driver: the statement is fixed and this runs for every transaction.)
        read_only = conn.get_execution_options().get(READ_ONLY_OPTION)
        conn.connection.driver_connection.execute("BEGIN" if read_only else "BEGIN IMMEDIATE")


def reading(engine: Engine) -> Engine:
    """``engine`` for read-only work: on SQLite its transactions never take the write lock."""
    if engine.get_execution_options().get(READ_ONLY_OPTION):
        return engine
    reader = _READERS.get(engine)
    if reader is None:
        reader = _READERS[engine] = engine.execution_options(**{READ_ONLY_OPTION: True})
    return reader


@contextmanager
def read_session(engine: Engine) -> Iterator[Session]:
    """A session for reads only (it must not write): no write lock, objects stay loaded."""
    with Session(reading(engine), expire_on_commit=False) as session:
        yield session


def optimize(engine: Engine) -> None:
    """Keep the query planner's statistics current (``PRAGMA optimize`` / ``ANALYZE``)."""
    with engine.connect() as conn:
        if is_sqlite(engine):
            # Sampled: a bounded cost whatever the size of the tables.
            conn.exec_driver_sql("PRAGMA analysis_limit=1000")
            conn.exec_driver_sql("ANALYZE")
        else:
            # response_facts too: a report narrowed to a subject joins it to the subject's problem records, a
            # plan that needs its row count (after a rebuild, before autovacuum came: 0.49 s a query, not 0.07).
            conn.exec_driver_sql("ANALYZE messages, cases, replies, transitions, problems, response_facts")
        conn.commit()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except Exception:
            session.rollback()
            raise


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to ``engine``."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    config.attributes["engine"] = engine
    return config


_ASSIGNED = re.compile(r"^(revision|down_revision)\s*(?::[^=]+)?=\s*(.+?)\s*$", re.MULTILINE)


def script_head() -> str | None:
    """The newest revision of the migration scripts, read from their text without loading Alembic
    (None when there is not exactly one)."""
    revisions: set[str] = set()
    below: set[str] = set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        found = dict(_ASSIGNED.findall(path.read_text(encoding="utf-8")))
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", "None"))
        below.update([down] if isinstance(down, str) else down or ())
    heads = revisions - below
    return heads.pop() if len(heads) == 1 else None


def stored_revision(engine: Engine) -> str | None:
    """The revision the database says it is at (None: none recorded, or more than one)."""
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT version_num FROM alembic_version")).all()
    except DBAPIError:  # no alembic_version table yet
        return None
    return str(rows[0][0]) if len(rows) == 1 else None


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe when several workers start at once.

    A database already at the scripts' head is left alone without loading Alembic (most of a
    second of ``sportello run``'s start).
    """
    head = script_head()
    if head is not None and stored_revision(engine) == head:
        return
    from alembic import command

    config = alembic_config(engine)
    try:
        if is_sqlite(engine):
            command.upgrade(config, "head")
            return
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_KEY})
            conn.commit()
            try:
                command.upgrade(config, "head")
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_KEY})
                conn.commit()
    except Exception as exc:  # alembic raises many types; name the database in one error
        msg = f"could not migrate the database at {engine.url!r}: {exc}"
        raise StorageError(msg) from exc


def open_database(url: str, *, echo: bool = False) -> Engine:
    """An engine for ``url`` with the schema brought up to date."""
    engine = make_engine(url, echo=echo)
    migrate(engine)
    optimize(engine)
    return engine
