"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage.db import migrate


def _not_full_text(obj: object, name: str | None, kind: str, reflected: bool, compare_to: object) -> bool:
    """Full-text objects live only in the migrations (FTS5 tables on SQLite, GIN indexes on PostgreSQL)."""
    return not (name and ("_fts" in name and kind == "table" or name.startswith("ix_fts_")))


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": False, "include_object": _not_full_text}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_migrating_twice_changes_nothing(engine: Engine) -> None:
    before = sorted(inspect(engine).get_table_names())
    migrate(engine)
    assert sorted(inspect(engine).get_table_names()) == before


def test_the_head_read_from_the_scripts_is_alembics() -> None:
    from alembic.script import ScriptDirectory

    from storage.db import alembic_config, make_engine, script_head

    engine = make_engine("sqlite://")
    assert [script_head()] == ScriptDirectory.from_config(alembic_config(engine)).get_heads()
    engine.dispose()


def test_a_database_at_the_head_is_opened_without_alembic(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    from alembic import command

    from storage.db import script_head, stored_revision

    assert stored_revision(engine) == script_head()

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("alembic ran on a database at the head")

    monkeypatch.setattr(command, "upgrade", refuse)
    migrate(engine)


def test_a_database_without_a_revision_is_migrated(tmp_path: Path) -> None:
    from storage.db import make_engine, stored_revision

    engine = make_engine(f"sqlite:///{tmp_path / 'new.db'}")
    assert stored_revision(engine) is None
    migrate(engine)
    assert "messages" in inspect(engine).get_table_names()
    engine.dispose()
