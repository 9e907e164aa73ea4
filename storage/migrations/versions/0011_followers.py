"""followers of lines and stops, the alerts they were told about, alert events and their outbox

Revision ID: 0011_followers
Revises: 0010_published_figures
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_followers"
down_revision = "0010_published_figures"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")
SENDING = sa.text("status = 'sending'")


def _ts(name: str, nullable: bool = True) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "followers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("target", sa.String(length=64), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        _ts("created_at", nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("channel", "chat", "kind", "target", name="uq_followers_chat_target"),
    )
    op.create_index("ix_followers_kind_target", "followers", ["kind", "target"])
    op.create_table(
        "followed_alerts",
        sa.Column("alert_id", sa.String(length=128), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("routes", sa.JSON(), nullable=False),
        sa.Column("stops", sa.JSON(), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        _ts("started_at", nullable=False),
        _ts("changed_at", nullable=False),
        _ts("ended_at"),
        sa.PrimaryKeyConstraint("alert_id"),
    )
    op.create_table(
        "alert_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        _ts("at", nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("followers", sa.Integer(), nullable=False),
        sa.Column("x_status", sa.String(length=16), nullable=True),
        sa.Column("x_post_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_alert_events_alert", "alert_events", ["alert_id", "id"])
    op.create_table(
        "follow_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("chat", sa.String(length=128), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("lease_owner", sa.String(length=128), nullable=True),
        _ts("lease_until"),
        _ts("created_at", nullable=False),
        _ts("posted_at"),
        sa.Column("external_id", sa.String(length=128), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["event_id"], ["alert_events.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id", "channel", "chat", name="uq_follow_notices_event_chat"),
    )
    op.create_index("ix_follow_notices_pending", "follow_notices", ["id"], sqlite_where=PENDING, postgresql_where=PENDING)
    op.create_index("ix_follow_notices_chat", "follow_notices", ["channel", "chat", "posted_at"])
    op.create_index("ix_follow_notices_sending", "follow_notices", ["lease_until"], sqlite_where=SENDING,
                    postgresql_where=SENDING)


def downgrade() -> None:
    op.drop_table("follow_notices")
    op.drop_table("alert_events")
    op.drop_table("followed_alerts")
    op.drop_index("ix_followers_kind_target", table_name="followers")
    op.drop_table("followers")
