"""published figures of service days that are over, kept so the public pages read them instead of counting

Revision ID: 0014_public_days
Revises: 0012_subjects
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_public_days"
down_revision = "0012_subjects"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "public_days",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("route", sa.String(length=128), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "route", "day"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    op.drop_table("public_days")
