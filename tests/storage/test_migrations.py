"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

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
