"""Migration 0015_notice_checks on both databases: a notice left unknown before it is listed since its creation."""

from __future__ import annotations

from datetime import datetime, timezone

from alembic import command
from sqlalchemy import Engine, inspect, text

from bot.follow.unknown import unknown_notices
from storage.db import alembic_config

AT = datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)


def test_a_notice_left_unknown_before_the_migration_is_listed_since_its_creation(engine: Engine) -> None:
    command.downgrade(alembic_config(engine), "0014_public_days")
    assert "unknown_at" not in {c["name"] for c in inspect(engine).get_columns("follow_notices")}
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO alert_events (alert_id, kind, at, texts, followers) "
                          "VALUES ('a1', 'start', :at, '{}', 1)"), {"at": AT})
        conn.execute(text("INSERT INTO follow_notices (event_id, alert_id, channel, chat, lang, status, attempts, "
                          "created_at) SELECT id, 'a1', 'telegram', '5001', 'it', 'unknown', 1, :at FROM alert_events"),
                     {"at": AT})
    command.upgrade(alembic_config(engine), "head")
    found = unknown_notices(engine)
    assert found.count == 1 and found.listed[0].since == AT
