"""Migration 0014_public_days on both databases: the table appears, goes on the downgrade, and comes back."""

from __future__ import annotations

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from storage.db import MIGRATIONS_DIR, alembic_config

AFTER = "0014_public_days"
BEFORE = str(ScriptDirectory(str(MIGRATIONS_DIR)).get_revision(AFTER).down_revision)


def test_public_days_comes_and_goes_with_its_migration(engine: Engine) -> None:
    assert "public_days" in inspect(engine).get_table_names()
    command.downgrade(alembic_config(engine), BEFORE)
    assert "public_days" not in inspect(engine).get_table_names()
    command.upgrade(alembic_config(engine), "head")
    columns = {c["name"] for c in inspect(engine).get_columns("public_days")}
    assert columns == {"kind", "route", "day", "version", "value", "computed_at"}
