"""Migration 0016_place_followers on a copy of a filled database, on both databases: every follower, followed alert,
alert event and notice is kept (topic ``alert``), a place can then be followed, and the downgrade keeps lines and stops."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from storage.db import MIGRATIONS_DIR, alembic_config, make_engine
from storage.followers import Chat, follow, followed_by
from tests.conftest import EVAL_NOW
from tests.storage.migration_copies import filled_copy

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
    yield from filled_copy(request.param, tmp_path, _fill, "follow_places")


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
