"""Engines: a pooled PostgreSQL connection the server dropped while idle is replaced, not handed out."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, create_engine, text

from storage import db


def test_a_connection_dropped_while_idle_is_replaced_before_use(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if db.is_sqlite(engine):
        pytest.skip("a SQLite file has no server to drop the connection")
    with engine.connect() as conn:
        dropped = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin = create_engine(db_url)
    with admin.begin() as conn:
        assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dropped}).scalar_one()
    admin.dispose()
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)  # idle long enough to be checked
    with engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar_one() != dropped


def test_a_connection_used_a_moment_ago_is_not_pinged(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    if db.is_sqlite(engine):
        pytest.skip("SQLite connections are local files")
    pings: list[object] = []
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    monkeypatch.setattr(engine.dialect, "do_ping", lambda dbapi_conn: pings.append(dbapi_conn) or True)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert pings == []
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
    assert len(pings) == 1
