"""follower notices of unknown delivery: since when, and a supervisor's decision on each (resend or leave)

Revision ID: 0015_notice_checks
Revises: 0014_public_days
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_notice_checks"
down_revision = "0014_public_days"
branch_labels = None
depends_on = None

UNCHECKED = "status = 'unknown' AND checked_at IS NULL"


def upgrade() -> None:
    with op.batch_alter_table("follow_notices") as batch:
        batch.add_column(sa.Column("unknown_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("decision", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("checked_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True))
    # Notices left unknown before this revision: since when is not known; their creation stands for it.
    op.execute("UPDATE follow_notices SET unknown_at = created_at WHERE status = 'unknown'")
    op.create_index("ix_follow_notices_unchecked", "follow_notices", ["unknown_at"],
                    sqlite_where=sa.text(UNCHECKED), postgresql_where=sa.text(UNCHECKED))


def downgrade() -> None:
    op.drop_index("ix_follow_notices_unchecked", table_name="follow_notices")
    with op.batch_alter_table("follow_notices") as batch:
        batch.drop_column("checked_at")
        batch.drop_column("checked_by")
        batch.drop_column("decision")
        batch.drop_column("unknown_at")
