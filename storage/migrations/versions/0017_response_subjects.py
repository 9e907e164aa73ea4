"""response subjects: a response fact carries its message's service and first subject

``response_facts`` gets ``service`` (the message's, ``transit`` when the message is gone) and
``subject_kind`` / ``subject_id`` (the first subject its problem records name, an address left for
its street, as ``route_id`` is its first line), so the response report is narrowed and grouped by service and subject like the
problems report. Existing facts are filled from ``messages`` and ``problems``; no row is added or
removed. On PostgreSQL the rollups' ``key`` widens to 255 characters (a subject key such as
``street:072006:via argiro`` can pass 64); SQLite does not enforce lengths.

Downgrade drops the new columns and index and keeps every fact.

Revision ID: 0017_response_subjects
Revises: 0016_place_followers
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017_response_subjects"
down_revision = "0016_place_followers"
branch_labels = None
depends_on = None

_ROLLUPS = ("response_rollup", "response_histogram")


def _first(column: str) -> str:
    return (f"(SELECT p.{column} FROM problems p WHERE p.message_id = response_facts.message_id"
            " AND p.subject_kind IS NOT NULL AND p.subject_kind <> 'address' ORDER BY p.id LIMIT 1)")


def upgrade() -> None:
    op.add_column("response_facts", sa.Column("service", sa.String(length=32), nullable=False,
                                              server_default="transit"))
    op.add_column("response_facts", sa.Column("subject_kind", sa.String(length=16), nullable=True))
    op.add_column("response_facts", sa.Column("subject_id", sa.String(length=128), nullable=True))
    op.execute("UPDATE response_facts SET service = (SELECT m.service FROM messages m"
               " WHERE m.id = response_facts.message_id)"
               " WHERE EXISTS (SELECT 1 FROM messages m WHERE m.id = response_facts.message_id)")
    op.execute(f"UPDATE response_facts SET subject_kind = {_first('subject_kind')}, subject_id = {_first('subject_id')}")
    op.create_index("ix_response_facts_service_at", "response_facts", ["service", "received_at"])
    if op.get_bind().dialect.name == "postgresql":
        for table in _ROLLUPS:
            op.alter_column(table, "key", type_=sa.String(length=255), existing_type=sa.String(length=64),
                            existing_nullable=False)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in _ROLLUPS:  # keys past 64 characters are subject keys: their rows go (the rollup is rebuilt)
            op.execute(f"DELETE FROM {table} WHERE LENGTH(key) > 64")
            op.alter_column(table, "key", type_=sa.String(length=64), existing_type=sa.String(length=255),
                            existing_nullable=False)
    op.drop_index("ix_response_facts_service_at", table_name="response_facts")
    for column in ("subject_id", "subject_kind", "service"):
        op.drop_column("response_facts", column)
