"""figures fit to publish: when the trip-updates feed was recorded (so gaps are known), and
replies within the target per message in the response rollup

Revision ID: 0010_published_figures
Revises: 0009_console_search
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_published_figures"
down_revision = "0009_console_search"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "recording_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed", sa.String(length=32), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("snapshots", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_recording_spans_feed_end", "recording_spans", ["feed", "ended_at"])
    op.add_column("response_rollup", sa.Column("replies_met", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("response_rollup") as batch:
        batch.drop_column("replies_met")
    op.drop_index("ix_recording_spans_feed_end", table_name="recording_spans")
    op.drop_table("recording_spans")
