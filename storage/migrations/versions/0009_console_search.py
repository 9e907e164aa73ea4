"""console search and notes: full-text indexes on messages and case notes, and the notes table

SQLite gets FTS5 tables (external content, kept in sync by triggers); PostgreSQL gets GIN
indexes on the Italian and English ``tsvector`` of the same texts. A later migration that
rebuilds ``messages`` or ``case_notes`` on SQLite (batch mode copies the table) drops the
triggers with it and must create them again (``tests/bot/console/test_search.py`` notices).

Revision ID: 0009_console_search
Revises: 0008_console_sessions
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009_console_search"
down_revision = "0008_console_sessions"
branch_labels = None
depends_on = None

#: (table, its FTS5 table) indexed on the ``text`` column.
_INDEXED = (("messages", "messages_fts"), ("case_notes", "case_notes_fts"))
_VECTOR = "(to_tsvector('italian', text) || to_tsvector('english', text))"


def _sqlite_up(table: str, fts: str) -> None:
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5(text, content='{table}', content_rowid='id', "
        "tokenize='unicode61 remove_diacritics 2')"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, text) VALUES ('delete', old.id, old.text); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF text ON {table} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, text) VALUES ('delete', old.id, old.text); "
        f"INSERT INTO {fts}(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def upgrade() -> None:
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_notes_case_id", "case_notes", ["case_id"])
    if op.get_bind().dialect.name == "sqlite":
        for table, fts in _INDEXED:
            _sqlite_up(table, fts)
    else:
        for table, _fts in _INDEXED:
            op.execute(f"CREATE INDEX ix_fts_{table} ON {table} USING gin ({_VECTOR})")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for _table, fts in _INDEXED:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {fts}")
    else:
        for table, _fts in _INDEXED:
            op.execute(f"DROP INDEX IF EXISTS ix_fts_{table}")
    op.drop_index("ix_case_notes_case_id", table_name="case_notes")
    op.drop_table("case_notes")
