"""insight: response facts and the indexes the operations reports need

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "response_facts",
        sa.Column("message_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("intent", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
        sa.Column("route_id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("opens_case", sa.Boolean(), nullable=False),
        sa.Column("next_reply_s", sa.Float(), nullable=True),
        sa.Column("first_reply_s", sa.Float(), nullable=True),
        sa.Column("first_human_s", sa.Float(), nullable=True),
        sa.Column("resolution_s", sa.Float(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("handed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("message_id"),
    )
    with op.batch_alter_table("response_facts", schema=None) as batch_op:
        batch_op.create_index("ix_response_facts_received_at", ["received_at"], unique=False)
        batch_op.create_index("ix_response_facts_case_id", ["case_id"], unique=False)
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index("ix_messages_updated_at", ["updated_at"], unique=False)
        batch_op.create_index("ix_messages_state_received", ["state", "received_at"], unique=False)
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.create_index("ix_problems_at_message", ["at", "message_id", "alert_id"], unique=False)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index("ix_cases_closed_at", ["closed_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_closed_at")
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_index("ix_problems_at_message")
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.drop_index("ix_messages_state_received")
        batch_op.drop_index("ix_messages_updated_at")
    with op.batch_alter_table("response_facts", schema=None) as batch_op:
        batch_op.drop_index("ix_response_facts_case_id")
        batch_op.drop_index("ix_response_facts_received_at")
    op.drop_table("response_facts")
