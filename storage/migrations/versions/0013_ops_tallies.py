"""metric_tallies: the service-wide counts /metrics keeps, so a scrape reads only what is new

Revision ID: 0013_ops_tallies
Revises: 0011_followers
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013_ops_tallies"
down_revision = "0011_followers"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "metric_tallies",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("metric_tallies")
