"""Migration 0016_place_followers on a copy of a filled database, on both databases: every follower, followed alert,
alert event and notice is kept (topic ``alert``), a place can then be followed, and the downgrade keeps lines and stops."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from storage.db import MIGRATIONS_DIR, alembic_config, make_engine
from storage.followers import Chat, follow, followed_by
from tests.conftest import EVAL_NOW, PG_URL

AFTER = "0016_place_followers"
BEFORE = str(ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(AFTER).down_revision)
FOLLOWERS = [("telegram", "5001", "line", "64"), ("telegram", "5001", "stop", "70340"), ("web", "thread-1", "line", "8")]


def _to(engine: Engine, revision: str, *, down: bool = False) -> None:
    (command.downgrade if down else command.upgrade)(alembic_config(engine), revision)


def _fill(url: str) -> None:
    engine = make_engine(url)
    try:
        _to(engine, BEFORE)
        with engine.begin() as conn:
            for channel, chat, kind, target in FOLLOWERS:
                conn.execute(text("INSERT INTO followers (channel, chat, kind, target, lang, created_at) "
                                  "VALUES (:channel, :chat, :kind, :target, 'it', :at)"),
                             {"channel": channel, "chat": chat, "kind": kind, "target": target, "at": EVAL_NOW})
            conn.execute(text("INSERT INTO followed_alerts (alert_id, fingerprint, routes, stops, texts, started_at, "
                              "changed_at) VALUES ('a1', 'f', '[\"64\"]', '[]', '{}', :at, :at)"), {"at": EVAL_NOW})
            conn.execute(text("INSERT INTO alert_events (id, alert_id, kind, at, texts, followers) "
                              "VALUES (1, 'a1', 'start', :at, '{}', 1)"), {"at": EVAL_NOW})
            conn.execute(text("INSERT INTO follow_notices (event_id, alert_id, channel, chat, lang, status, attempts, "
                              "created_at) VALUES (1, 'a1', 'telegram', '5001', 'it', 'posted', 1, :at)"), {"at": EVAL_NOW})
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def old(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A filled database at the revision before, handed over as a copy (a file copy; a database made from a template)."""
    if request.param == "sqlite":
        filled, copy = tmp_path / "filled.db", tmp_path / "copy.db"
        _fill(f"sqlite:///{filled}")
        shutil.copyfile(filled, copy)
        engine = make_engine(f"sqlite:///{copy}")
        yield engine
        engine.dispose()
        return
    admin_url = make_url(PG_URL)
    names = [f"follow_places_{uuid.uuid4().hex[:8]}" for _ in range(2)]
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{names[0]}"'))
    except Exception as exc:  # noqa: BLE001 - the shared fixtures skip the same way
        pytest.skip(f"PostgreSQL unreachable at {PG_URL}: {exc}")
    try:
        _fill(admin_url.set(database=names[0]).render_as_string(hide_password=False))
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{names[1]}" TEMPLATE "{names[0]}"'))
        engine = make_engine(admin_url.set(database=names[1]).render_as_string(hide_password=False))
        yield engine
        engine.dispose()
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _rows(engine: Engine, sql: str) -> set[tuple[Any, ...]]:
    with engine.connect() as conn:
        return set(conn.execute(text(sql)).all())


def test_every_follower_alert_event_and_notice_is_kept_as_an_alert(old: Engine) -> None:
    _to(old, AFTER)
    assert _rows(old, "SELECT channel, chat, kind, target FROM followers") == set(FOLLOWERS)
    assert _rows(old, "SELECT alert_id, topic, service FROM followed_alerts") == {("a1", "alert", None)}
    assert _rows(old, "SELECT alert_id, topic, service FROM alert_events") == {("a1", "alert", None)}
    assert _rows(old, "SELECT chat, status FROM follow_notices") == {("5001", "posted")}


def test_a_place_with_a_long_id_can_be_followed_after_it(old: Engine) -> None:
    _to(old, AFTER)
    street = "072006:" + "via " + "molto " * 12 + "lunga"
    who = Chat("telegram", "5001")
    follow(old, who, "service_point", "FONT-BA-UMBERTO", lang="it", now=EVAL_NOW, limit=10)
    follow(old, who, "street", street, lang="it", now=EVAL_NOW, limit=10)
    assert [(f.kind, f.target) for f in followed_by(old, who)][-2:] == [("service_point", "FONT-BA-UMBERTO"),
                                                                        ("street", street)]


def test_the_downgrade_keeps_lines_and_stops_and_drops_places(old: Engine) -> None:
    _to(old, AFTER)
    follow(old, Chat("telegram", "5001"), "district", "BA-MURAT", lang="it", now=EVAL_NOW, limit=10)
    _to(old, BEFORE, down=True)
    assert _rows(old, "SELECT channel, chat, kind, target FROM followers") == set(FOLLOWERS)
    assert _rows(old, "SELECT chat, status FROM follow_notices") == {("5001", "posted")}
