"""hot path indexes: a claim, a case lookup and a conversation read that cost the same at any depth

Revision ID: 0004_hot_path_indexes
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_hot_path_indexes"
down_revision = "0003"
branch_labels = None
depends_on = None

# The work states, written out: a partial index is used only by queries that repeat its literal
# condition (storage/models.py WORK_STATES_SQL, checked against bot.domain.WORK_STATES by a test).
_WORK = sa.text("state IN ('approved', 'edited', 'received', 'routed')")


def upgrade() -> None:
    op.create_index(
        "ix_messages_work", "messages", ["id"], unique=False, sqlite_where=_WORK, postgresql_where=_WORK
    )
    op.create_index("ix_messages_channel_thread", "messages", ["channel", "thread_id"], unique=False)
    op.drop_index("ix_cases_channel_thread", table_name="cases")
    op.create_index("ix_cases_thread_status", "cases", ["channel", "thread_key", "status"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cases_thread_status", table_name="cases")
    op.create_index("ix_cases_channel_thread", "cases", ["channel", "thread_key"], unique=False)
    op.drop_index("ix_messages_channel_thread", table_name="messages")
    op.drop_index("ix_messages_work", table_name="messages")
