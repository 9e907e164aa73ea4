"""insight rollups: reports and response figures per local day and month

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_KEY = ("dimension", "grain", "day", "key")


def _head(key_length: int) -> list[sa.Column]:
    return [
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("grain", sa.String(length=1), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=key_length), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "problem_rollup",
        *_head(255),
        sa.Column("hour", sa.Integer(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("known", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, "hour"),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "response_rollup",
        *_head(64),
        *[sa.Column(name, sa.Integer(), nullable=False)
          for name in ("messages", "cases", "resolved", "bot_alone", "handed", "target_met")],
        sa.PrimaryKeyConstraint(*_KEY),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "response_histogram",
        *_head(64),
        sa.Column("measure", sa.String(length=12), nullable=False),
        sa.Column("low", sa.Float(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total_s", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(*_KEY, "measure", "low"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("response_histogram")
    op.drop_table("response_rollup")
    op.drop_table("problem_rollup")
